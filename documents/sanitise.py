"""The allow-list sanitiser every stored, displayed or printed document body goes through: a body is
edited by hand, shown in the browser and printed to PDF, so it keeps only plain formatting tags and a
few harmless attributes — no scripts, event handlers, styles or URLs."""

from html import escape
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "i", "u", "s", "small",
        "sub", "sup", "blockquote", "pre", "code", "ul", "ol", "li", "dl", "dt", "dd", "table", "caption",
        "thead", "tbody", "tfoot", "tr", "th", "td", "div", "span", "section", "header", "footer",
        "article", "abbr", "address",
    }
)  # fmt: skip
VOID_TAGS = frozenset({"br", "hr"})
# Elements dropped with everything inside them.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "template",
        "noscript", "svg", "math", "head", "title", "textarea", "select", "button", "form", "canvas",
        "audio", "video", "link", "meta", "base",
    }
)  # fmt: skip
# Opening one of these closes an open sibling first, as browsers do (<li>one<li>two).
_CLOSES_OPEN = {
    "li": {"li"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
    "tr": {"tr", "td", "th"},
    "td": {"td", "th"},
    "th": {"td", "th"},
    "p": {"p"},
}
_DROPPED_VOID = frozenset({"link", "meta", "base"})
ALLOWED_ATTRIBUTES = frozenset({"class", "colspan", "rowspan", "scope", "title", "lang", "dir", "abbr"})
_NUMERIC_ATTRIBUTES = frozenset({"colspan", "rowspan"})


class _Sanitiser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in DROPPED_WITH_CONTENT:
            if tag not in _DROPPED_VOID:
                self.skipping.append(tag)
            return
        if self.skipping:
            return
        if tag not in ALLOWED_TAGS:
            return
        kept = []
        for name, value in attrs:
            name = name.lower()
            if name not in ALLOWED_ATTRIBUTES or value is None:
                continue
            if name in _NUMERIC_ATTRIBUTES and not value.strip().isdigit():
                continue
            kept.append(f' {name}="{escape(value, quote=True)}"')
        while self.open and self.open[-1] in _CLOSES_OPEN.get(tag, ()):
            self.out.append(f"</{self.open.pop()}>")
        self.out.append(f"<{tag}{''.join(kept)}>")
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        if tag in DROPPED_WITH_CONTENT:
            return  # nothing inside to drop
        self.handle_starttag(tag, attrs)
        if tag in ALLOWED_TAGS and tag not in VOID_TAGS and not self.skipping and self.open[-1:] == [tag]:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self.skipping:
            if tag in self.skipping:
                while self.skipping.pop() != tag:
                    pass
            return
        if tag not in ALLOWED_TAGS or tag in VOID_TAGS or tag not in self.open:
            return
        while self.open:
            current = self.open.pop()
            self.out.append(f"</{current}>")
            if current == tag:
                break

    def handle_data(self, data):
        if not self.skipping:
            self.out.append(escape(data, quote=False))

    def result(self) -> str:
        self.close()
        while self.open:
            self.out.append(f"</{self.open.pop()}>")
        return "".join(self.out)


def sanitise_html(html: str) -> str:
    """The body with only ALLOWED_TAGS and ALLOWED_ATTRIBUTES kept: text is kept (escaped), other
    tags are dropped (their text kept), and scripts, styles and embedded content dropped entirely.
    Comments, processing instructions and doctype declarations are dropped."""
    parser = _Sanitiser()
    parser.feed(html or "")
    return parser.result()

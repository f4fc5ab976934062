"""The content check's reading of a page (tests/test_content.py): its visible text and links, and
what in that text reads as the specification or the database rather than plain words (issue 14)."""

import re
from html.parser import HTMLParser


class VisibleText(HTMLParser):
    """The text a reader meets on a page: no scripts, styles or hint text (an element whose class
    contains "hint"), and the page's <title>, link names and button labels included."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    # A button styled as the page's main action: not secondary, warning or danger (GOV.UK: one per page).
    NOT_PRIMARY = {"button--secondary", "button--warning", "button--danger"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.skipping: list[str] = []  # the open elements whose text is left out
        self.primary_actions: list[str] = []  # the labels of its primary buttons, in page order
        self._dialogs = 0  # the idle warning (signin) is a dialog with its own action
        self._primary_label: list[str] | None = None

    def _count_primary(self, tag, attributes):
        classes = set((attributes.get("class") or "").split())
        if "button" not in classes or classes & self.NOT_PRIMARY or self._dialogs:
            return
        if tag == "input":
            self.primary_actions.append(attributes.get("value") or "")
        elif tag in ("a", "button"):
            self._primary_label = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "dialog":
            self._dialogs += 1
        self._count_primary(tag, attributes)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag in self.VOID:
            if tag == "input" and attributes.get("type") in {"submit", "button"}:
                self.parts.append(attributes.get("value") or "")
            return
        if (
            self.skipping
            # A <pre> shows data as it arrived (a court message's body): not the portal's words.
            or tag in {"script", "style", "template", "pre"}
            or "hint" in (attributes.get("class") or "")
        ):
            self.skipping.append(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if tag == "dialog":
            self._dialogs -= 1
        if tag in ("a", "button") and self._primary_label is not None:
            self.primary_actions.append(" ".join("".join(self._primary_label).split()))
            self._primary_label = None
        if self.skipping:
            # Close the innermost open element of that name (HTML may leave <p> or <li> unclosed).
            for index in range(len(self.skipping) - 1, -1, -1):
                if self.skipping[index] == tag:
                    del self.skipping[index:]
                    break
        self.parts.append(" ")

    def handle_data(self, data):
        if self._primary_label is not None:
            self._primary_label.append(data)
        if not self.skipping:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.parts)).strip()


# "1 cases", "1 results": a number one before a plural noun. A singular noun ending in s is not a
# plural ("1 class", "1 status", "1 address"), nor is a word that is no noun ("version 1 as PDF").
NOT_PLURALS = {"as", "has", "was", "its", "his", "this", "plus", "yes", "less", "unless", "across"}
WRONG_PLURAL = re.compile(r"(?<![\d.,/:-])\b1 ([a-z]+s(?<!ss)(?<!us)(?<!is))\b")
MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
RULES = [
    ("a seed section outside hint text", re.compile(r"\bseed \d+", re.IGNORECASE)),
    ("a specification code", re.compile(r"(?<![\w.])[A-F]\.\d+(?:\.\d+)*(?![\w.]*\w)")),
    ("a raw code", re.compile(r"(?<![\w./@-])[a-z]+(?:_[a-z0-9]+)+(?![\w/@-])")),
    ("a doubled (optional)", re.compile(r"\(optional\)\s*\(optional\)", re.IGNORECASE)),
    ("a wrong plural", WRONG_PLURAL),
    ("a wrong plural", re.compile(r"\b\w+itys\b", re.IGNORECASE)),
    ("a day with a leading zero", re.compile(rf"\b0\d (?:{MONTHS})\w* \d{{4}}")),
    ("a date as a computer writes it", re.compile(r"(?<![\w/-])\d{4}-\d{2}-\d{2}(?![\w/-])")),
    ("a date written the American way", re.compile(rf"\b(?:{MONTHS})\w*\.? \d{{1,2}}, \d{{4}}")),
]


def problems_in(text: str, usernames: set[str]) -> list[str]:
    """What the content check finds in a page's visible text, each as "rule: «phrase in context»"."""
    found = []
    for rule, pattern in RULES:
        for match in pattern.finditer(text):
            if pattern is WRONG_PLURAL and match.group(1) in NOT_PLURALS:
                continue
            found.append(f"{rule}: «{context(text, match)}»")
    # A staff member's username written where their name belongs: "by manager", "aroha.ngata". The
    # demo usernames that are words ("prison", "manager") count only after "by".
    for match in re.finditer(r"(?<![\w.@/-])(by )?([a-z]+(?:\.[a-z]+)*)(?![\w@/-]|\.\w)", text):
        username = match.group(2)
        if username in usernames and ("." in username or match.group(1)):
            found.append(f"a username for a name: «{context(text, match)}»")
    return found


def context(text: str, match: re.Match) -> str:
    return text[max(0, match.start() - 40) : match.end() + 40]

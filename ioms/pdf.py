"""The one PDF renderer (WeasyPrint) for every printed output: documents and reports
(documents.services, documents.reports) and the classification review's form and letter
(classification.outputs).

Pages are self-contained: the stylesheet is inline and fonts are local, and the URL fetcher
refuses every URL (stylesheets, images, `@import`, `url()` backgrounds), so printing never makes a
request, whatever the HTML asks for. WeasyPrint skips what it cannot fetch."""

from weasyprint.urls import URLFetcher


class NoFetching(URLFetcher):
    """Refuses every external resource."""

    def __init__(self):
        # URLFetcher.__init__ builds urllib's handlers, among them an HTTPS handler whose default
        # SSL context reads the system's certificates: 40-50 ms of CPU for every PDF (200-300 ms on
        # a loaded machine; issue 14), for handlers never used here. Only what
        # `weasyprint.urls.fetch` reads of a fetcher is set.
        self._fail_on_errors = False

    def fetch(self, url, headers=None):
        raise ValueError(f"A printed page may not load external resources ({url[:80]})")


def pdf_document(html: str):
    """The laid-out WeasyPrint document (its pages) for `html`, fetching nothing."""
    # WeasyPrint loads its fonts and layout engine on first import: only where a PDF is made.
    from weasyprint import HTML

    return HTML(string=html, base_url=None, url_fetcher=NoFetching()).render()


def html_to_pdf(html: str) -> bytes:
    """A self-contained HTML page as PDF: nothing outside it is fetched."""
    return pdf_document(html).write_pdf()

"""The one PDF renderer (ioms.pdf): a page asking for stylesheets, imports, backgrounds and images
from outside is printed without a single request."""

import urllib.request

import pytest

from ioms.pdf import html_to_pdf, pdf_document
from tests.listener_support import recording_server


@pytest.fixture
def listener():
    with recording_server() as server:
        yield server


def _asking_page(base: str) -> str:
    return (
        f'<html><head><link rel="stylesheet" href="{base}/sheet.css">'
        f"<style>@import url({base}/imported.css); body {{ background: url({base}/bg.png); }}</style>"
        f'</head><body><img src="{base}/img.png" alt="x"><p>Text</p></body></html>'
    )


def test_printing_fetches_nothing_even_when_the_page_asks(listener):
    base, requests = listener
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    direct.open(f"{base}/control").close()  # the listener does hear requests
    assert requests == ["/control"]

    pdf = html_to_pdf(_asking_page(base))

    assert pdf.startswith(b"%PDF")
    assert requests == ["/control"]


def test_the_laid_out_pages_fetch_nothing_either(listener):
    base, requests = listener

    pages = pdf_document(_asking_page(base)).pages

    assert len(pages) == 1
    assert requests == []

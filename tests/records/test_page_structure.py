"""Issue 14, page structure: every page about one offender starts with the same case header (name,
PRN, date of birth, warnings, the restricted marker), has a title and an h1 of its own ("<Page> –
<Offender> – IOMS", the form's purpose as the h1), offers at most one primary action, and a form
that comes back with errors says so first in its title ("Error: ", WCAG 2.4.2)."""

import datetime
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse

from documents.services import document_create
from offenders.models import Flag, FlagKind
from offenders.services import offender_restrict
from sentences.models import SentenceEventKind
from sentences.services import sentence_event_record
from staff.roles import Role
from tests.content_support import VisibleText
from tests.factories import (
    AllocationFactory,
    CasenoteFactory,
    DocumentTemplateFactory,
    OffenderFactory,
    SentenceFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db

NAME = "TAMIHANA, Wiremu"


class Page(HTMLParser):
    """What a test reads from a rendered page: its title, h1s, links, primary actions and case header."""

    def __init__(self, html: str):
        super().__init__()
        self.title = ""
        self.h1s: list[str] = []
        self.links: list[str] = []
        self.primary_actions = 0
        self.case_headers = 0
        self._dialogs = 0  # the idle warning (signin) is a dialog of its own, not the page's action
        self._in: str | None = None
        self._text = ""
        self.feed(html)
        self.title = " ".join(self.title.split())

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag in ("title", "h1"):
            self._in, self._text = tag, ""
        if tag == "dialog":
            self._dialogs += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        primary = "button" in classes and not VisibleText.NOT_PRIMARY & set(classes)
        if tag in ("a", "button") and primary and not self._dialogs:
            self.primary_actions += 1
        if "case-header" in classes:
            self.case_headers += 1

    def handle_data(self, data):
        if self._in:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "dialog":
            self._dialogs -= 1
        if tag == self._in:
            text = " ".join(self._text.split())
            if tag == "title":
                self.title = text
            else:
                self.h1s.append(text)
            self._in = None


@pytest.fixture
def offender(office):
    offender = OffenderFactory(
        prn="12345678",
        family_name="Tamihana",
        given_names="Wiremu",
        date_of_birth=datetime.date(1990, 4, 2),
        home_office=office,
    )
    Flag.objects.create(offender=offender, kind=FlagKind.ESCAPE, reason="Escaped from custody in 2019")
    Flag.objects.create(offender=offender, kind=FlagKind.AT_RISK, reason="Self-harm concern")
    Flag.objects.create(
        offender=offender,
        kind=FlagKind.GANG,
        reason="Old affiliation",
        raised_on=datetime.date(2019, 1, 1),
        ended_on=datetime.date(2021, 1, 1),
        ended_reason="Left the gang",
    )
    return offender


@pytest.fixture
def officer(probation_officer, offender):
    """The probation officer, allocated to the offender's case: may read and change the record."""
    AllocationFactory(offender=offender, staff=probation_officer.staff)
    return probation_officer


@pytest.fixture
def record(offender, officer, office):
    """A record with something on every tab, so that each tab's links lead somewhere."""
    SentenceFactory(offender=offender, managing_office=office)
    CasenoteFactory(offender=offender, author=officer, summary="Reported as directed")
    DocumentTemplateFactory()
    return offender


def _crawl(client, offender) -> dict[str, Page]:
    """Every page of the record reachable from its front page by a link: the tabs and the forms and
    notes they lead to (GET only, without query strings)."""
    record_paths = re.compile(rf"^/(offenders/{offender.pk}/|casenotes/)")
    to_visit = [reverse("offenders:detail", args=[offender.pk])]
    pages: dict[str, Page] = {}
    while to_visit:
        path = to_visit.pop()
        if path in pages:
            continue
        response = client.get(path)
        assert response.status_code == 200, path
        page = pages[path] = Page(response.content.decode())
        for href in page.links:
            link = urlsplit(href).path
            if not link or link.endswith((".pdf", ".csv")) or link in pages:
                continue
            if record_paths.match(link):
                to_visit.append(link)
        # The tabs other apps add (plans, classification, history) belong to the record too.
        tabs = re.findall(r'class="tabs__link" href="([^"]+)"', response.content.decode())
        to_visit.extend(urlsplit(tab).path for tab in tabs if urlsplit(tab).path not in pages)
    return pages


def test_every_tab_and_form_of_the_record_has_a_title_and_one_h1_of_its_own(client, record, officer):
    client.force_login(officer)
    pages = _crawl(client, record)

    paths = set(pages)
    assert len(paths) >= 15, sorted(paths)  # the tabs, the forms they offer, a note and its correction
    for expected in ("/casenotes/", "/documents/", "/timeline/", "/edit/", "/aliases/new/", "/flags/new/"):
        assert any(path.endswith(expected) for path in paths), expected
    assert reverse("casenotes:create", kwargs={"offender_pk": record.pk}) in paths
    titles = {path: page.title for path, page in pages.items()}
    assert len(set(titles.values())) == len(titles), titles
    for path, page in pages.items():
        assert page.title.endswith(f" – {NAME} – IOMS"), (path, page.title)
        assert len(page.h1s) == 1, (path, page.h1s)
        # The title starts with the page's own name, which is its h1 (or the tab's, under it).
        assert page.h1s[0] and page.title.startswith(page.h1s[0].split(":")[0]), (path, page.title, page.h1s)
        assert page.case_headers == 1, path
        assert page.primary_actions <= 1, path


def test_the_casenote_form_is_titled_and_headed_by_its_purpose(client, record, officer):
    client.force_login(officer)
    page = Page(client.get(reverse("casenotes:create", kwargs={"offender_pk": record.pk})).content.decode())
    assert page.title == f"Add a casenote – {NAME} – IOMS"
    assert page.h1s == ["Add a casenote"]
    tab = Page(client.get(reverse("offenders:casenotes", args=[record.pk])).content.decode())
    assert tab.title == f"Casenotes – {NAME} – IOMS"
    assert tab.h1s == ["Casenotes"]


def test_the_case_header_shows_name_prn_date_of_birth_and_active_warnings_only(client, record, officer):
    client.force_login(officer)
    html = client.get(reverse("offenders:casenotes", args=[record.pk])).content.decode()
    header = html[html.index('class="record-header case-header"') : html.index('<nav class="tabs"')]
    assert NAME in header
    assert "12345678" in header
    assert "2 Apr 1990" in header
    assert "Warnings (2)" in header
    assert "Escape risk" in header and "Escaped from custody in 2019" in header
    assert "At risk" in header and "Self-harm concern" in header
    assert "Old affiliation" not in header  # ended flags are history, not warnings
    assert "Restricted record" not in header


@pytest.mark.parametrize(
    "page_name",
    ["sentences:detail", "documents:create", "documents:reports", "agencies:refer"],
)
def test_pages_about_the_offender_outside_the_record_carry_the_same_case_header(
    client, record, officer, page_name
):
    client.force_login(officer)
    if page_name == "sentences:detail":
        url = reverse(page_name, args=[record.sentences.get().pk])
    else:
        url = reverse(page_name, kwargs={"offender_pk": record.pk})
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert Page(page).case_headers == 1
    assert NAME in page and "Warnings (2)" in page and "Escaped from custody in 2019" in page


# Pages that list many people: they may name this offender among others, but are not about them.
MANY_PEOPLE = {
    "home",
    "offenders:search",
    "muster:office",
    "muster:mine",
    "staff:detail",
    "allocation:caseload",
    "inbox:mine",
    "inbox:team",
}
# Pages about the offender outside the record's frame that the walk must reach, so that it cannot pass
# by reading nothing: the sentence and its events, a document and its revision and finalising, the
# reports, the allocation history and a referral.
OUTSIDE_THE_FRAME = {
    "sentences:detail",
    "sentences:event",
    "sentences:event_decide",
    "sentences:complete",
    "documents:detail",
    "documents:revise",
    "documents:finalise",
    "documents:reports",
    "allocation:history",
}


def _url_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def test_every_page_about_the_offender_reached_from_the_record_carries_the_case_header(
    client, record, officer
):
    """Walk out of the record's frame: from each of its pages, links two steps on. Every page reached
    that names the offender's PRN and is not a list of many people is a page about them, and starts
    with the case header (issue 14)."""
    sentence = record.sentences.get()
    event = sentence_event_record(
        actor=officer,
        sentence=sentence,
        kind=SentenceEventKind.APPLICATION,
        occurred_on=datetime.date(2026, 11, 2),
        detail="Application to vary the conditions",
    )
    document = document_create(actor=officer, offender=record, template=DocumentTemplateFactory())
    client.force_login(officer)
    frame = _crawl(client, record)

    about: dict[str, str] = {}  # url name -> path, one page of each kind outside the frame
    without_header = []
    to_visit = [(urlsplit(href).path, 1) for page in frame.values() for href in page.links]
    # Forms the record's pages offer only to some roles or in some states, visited directly.
    to_visit += [
        (reverse("sentences:event", args=[sentence.pk]), 2),
        (reverse("sentences:event_decide", args=[event.pk]), 2),
        (reverse("sentences:complete", args=[sentence.pk]), 2),
        (reverse("allocation:history", kwargs={"offender_pk": record.pk}), 2),
    ]
    read = {_url_name(path) for path in frame}  # one page of each kind: the walk stays short
    while to_visit:
        path, steps = to_visit.pop()
        name = _url_name(path)
        if name is None or name in read or name in MANY_PEOPLE:
            continue
        read.add(name)
        if path.endswith((".pdf", ".csv")) or "/pdf/" in path or name in ("logout", "signin:session"):
            continue
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if record.prn not in html:
            continue
        about[name] = path
        page = Page(html)
        if page.case_headers != 1:
            without_header.append(f"{name} ({path}): {page.case_headers} case headers")
        if steps < 2:
            to_visit += [(urlsplit(href).path, steps + 1) for href in page.links]

    assert set(about) >= OUTSIDE_THE_FRAME, sorted(OUTSIDE_THE_FRAME - set(about))
    assert about["documents:revise"] == reverse("documents:revise", args=[document.pk])
    assert not without_header, "\n".join(without_header)


def test_a_restricted_record_shows_its_marker_only_to_someone_allowed_to_open_it(client, office):
    keeper = staff_user(Role.SERVICE_MANAGER, office=office, username="keeper")
    outsider = staff_user(Role.PROBATION_OFFICER, office=office, username="outsider")
    person = OffenderFactory(prn="41999999", family_name="Kahurangi", given_names="Anaru", home_office=office)
    offender_restrict(actor=keeper, offender=person, reason="A member of staff under sentence")

    client.force_login(keeper)
    html = client.get(reverse("offenders:detail", args=[person.pk])).content.decode()
    header = html[html.index('class="record-header case-header"') : html.index('<nav class="tabs"')]
    assert "KAHURANGI, Anaru" in header
    assert 'case-header__restricted">Restricted record<' in header

    client.force_login(outsider)
    html = client.get(reverse("offenders:detail", args=[person.pk])).content.decode()
    assert "case-header" not in html
    assert "Kahurangi" not in html and "KAHURANGI" not in html


def test_a_casenote_posted_empty_comes_back_titled_error(client, record, officer):
    client.force_login(officer)
    url = reverse("casenotes:create", kwargs={"offender_pk": record.pk})
    assert not Page(client.get(url).content.decode()).title.startswith("Error")
    page = Page(client.post(url, {}).content.decode())
    assert page.title == f"Error: Add a casenote – {NAME} – IOMS"
    assert page.h1s == ["Add a casenote"]


def test_a_form_outside_the_record_posted_empty_is_titled_error_too(client, role_user):
    client.force_login(role_user(Role.ADMIN_SUPPORT, username="support"))
    response = client.post(reverse("offenders:create"), {})
    assert response.status_code == 200
    assert Page(response.content.decode()).title == "Error: New offender record – IOMS"


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# The casenotes tab before the case header (main at 6f2bd21), for the officer of this test.
QUERIES_BEFORE_THE_HEADER = 18


def test_the_case_header_costs_a_record_tab_no_more_queries(client, record, officer):
    """The header reads the warnings the record's frame has already read: the same number of queries
    with more warnings, and the same as before the header (give or take one)."""
    client.force_login(officer)
    url = reverse("offenders:casenotes", args=[record.pk])
    _queries(client, url)  # warm the session and caches
    with_two = _queries(client, url)
    for kind in (FlagKind.SAFETY_CONCERN, FlagKind.GANG, FlagKind.OFFENDER_WARNING):
        Flag.objects.create(offender=record, kind=kind, reason=f"Another {kind}")
    assert _queries(client, url) == with_two
    assert abs(with_two - QUERIES_BEFORE_THE_HEADER) <= 1, with_two

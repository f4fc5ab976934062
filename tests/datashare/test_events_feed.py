"""GET /api/v1/share/events/: the outbox as a feed for partner systems (docs/data-share.md, The
event feed). Each event once, in commit order, never one skipped behind a cursor already given,
with only the share's fields, never a restricted record, and every read audited.

Transactional tests: the feed gives only events whose transaction has ended, so the events must be
committed, which the usual test-wide transaction never is. And as transaction ids are counted across
the whole PostgreSQL server, the feed lags the longest transaction running anywhere on it (other test
runs, here): each test waits for its own events to be final before reading them."""

import datetime
import threading
import time

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from datashare.services import share_credential_issue
from events.domain import OffenderRecalled, publish
from events.models import OutboxEvent
from offenders.models import Offender
from sentences.models import CompletionReason, SentenceType
from sentences.services import charge_create, sentence_complete, sentence_create, sentence_update
from staff.roles import Role
from tests.allocation.helpers import ensure_weights
from tests.datashare.conftest import bearer, make_share
from tests.factories import CourtFactory, OffenceFactory, OffenderFactory

pytestmark = pytest.mark.django_db(transaction=True)

FEED = "/api/v1/share/events/"
DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return datetime.date.today()


def history(offender, office):
    """A supervision sentence recorded, its release dates changed, a charge laid, and completed: each
    its own transaction."""
    ensure_weights()
    start = today() - 40 * DAY
    sentence = sentence_create(
        actor=None,
        offender=offender,
        convictions=[{"offence": OffenceFactory(), "convicted_on": start}],
        sentence_type=SentenceType.SUPERVISION,
        court=CourtFactory(name="Wellington District Court"),
        court_case_number="CRI-2026-085-77",
        order_date=start,
        start_date=start,
        end_date=start + relativedelta(years=1),
        hours=None,
        managing_office=office,
        conditions="Not to enter Porirua East",
    )
    sentence_update(actor=None, sentence=sentence, end_date=start + relativedelta(months=9), reason="Appeal")
    charge_create(actor=None, offender=offender, offence=OffenceFactory(), charged_on=today())
    sentence_complete(
        actor=None,
        sentence=sentence,
        reason=CompletionReason.QUASHED,
        completed_on=today(),
        detail="Quashed on appeal",
    )
    return sentence


def settled(timeout: float = 180) -> None:
    """Wait until every outbox row is final (no transaction running on the server is older)."""
    deadline = time.monotonic() + timeout
    while OutboxEvent.objects.count() != OutboxEvent.objects.final().count():
        assert time.monotonic() < deadline, "a transaction on the server outlived the test's patience"
        time.sleep(0.2)


def walk(client, *, page_size: int, after: str = "") -> tuple[list[dict], str]:
    """Every event from `after` on, a page at a time."""
    events: list[dict] = []
    while True:
        page = client.get(FEED, {"after": after, "page_size": page_size})
        assert page.status_code == 200, page.content
        body = page.json()
        events += body["events"]
        assert len(body["events"]) <= page_size
        if not body["events"]:
            assert body["next"] == after and body["more"] is False
            return events, after
        after = body["next"]


def test_the_feed_gives_each_sentence_event_once_in_commit_order_with_the_core_fields(partner, office):
    offender = OffenderFactory(prn="12345678", home_office=office)
    history(offender, office)

    settled()
    events, last = walk(partner, page_size=2)

    # The conviction and the charge are not in the catalogue: never in the feed.
    assert [event["type"] for event in events] == ["SentenceRecorded", "SentenceChanged", "SentenceCompleted"]
    cursors = [tuple(map(int, event["cursor"].split("."))) for event in events]
    assert cursors == sorted(cursors) and len(set(cursors)) == 3
    recorded, changed, completed = events
    start = today() - 40 * DAY
    # The core share: no sentence number, court, hours, order date, case number or conditions.
    assert recorded["offender_prn"] == "12345678"
    assert recorded["sentence"] == {
        "sentence_type": "supervision",
        "status": "active",
        "start_date": start.isoformat(),
        "end_date": (start + relativedelta(years=1)).isoformat(),
        "indeterminate": False,
        "parole_eligibility_date": None,
        "statutory_release_date": None,
        "managing_office": {"code": office.code, "name": office.name},
    }
    year, nine_months = start + relativedelta(years=1), start + relativedelta(months=9)
    assert changed["changes"] == {"end_date": [year.isoformat(), nine_months.isoformat()]}
    assert completed["on"] == today().isoformat()
    assert completed["sentence"] == {"sentence_type": "supervision", "status": "completed"}
    body = str(events)
    for private in ("CRI-2026-085-77", "Porirua", "Wellington District Court", "Appeal"):
        assert private not in body
    # Read again from the start: the same events, the same cursors.
    again, _ = walk(partner, page_size=500)
    assert again == events
    assert partner.get(FEED, {"after": last}).json() == {"events": [], "next": last, "more": False}


def test_a_late_committing_transaction_with_a_lower_id_is_never_skipped(partner, office):
    offender = OffenderFactory(home_office=office)
    published, finish = threading.Event(), threading.Event()

    def recalled() -> OffenderRecalled:
        return OffenderRecalled(
            offender_id=offender.pk,
            release_sentence_id=1,
            prison_id=1,
            recalled_on=today(),
            allocate_request_id=1,
        )

    def slow_writer():
        try:
            with transaction.atomic():
                publish(recalled(), actor=None)
                published.set()
                finish.wait(20)
        finally:
            connection.close()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    try:
        assert published.wait(20)
        with transaction.atomic():
            later = publish(recalled(), actor=None)
        earlier = OutboxEvent.objects.exclude(pk=later.pk).first()
        assert earlier is None  # still uncommitted: not even visible here
        page = partner.get(FEED).json()
        # A reader ordering by id alone would give the later row now and pass the earlier one by.
        assert page == {"events": [], "next": "", "more": False}
    finally:
        finish.set()
        writer.join()

    settled()
    page = partner.get(FEED).json()
    rows = list(OutboxEvent.objects.order_by("id"))
    assert [row.pk for row in rows][1] == later.pk  # the late committer had the lower id
    assert [event["cursor"] for event in page["events"]] == [f"{row.txid}.{row.pk}" for row in rows]


def test_a_restricted_offenders_events_are_never_shared(partner, office):
    shown = OffenderFactory(home_office=office)
    hidden = OffenderFactory(home_office=office)
    history(shown, office)
    history(hidden, office)
    Offender.objects.filter(pk=hidden.pk).update(restricted=True)
    settled()

    events, _ = walk(partner, page_size=50)

    assert {event["offender_prn"] for event in events} == {shown.prn}
    assert len(events) == 3


def test_a_narrow_share_carries_only_its_fields(office):
    share = make_share(name="Sentence types only", fields={"sentences": ["sentence_type", "end_date"]})
    _, token = share_credential_issue(actor=None, share=share, label="Narrow")
    history(OffenderFactory(home_office=office), office)
    settled()

    events, _ = walk(bearer(token), page_size=50)

    recorded, changed, completed = events
    assert "offender_prn" not in recorded
    assert set(recorded["sentence"]) == {"sentence_type", "end_date"}
    assert set(changed["changes"]) == {"end_date"}
    assert completed["sentence"] == {"sentence_type": "supervision"}


def test_a_share_that_does_not_carry_sentences_is_refused_and_so_is_anyone_else(office, role_user):
    share = make_share(name="Names only", fields={"offenders": ["prn", "family_name"]})
    _, token = share_credential_issue(actor=None, share=share, label="Names")
    history(OffenderFactory(home_office=office), office)

    refused = bearer(token).get(FEED)

    assert refused.status_code == 403
    assert "cursor" not in refused.content.decode()
    assert not AuditEvent.objects.filter(action__in=(AuditAction.SEARCH, AuditAction.VIEW)).exists()
    assert bearer("not-a-token").get(FEED).status_code == 401
    session = APIClient()
    session.force_login(role_user(Role.SYSTEM_ADMIN))
    assert session.get(FEED).status_code == 401


def test_every_read_is_audited_as_a_search_and_a_view_under_each_offender(partner, office):
    first, second = OffenderFactory(home_office=office), OffenderFactory(home_office=office)
    history(first, office)
    history(second, office)
    settled()

    page = partner.get(FEED, {"page_size": 4}).json()

    search = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert search.summary == "Searched the data share Northern probation: events (API)"
    assert search.actor is None and search.actor_label.startswith("data share Northern probation: CRM")
    views = AuditEvent.objects.filter(action=AuditAction.VIEW)
    assert set(views.values_list("offender_id", flat=True)) == {first.pk, second.pk}
    partner.get(FEED, {"after": page["next"]})
    assert AuditEvent.objects.get(action=AuditAction.SEARCH, query=f"after={page['next']}")


def test_a_cursor_not_given_by_the_feed_is_refused(partner):
    assert partner.get(FEED, {"after": "12; drop table"}).status_code == 400
    assert partner.get(FEED, {"page_size": "many"}).status_code == 400

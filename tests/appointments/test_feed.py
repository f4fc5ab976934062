"""The officer's iCalendar feed: valid per RFC 5545 (checked on the raw bytes and by parsing it
back), no detail beyond initials and PRN, and a revoked or replaced token answers 404."""

import datetime
import re

import pytest
from django.urls import reverse
from icalendar import Calendar

from appointments.models import CalendarFeed
from appointments.services import calendar_feed_issue, calendar_feed_revoke, outcome_record, token_hash
from tests.appointments.conftest import NZ, hours_ago
from tests.factories import OffenderFactory

pytestmark = pytest.mark.django_db


def unfold(body: bytes) -> list[str]:
    """RFC 5545, 3.1: a CRLF followed by a space or tab continues the line."""
    return re.sub(rb"\r\n[ \t]", b"", body).decode("utf-8").split("\r\n")


@pytest.fixture
def feed_url(client, probation_officer, officer):
    client.force_login(probation_officer)
    response = client.post(reverse("appointments:feed"), {"action": "issue"})
    assert response.status_code == 200
    return response.context["feed_url"].removeprefix("http://testserver")


def test_the_feed_is_valid_rfc_5545(client, arrange, feed_url, office):
    long_place = (
        "Room 3, Level 2; 15 Victoria Street \\ rear entrance, Wellington Central — ask at reception desk"
    )
    arrange(hours_ago(-30), location=long_place)
    arrange(hours_ago(-54), kind="home_visit", location="")
    client.logout()

    response = client.get(feed_url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in body.replace(b"\r\n", b""), "every line ends with CRLF"
    assert all(len(line) <= 75 for line in body.split(b"\r\n")), "lines are folded at 75 octets"
    lines = unfold(body)
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == 2
    # Text values escape , ; \ (RFC 5545, 3.3.11).
    [location] = [line for line in lines if line.startswith("LOCATION:Room 3")]
    assert "Room 3\\, Level 2\\; 15 Victoria Street \\\\ rear entrance" in location
    # A TZID names a VTIMEZONE in the calendar (3.2.19).
    assert any(line.startswith("DTSTART;TZID=Pacific/Auckland:") for line in lines)
    assert "BEGIN:VTIMEZONE" in lines and "TZID:Pacific/Auckland" in lines

    calendar = Calendar.from_ical(body)
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    for event in events:
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            assert required in event, required
        assert event.decoded("DTSTART").tzinfo is not None
    assert len({str(event["UID"]) for event in events}) == 2
    [first] = [event for event in events if str(event["LOCATION"]).startswith("Room 3")]
    assert str(first["LOCATION"]) == long_place
    assert event.decoded("DTSTART").astimezone(NZ).utcoffset() in {
        datetime.timedelta(hours=12),
        datetime.timedelta(hours=13),
    }


def test_the_feed_names_offenders_by_initials_and_prn_only(client, arrange, feed_url, offender):
    arrange(hours_ago(-30), notes="Discuss relapse and the victim's address")
    client.logout()

    body = client.get(feed_url).content.decode()

    assert "SUMMARY:Office visit: AMN (48765432)" in body
    assert "Ngata" not in body and "Aroha" not in body
    assert "relapse" not in body and "victim" not in body


def test_a_cancelled_appointment_shows_as_cancelled_and_other_officers_are_not_in_it(
    client, arrange, feed_url, probation_officer, office
):
    appointment = arrange(hours_ago(-30))
    outcome_record(
        actor=probation_officer, appointment=appointment, outcome="cancelled", note="Officer on leave"
    )
    client.logout()

    calendar = Calendar.from_ical(client.get(feed_url).content)

    [event] = calendar.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert "leave" not in client.get(feed_url).content.decode()


def test_revoking_or_replacing_the_token_ends_the_old_address(client, probation_officer, officer, feed_url):
    assert client.get(feed_url).status_code == 200
    client.force_login(probation_officer)
    client.post(reverse("appointments:feed"), {"action": "issue"})
    client.logout()
    assert client.get(feed_url).status_code == 404

    token = calendar_feed_issue(actor=probation_officer, staff=officer)
    url = reverse("appointments:ical", args=[token])
    assert client.get(url).status_code == 200
    calendar_feed_revoke(actor=probation_officer, staff=officer)
    assert client.get(url).status_code == 404
    assert client.get(reverse("appointments:ical", args=["not-a-token"])).status_code == 404


def test_only_the_hash_of_the_token_is_stored(probation_officer, officer):
    token = calendar_feed_issue(actor=probation_officer, staff=officer)

    feed = CalendarFeed.objects.get(staff=officer, revoked_at__isnull=True)
    assert feed.token_hash == token_hash(token) and token not in feed.token_hash


def test_no_one_else_issues_an_officers_feed(service_manager, officer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        calendar_feed_issue(actor=service_manager, staff=officer)


def test_the_feed_page_is_for_probation_officers(client, service_manager, office):
    client.force_login(service_manager)
    assert client.get(reverse("appointments:feed")).status_code == 403
    OffenderFactory(home_office=office)

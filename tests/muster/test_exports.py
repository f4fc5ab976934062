"""Exports of the whole (filtered) muster list: CSV streamed, XLSX from a write-only workbook, and
the printable list; each audited as an export."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditAction, AuditEvent
from muster.exports import HEADER
from sentences.models import SentenceType
from tests.factories import OffenderFactory, SentenceFactory
from tests.muster.conftest import TODAY, crowd, days
from tests.web_records.helpers import text

pytestmark = pytest.mark.django_db


def url(office, name: str) -> str:
    return reverse(name, kwargs={"office_pk": office.pk})


def csv_rows(response) -> list[dict]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff"), "a byte-order mark tells spreadsheets the file is UTF-8"
    return list(csv.DictReader(io.StringIO(content.removeprefix("\ufeff"))))


def xlsx_rows(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(workbook["Muster list"].iter_rows(values_only=True))


def test_the_csv_export_is_the_list_streamed(client, office, muster, service_manager):
    client.force_login(service_manager)
    response = client.get(url(office, "muster:export_csv"))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse) and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (f'attachment; filename="muster-WLG01-{TODAY():%Y-%m-%d}.csv"')
    rows = csv_rows(response)
    assert [row["PRN"] for row in rows] == ["41000003", "41000002", "41000001"]
    jones, smith, tamihana = rows
    assert tamihana == {
        "PRN": "41000001",
        "Family name": "Tamihana",
        "Given names": "Aroha Mere",
        "Sentence types": "Community work; Supervision",
        "Sentences": "2",
        "Earliest start": (TODAY() - days(100)).isoformat(),
        "Latest end": (TODAY() + days(400)).isoformat(),
        "Supervising officers": "Mere Officer",
        "Appeal outstanding": "Yes",
        "Breach outstanding": "No",
        "Warnings": "Offender warning (OWS)",
    }
    assert jones["Latest end"] == "Indeterminate"
    assert (jones["Breach outstanding"], jones["Warnings"]) == ("Yes", "Child sex offender")
    assert (smith["Supervising officers"], smith["Warnings"]) == ("", "")


def test_the_csv_export_arrives_a_row_at_a_time(client, office, muster, service_manager):
    client.force_login(service_manager)
    chunks = list(client.get(url(office, "muster:export_csv")).streaming_content)
    assert len(chunks) == 4, "the header and each person are sent as they are read"


def test_the_export_is_the_whole_filtered_list_not_one_page(client, office, service_manager):
    crowd(office, 60)
    OffenderFactory(family_name="Parolee", home_office=office)
    SentenceFactory(
        offender=OffenderFactory(family_name="Paroled", home_office=office), sentence_type="parole"
    )
    client.force_login(service_manager)
    rows = csv_rows(client.get(url(office, "muster:export_csv"), {"page": 2}))
    assert len(rows) == 61
    filtered = csv_rows(client.get(url(office, "muster:export_csv"), {"sentence_type": SentenceType.PAROLE}))
    assert [row["Family name"] for row in filtered] == ["Paroled"]


def test_the_export_makes_the_same_number_of_queries_for_5_and_60_people(client, office, service_manager):
    client.force_login(service_manager)
    crowd(office, 5)
    client.get(url(office, "muster:export_csv"))
    with CaptureQueriesContext(connection) as small:
        assert len(csv_rows(client.get(url(office, "muster:export_csv")))) == 5
    crowd(office, 55, prefix="More")
    with CaptureQueriesContext(connection) as large:
        assert len(csv_rows(client.get(url(office, "muster:export_csv")))) == 60
    assert len(small.captured_queries) == len(large.captured_queries)


def test_a_name_that_looks_like_a_formula_stays_text(client, office, service_manager):
    SentenceFactory(
        offender=OffenderFactory(family_name="=HYPERLINK(1)", given_names="+Eve", home_office=office)
    )
    client.force_login(service_manager)
    (row,) = csv_rows(client.get(url(office, "muster:export_csv")))
    assert (row["Family name"], row["Given names"]) == ("'=HYPERLINK(1)", "'+Eve")
    workbook = load_workbook(
        io.BytesIO(b"".join(client.get(url(office, "muster:export_xlsx")).streaming_content))
    )
    cell = workbook["Muster list"]["B2"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s"), "text, not a formula"


def test_the_xlsx_export_has_the_same_rows(client, office, muster, service_manager):
    client.force_login(service_manager)
    response = client.get(url(office, "muster:export_xlsx"), {"sort": "prn"})
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="muster-WLG01-{TODAY():%Y-%m-%d}.xlsx"' in response["Content-Disposition"]
    header, *rows = xlsx_rows(response)
    assert header == HEADER
    assert [row[0] for row in rows] == ["41000001", "41000002", "41000003"], "sorted as asked"
    tamihana = rows[0]
    assert tamihana[:5] == ("41000001", "Tamihana", "Aroha Mere", "Community work; Supervision", 2)
    assert tamihana[5] == datetime.datetime.combine(TODAY() - days(100), datetime.time())
    assert tamihana[6] == datetime.datetime.combine(TODAY() + days(400), datetime.time())
    assert tamihana[7:] == ("Mere Officer", "Yes", "No", "Offender warning (OWS)")
    assert rows[2][6] == "Indeterminate"


def test_the_xlsx_export_has_dates_a_bold_heading_kept_in_view_and_a_title(
    client, office, muster, service_manager
):
    client.force_login(service_manager)
    response = client.get(url(office, "muster:export_xlsx"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["Muster list"]
    assert sheet.freeze_panes == "A2", "the heading stays in view when scrolling"
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert (sheet["F2"].is_date, sheet["F2"].number_format) == (True, "yyyy-mm-dd")
    assert workbook.properties.title == f"Muster list of {office} on {TODAY():%-d %B %Y}"


def test_the_xlsx_export_is_the_whole_list(client, office, service_manager):
    crowd(office, 60)
    client.force_login(service_manager)
    header, *rows = xlsx_rows(client.get(url(office, "muster:export_xlsx"), {"flags": "ows"}))
    assert len(rows) == 60


def test_exports_are_audited_with_their_filters(client, office, muster, service_manager):
    client.force_login(service_manager)
    b"".join(client.get(url(office, "muster:export_csv"), {"q": "Tamihana"}).streaming_content)
    client.get(url(office, "muster:export_xlsx"))
    client.get(url(office, "muster:print"), {"unallocated": "on"})
    events = list(AuditEvent.objects.filter(action=AuditAction.EXPORT).order_by("pk"))
    assert [event.summary for event in events] == [
        f"Exported the muster list of {office} (CSV)",
        f"Exported the muster list of {office} (XLSX)",
        f"Exported the muster list of {office} (printable copy)",
    ]
    assert [event.query for event in events] == [
        "office=WLG01&text=Tamihana",
        "office=WLG01",
        "office=WLG01&unallocated=yes",
    ]
    assert {(event.actor, event.object_type, event.object_id) for event in events} == {
        (service_manager, "staff.Office", str(office.pk))
    }


def test_an_export_with_bad_filters_explains_and_exports_nothing(client, office, muster, service_manager):
    client.force_login(service_manager)
    response = client.get(url(office, "muster:export_csv"), {"officer": muster.mere.pk, "unallocated": "on"})
    assert response.status_code == 400
    assert "not both" in text(response)
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_printable_list_is_the_whole_list_without_navigation(client, office, service_manager):
    crowd(office, 60)
    client.force_login(service_manager)
    response = client.get(url(office, "muster:print"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-nav"' not in html and "pagination" not in html
    assert "muster/muster.css" in html, "the print styles"
    people_table = html.split("muster-table", 1)[1]
    assert people_table.count("<tr>") == 1 + 60, "the heading row and every person: no pages"
    assert "60 people" in text(response)
    assert "CROWDAAA" in html and "CROWDACH" in html

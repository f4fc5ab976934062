"""Exports of a whole (filtered) muster list: CSV streamed row by row, and XLSX written in
openpyxl's write-only mode to a temporary file. Both read the rows from one server-side cursor in
chunks, so an office of thousands is never held in memory at once."""

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ioms.csv_export import Echo, safe_cell
from muster.selectors import MusterRow

CHUNK_SIZE = 2000
HEADER = (
    "PRN",
    "Family name",
    "Given names",
    "Sentence types",
    "Sentences",
    "Earliest start",
    "Latest end",
    "Supervising officers",
    "Appeal outstanding",
    "Breach outstanding",
    "Warnings",
)
INDETERMINATE = "Indeterminate"


def streamed_rows(rows: QuerySet) -> Iterator[MusterRow]:
    for values in rows.iterator(chunk_size=CHUNK_SIZE):
        yield MusterRow.from_values(values)


def export_values(row: MusterRow) -> list:
    """One row of the export: text, numbers and dates (the end date is text when indeterminate)."""
    return [
        row.prn,
        row.family_name,
        row.given_names,
        "; ".join(row.sentence_type_labels),
        row.sentence_count,
        row.earliest_start,
        INDETERMINATE if row.indeterminate else row.latest_end,
        "; ".join(row.officers),
        "Yes" if row.appeal_outstanding else "No",
        "Yes" if row.breach_outstanding else "No",
        "; ".join(row.warning_labels),
    ]


def csv_chunks(rows: Iterable[MusterRow]) -> Iterator[str]:
    """The CSV text, a line at a time, with a byte-order mark so spreadsheets read it as UTF-8
    (names carry macrons)."""
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(HEADER)
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in export_values(row)])


def _xlsx_cell(sheet, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def write_xlsx(rows: Iterable[MusterRow], *, title: str) -> IO[bytes]:
    """The workbook in an anonymous temporary file, rewound for reading. Write-only mode keeps one
    row in memory at a time."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = title
    sheet = workbook.create_sheet("Muster list")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for label in HEADER:
        cell = WriteOnlyCell(sheet, label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in export_values(row)])
    # Returned open: the FileResponse that sends it closes it (and the file vanishes on close).
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    workbook.save(handle)
    handle.seek(0)
    return handle

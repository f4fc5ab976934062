"""Exports of a whole (filtered) muster list: CSV streamed row by row, and XLSX written by XlsxWriter
in constant-memory mode to a temporary file. Both read the rows from one server-side cursor in
chunks (muster.selectors.muster_rows), so an office of thousands is never held in memory at once.

XlsxWriter rather than openpyxl: it writes each row straight out as XML, about three times as fast
as openpyxl's write-only mode (which builds a cell object and an element for every value), and
its strings are never read as formulas."""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

import xlsxwriter

from ioms.csv_export import Echo, safe_cell
from muster.selectors import MusterRow

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


def write_xlsx(rows: Iterable[MusterRow], *, title: str) -> IO[bytes]:
    """The workbook in an anonymous temporary file, rewound for reading. Constant-memory mode
    writes each row out before the next, so one row is in memory at a time."""
    # Returned open: the FileResponse that sends it closes it (and the file vanishes on close).
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    workbook = xlsxwriter.Workbook(
        handle,
        {
            "constant_memory": True,
            # Text stays text, whatever it starts with: never a formula, a number or a link.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "default_date_format": "yyyy-mm-dd",
        },
    )
    workbook.set_properties({"title": title})
    sheet = workbook.add_worksheet("Muster list")
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, HEADER, workbook.add_format({"bold": True}))
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, export_values(row))
    workbook.close()
    handle.seek(0)
    return handle

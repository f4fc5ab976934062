"""CSV exports shared by every list that can be downloaded: cells a spreadsheet would run as a
formula are made plain text (CSV injection), and csv.writer writes into `Echo` so a response can
stream the lines it returns."""

import datetime

# A spreadsheet treats a cell beginning with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a CSV cell: dates in ISO form, None empty, text that starts like a formula
    prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class Echo:
    """A file-like object whose write returns the line, so csv.writer yields text to stream."""

    def write(self, value: str) -> str:
        return value

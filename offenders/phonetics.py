"""Name keys for search that tolerates misspelling.

PostgreSQL's pg_trgm and fuzzystrmatch are contrib extensions, which the embedded server lacks, so
the keys are computed here and stored in indexed columns: a folded form (lower case, macrons and
punctuation removed) for prefix search, and an American Soundex code for sound-alike search
(Smith / Smyth, Tamihana / Tamihanna). Results are then ranked by string similarity.
"""

import difflib
import unicodedata

_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


def fold(name: str) -> str:
    """Lower case ASCII letters, spaces and hyphens only: 'Ngāti-O'Neil ' -> 'ngati-oneil'."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    ascii_only = "".join(char for char in decomposed if not unicodedata.combining(char))
    kept = "".join(char for char in ascii_only.lower() if char.isalpha() or char in " -")
    return " ".join(kept.split())


def soundex(name: str) -> str:
    letters = [char for char in fold(name) if char.isalpha()]
    if not letters:
        return ""
    first = letters[0]
    code = [first.upper()]
    previous = _SOUNDEX_CODES.get(first, "")
    for char in letters[1:]:
        digit = _SOUNDEX_CODES.get(char, "")
        if digit and digit != previous:
            code.append(digit)
            if len(code) == 4:
                break
        if char not in "hw":  # h and w do not separate letters of the same code
            previous = digit
    return "".join(code).ljust(4, "0")


def similarity(left: str, right: str) -> float:
    return difflib.SequenceMatcher(None, fold(left), fold(right)).ratio()

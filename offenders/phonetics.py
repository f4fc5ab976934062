"""Name helpers in Python: the folded form kept with each name (lower case, macrons and punctuation
removed) for the muster list's name filter and sort, and a spelling similarity. Search and court
matching compare names in PostgreSQL (pg_trgm, fuzzystrmatch, unaccent; offenders migration 0004).
"""

import difflib
import functools
import unicodedata


@functools.lru_cache(maxsize=16384)  # court matching folds the same few thousand names again and again
def fold(name: str) -> str:
    """Lower case ASCII letters, spaces and hyphens only: 'Ngāti-O'Neil ' -> 'ngati-oneil'."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    ascii_only = "".join(char for char in decomposed if not unicodedata.combining(char))
    kept = "".join(char for char in ascii_only.lower() if char.isalpha() or char in " -")
    return " ".join(kept.split())


def similarity(left: str, right: str) -> float:
    return difflib.SequenceMatcher(None, fold(left), fold(right)).ratio()

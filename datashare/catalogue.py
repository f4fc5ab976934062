"""The catalogue of shareable fields: everything a data share (seed 004: "read only access to core
case information") can ever carry, per resource. A share lists the fields it allows; the list is
checked against this catalogue when the share is made and intersected with it again on every read,
so no share, whatever its stored row says, can carry a field that is not here.

Deliberately absent, so that no share can carry them: casenotes, documents, addresses, contact
details, identifiers (police, courts, licence, passport, health), aliases, the reasons given for
flags, classification, programme referrals, court case numbers and sentence conditions. Adding a field
here is a code change, reviewed like one.

Each field has a label and a `display` for the browser pages; the API's serializers
(datashare/api.py) carry the same names with typed values (tests/datashare/test_catalogue.py keeps
the two in step)."""

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

OFFENDERS = "offenders"
SENTENCES = "sentences"
ALLOCATIONS = "allocations"


def _date(value: datetime.date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else "—"


def _office(office) -> str:
    return office.name if office is not None else "None recorded"


def _text(value: str) -> str:
    return value or "—"


@dataclass(frozen=True)
class ShareableField:
    name: str
    label: str
    description: str
    display: Callable[[Any], str] = field(repr=False, compare=False)


def _offender_fields() -> list[ShareableField]:
    return [
        ShareableField("prn", "PRN", "The offender's PRN.", lambda o: o.prn),
        ShareableField("family_name", "Family name", "", lambda o: o.family_name),
        ShareableField("given_names", "Given names", "", lambda o: o.given_names),
        ShareableField("preferred_name", "Preferred name", "", lambda o: _text(o.preferred_name)),
        ShareableField("date_of_birth", "Date of birth", "", lambda o: _date(o.date_of_birth)),
        ShareableField("gender", "Gender", "", lambda o: o.get_gender_display()),
        ShareableField("ethnicity", "Ethnicity", "", lambda o: _text(o.ethnicity)),
        ShareableField(
            "date_of_death", "Date of death", "Blank while alive.", lambda o: _date(o.date_of_death)
        ),
        ShareableField(
            "home_office", "Home office", "The office holding the record.", lambda o: _office(o.home_office)
        ),
        ShareableField(
            "warnings",
            "Warnings",
            "The kinds of the active flags (e.g. staff safety concern), never the reasons given.",
            lambda o: ", ".join(flag.get_kind_display() for flag in o.shared_warnings) or "None",
        ),
    ]


def _sentence_fields() -> list[ShareableField]:
    return [
        ShareableField("id", "Sentence number", "IOMS's number for the sentence.", lambda s: str(s.pk)),
        ShareableField(
            "offender_prn", "PRN", "The PRN of the offender serving it.", lambda s: s.offender.prn
        ),
        ShareableField("sentence_type", "Type", "", lambda s: s.get_sentence_type_display()),
        ShareableField("status", "Status", "", lambda s: s.get_status_display()),
        ShareableField("court", "Court", "The court that imposed it.", lambda s: _office(s.court)),
        ShareableField("order_date", "Ordered", "", lambda s: _date(s.order_date)),
        ShareableField("start_date", "Start", "Commencement date (SCD).", lambda s: _date(s.start_date)),
        ShareableField(
            "end_date",
            "End",
            "Expiry date (SED); blank when indeterminate.",
            lambda s: "Indeterminate" if s.indeterminate else _date(s.end_date),
        ),
        ShareableField("indeterminate", "Indeterminate", "", lambda s: "Yes" if s.indeterminate else "No"),
        ShareableField(
            "parole_eligibility_date",
            "PED",
            "Parole eligibility date.",
            lambda s: _date(s.parole_eligibility_date),
        ),
        ShareableField(
            "statutory_release_date",
            "SRD",
            "Statutory release date.",
            lambda s: _date(s.statutory_release_date),
        ),
        ShareableField(
            "parole_hearing_date", "Next parole hearing", "", lambda s: _date(s.parole_hearing_date)
        ),
        ShareableField("hours", "Hours", "Community work hours.", lambda s: str(s.hours) if s.hours else "—"),
        ShareableField("managing_office", "Managing office", "", lambda s: _office(s.managing_office)),
        ShareableField("completed_on", "Completed", "", lambda s: _date(s.completed_on)),
        ShareableField(
            "completion_reason", "How it ended", "", lambda s: _text(s.get_completion_reason_display())
        ),
    ]


def _allocation_fields() -> list[ShareableField]:
    return [
        ShareableField("offender_prn", "PRN", "The PRN of the offender.", lambda a: a.offender.prn),
        ShareableField(
            "role", "Role", "The staff member's role in the case.", lambda a: a.get_role_display()
        ),
        ShareableField("staff_name", "Staff member", "", lambda a: str(a.staff)),
        ShareableField(
            "staff_office", "Office", "The staff member's office.", lambda a: _office(a.staff.office)
        ),
        ShareableField("started_on", "From", "", lambda a: _date(a.started_on)),
        ShareableField(
            "ended_on", "To", "Blank while current.", lambda a: _date(a.ended_on) if a.ended_on else "Current"
        ),
    ]


CATALOGUE: dict[str, dict[str, ShareableField]] = {
    OFFENDERS: {item.name: item for item in _offender_fields()},
    SENTENCES: {item.name: item for item in _sentence_fields()},
    ALLOCATIONS: {item.name: item for item in _allocation_fields()},
}
RESOURCE_LABELS = {
    OFFENDERS: "Offenders",
    SENTENCES: "Sentences",
    ALLOCATIONS: "Allocated staff (the offender management team)",
}

# The core share (seed 004, "core case information"): what a data-share user sees in the browser when
# no named share is linked to them, and the fields a new share starts from.
CORE_FIELDS: dict[str, tuple[str, ...]] = {
    OFFENDERS: ("prn", "family_name", "given_names", "date_of_birth", "gender", "home_office"),
    SENTENCES: (
        "offender_prn",
        "sentence_type",
        "status",
        "start_date",
        "end_date",
        "indeterminate",
        "parole_eligibility_date",
        "statutory_release_date",
        "managing_office",
    ),
    ALLOCATIONS: ("offender_prn", "role", "staff_name", "staff_office", "started_on", "ended_on"),
}


def clean_fields(fields: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """`fields` checked against the catalogue and put in catalogue order: {resource: [field, ...]}.
    Raises ValidationError naming each unknown resource or field."""
    if not isinstance(fields, Mapping):
        raise ValidationError({"fields": "List the fields as {resource: [field, ...]}."})
    errors: list[str] = []
    cleaned: dict[str, list[str]] = {}
    for resource, names in fields.items():
        if resource not in CATALOGUE:
            errors.append(f"{resource!r} is not a shareable resource.")
            continue
        if isinstance(names, str) or not isinstance(names, Iterable):
            errors.append(f"{resource}: list the fields.")
            continue
        names = list(names)
        unknown = sorted({str(name) for name in names} - set(CATALOGUE[resource]))
        if unknown:
            errors.append(f"{resource}: {', '.join(unknown)} cannot be shared (not in the catalogue).")
            continue
        if names:
            cleaned[resource] = [name for name in CATALOGUE[resource] if name in names]
    if errors:
        raise ValidationError({"fields": errors})
    if not cleaned:
        raise ValidationError({"fields": "A share allows at least one field."})
    return cleaned


@dataclass(frozen=True)
class ShareScope:
    """What one reader may see: the share's name and its fields, already limited to the catalogue."""

    name: str
    fields: Mapping[str, tuple[str, ...]]

    @classmethod
    def of(cls, name: str, fields: Mapping[str, Iterable[str]]) -> "ShareScope":
        # Intersected with the catalogue on every read: a row edited behind the services' back still
        # cannot carry a field the catalogue lacks.
        limited = {
            resource: tuple(name for name in CATALOGUE[resource] if name in set(fields.get(resource) or ()))
            for resource in CATALOGUE
        }
        return cls(name=name, fields={resource: names for resource, names in limited.items() if names})

    def allows(self, resource: str) -> bool:
        return bool(self.fields.get(resource))

    def fields_of(self, resource: str) -> tuple[str, ...]:
        return self.fields.get(resource, ())

    def rows(self, resource: str, obj) -> list[tuple[str, str]]:
        """(label, value) for each allowed field of `obj`, for the browser."""
        catalogue = CATALOGUE[resource]
        return [(catalogue[name].label, catalogue[name].display(obj)) for name in self.fields_of(resource)]

    def labels(self, resource: str) -> list[str]:
        return [CATALOGUE[resource][name].label for name in self.fields_of(resource)]


CORE_SCOPE = ShareScope.of("Core case information", CORE_FIELDS)

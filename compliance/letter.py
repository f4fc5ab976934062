"""The formal warning letter (a PDF of the enforcement action, once the warning is prepared): in
plain words, for the person, what they failed to attend, that no acceptable reason was given, what
happens if it happens again and by when, and how to reach the office. No offence or casenote detail.

The template gets plain values only (strings and dates), never model instances, so it cannot walk
from the action to anything it was not given. Rendered by ioms.pdf, which fetches nothing."""

import datetime

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from appointments.services import local
from compliance.models import EnforcementAction, EnforcementStatus
from compliance.rules import window_closes
from ioms.pdf import html_to_pdf

LETTER_STATUSES = frozenset({EnforcementStatus.WARNING_PREPARED, EnforcementStatus.WARNING_ISSUED})


def _time(moment: datetime.datetime) -> str:
    return f"{moment:%-I:%M %p}".replace("AM", "am").replace("PM", "pm")


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def warning_letter_context(action: EnforcementAction) -> dict:
    if action.status not in LETTER_STATUSES:
        raise ValidationError("A warning letter exists once a formal warning has been decided.")
    offender = action.offender
    appointment = action.appointment
    starts = local(appointment.starts_at)
    office = action.office
    return {
        "dated": action.warning_issued_on or timezone.localdate(),
        "full_name": offender.full_name,
        "prn": offender.prn,
        "appointment": {
            "kind": appointment.get_kind_display().lower(),
            "day": starts.date(),
            "time": _time(starts),
        },
        "sentence": action.sentence.get_sentence_type_display().lower() if action.sentence else "",
        "counts_until": window_closes(action.rules, action.failed_on),
        "window_months": action.rules.window_months,
        "office": {"name": office.name, "address": office.address, "phone": office.phone},
        "officer": _name(action.officer.user),
    }


def warning_letter_html(action: EnforcementAction) -> str:
    return render_to_string("compliance/pdf/warning_letter.html", warning_letter_context(action))


def warning_letter_pdf(action: EnforcementAction) -> bytes:
    """The letter as PDF; raises ValidationError before a warning is decided."""
    return html_to_pdf(warning_letter_html(action))

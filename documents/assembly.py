"""What a report is assembled from (issue 6): the record's facts as plain values — sentence and
conviction history, compliance and breaches, programmes, classification history and the casenote
extracts the author chose — read in a fixed number of queries whatever the length of the history.

A report's body template is data an administrator may edit, so like every document template it is
given plain values (strings, dates, numbers, lists of dicts), never model instances."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Prefetch, Q

from agencies.models import Referral
from casenotes.access import can_read_sensitive
from casenotes.models import Casenote
from documents.models import REPORT_AUDIENCE, ReportKind
from documents.services import document_context
from sentences.models import RESOLVABLE_EVENT_KINDS, SentenceEvent, SentenceEventKind, SentenceType

APPEAL_KINDS = frozenset({SentenceEventKind.APPEAL_SENTENCE, SentenceEventKind.APPEAL_CONVICTION})


def _person(user) -> str:
    if user is None:
        return "the portal"
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class ChosenExtracts:
    """The casenotes chosen for a report, as the author may see them."""

    notes: list[Casenote]
    includes_sensitive: bool


def chosen_extracts(*, actor, offender, casenote_ids: Iterable[int]) -> ChosenExtracts:
    """The chosen casenotes of `offender`, oldest first, in two queries. A note that is not on this
    record, or is sensitive and the author may not read sensitive notes, is reported as not found
    (its existence is not revealed). Raises ValueError listing the ids not found."""
    wanted = sorted({int(pk) for pk in casenote_ids})
    if not wanted:
        return ChosenExtracts(notes=[], includes_sensitive=False)
    sensitive_allowed = can_read_sensitive(actor)
    notes = list(
        Casenote.objects.filter(offender=offender, pk__in=wanted)
        .visible_to_sensitive(sensitive_allowed)
        .select_related("author")
        .prefetch_related(
            Prefetch(
                "amendments",
                queryset=Casenote.objects.visible_to_sensitive(sensitive_allowed)
                .select_related("author")
                .order_by("-created_at", "-id"),
                to_attr="corrections",
            )
        )
        .order_by("contact_on", "id")
    )
    missing = sorted(set(wanted) - {note.pk for note in notes})
    if missing:
        raise ValueError(missing)
    return ChosenExtracts(notes=notes, includes_sensitive=any(note.sensitive for note in notes))


def _extract_facts(note: Casenote) -> dict:
    latest_correction = note.corrections[0] if note.corrections else None
    return {
        "contact_on": note.contact_on,
        "note_type": note.get_note_type_display(),
        "author": _person(note.author),
        "summary": note.summary,
        "text": note.text,
        "sensitive": note.sensitive,
        "correction": {
            "contact_on": latest_correction.contact_on,
            "author": _person(latest_correction.author),
            "reason": latest_correction.amendment_reason,
            "text": latest_correction.text,
        }
        if latest_correction is not None
        else None,
    }


def _sentence_label(sentence) -> str:
    return f"{sentence.get_sentence_type_display()} from {sentence.start_date:%-d %b %Y}"


def compliance_facts(offender) -> list[dict]:
    """Breaches, appeals and applications on any of the offender's sentences, newest first, with
    their outcomes (one query)."""
    events = (
        SentenceEvent.objects.filter(sentence__offender=offender, kind__in=RESOLVABLE_EVENT_KINDS)
        .select_related("sentence")
        .order_by("-occurred_on", "-id")
    )
    return [
        {
            "kind": event.kind,
            "kind_label": event.get_kind_display(),
            "occurred_on": event.occurred_on,
            "detail": event.detail,
            "sentence": _sentence_label(event.sentence),
            "outstanding": event.outstanding,
            "resolved_on": event.resolved_on,
            "outcome": event.outcome,
        }
        for event in events
    ]


def programme_facts(offender) -> list[dict]:
    """Each programme referral with its provider, attendance counts and outcome (one query)."""
    referrals = (
        Referral.objects.filter(offender=offender)
        .select_related("programme__agency")
        .annotate(
            sessions=Count("attendances"),
            attended=Count("attendances", filter=Q(attendances__attended=True)),
            # Absences for reasons outside the offender's control are not held against them.
            excused=Count("attendances", filter=Q(attendances__excused=True)),
            last_session_on=Max("attendances__session_on"),
        )
        .order_by("-referred_on", "-id")
    )
    return [
        {
            "name": referral.programme.name,
            "kind": referral.programme.get_kind_display(),
            "agency": referral.programme.agency.name,
            "referred_on": referral.referred_on,
            "status": referral.status,
            "status_label": referral.get_status_display(),
            "status_changed_on": referral.status_changed_on,
            "outcome_note": referral.outcome_note,
            "sessions": referral.sessions,
            "attended": referral.attended,
            "excused": referral.excused,
            "missed": referral.sessions - referral.attended - referral.excused,
            "last_session_on": referral.last_session_on,
        }
        for referral in referrals
    ]


# Sections of a report that come from apps above documents: each registers its section once, from
# its AppConfig.ready (the security classification history: classification/apps.py), so a report
# includes it without documents importing that app. Name in the template -> a function of
# (actor, offender, is_prisoner) returning plain values.
REPORT_SECTIONS: dict[str, Callable[..., dict]] = {}


def report_section_register(name: str, build: Callable[..., dict]) -> None:
    REPORT_SECTIONS[name] = build


def _issued_facts(original) -> dict:
    issues = list(original.issues.order_by("issued_at", "id"))
    return {
        "kind_label": original.get_kind_display(),
        "title": original.document.title,
        "version": original.approved_version.number if original.approved_version_id else None,
        "issued": [{"recipient": issue.recipient, "issued_at": issue.issued_at} for issue in issues],
    }


def report_context(
    *,
    actor,
    offender,
    kind: str,
    due_on,
    sentence=None,
    extracts: ChosenExtracts | None = None,
    addendum_to=None,
) -> dict:
    """Everything a report's body template may use. Queries: those of document_context (three),
    compliance (one), programmes (one), classification (one, and one for the author's offices) —
    the same whatever the number of sentences, events, referrals, sessions or classifications."""
    context = document_context(offender=offender, sentence=sentence)
    is_prisoner = any(item["sentence_type"] == SentenceType.IMPRISONMENT for item in context["sentences"])
    compliance = compliance_facts(offender)
    court = sentence.court.name if sentence is not None and sentence.court_id else ""
    context.update(
        report={
            "kind": kind,
            "kind_label": ReportKind(kind).label,
            "audience": REPORT_AUDIENCE[kind].label,
            "due_on": due_on,
            "author": _person(actor),
            "court": court,
            "addendum_to": _issued_facts(addendum_to) if addendum_to is not None else None,
        },
        compliance=compliance,
        breaches=[event for event in compliance if event["kind"] == SentenceEventKind.BREACH],
        appeals=[event for event in compliance if event["kind"] in APPEAL_KINDS],
        programmes=programme_facts(offender),
        is_prisoner=is_prisoner,
        **{
            name: build(actor=actor, offender=offender, is_prisoner=is_prisoner)
            for name, build in REPORT_SECTIONS.items()
        },
        extracts=[_extract_facts(note) for note in (extracts.notes if extracts else [])],
    )
    return context

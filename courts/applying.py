"""Applying a valid court message to the records, one handler per message type (APPLY).

Each handler finds the offender (courts.matching) and the sentence the message names, then calls
the same services staff use, marking every sentence event as coming from the court interface. A
handler raises MessageRejected (codes that do not exist), MessageUnmatched (no such offender or
sentence), AwaitingMatch (a person must confirm the offender) or the services' ValidationError;
courts.services turns each into the message's status and, where needed, an exception on the
exceptions report.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from casenotes.services import system_casenote
from conditions.models import ConditionSource
from conditions.services import condition_create
from courts import matching
from courts.corrections import correction_request_transition
from courts.models import CorrectionRequest, CorrectionStatus, CourtMessage, CourtSentenceReference
from courts.schemas import MessageType
from offenders.models import Address, Identifier, Offender
from offenders.phonetics import fold
from offenders.services import address_add, alias_add, identifier_add, offender_create, offender_update
from sentences.models import (
    CompletionReason,
    Offence,
    Sentence,
    SentenceEvent,
    SentenceEventKind,
    SentenceStatus,
    SentenceType,
)
from sentences.services import (
    charge_create,
    sentence_complete,
    sentence_create,
    sentence_event_record,
    sentence_event_resolve,
    sentence_update,
)
from staff.models import Office, OfficeKind

COURT = SentenceEvent.Source.COURT_INTERFACE


class CourtInterfaceActor:
    """Who the audit trail names for changes a court message makes: not a user, so services store
    no user against them, and the audit row reads 'court interface (CMS message …)'."""

    is_authenticated = False

    def __init__(self, message: CourtMessage):
        self.message = message

    def __str__(self) -> str:
        return f"court interface (CMS message {self.message.message_id or self.message.pk})"

    def has_perm(self, perm: str) -> bool:
        return False


class MessageRejected(Exception):
    """The message is well formed but names codes that do not exist (court, office, offence)."""


class MessageUnmatched(Exception):
    """The offender or sentence the message names is not on record (or not certainly)."""

    def __init__(self, reason: str, *, offender: Offender | None = None, sentence: Sentence | None = None):
        super().__init__(reason)
        self.offender, self.sentence = offender, sentence


class ReferenceData:
    """Offices and offences by code, each read once for a batch of messages (one transaction)
    rather than once per message; a code is looked up as the message gives it."""

    def __init__(self) -> None:
        self._offices: dict[str, Office | None] = {}
        self._offences: dict[str, Offence | None] = {}

    def office(self, code: str) -> Office | None:
        if code not in self._offices:
            self._offices[code] = Office.objects.filter(code__iexact=code).first()
        return self._offices[code]

    def offences(self, codes: set[str]) -> dict[str, Offence]:
        unread = codes - set(self._offences)
        if unread:
            found = {offence.code: offence for offence in Offence.objects.filter(code__in=unread)}
            self._offences.update({code: found.get(code) for code in unread})
        return {code: self._offences[code] for code in codes if self._offences[code] is not None}


class AwaitingMatch(Exception):
    def __init__(self, result: matching.MatchResult):
        super().__init__(result.reason)
        self.result = result


@dataclass
class Applying:
    """One message being applied: its data, who acts, and (after review) the offender a person
    confirmed or the instruction to create a new one."""

    message: CourtMessage
    data: dict
    actor: CourtInterfaceActor
    confirmed_offender: Offender | None = None
    matches_rejected: bool = False
    reference: ReferenceData = field(default_factory=ReferenceData)
    offender: Offender | None = None
    sentence: Sentence | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def received_on(self) -> datetime.date:
        return timezone.localdate(self.data["sent_at"])


def validation_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        parts = []
        for name, errors in error.message_dict.items():
            label = "" if name == "__all__" else f"{name.replace('_', ' ')}: "
            parts += [f"{label}{text}" for text in errors]
        return " ".join(parts)
    return " ".join(error.messages)


def _office(applying: Applying, code: str, *, what: str, court: bool = False) -> Office:
    office = applying.reference.office(code)
    if office is None:
        raise MessageRejected(f"{what}: no office or court has the code '{code}'.")
    if court and office.kind != OfficeKind.COURT:
        raise MessageRejected(f"{what}: '{code}' is {office.name}, which is not a court.")
    if not court and office.kind == OfficeKind.COURT:
        raise MessageRejected(f"{what}: '{code}' is a court, not an office that manages sentences.")
    return office


def _offences(applying: Applying, codes: Iterable[str]) -> dict[str, Offence]:
    wanted = set(codes)
    found = applying.reference.offences(wanted)
    missing = sorted(wanted - set(found))
    if missing:
        raise MessageRejected(f"Unknown offence code{'s' if len(missing) > 1 else ''}: {', '.join(missing)}.")
    return found


def _next_prn() -> str:
    """The next number of the sequence that no offender has (one statement a try)."""
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT prn FROM (SELECT nextval('courts_prn_seq')::text AS prn) AS next "
                f"WHERE NOT EXISTS (SELECT 1 FROM {Offender._meta.db_table} WHERE prn = next.prn)"
            )
            row = cursor.fetchone()
            if row is not None:
                return row[0]


def _find_offender(applying: Applying, details: dict, *, may_create: bool) -> Offender | None:
    """The offender the message is about; None when a new record is to be created."""
    if applying.confirmed_offender is not None:
        return applying.confirmed_offender
    result = matching.match_offender(details)
    if result.kind == matching.MatchKind.EXACT:
        applying.notes.append(f"Offender matched by {result.reason}.")
        return result.offender
    if result.kind in (matching.MatchKind.UNKNOWN_PRN, matching.MatchKind.UNKNOWN_ID):
        raise MessageUnmatched(result.reason)
    if result.kind == matching.MatchKind.PROBABLE and not applying.matches_rejected:
        raise AwaitingMatch(result)
    if applying.matches_rejected and result.number_hit:
        # The number names someone else: never a new offender; the courts must check the number.
        raise MessageUnmatched(
            f"A person rejected the offender {result.number_hit} names as {_describe(details)}. "
            "Check the number with the courts."
        )
    if may_create:
        return None
    who = _describe(details)
    if applying.matches_rejected:
        raise MessageUnmatched(
            f"A person rejected the possible matches for {who}, and this message needs "
            "an offender already on record."
        )
    raise MessageUnmatched(f"No offender on record matches {who}.")


def _describe(details: dict) -> str:
    name = " ".join(part for part in (details.get("given_names"), details.get("family_name")) if part)
    dob = details.get("date_of_birth")
    bits = [name or "(no name)"]
    if dob:
        bits.append(f"born {dob:%d/%m/%Y}")
    if details.get("prn"):
        bits.append(f"PRN {details['prn']}")
    return ", ".join(bits)


def _find_sentence(offender: Offender, ref: dict, *, what: str = "sentence_ref") -> Sentence:
    if ref.get("cms_reference"):
        link = (
            CourtSentenceReference.objects.select_related("sentence")
            .filter(cms_reference=ref["cms_reference"])
            .first()
        )
        if link is None:
            raise MessageUnmatched(
                f"{what}: no sentence has CMS reference {ref['cms_reference']}.", offender=offender
            )
        if link.sentence.offender_id != offender.pk:
            raise MessageUnmatched(
                f"{what}: the sentence with CMS reference {ref['cms_reference']} belongs to another "
                f"offender, not {offender}.",
                offender=offender,
            )
        return link.sentence
    sentences = Sentence.objects.filter(offender=offender, court_case_number__iexact=ref["court_case_number"])
    if ref.get("sentence_type"):
        sentences = sentences.filter(sentence_type=ref["sentence_type"])
    found = list(sentences.order_by("-order_date", "-id")[:10])
    if len(found) > 1:
        current = [sentence for sentence in found if sentence.status != SentenceStatus.COMPLETED]
        found = current if len(current) == 1 else found
    if not found:
        kind = f" {SentenceType(ref['sentence_type']).label.lower()}" if ref.get("sentence_type") else ""
        raise MessageUnmatched(
            f"{what}: {offender} has no{kind} sentence with court case number {ref['court_case_number']}.",
            offender=offender,
        )
    if len(found) > 1:
        raise MessageUnmatched(
            f"{what}: {offender} has {len(found)} sentences with court case number "
            f"{ref['court_case_number']}; give sentence_type or cms_reference.",
            offender=offender,
        )
    return found[0]


def _on_sentence(applying: Applying) -> tuple[Offender, Sentence]:
    offender = _find_offender(applying, applying.data["offender"], may_create=False)
    sentence = _find_sentence(offender, applying.data["sentence_ref"])
    applying.offender, applying.sentence = offender, sentence
    return offender, sentence


def _note(applying: Applying, offender: Offender, summary: str, text: str) -> None:
    """Every change a court message makes to the record leaves a system casenote."""
    system_casenote(
        actor=applying.actor,
        offender=offender,
        summary=f"{summary} (from the court interface)"[:200],
        text=f"{text}\nCourt message {applying.message.message_id or applying.message.pk}.",
    )


def _same_name(family: str, given: str, other_family: str, other_given: str) -> bool:
    return fold(family) == fold(other_family) and fold(given) == fold(other_given)


def _add_known_names(applying: Applying, offender: Offender, details: dict) -> None:
    """Keep every name the courts use for this person, so later messages find them (a message that
    matches only one of these aliases still waits for a person: courts.matching)."""
    actor = applying.actor
    names = [(offender.family_name, offender.given_names)] + [
        (alias.family_name, alias.given_names) for alias in offender.aliases.all()
    ]

    def known(family: str, given: str) -> bool:
        return any(_same_name(family, given, f, g) for f, g in names)

    wanted = [(details["family_name"], details.get("given_names", ""), None)]
    wanted += [
        (alias["family_name"], alias.get("given_names", ""), alias.get("date_of_birth"))
        for alias in details.get("aliases", [])
    ]
    for family, given, dob in wanted:
        if not known(family, given):
            alias_add(
                actor=actor, offender=offender, family_name=family, given_names=given, date_of_birth=dob
            )
            names.append((family, given))
            applying.notes.append(f"Added the name {given} {family} as an alias.")
            _note(applying, offender, "Alias added", f"The courts know this person as {given} {family}.")


def _add_address(
    applying: Applying, offender: Offender, address: dict | None, started_on: datetime.date
) -> None:
    if not address:
        return
    current = Address.objects.filter(offender=offender, kind=Address.Kind.RESIDENTIAL, ended_on__isnull=True)
    for existing in current:
        if fold(existing.line1) == fold(address["line1"]) and fold(existing.city) == fold(address["city"]):
            return
    address_add(
        actor=applying.actor,
        offender=offender,
        kind=Address.Kind.RESIDENTIAL,
        line1=address["line1"],
        line2=address.get("line2", ""),
        suburb=address.get("suburb", ""),
        city=address["city"],
        postcode=address.get("postcode", ""),
        started_on=address.get("started_on") or started_on,
    )
    applying.notes.append("Added the address the courts gave.")
    parts = [
        address["line1"],
        address.get("line2"),
        address.get("suburb"),
        address["city"],
        address.get("postcode"),
    ]
    _note(applying, offender, "Address added", "Residential address: " + ", ".join(p for p in parts if p))


def _add_participant_id(applying: Applying, offender: Offender, participant: str | None) -> None:
    if (
        participant
        and not Identifier.objects.filter(
            offender=offender, kind=Identifier.Kind.CMS, value__iexact=participant
        ).exists()
    ):
        identifier_add(actor=applying.actor, offender=offender, kind=Identifier.Kind.CMS, value=participant)
        _note(applying, offender, "Identifier added", f"Courts' participant ID {participant}.")


def _conditions(items: list | None) -> str:
    """The conditions given in words, kept with the sentence as one text (as before issue 15)."""
    return "\n".join(item.strip() for item in items or [] if isinstance(item, str) and item.strip())


def _add_structured_conditions(applying: "Applying", sentence: Sentence, items: list | None) -> None:
    """The structured conditions of a sentence, recorded with it in the same unit: a condition the
    record refuses (its dates outside the sentence, hours beyond it) stops the whole message, which
    goes to the exceptions report, rather than being dropped."""
    added = []
    for index, item in enumerate(item for item in items or [] if isinstance(item, dict)):
        try:
            condition = condition_create(
                actor=applying.actor,
                sentence=sentence,
                source=ConditionSource.COURT,
                casenote=False,
                **item,
            )
        except ValidationError as error:
            messages = "; ".join(
                f"{name}: {' '.join(texts)}" if name != "__all__" else " ".join(texts)
                for name, texts in getattr(error, "message_dict", {"__all__": error.messages}).items()
            )
            raise ValidationError(f"sentence.conditions[{index}] cannot be recorded: {messages}") from None
        added.append(condition.summary)
    if added:
        applying.notes.append(f"Conditions recorded: {'; '.join(added)}.")


def apply_sentence_imposed(applying: Applying) -> None:
    details, order = applying.data["offender"], applying.data["sentence"]
    court = _office(applying, order["court_code"], what="sentence.court_code", court=True)
    managing = (
        _office(applying, order["managing_office_code"], what="sentence.managing_office_code")
        if order.get("managing_office_code")
        else None
    )
    offences = _offences(applying, (item["offence_code"] for item in order["convictions"]))
    if order.get("cms_reference"):
        existing = CourtSentenceReference.objects.filter(cms_reference=order["cms_reference"]).first()
        if existing is not None:
            applying.sentence = existing.sentence
            raise ValidationError(
                f"A sentence with CMS reference {order['cms_reference']} is already recorded "
                f"({existing.sentence}, offender {existing.sentence.offender})."
            )
    offender = _find_offender(applying, details, may_create=True)
    calculation = _calculation_inputs(offender, order, details)
    if offender is None:
        offender = offender_create(
            actor=applying.actor,
            prn=_next_prn(),
            family_name=details["family_name"],
            given_names=details.get("given_names", ""),
            preferred_name=details.get("preferred_name", ""),
            date_of_birth=details["date_of_birth"],
            gender=details.get("gender", "U"),
            home_office=managing,
        )
        applying.notes.append(f"New offender record created with PRN {offender.prn}.")
        for alias in details.get("aliases", []):
            alias_add(
                actor=applying.actor,
                offender=offender,
                family_name=alias["family_name"],
                given_names=alias.get("given_names", ""),
                date_of_birth=alias.get("date_of_birth"),
            )
            _note(
                applying,
                offender,
                "Alias added",
                f"The courts know this person as {alias.get('given_names', '')} {alias['family_name']}.",
            )
    else:
        _add_known_names(applying, offender, details)
        if details["date_of_birth"] != offender.date_of_birth:
            applying.notes.append(
                f"The courts give the date of birth {details['date_of_birth']:%d/%m/%Y}; the record has "
                f"{offender.date_of_birth:%d/%m/%Y}. Raise a correction request if the record is right."
            )
    applying.offender = offender
    _add_address(applying, offender, details.get("address"), applying.received_on)
    _add_participant_id(applying, offender, details.get("cms_participant_id"))
    sentence = sentence_create(
        actor=applying.actor,
        offender=offender,
        source=COURT,
        convictions=[
            {
                "offence": offences[item["offence_code"]],
                "convicted_on": item["convicted_on"],
                "offence_date": item.get("offence_date"),
            }
            for item in order["convictions"]
        ],
        sentence_type=order["sentence_type"],
        court=court,
        court_case_number=order.get("court_case_number", ""),
        order_date=order["order_date"],
        start_date=order["start_date"],
        end_date=order.get("end_date"),
        indeterminate=order.get("indeterminate", False),
        hours=order.get("hours"),
        conditions=_conditions(order.get("conditions")),
        parole_eligibility_date=order.get("parole_eligibility_date"),
        statutory_release_date=order.get("statutory_release_date"),
        parole_hearing_date=order.get("parole_hearing_date"),
        managing_office=managing,
        **calculation,
    )
    applying.sentence = sentence
    if order.get("cms_reference"):
        CourtSentenceReference.objects.create(
            sentence=sentence, cms_reference=order["cms_reference"], message=applying.message
        )
    applying.notes.insert(0, f"Recorded {sentence} for {offender}.")
    _add_structured_conditions(applying, sentence, order.get("conditions"))
    if calculation.get("consecutive_to"):
        applying.notes.append(f"Cumulative on {calculation['consecutive_to']}.")


def _calculation_inputs(offender: Offender | None, order: dict, details: dict) -> dict:
    """The sentence calculation's inputs the courts gave for a sentence of imprisonment (remand
    credit, minimum period, the sentence it is cumulative on), as sentence fields; only those
    given, so other sentences are recorded exactly as before. A cumulative_on that names no
    current sentence of imprisonment of this offender stops the message: never dropped, or the
    sentence would be calculated as concurrent."""
    fields = {}
    if "remand_days" in order:
        fields["remand_days"] = order["remand_days"]
    if order.get("minimum_period_months") is not None:
        fields["minimum_period_months"] = order["minimum_period_months"]
    ref = order.get("cumulative_on")
    if not ref:
        return fields
    if offender is None:
        raise MessageUnmatched(
            f"sentence.cumulative_on: {_describe(details)} is not on record yet, so has no sentence "
            "for this one to be cumulative on. Send the earlier sentence first, then retry this message."
        )
    if not ref.get("cms_reference") and not ref.get("sentence_type"):
        ref = {**ref, "sentence_type": SentenceType.IMPRISONMENT}
    earlier = _find_sentence(offender, ref, what="sentence.cumulative_on")
    if earlier.sentence_type != SentenceType.IMPRISONMENT:
        raise ValidationError(
            {"cumulative_on": f"It names {earlier}, which is not a sentence of imprisonment."}
        )
    if earlier.status == SentenceStatus.COMPLETED:
        raise ValidationError(
            {
                "cumulative_on": f"It names {earlier}, which was completed on "
                f"{earlier.completed_on:%d/%m/%Y}: a sentence is cumulative only on one still current."
            }
        )
    fields["consecutive_to"] = earlier
    return fields


def apply_offender_details_changed(applying: Applying) -> None:
    data = applying.data
    offender = _find_offender(applying, data["offender"], may_create=False)
    applying.offender = offender
    changes = {}
    if data.get("changes"):
        changes = offender_update(
            actor=applying.actor,
            offender=offender,
            source_note=" (from the court interface)",
            **data["changes"],
        )
    for alias in data.get("aliases_added", []):
        details = {
            "family_name": offender.family_name,
            "given_names": offender.given_names,
            "aliases": [alias],
        }
        _add_known_names(applying, offender, details)
    _add_address(applying, offender, data.get("address"), data.get("effective_on") or applying.received_on)
    changed = ", ".join(name.replace("_", " ") for name in changes)
    applying.notes.insert(0, f"Changed {changed} of {offender}." if changed else f"Updated {offender}.")


def _record_event(applying: Applying, *, kind: str, occurred_on: datetime.date, detail: str) -> None:
    _, sentence = _on_sentence(applying)
    event = sentence_event_record(
        actor=applying.actor,
        sentence=sentence,
        kind=kind,
        occurred_on=occurred_on,
        detail=detail,
        source=COURT,
    )
    applying.notes.insert(0, f"Recorded {event.get_kind_display().lower()} on {sentence}.")


def _resolve_event(
    applying: Applying, *, kind: str, resolved_on: datetime.date, outcome: str
) -> SentenceEvent:
    _, sentence = _on_sentence(applying)
    event = (
        SentenceEvent.objects.filter(sentence=sentence, kind=kind, resolved_on__isnull=True)
        .order_by("-occurred_on", "-id")
        .first()
    )
    if event is None:
        label = dict(SentenceEventKind.choices)[kind].lower()
        raise MessageUnmatched(
            f"{sentence} of {sentence.offender} has no outstanding {label} to decide. Check whether it "
            "was recorded, or was already decided by hand.",
            offender=sentence.offender,
            sentence=sentence,
        )
    sentence_event_resolve(
        actor=applying.actor, event=event, outcome=outcome, resolved_on=resolved_on, source=COURT
    )
    applying.notes.insert(
        0, f"{event.get_kind_display()} of {event.occurred_on:%d/%m/%Y} decided: {outcome}."
    )
    return event


def _with_detail(head: str, detail: str | None) -> str:
    return f"{head}: {detail.strip()}" if detail and detail.strip() else head


def apply_application_lodged(applying: Applying) -> None:
    data = applying.data
    _record_event(
        applying, kind=SentenceEventKind.APPLICATION, occurred_on=data["lodged_on"], detail=data["detail"]
    )


def apply_application_decided(applying: Applying) -> None:
    data = applying.data
    outcome = _with_detail(data["outcome"].capitalize(), data.get("detail"))
    _resolve_event(
        applying, kind=SentenceEventKind.APPLICATION, resolved_on=data["decided_on"], outcome=outcome
    )


def _appeal_kind(against: str) -> str:
    return (
        SentenceEventKind.APPEAL_CONVICTION if against == "conviction" else SentenceEventKind.APPEAL_SENTENCE
    )


def apply_appeal_lodged(applying: Applying) -> None:
    data = applying.data
    detail = _with_detail(f"Appeal against {data['against']} lodged", data.get("detail"))
    _record_event(applying, kind=_appeal_kind(data["against"]), occurred_on=data["lodged_on"], detail=detail)


def apply_appeal_decided(applying: Applying) -> None:
    data = applying.data
    outcome = _with_detail(f"Appeal {data['outcome']}", data.get("detail"))
    _resolve_event(
        applying, kind=_appeal_kind(data["against"]), resolved_on=data["decided_on"], outcome=outcome
    )
    if data.get("quash"):
        applying.sentence = sentence_complete(
            actor=applying.actor,
            sentence=applying.sentence,
            reason=CompletionReason.QUASHED,
            completed_on=data["decided_on"],
            detail=_with_detail("Conviction quashed on appeal", data.get("detail")),
            source=COURT,
        )
        applying.notes.append("The sentence is quashed.")


def apply_breach_charged(applying: Applying) -> None:
    data = applying.data
    offence = (
        _offences(applying, [data["offence_code"]])[data["offence_code"]]
        if data.get("offence_code")
        else None
    )
    _record_event(
        applying, kind=SentenceEventKind.BREACH, occurred_on=data["charged_on"], detail=data["detail"]
    )
    if offence is not None:
        charge_create(
            actor=applying.actor, offender=applying.offender, offence=offence, charged_on=data["charged_on"]
        )
        applying.notes.append(f"Recorded the charge {offence}.")


def apply_breach_decided(applying: Applying) -> None:
    data = applying.data
    outcome = _with_detail(f"Breach {data['outcome']}", data.get("detail"))
    _resolve_event(applying, kind=SentenceEventKind.BREACH, resolved_on=data["decided_on"], outcome=outcome)


def apply_sentence_transferred(applying: Applying) -> None:
    data = applying.data
    office = _office(applying, data["to_office_code"], what="to_office_code")
    _, sentence = _on_sentence(applying)
    changes = sentence_update(
        actor=applying.actor,
        sentence=sentence,
        reason=_with_detail(f"Transferred to {office}", data.get("reason")),
        source=COURT,
        occurred_on=data["transferred_on"],
        managing_office=office,
    )
    applying.notes.insert(
        0,
        f"Transferred {sentence} to {office}." if changes else f"{sentence} is already managed by {office}.",
    )


COMPLETIONS = {
    MessageType.SENTENCE_CANCELLED_BY_SUBSEQUENT: CompletionReason.CANCELLED_SUBSEQUENT,
    MessageType.SENTENCE_QUASHED: CompletionReason.QUASHED,
    MessageType.SENTENCE_DISCHARGED_EARLY: CompletionReason.DISCHARGED_EARLY,
    MessageType.SENTENCE_TERMINATED: CompletionReason.TERMINATED,
}


def apply_completion(applying: Applying) -> None:
    data = applying.data
    reason = COMPLETIONS[data["message_type"]]
    offender, sentence = _on_sentence(applying)
    detail = data.get("detail", "").strip()
    if data.get("subsequent_sentence_ref"):
        subsequent = _find_sentence(offender, data["subsequent_sentence_ref"], what="subsequent_sentence_ref")
        detail = _with_detail(f"Cancelled by {subsequent}", detail)
    applying.sentence = sentence_complete(
        actor=applying.actor,
        sentence=sentence,
        reason=reason,
        completed_on=data["effective_on"],
        detail=detail or f"{CompletionReason(reason).label} (court order)",
        source=COURT,
    )
    applying.notes.insert(0, f"{sentence}: {CompletionReason(reason).label.lower()}.")


def apply_offender_released(applying: Applying) -> None:
    """Creates the parole or release-on-conditions sentence; completes the prison sentence only
    when the message says so (a paroled prisoner is still serving the sentence)."""
    data, order = applying.data, applying.data["sentence"]
    offender = _find_offender(applying, data["offender"], may_create=False)
    applying.offender = offender
    prison = None
    if data.get("prison_sentence_ref"):
        prison = _find_sentence(offender, data["prison_sentence_ref"], what="prison_sentence_ref")
        if prison.sentence_type != SentenceType.IMPRISONMENT:
            raise ValidationError(
                f"prison_sentence_ref names {prison}, which is not a sentence of imprisonment."
            )
    if order.get("court_code"):
        court = _office(applying, order["court_code"], what="sentence.court_code", court=True)
    elif prison is not None:
        court = prison.court
    else:
        raise MessageRejected("sentence.court_code: give the court, or name the prison sentence.")
    managing = (
        _office(applying, order["managing_office_code"], what="sentence.managing_office_code")
        if order.get("managing_office_code")
        else offender.home_office
    )
    if order.get("convictions"):
        offences = _offences(applying, (item["offence_code"] for item in order["convictions"]))
        convictions = [
            {
                "offence": offences[item["offence_code"]],
                "convicted_on": item["convicted_on"],
                "offence_date": item.get("offence_date"),
            }
            for item in order["convictions"]
        ]
    else:
        convictions = [
            {"offence": item.offence, "convicted_on": item.convicted_on, "offence_date": item.offence_date}
            for item in prison.convictions.select_related("offence")
        ]
    if (
        order.get("cms_reference")
        and CourtSentenceReference.objects.filter(cms_reference=order["cms_reference"]).exists()
    ):
        raise ValidationError(f"A sentence with CMS reference {order['cms_reference']} is already recorded.")
    kind = SentenceType.PAROLE if data["release_kind"] == "parole" else SentenceType.RELEASE_ON_CONDITIONS
    sentence = sentence_create(
        actor=applying.actor,
        offender=offender,
        source=COURT,
        convictions=convictions,
        sentence_type=kind,
        court=court,
        court_case_number=prison.court_case_number if prison is not None else "",
        order_date=order.get("decided_on") or data["released_on"],
        start_date=data["released_on"],
        end_date=order["end_date"],
        conditions=_conditions(order.get("conditions")),
        managing_office=managing,
    )
    applying.sentence = sentence
    if order.get("cms_reference"):
        CourtSentenceReference.objects.create(
            sentence=sentence, cms_reference=order["cms_reference"], message=applying.message
        )
    applying.notes.insert(0, f"Recorded {sentence} for {offender}.")
    _add_structured_conditions(applying, sentence, order.get("conditions"))
    if data.get("complete_prison_sentence"):
        sentence_complete(
            actor=applying.actor,
            sentence=prison,
            reason=CompletionReason.NORMAL,
            completed_on=data["released_on"],
            detail=f"Released {'on parole' if kind == SentenceType.PAROLE else 'on conditions'}",
            source=COURT,
        )
        applying.notes.append(f"Completed {prison}.")


def apply_correction(applying: Applying) -> None:
    data = applying.data
    number = int(data["correction_request_id"].removeprefix("CR-"))
    request = CorrectionRequest.objects.select_for_update().filter(pk=number).first()
    if request is None:
        raise MessageUnmatched(f"There is no correction request CR-{number}.")
    offender = _find_offender(applying, data["offender"], may_create=False)
    applying.offender = offender
    if request.offender_id != offender.pk:
        raise MessageUnmatched(
            f"Correction request {request.reference} is about another offender, not {offender}.",
            offender=offender,
        )
    if request.status not in (CorrectionStatus.OPEN, CorrectionStatus.SENT):
        raise ValidationError(
            f"Correction request {request.reference} is already {request.get_status_display().lower()}."
        )
    sentence = None
    if data.get("sentence_ref"):
        sentence = _find_sentence(offender, data["sentence_ref"])
        applying.sentence = sentence
        if request.sentence_id and request.sentence_id != sentence.pk:
            raise MessageUnmatched(
                f"Correction request {request.reference} is about {request.sentence}, not {sentence}.",
                offender=offender,
                sentence=sentence,
            )
    corrected, changed = data["corrected"], []
    note = _with_detail(f"Correction {request.reference} from the courts", data.get("detail"))
    if corrected.get("offender"):
        changed += list(
            offender_update(
                actor=applying.actor,
                offender=offender,
                source_note=f" (correction {request.reference})",
                **corrected["offender"],
            )
        )
    if corrected.get("sentence"):
        fields = dict(corrected["sentence"])
        if "court_code" in fields:
            fields["court"] = _office(
                applying, fields.pop("court_code"), what="corrected.sentence.court_code", court=True
            )
        if "managing_office_code" in fields:
            fields["managing_office"] = _office(
                applying, fields.pop("managing_office_code"), what="corrected.sentence.managing_office_code"
            )
        if "conditions" in fields:
            fields["conditions"] = _conditions(fields["conditions"])
        changed += list(
            sentence_update(actor=applying.actor, sentence=sentence, reason=note, source=COURT, **fields)
        )
    correction_request_transition(
        request=request,
        to_status=CorrectionStatus.CORRECTED,
        comment=note + (f". Changed: {', '.join(changed)}." if changed else ". Nothing needed changing."),
        message=applying.message,
        corrected_by_message=applying.message,
    )
    applying.notes.insert(0, f"Correction {request.reference} applied and closed.")


APPLY: dict[str, Callable[[Applying], None]] = {
    MessageType.SENTENCE_IMPOSED: apply_sentence_imposed,
    MessageType.OFFENDER_DETAILS_CHANGED: apply_offender_details_changed,
    MessageType.APPLICATION_LODGED: apply_application_lodged,
    MessageType.APPLICATION_DECIDED: apply_application_decided,
    MessageType.APPEAL_LODGED: apply_appeal_lodged,
    MessageType.APPEAL_DECIDED: apply_appeal_decided,
    MessageType.BREACH_CHARGED: apply_breach_charged,
    MessageType.BREACH_DECIDED: apply_breach_decided,
    MessageType.SENTENCE_TRANSFERRED: apply_sentence_transferred,
    MessageType.SENTENCE_CANCELLED_BY_SUBSEQUENT: apply_completion,
    MessageType.SENTENCE_QUASHED: apply_completion,
    MessageType.SENTENCE_DISCHARGED_EARLY: apply_completion,
    MessageType.SENTENCE_TERMINATED: apply_completion,
    MessageType.OFFENDER_RELEASED: apply_offender_released,
    MessageType.CORRECTION_APPLIED: apply_correction,
}
# Types that act on a sentence already on record: a refusal from the record is a conflict with
# what staff did by hand; for the others it is bad data from the courts.
ON_EXISTING_RECORD = frozenset(APPLY) - {MessageType.SENTENCE_IMPOSED}

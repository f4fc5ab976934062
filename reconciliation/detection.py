"""The exceptions report's raising: an exception raised by the court interface, by the nightly
checks of sentence data (`RULES`, run by `exceptions_scan`), or as soon as a sentence is recorded or
changed with key dates that differ from the sentence calculation (`key_dates_check`). A problem
that is already open is not raised twice; one that comes back after it was resolved is a new
exception linked to its earlier occurrences. What happens to an exception afterwards is its
lifecycle (reconciliation.services)."""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, connection, transaction
from django.db.models import DateField, Exists, F, Func, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit import context as audit_context
from audit.actors import actor_user
from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from reconciliation.models import (
    EXCEPTION_WORKFLOW,
    UNRESOLVED,
    DataException,
    ExceptionStatus,
    ExceptionStep,
    ExceptionTransition,
    ReasonCode,
)
from sentences.calculation import (
    CALCULATION_FIELDS,
    CalculationError,
    Disagreement,
    calculate,
    disagreements,
    served_with_current,
    terms_of,
)
from sentences.models import (
    CURRENT_SENTENCE_STATUSES,
    Sentence,
    SentenceEvent,
    SentenceEventKind,
    SentenceType,
)
from staff.models import Office

logger = logging.getLogger(__name__)


# --- Raising ---------------------------------------------------------------------------------------


def exception_fingerprint(*, reason_code: str, sentence=None, offender=None, court_message=None) -> str:
    if court_message is not None:
        return f"{reason_code}:message:{court_message.pk}"
    if sentence is not None:
        return f"{reason_code}:sentence:{sentence.pk}"
    if offender is not None:
        return f"{reason_code}:offender:{offender.pk}"
    raise ValueError("An exception must name a court message, a sentence or an offender.")


def _sentence_fingerprint(reason_code: str, sentence_id: int) -> str:
    return f"{reason_code}:sentence:{sentence_id}"


@transaction.atomic
def exception_raise(
    *,
    reason_code: str,
    detail: str,
    office=None,
    offender=None,
    sentence=None,
    court_message=None,
    actor=None,
    raised_by=None,
) -> tuple[DataException, bool]:
    """Returns (exception, created). An unresolved exception with the same fingerprint is returned
    as it is; a resolved one becomes the `recurrence_of` of the new exception. `raised_by`: the
    person whose change raised it (four eyes), by default the actor if a person is acting."""
    if reason_code not in ReasonCode.values:
        raise ValueError(f"Unknown reason code {reason_code!r}.")
    fingerprint = exception_fingerprint(
        reason_code=reason_code, sentence=sentence, offender=offender, court_message=court_message
    )
    existing = DataException.objects.filter(fingerprint=fingerprint, status__in=UNRESOLVED).first()
    if existing is not None:
        return existing, False
    if office is None and sentence is not None:
        office = sentence.managing_office
    if office is None and offender is not None:
        office = offender.home_office
    if office is None and court_message is not None:
        office = _office_named_in(court_message)
    if offender is None and sentence is not None:
        offender = sentence.offender
    earlier = (
        DataException.objects.filter(fingerprint=fingerprint, status=ExceptionStatus.RESOLVED)
        .order_by("-id")
        .first()
    )
    try:
        with transaction.atomic():
            exception = DataException.objects.create(
                reason_code=reason_code,
                detail=detail,
                fingerprint=fingerprint,
                office=office,
                offender=offender,
                sentence=sentence,
                court_message=court_message,
                recurrence_of=earlier,
                raised_by=raised_by or actor_user(actor),
            )
    except IntegrityError:
        # Raised by someone else between our read and our insert: theirs stands.
        return DataException.objects.get(fingerprint=fingerprint, status__in=UNRESOLVED), False
    EXCEPTION_WORKFLOW.record_step(
        exception,
        from_status="",
        to=ExceptionStatus.OPEN,
        actor=actor,
        comment=detail[:500],
        row={"step": ExceptionStep.RAISED},
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=exception,
        offender_id=offender.pk if offender is not None else None,
        summary=_raised_summary(exception),
    )
    return exception, True


def _raised_summary(exception: DataException) -> str:
    again = " (recurred)" if exception.recurrence_of_id else ""
    return f"Exception raised: {exception.get_reason_code_display()}{again}"


def _office_named_in(court_message):
    """A court message about someone we cannot match still names the office that will manage the
    sentence; its exception goes to that office's administrative staff rather than to no one."""
    payload = court_message.payload if isinstance(court_message.payload, dict) else {}
    for part in ("sentence", "release"):
        section = payload.get(part)
        if isinstance(section, dict):
            code = section.get("managing_office_code") or section.get("to_office_code")
            if isinstance(code, str) and code:
                return Office.objects.filter(code=code).first()
    code = payload.get("to_office_code")
    if isinstance(code, str) and code:
        return Office.objects.filter(code=code).first()
    return None


# --- Detection (the nightly checks) ----------------------------------------------------------------


def _date(value) -> str:
    return f"{value:%-d %b %Y}" if value else "—"


_TYPE_LABELS = dict(SentenceType.choices)
_OFFICE_OF_SENTENCE = Coalesce("managing_office_id", "offender__home_office_id")


class SentenceRule:
    """One check over sentences. `sentences()` is the set showing the problem, as one queryset, so
    the scan costs the same few queries whether it finds ten problems or ten thousand."""

    reason_code: str = ""
    fields: tuple[str, ...] = ("sentence_type", "start_date", "end_date")

    def sentences(self) -> QuerySet:
        raise NotImplementedError

    def describe(self, row: dict) -> str:
        raise NotImplementedError

    def details(self, rows: list[dict]) -> dict[int, str]:
        return {row["pk"]: self.describe(row) for row in rows}

    def details_and_raisers(self, rows: list[dict]) -> tuple[dict[int, str], dict[int, int]]:
        """`details`, and sentence id -> the user whose change raised its exception, where a
        person's change did (four eyes: they may not resolve it)."""
        return self.details(rows), {}


class EndBeforeStart(SentenceRule):
    reason_code = ReasonCode.END_BEFORE_START

    def sentences(self) -> QuerySet:
        return Sentence.objects.current().filter(end_date__lt=F("start_date"))

    def describe(self, row: dict) -> str:
        return (
            f"{_TYPE_LABELS[row['sentence_type']]} ends on {_date(row['end_date'])}, before it starts "
            f"on {_date(row['start_date'])}."
        )


class DatesOutOfOrder(SentenceRule):
    reason_code = ReasonCode.DATES_OUT_OF_ORDER
    fields = (
        "sentence_type",
        "order_date",
        "start_date",
        "end_date",
        "parole_eligibility_date",
        "statutory_release_date",
    )

    def sentences(self) -> QuerySet:
        # A sentence combined with others carries the notional sentence's dates, which may fall
        # outside its own term (Sentence._clean_imprisonment_dates); KeyDatesDiffer checks those.
        alone = ~Exists(
            Sentence.objects.current()
            .filter(offender_id=OuterRef("offender_id"), sentence_type=SentenceType.IMPRISONMENT)
            .exclude(pk=OuterRef("pk"))
        ) & Q(consecutive_to__isnull=True)
        return Sentence.objects.current().filter(
            Q(start_date__lt=F("order_date"))
            | (Q(parole_eligibility_date__lt=F("start_date")) & alone)
            | Q(parole_eligibility_date__gt=F("statutory_release_date"))
            | (Q(statutory_release_date__gt=F("end_date")) & alone)
        )

    def describe(self, row: dict) -> str:
        order, start, end = row["order_date"], row["start_date"], row["end_date"]
        ped, srd = row["parole_eligibility_date"], row["statutory_release_date"]
        problems = []
        if start < order:
            problems.append(f"starts ({_date(start)}) before the court ordered it ({_date(order)})")
        if ped and ped < start:
            problems.append(f"parole eligibility date {_date(ped)} is before the start {_date(start)}")
        if ped and srd and ped > srd:
            problems.append(f"parole eligibility date {_date(ped)} is after the release date {_date(srd)}")
        if srd and end and srd > end:
            problems.append(f"statutory release date {_date(srd)} is after the expiry date {_date(end)}")
        return f"{_TYPE_LABELS[row['sentence_type']]}: " + "; ".join(problems) + "."


# Public NZ sentencing: more than 2 years is long-term, with a parole eligibility date (DOMAIN.md).
# Two calendar years, as sentences.calculation counts them (731 days across a 29 February).
LONG_TERM = relativedelta(years=2)


class MissingKeyDates(SentenceRule):
    reason_code = ReasonCode.MISSING_KEY_DATES
    fields = (
        "sentence_type",
        "start_date",
        "end_date",
        "indeterminate",
        "hours",
        "parole_eligibility_date",
        "statutory_release_date",
    )

    def sentences(self) -> QuerySet:
        imprisonment = Q(sentence_type=SentenceType.IMPRISONMENT, indeterminate=False)
        long_term_end = Func(
            F("start_date"), template="(%(expressions)s + interval '2 years')::date", output_field=DateField()
        )
        return Sentence.objects.current().filter(
            Q(indeterminate=False, end_date__isnull=True)
            | (imprisonment & Q(statutory_release_date__isnull=True))
            | (imprisonment & Q(parole_eligibility_date__isnull=True, end_date__gt=long_term_end))
            | Q(sentence_type=SentenceType.COMMUNITY_WORK, hours__isnull=True)
        )

    def describe(self, row: dict) -> str:
        kind = row["sentence_type"]
        missing = []
        if not row["indeterminate"] and row["end_date"] is None:
            missing.append("expiry date (SED)")
        if kind == SentenceType.IMPRISONMENT and not row["indeterminate"]:
            if row["statutory_release_date"] is None:
                missing.append("statutory release date (SRD)")
            end = row["end_date"]
            if (
                row["parole_eligibility_date"] is None
                and end is not None
                and end > row["start_date"] + LONG_TERM
            ):
                missing.append("parole eligibility date (PED) of a long-term sentence")
        if kind == SentenceType.COMMUNITY_WORK and row["hours"] is None:
            missing.append("hours of community work")
        determinate = " (determinate)" if kind == SentenceType.IMPRISONMENT else ""
        return (
            f"{_TYPE_LABELS[kind]}{determinate} from {_date(row['start_date'])} has no "
            + ", no ".join(missing)
            + "."
        )


class DeceasedActive(SentenceRule):
    reason_code = ReasonCode.DECEASED_ACTIVE
    fields = ("sentence_type", "start_date", "status", "offender__date_of_death")

    def sentences(self) -> QuerySet:
        return Sentence.objects.current().filter(offender__date_of_death__isnull=False)

    def describe(self, row: dict) -> str:
        return (
            f"{_TYPE_LABELS[row['sentence_type']]} from {_date(row['start_date'])} is still "
            f"{'active' if row['status'] == 'active' else 'waiting to start'}, but the offender died on "
            f"{_date(row['offender__date_of_death'])}."
        )


class NoManagingOffice(SentenceRule):
    reason_code = ReasonCode.NO_MANAGING_OFFICE

    def sentences(self) -> QuerySet:
        return Sentence.objects.current().filter(managing_office__isnull=True)

    def describe(self, row: dict) -> str:
        return (
            f"{_TYPE_LABELS[row['sentence_type']]} from {_date(row['start_date'])} has no managing office, "
            "so no office supervises it."
        )


class ModificationAfterCourt(SentenceRule):
    """A person changed a sentence's details after the court interface delivered it (seed 000: data
    from the courts' system is the courts' to correct, so such a change is checked). Once an
    exception for the sentence is resolved, the changes before the resolution count as checked."""

    reason_code = ReasonCode.MODIFICATION_CHECK
    fields = ("sentence_type", "start_date")

    def changes(self) -> QuerySet:
        court_delivered = (
            SentenceEvent.objects.filter(
                sentence_id=OuterRef("sentence_id"), source=SentenceEvent.Source.COURT_INTERFACE
            )
            .order_by("recorded_at")
            .values("recorded_at")[:1]
        )
        checked = (
            DataException.objects.filter(
                sentence_id=OuterRef("sentence_id"),
                reason_code=self.reason_code,
                status=ExceptionStatus.RESOLVED,
            )
            .order_by("-resolved_at")
            .values("resolved_at")[:1]
        )
        return (
            SentenceEvent.objects.filter(
                source=SentenceEvent.Source.PERSON,
                kind=SentenceEventKind.DETAILS_CHANGED,
                to_status="",  # a change of details, not a commencement or completion
                recorded_by__isnull=False,
            )
            .annotate(court_at=Subquery(court_delivered), checked_at=Subquery(checked))
            .filter(court_at__isnull=False, recorded_at__gt=F("court_at"))
            .filter(Q(checked_at__isnull=True) | Q(recorded_at__gt=F("checked_at")))
        )

    def sentences(self) -> QuerySet:
        return Sentence.objects.filter(pk__in=self.changes().values("sentence_id"))

    def details(self, rows: list[dict]) -> dict[int, str]:
        return self.details_and_raisers(rows)[0]

    def details_and_raisers(self, rows: list[dict]) -> tuple[dict[int, str], dict[int, int]]:
        """The raiser is the author of the latest unchecked change: not the one to check it."""
        ids = [row["pk"] for row in rows]
        by_sentence: dict[int, list[dict]] = defaultdict(list)
        for change in (
            self.changes()
            .filter(sentence_id__in=ids)
            .order_by("sentence_id", "-recorded_at")
            .values("sentence_id", "recorded_at", "detail", "recorded_by_id", "recorded_by__username")
        ):
            by_sentence[change["sentence_id"]].append(change)
        details, raisers = {}, {}
        for row in rows:
            changes = by_sentence.get(row["pk"], [])
            if not changes:  # changed again between the two reads: describe it plainly
                details[row["pk"]] = "Changed by a person after the court interface delivered it."
                continue
            latest = changes[0]
            raisers[row["pk"]] = latest["recorded_by_id"]
            more = f" ({len(changes)} changes in all)" if len(changes) > 1 else ""
            details[row["pk"]] = (
                f"{_TYPE_LABELS[row['sentence_type']]} changed by {latest['recorded_by__username']} on "
                f"{_date(timezone.localtime(latest['recorded_at']))} after the court interface delivered "
                f"it: {latest['detail'] or 'details changed'}{more}. Check it against the court order."
            )
        return details, raisers


# --- Key dates against the sentence calculation (issue 13) ----------------------------------------
#
# Court-supplied (or person-entered) parole eligibility and statutory release dates are checked
# against the notional single sentence of the offender's current imprisonment sentences
# (sentences.calculation): a date that disagrees raises an exception for a person to reconcile
# against the court order. The recorded dates are never overwritten. Only dates that are recorded
# are compared: a blank PED on a short-term sentence is right, and a blank SRD on a determinate
# sentence is already MISSING_KEY_DATES. A sentence whose own dates are out of order is already
# DATES_OUT_OF_ORDER or END_BEFORE_START: a calculation from impossible dates would add nothing.

CALCULATED_DATE_LABELS = {
    "parole_eligibility_date": "Parole eligibility date",
    "statutory_release_date": "Statutory release date",
}
# What the key-date check loads: what the calculation reads, and the dates compared with it.
KEY_DATE_FIELDS = ("sentence_type", "order_date", *CALCULATION_FIELDS, *CALCULATED_DATE_LABELS)
# The changes of a sentence that can change the calculation or the dates compared with it.
CALCULATION_CHANGES = frozenset(
    {
        "sentence_type",
        "start_date",
        "end_date",
        "indeterminate",
        "consecutive_to",
        "remand_days",
        "minimum_period_months",
        *CALCULATED_DATE_LABELS,
    }
)


def _current_imprisonment() -> QuerySet:
    return Sentence.objects.current().filter(sentence_type=SentenceType.IMPRISONMENT)


def _dates_in_order(sentence: Sentence, *, alone: bool) -> bool:
    """As DatesOutOfOrder: a sentence combined with others may carry dates outside its own term."""
    start, end = sentence.start_date, sentence.end_date
    ped, srd = sentence.parole_eligibility_date, sentence.statutory_release_date
    return not (
        (end and end < start)
        or (start < sentence.order_date)
        or (alone and ped and ped < start)
        or (ped and srd and ped > srd)
        or (alone and srd and end and srd > end)
    )


def key_date_differences(sentences: Iterable[Sentence]) -> dict[int, list[Disagreement]]:
    """Of one offender's sentences of imprisonment (with KEY_DATE_FIELDS loaded), each current one
    whose recorded PED or SRD differs from the notional single sentence's, with the dates that
    differ. The notional sentence takes in the completed sentences the current ones are cumulative
    on (sentences.calculation.served_with_current); those are not compared.
    None for sentences that cannot be combined (the calculation refuses them)."""
    sentences = served_with_current(sentences, CURRENT_SENTENCE_STATUSES)
    try:
        calculation = calculate(terms_of(sentences))
    except CalculationError:
        return {}
    if calculation is None:
        return {}
    found = {}
    current = [sentence for sentence in sentences if sentence.status in CURRENT_SENTENCE_STATUSES]
    for sentence in current:
        alone = len(current) == 1 and not sentence.consecutive_to_id
        recorded = {name: getattr(sentence, name) for name in CALCULATED_DATE_LABELS}
        if not _dates_in_order(sentence, alone=alone):
            continue
        differences = disagreements(calculation, recorded, alone=alone)
        if differences:
            found[sentence.pk] = differences
    return found


def key_dates_detail(differences: Iterable[Disagreement]) -> str:
    """ "Statutory release date: recorded 3 Mar 2027, calculated 1 Mar 2027." and what to do."""
    dates = "; ".join(
        difference.describe(CALCULATED_DATE_LABELS[difference.field]) for difference in differences
    )
    return (
        f"{dates}. The recorded dates are kept: check them against the court order and the "
        "sentence calculation."
    )


def _key_date_differences_of(offender_ids) -> dict[int, list[Disagreement]]:
    """key_date_differences for every offender of `offender_ids` (a list or a subquery), read in one
    query streamed in chunks, an offender's sentences together."""
    sentences = (
        Sentence.objects.filter(sentence_type=SentenceType.IMPRISONMENT, offender_id__in=offender_ids)
        .only(*KEY_DATE_FIELDS)
        .order_by("offender_id", "start_date", "id")
    )
    found: dict[int, list[Disagreement]] = {}
    for _, offender_sentences in groupby(sentences.iterator(chunk_size=CHUNK), key=attrgetter("offender_id")):
        found.update(key_date_differences(offender_sentences))
    return found


def key_dates_check(*, offender_id: int, actor=None) -> list[DataException]:
    """Raise an exception for each of the offender's current imprisonment sentences whose recorded
    key dates differ from the calculation (not again while one is open). Run as soon as a sentence
    is recorded or changed (reconciliation/handlers.py); the nightly scan finds the rest."""
    sentences = list(
        Sentence.objects.filter(sentence_type=SentenceType.IMPRISONMENT, offender_id=offender_id).order_by(
            "start_date", "id"
        )
    )
    raised = []
    by_pk = {sentence.pk: sentence for sentence in sentences}
    for sentence_id, differences in key_date_differences(sentences).items():
        exception, _ = exception_raise(
            reason_code=ReasonCode.KEY_DATES_DIFFER,
            detail=key_dates_detail(differences),
            sentence=by_pk[sentence_id],
            actor=actor,
        )
        raised.append(exception)
    return raised


class KeyDatesDiffer(SentenceRule):
    reason_code = ReasonCode.KEY_DATES_DIFFER
    fields = ("sentence_type", "start_date")

    def sentences(self) -> QuerySet:
        with_dates = _current_imprisonment().filter(
            Q(parole_eligibility_date__isnull=False) | Q(statutory_release_date__isnull=False)
        )
        differing = _key_date_differences_of(with_dates.values("offender_id"))
        return Sentence.objects.filter(pk__in=sorted(differing))

    def details(self, rows: list[dict]) -> dict[int, str]:
        """The dates that differ, read again for the offenders of the new problems only."""
        differences: dict[int, list[Disagreement]] = {}
        for chunk in _chunks(sorted({row["offender_id"] for row in rows})):
            differences.update(_key_date_differences_of(chunk))
        return {
            row["pk"]: key_dates_detail(differences[row["pk"]])
            if row["pk"] in differences
            else "Key dates differ from the sentence calculation."  # changed between the two reads
            for row in rows
        }


RULES: tuple[SentenceRule, ...] = (
    EndBeforeStart(),
    DatesOutOfOrder(),
    MissingKeyDates(),
    DeceasedActive(),
    NoManagingOffice(),
    ModificationAfterCourt(),
    KeyDatesDiffer(),
)
SCANNED_REASONS = frozenset(rule.reason_code for rule in RULES)

# Bounds the size of one IN list / one INSERT when a first scan finds very many problems.
CHUNK = 5000


@dataclass
class RuleOutcome:
    found: int = 0
    raised: int = 0
    recurrences: int = 0
    no_longer_detected: int = 0
    detected_again: int = 0


@dataclass
class ScanResult:
    by_reason: dict[str, RuleOutcome] = field(default_factory=dict)

    @property
    def raised(self) -> int:
        return sum(outcome.raised for outcome in self.by_reason.values())

    @property
    def no_longer_detected(self) -> int:
        return sum(outcome.no_longer_detected for outcome in self.by_reason.values())


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def exceptions_scan(*, office: Office | None = None) -> ScanResult:
    """Run every check (of one office's sentences, or nationally) and raise an exception for each
    problem that is not already open. Open exceptions whose problem is gone are marked "no longer
    detected" and stay open: a person resolves them."""
    result = ScanResult()
    now = timezone.now()
    for rule in RULES:
        result.by_reason[rule.reason_code] = _scan_rule(rule, office=office, now=now)
    total_found = sum(outcome.found for outcome in result.by_reason.values())
    audit_record(
        actor=None,
        action=AuditAction.CREATE if result.raised else AuditAction.SEARCH,
        summary=(
            f"Exceptions checks{f' for {office}' if office else ''}: {total_found} problems found, "
            f"{result.raised} new, {result.no_longer_detected} no longer detected"
        ),
    )
    return result


@transaction.atomic
def _scan_rule(rule: SentenceRule, *, office: Office | None, now: datetime.datetime) -> RuleOutcome:
    # One scan of a rule at a time (the nightly task and a manual run), so they do not race.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"exceptions_scan:{rule.reason_code}"])
    outcome = RuleOutcome()
    problems = rule.sentences()  # once: a rule may compute its set (KeyDatesDiffer)
    found = problems.annotate(exception_office_id=_OFFICE_OF_SENTENCE)
    if office is not None:
        found = found.filter(exception_office_id=office.pk)
    rows = list(found.order_by("pk").values("pk", "offender_id", "exception_office_id", *rule.fields))
    outcome.found = len(rows)

    unresolved = DataException.objects.filter(reason_code=rule.reason_code, status__in=UNRESOLVED)
    already_open = set(unresolved.order_by().values_list("fingerprint", flat=True))
    new_rows = [row for row in rows if _sentence_fingerprint(rule.reason_code, row["pk"]) not in already_open]
    if new_rows:
        created = _raise_many(rule, new_rows)
        outcome.raised = len(created)
        outcome.recurrences = sum(1 for exception in created if exception.recurrence_of_id)

    # Problems still (or again) present: clear the "no longer detected" mark.
    still_there = Exists(problems.filter(pk=OuterRef("sentence_id")))
    outcome.detected_again = (
        unresolved.filter(no_longer_detected_at__isnull=False)
        .filter(still_there)
        .update(no_longer_detected_at=None)
    )
    gone = unresolved.filter(no_longer_detected_at__isnull=True).exclude(still_there)
    if office is not None:
        gone = gone.filter(office=office)
    outcome.no_longer_detected = gone.update(no_longer_detected_at=now)
    return outcome


def _raise_many(rule: SentenceRule, rows: list[dict]) -> list[DataException]:
    """Insert the new exceptions, their first transition and their audit rows in bulk."""
    details, raisers = rule.details_and_raisers(rows)
    fingerprints = [_sentence_fingerprint(rule.reason_code, row["pk"]) for row in rows]
    earlier: dict[str, int] = {}
    for chunk in _chunks(fingerprints):
        earlier.update(
            DataException.objects.filter(fingerprint__in=chunk, status=ExceptionStatus.RESOLVED)
            .values("fingerprint")
            .annotate(latest=Max("id"))
            .values_list("fingerprint", "latest")
        )
    exceptions = [
        DataException(
            reason_code=rule.reason_code,
            detail=details[row["pk"]],
            fingerprint=fingerprint,
            office_id=row["exception_office_id"],
            offender_id=row["offender_id"],
            sentence_id=row["pk"],
            recurrence_of_id=earlier.get(fingerprint),
            raised_by_id=raisers.get(row["pk"]),
        )
        for row, fingerprint in zip(rows, fingerprints, strict=True)
    ]
    try:
        with transaction.atomic():
            created = DataException.objects.bulk_create(exceptions, batch_size=1000)
    except IntegrityError:
        # Someone raised one of these between our read and our insert: go one by one, theirs stands.
        logger.info("Exceptions scan: %s raced another raise; raising one by one", rule.reason_code)
        created = []
        for exception in exceptions:
            raised, is_new = exception_raise(
                reason_code=exception.reason_code,
                detail=exception.detail,
                office=Office(pk=exception.office_id) if exception.office_id else None,
                offender=exception.offender,
                sentence=exception.sentence,
                raised_by=exception.raised_by,
            )
            if is_new:
                created.append(raised)
        return created
    # The first status of each new exception, in bulk: creation, not a step of the lifecycle (the
    # workflow's record_step, a row at a time, is the same row for one exception).
    ExceptionTransition.objects.bulk_create(
        [
            ExceptionTransition(
                exception=exception,
                step=ExceptionStep.RAISED,
                to_status=ExceptionStatus.OPEN,
                comment=exception.detail[:500],
            )
            for exception in created
        ],
        batch_size=1000,
    )
    ctx = audit_context.current()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=None,
                actor_label="system",
                action=AuditAction.CREATE,
                object_type=DataException._meta.label,
                object_id=str(exception.pk),
                offender_id=exception.offender_id,
                summary=_raised_summary(exception)[:300],
                ip_address=ctx.ip_address,
                user_agent=ctx.user_agent,
                channel=ctx.channel,
            )
            for exception in created
        ],
        batch_size=1000,
    )
    return created

"""The exceptions report: raising exceptions (from the court interface and the nightly checks)
and reconciling them. A problem that is already open is not raised twice; one that comes back
after it was resolved is a new exception linked to its earlier occurrences.

The lifecycle is a state machine (`TRANSITIONS`): one service per step checks the actor's right
and the source status, changes the status with a conditional update, and writes a transition row
and an audit row in the same transaction."""

import datetime
import importlib
import importlib.util
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import DateField, Exists, ExpressionWrapper, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit import context as audit_context
from audit.models import AuditAction, AuditEvent
from audit.refusals import Refused
from audit.services import audit_record
from reconciliation.access import OFFICE_WORKER_ROLES, can_work_exception, resolve_refusal
from reconciliation.models import (
    DataException,
    ExceptionStatus,
    ExceptionStep,
    ExceptionTransition,
    ReasonCode,
    correctable_fields,
)
from sentences.models import Sentence, SentenceEvent, SentenceEventKind, SentenceType
from staff.models import Office
from staff.roles import Role

logger = logging.getLogger(__name__)

UNRESOLVED = frozenset(status for status in ExceptionStatus.values if status != ExceptionStatus.RESOLVED)
_UNRESOLVED = list(UNRESOLVED)  # kept for callers of the first version

# The lifecycle. Assigning changes who holds an unresolved exception, not its status.
TRANSITIONS: dict[str, frozenset[str]] = {
    ExceptionStatus.OPEN: frozenset(
        {ExceptionStatus.IN_PROGRESS, ExceptionStatus.CORRECTION_REQUESTED, ExceptionStatus.RESOLVED}
    ),
    ExceptionStatus.IN_PROGRESS: frozenset({ExceptionStatus.CORRECTION_REQUESTED, ExceptionStatus.RESOLVED}),
    # Work resumes when the courts' correction arrives (or they decline to make it).
    ExceptionStatus.CORRECTION_REQUESTED: frozenset({ExceptionStatus.IN_PROGRESS, ExceptionStatus.RESOLVED}),
    ExceptionStatus.RESOLVED: frozenset({ExceptionStatus.OPEN}),
}
STEP_TARGETS: dict[str, str] = {
    ExceptionStep.STARTED: ExceptionStatus.IN_PROGRESS,
    ExceptionStep.CORRECTION_REQUESTED: ExceptionStatus.CORRECTION_REQUESTED,
    ExceptionStep.RESOLVED: ExceptionStatus.RESOLVED,
    ExceptionStep.REOPENED: ExceptionStatus.OPEN,
}
# A resolution records what was checked and what was changed in words a colleague can follow
# ("Corrected the end date from 3 May to 5 June per the court order of 1 March").
MIN_EXPLANATION = 10


def allowed_steps(exception: DataException) -> list[str]:
    """The steps the lifecycle allows from the exception's status (the actor's right is separate)."""
    steps = [step for step, target in STEP_TARGETS.items() if target in TRANSITIONS[exception.status]]
    if exception.status in UNRESOLVED:
        steps.insert(0, ExceptionStep.ASSIGNED)
    return steps


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
                raised_by=raised_by or _actor_user(actor),
            )
    except IntegrityError:
        # Raised by someone else between our read and our insert: theirs stands.
        return DataException.objects.get(fingerprint=fingerprint, status__in=UNRESOLVED), False
    ExceptionTransition.objects.create(
        exception=exception,
        step=ExceptionStep.RAISED,
        to_status=ExceptionStatus.OPEN,
        comment=detail[:500],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
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


# --- Detection (the nightly checks) ----------------------------------------------------------------


def _date(value) -> str:
    return f"{value:%d %b %Y}" if value else "—"


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
        return Sentence.objects.current().filter(
            Q(start_date__lt=F("order_date"))
            | Q(parole_eligibility_date__lt=F("start_date"))
            | Q(parole_eligibility_date__gt=F("statutory_release_date"))
            | Q(statutory_release_date__gt=F("end_date"))
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
LONG_TERM_DAYS = 730


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
        long_term_end = ExpressionWrapper(
            F("start_date") + datetime.timedelta(days=LONG_TERM_DAYS), output_field=DateField()
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
                and (end - row["start_date"]).days > LONG_TERM_DAYS
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


RULES: tuple[SentenceRule, ...] = (
    EndBeforeStart(),
    DatesOutOfOrder(),
    MissingKeyDates(),
    DeceasedActive(),
    NoManagingOffice(),
    ModificationAfterCourt(),
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
    found = rule.sentences().annotate(exception_office_id=_OFFICE_OF_SENTENCE)
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
    still_there = Exists(rule.sentences().filter(pk=OuterRef("sentence_id")))
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


# --- The lifecycle ---------------------------------------------------------------------------------


def _actor_user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _require_right(actor, exception: DataException) -> None:
    if not can_work_exception(actor, exception):
        raise PermissionDenied("You may not reconcile this office's exceptions.")


def _move(
    *,
    actor,
    exception: DataException,
    step: str,
    comment: str = "",
    fields: dict | None = None,
    summary: str = "",
    by_system: bool = False,
) -> DataException:
    """Move `exception` along the lifecycle by `step`, if it is still in the status the caller read.
    `by_system`: the portal itself settles it (no person's rights to check)."""
    if not by_system:
        _require_right(actor, exception)
    from_status = exception.status
    to_status = STEP_TARGETS[step]
    if to_status not in TRANSITIONS[from_status]:
        raise ValidationError(
            f"An exception that is {ExceptionStatus(from_status).label.lower()} cannot be "
            f"{ExceptionStep(step).label.lower()}."
        )
    fields = fields or {}
    try:
        with transaction.atomic():
            updated = DataException.objects.filter(pk=exception.pk, status=from_status).update(
                status=to_status, **fields
            )
    except IntegrityError:
        # Reopening while a newer occurrence of the same problem is open.
        raise ValidationError(
            "A newer occurrence of this problem is open: work on that one instead."
        ) from None
    if not updated:
        current = DataException.objects.filter(pk=exception.pk).values_list("status", flat=True).first()
        label = ExceptionStatus(current).label.lower() if current else "gone"
        raise ValidationError(
            f"Someone else changed this exception while you had it open: it is now {label}."
        )
    ExceptionTransition.objects.create(
        exception=exception,
        step=step,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        actor=_actor_user(actor),
        assignee=fields.get("assignee"),
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=exception,
        offender_id=exception.offender_id,
        summary=summary or f"Exception {exception.pk}: {ExceptionStep(step).label.lower()}",
        changes={"status": [from_status, to_status]},
    )
    exception.refresh_from_db()
    return exception


def exception_assignees(office_id: int | None) -> QuerySet:
    """Who may hold an exception: administrative support and service managers of its office
    (system administrators for exceptions that belong to no office)."""
    users = get_user_model().objects.filter(is_active=True)
    if office_id is None:
        return (
            users.filter(Q(groups__name=Role.SYSTEM_ADMIN) | Q(is_superuser=True))
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
    return (
        users.filter(staff__office_id=office_id, staff__active=True, groups__name__in=OFFICE_WORKER_ROLES)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _label(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def exception_assign(*, actor, exception: DataException, assignee, comment: str = "") -> DataException:
    _require_right(actor, exception)
    if exception.status not in UNRESOLVED:
        raise ValidationError("A resolved exception cannot be assigned: reopen it first.")
    if assignee is None or not exception_assignees(exception.office_id).filter(pk=assignee.pk).exists():
        raise ValidationError(
            {"assignee": "Choose one of the office's administrative support staff or its service manager."}
        )
    previous = exception.assignee_id
    updated = DataException.objects.filter(pk=exception.pk, status=exception.status).update(assignee=assignee)
    if not updated:
        raise ValidationError("Someone else changed this exception while you had it open: reload it.")
    ExceptionTransition.objects.create(
        exception=exception,
        step=ExceptionStep.ASSIGNED,
        from_status=exception.status,
        to_status=exception.status,
        comment=comment.strip(),
        actor=_actor_user(actor),
        assignee=assignee,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=exception,
        offender_id=exception.offender_id,
        summary=f"Exception {exception.pk} assigned to {_label(assignee)}",
        changes={"assignee": [previous, assignee.pk]},
    )
    exception.refresh_from_db()
    return exception


@transaction.atomic
def exception_start(*, actor, exception: DataException, comment: str = "") -> DataException:
    """Work starts; whoever starts an unassigned exception holds it."""
    _require_right(actor, exception)
    fields = {} if exception.assignee_id else {"assignee": _actor_user(actor)}
    return _move(
        actor=actor, exception=exception, step=ExceptionStep.STARTED, comment=comment.strip(), fields=fields
    )


def exception_resolve(
    *, actor, exception: DataException, resolution_reason: str, change_made: str
) -> DataException:
    """Reconciled against the court order, release licence, the record or the file (seed 001): the
    reason and the change made are both recorded. Four eyes: not by the person whose change raised
    it; that refusal is audited (outside the change's transaction, so the row stays)."""
    _require_right(actor, exception)
    refusal = resolve_refusal(actor, exception)
    if refusal is not None:
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            obj=exception,
            offender_id=exception.offender_id,
            summary=f"Refused: resolving exception {exception.pk}: {refusal}"[:300],
        )
        raise Refused(refusal, obj=exception, audited=True)
    with transaction.atomic():
        return _resolve(
            actor=actor, exception=exception, resolution_reason=resolution_reason, change_made=change_made
        )


def _resolve(*, actor, exception: DataException, resolution_reason: str, change_made: str) -> DataException:
    reason, change = (resolution_reason or "").strip(), (change_made or "").strip()
    errors = {}
    if len(reason) < MIN_EXPLANATION:
        errors["resolution_reason"] = (
            "Say why this is resolved and what you checked it against (e.g. the court order of 3 May)."
        )
    if len(change) < MIN_EXPLANATION:
        errors["change_made"] = (
            "Say what you changed, e.g. “Corrected end date from 3 May 2026 to 5 June 2026”, "
            "or “No change: the record matches the court order”."
        )
    if errors:
        raise ValidationError(errors)
    return _move(
        actor=actor,
        exception=exception,
        step=ExceptionStep.RESOLVED,
        comment=f"{reason}\nChange made: {change}",
        fields={
            "resolved_at": timezone.now(),
            "resolved_by": _actor_user(actor),
            "resolution_reason": reason,
            "change_made": change,
        },
        summary=f"Exception {exception.pk} resolved: {change}"[:300],
    )


def _correction_request_service():
    """The courts app's service, once it exists (the courts app owns correction requests)."""
    if importlib.util.find_spec("courts.services") is None:
        return None
    return getattr(importlib.import_module("courts.services"), "correction_request_create", None)


def correction_field_choices(exception: DataException) -> list[tuple[str, str]]:
    """The details of the exception's record that a correction request may name."""
    return correctable_fields(has_sentence=exception.sentence_id is not None)


@transaction.atomic
def exception_request_correction(
    *, actor, exception: DataException, fields: list[str], what_is_wrong: str, should_be: str
) -> DataException:
    """Seed 000: inaccurate data from the courts' system is corrected by the courts. Raises a
    data-correction request to the courts (courts.services) and waits for it."""
    _require_right(actor, exception)
    what_is_wrong, should_be = (what_is_wrong or "").strip(), (should_be or "").strip()
    errors = {}
    if exception.offender_id is None:
        errors["fields"] = (
            "This exception names no offender, and a correction request is made on an offender's record. "
            "Match the court message to the offender first."
        )
    elif not fields:
        errors["fields"] = "Choose the detail or details that are wrong."
    if not what_is_wrong:
        errors["what_is_wrong"] = "Say what is wrong."
    if not should_be:
        errors["should_be"] = "Say what it should be, and how you know (e.g. the court order)."
    if errors:
        raise ValidationError(errors)
    if ExceptionStatus.CORRECTION_REQUESTED not in TRANSITIONS[exception.status]:
        raise ValidationError(
            f"A correction cannot be requested for an exception that is "
            f"{ExceptionStatus(exception.status).label.lower()}."
        )
    comment = f"{what_is_wrong}\nShould be: {should_be}"
    create = _correction_request_service()
    if create is not None:
        request = create(
            actor=actor,
            offender=exception.offender,
            sentence=exception.sentence,
            fields=list(fields),
            what_is_wrong=what_is_wrong,
            should_be=should_be,
        )
        reference = getattr(request, "reference", None) or getattr(request, "pk", None)
        if reference:
            comment = f"Correction request {reference}: {comment}"
    else:
        logger.warning("courts.services.correction_request_create is missing: recorded on the exception only")
    return _move(
        actor=actor,
        exception=exception,
        step=ExceptionStep.CORRECTION_REQUESTED,
        comment=comment,
        summary=f"Exception {exception.pk}: correction requested from the courts: {what_is_wrong}"[:300],
    )


@transaction.atomic
def exception_reopen(*, actor, exception: DataException, reason: str) -> DataException:
    _require_right(actor, exception)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the exception is reopened."})
    return _move(
        actor=actor,
        exception=exception,
        step=ExceptionStep.REOPENED,
        comment=reason,
        fields={
            "resolved_at": None,
            "resolved_by": None,
            "resolution_reason": "",
            "change_made": "",
            "no_longer_detected_at": None,
        },
    )


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


def exceptions_resolve_for_processed_message(*, court_message) -> int:
    """A court message that failed and was later processed (retried by a person, or once the message
    it depended on arrived) settles its own exceptions: the report shows what still needs a person."""
    settled = 0
    open_exceptions = DataException.objects.filter(court_message=court_message, status__in=UNRESOLVED)
    for exception in open_exceptions:
        if ExceptionStatus.RESOLVED not in TRANSITIONS[exception.status]:
            continue
        _move(
            actor=None,
            exception=exception,
            step=ExceptionStep.RESOLVED,
            comment="The court message was processed on a later attempt.",
            fields={
                "resolved_at": timezone.now(),
                "resolution_reason": "The court message was processed on a later attempt.",
                "change_made": "Applied by the court interface.",
            },
            summary=f"Exception {exception.pk} settled: court message {court_message.pk} processed",
            by_system=True,
        )
        settled += 1
    return settled

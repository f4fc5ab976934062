"""When each prisoner's next Review Security Classification is due (seed 003, "When to use the
Review Security Classification form"; Regulation 50; issue 5, Scheduling), and who sees the list.

The rules, in one place:

- Regular review: every 3 months for a term of imprisonment of two years or less, every 6 months
  for more than two years, counted from the last approved classification (the prisoner's current
  SecurityClassification, initial or review). None for internal A with external A.
- The term: the notional single sentence of the prisoner's current (active and pending)
  imprisonment sentences (sentences/calculation.py): a sentence cumulative on another is served
  after it, so 18 months followed by a cumulative 18 months is a term of 3 years; concurrent
  sentences run from their own starts, so the longest decides. A pending sentence cumulative on an
  active one is part of the term being served; who is a prisoner is still decided by an active
  imprisonment sentence. An indeterminate sentence is more than two years. A term of exactly two
  years is "two years or less".
- Change of circumstances (seed 003: "whenever there is a significant change"): a review is due
  on the day the change was recorded, whatever the categories. A change is "new" when its record
  was entered after the current classification was recorded (timestamps, not the event's own
  date): the classification was made without it, so a historical escape entered today is a
  change, and an escape entered before the classification is not, whatever their dates. The
  changes: an escape or attempt (EscapeEvent); an incident report of violence (a possible serious
  assault: the report is how an assault in prison comes to light before any Police charge) or one
  charged or proven under the Corrections Act (a new charge, seed 003 A.4.3/A.4.4); a charge or a
  conviction (serious assault named as such); a change to a current imprisonment sentence's
  release dates (SED, PED or SRD: the SentenceChanged events of the outbox say which fields a
  sentence change touched); and any prison record recorded, corrected or ended through its service
  (a PrisonRecordChanged event in the outbox: incidents, escapes, At Risk alerts, health stability
  assessments, removal orders, information from Police), with the event's summary as the reason.
  The escape and incident rows are read as well, for records loaded without an event (demo data).
  A classification is never a change after itself: its own PrisonRecordChanged (an initial
  classification recorded or corrected) is left out, since the schedule counts from it.
- The earlier of the regular and the change due dates wins; on the same day, the change.
- A prisoner with no classification at all gets a row with basis "none" and the reason "No
  initial classification" (seed 003: the review form is never used for an initial one), so the
  due list can show them.

`schedule_refresh` recomputes the rows of every prisoner (or of some) in a fixed number of
queries; the daily beat task and the services that change a prisoner's classification or records
call it, and classification/handlers.py does for one prisoner as soon as a charge, conviction,
sentence or change of release dates is committed (domain events, ioms/subscribers.py)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Case, Count, Exists, F, Func, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from classification.models import (
    OPEN_REVIEW_STATUSES,
    Category,
    ClassificationKind,
    CorrectionsActStatus,
    EscapeEvent,
    IncidentReport,
    Review,
    ReviewSchedule,
    ReviewStatus,
    ScheduleBasis,
    SecurityClassification,
)
from events.domain import PrisonRecordChanged, SentenceChanged
from events.models import OutboxEvent
from sentences.calculation import (
    CALCULATION_FIELDS,
    CalculationError,
    calculate,
    served_with_current,
    terms_of,
)
from sentences.custody import in_custody_q
from sentences.models import (
    CURRENT_SENTENCE_STATUSES,
    Charge,
    Conviction,
    OffenceCategory,
    Sentence,
    SentenceStatus,
    SentenceType,
)
from staff.access import office_id_of
from staff.models import Office, OfficeKind
from staff.roles import Role, has_role

# Regulation 50 (seed 003, "When to use"): the term up to which a review is due every 3 months.
SHORT_TERM = relativedelta(years=2)
SHORT_TERM_MONTHS = 3
LONG_TERM_MONTHS = 6
# The sentence fields whose change is "a change in the sentence's release dates" (issue 5).
RELEASE_DATE_FIELDS = SentenceChanged.RELEASE_DATE_FIELDS
NO_CLASSIFICATION_REASON = "No initial classification"


def day_label(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


# --- the rules (pure) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """The term of imprisonment a prisoner is serving: their current imprisonment sentences
    combined into the notional single sentence (`term_served`)."""

    more_than_two_years: bool
    sentences: int = 1
    cumulative: int = 0  # how many of them are served after another (cumulative on it)

    def describe(self) -> str:
        length = "more than 2 years" if self.more_than_two_years else "2 years or less"
        if self.sentences <= 1:
            return f"sentence of {length}"
        if not self.cumulative:
            how = "concurrent"
        elif self.cumulative == self.sentences - 1:
            how = "cumulative"
        else:
            how = f"{self.cumulative} cumulative"
        return f"notional sentence of {length}: {self.sentences} sentences, {how}"


def term_served(sentences: Iterable[Sentence]) -> Term:
    """Regulation 50's "term of imprisonment" of these sentences: the notional single sentence
    (sentences.calculation), long-term when it is more than two years."""
    terms = terms_of(sentences)
    try:
        calculation = calculate(terms)
    except CalculationError:
        # Sentences that cannot be combined (cumulative on each other in a loop, or on an
        # indeterminate one) still decide the cycle: by the longest single one, as before.
        long_term = any(
            term.end_date is None or term.end_date > term.start_date + SHORT_TERM for term in terms
        )
        return Term(long_term, len(terms))
    cumulative = sum(1 for served in calculation.served if served.cumulative_on is not None)
    return Term(calculation.long_term, len(terms), cumulative)


@dataclass(frozen=True)
class Change:
    """The first change of circumstances recorded since the current classification."""

    recorded_on: datetime.date
    recorded_at: datetime.datetime
    label: str  # the triggering record's model label
    pk: int
    description: str


@dataclass(frozen=True)
class Plan:
    due_on: datetime.date | None
    basis: str
    reason: str
    trigger_label: str = ""
    trigger_pk: int | None = None


def regular_plan(classification: SecurityClassification, term: Term) -> Plan:
    """Seed 003, "When to use": 3 or 6 months after the last approved classification; none for
    internal A with external A."""
    if classification.internal_category == Category.A and classification.external_category == Category.A:
        return Plan(
            None,
            ScheduleBasis.NONE,
            f"Internal A and external A since {day_label(classification.effective_on)}: no regular review",
        )
    months = LONG_TERM_MONTHS if term.more_than_two_years else SHORT_TERM_MONTHS
    kind = "initial classification" if classification.kind == ClassificationKind.INITIAL else "classification"
    return Plan(
        classification.effective_on + relativedelta(months=months),
        ScheduleBasis.REGULAR,
        f"{months} months after the {kind} of {day_label(classification.effective_on)} ({term.describe()})",
    )


def plan_for(classification: SecurityClassification | None, term: Term, change: Change | None) -> Plan:
    if classification is None:
        return Plan(None, ScheduleBasis.NONE, NO_CLASSIFICATION_REASON)
    regular = regular_plan(classification, term)
    if change is None:
        return regular
    if regular.due_on is not None and regular.due_on < change.recorded_on:
        return Plan(
            regular.due_on, regular.basis, f"{regular.reason}; since then: {change.description}"[:300]
        )
    return Plan(change.recorded_on, ScheduleBasis.CHANGE, change.description[:300], change.label, change.pk)


# --- refreshing the rows (set-based) --------------------------------------------------------


def _prisoner_sentences(offender_ids: list[int] | None) -> QuerySet[Sentence]:
    """Active imprisonment of a person in custody: a prisoner (as
    classification.selectors.current_prisoner_ids). Released on parole or at the statutory release
    date, the sentence goes on but no review is due (sentences.custody)."""
    sentences = Sentence.objects.filter(
        in_custody_q(), sentence_type=SentenceType.IMPRISONMENT, status=SentenceStatus.ACTIVE
    )
    if offender_ids is not None:
        sentences = sentences.filter(offender_id__in=offender_ids)
    return sentences


def _imprisonment_of_prisoners(offender_ids: list[int] | None) -> QuerySet[Sentence]:
    """Every sentence of imprisonment of the people with a current one (or of `offender_ids`): the
    term being served is the current ones and the completed ones they are cumulative on
    (sentences.calculation.served_with_current picks them out; a handful per person)."""
    # Only of people in custody: a released prisoner has no term being served in prison.
    sentences = Sentence.objects.filter(in_custody_q(), sentence_type=SentenceType.IMPRISONMENT)
    if offender_ids is not None:
        return sentences.filter(offender_id__in=offender_ids)
    return sentences.filter(
        offender_id__in=Sentence.objects.current()
        .filter(sentence_type=SentenceType.IMPRISONMENT)
        .values("offender_id")
    )


def _current_recorded_at() -> Subquery:
    return Subquery(
        SecurityClassification.objects.filter(offender_id=OuterRef("offender_id"))
        .order_by("-effective_on", "-id")
        .values("recorded_at")[:1]
    )


def _first_new(queryset: QuerySet, stamp: str) -> QuerySet:
    """Per prisoner, the earliest row of `queryset` recorded after their current classification was
    (one query; a prisoner with no classification has none)."""
    return (
        queryset.annotate(classified_at=_current_recorded_at())
        .filter(**{f"{stamp}__gt": F("classified_at")})
        .order_by("offender_id", stamp, "id")
        .distinct("offender_id")
    )


def _recorded(stamp: datetime.datetime) -> str:
    return day_label(timezone.localdate(stamp))


def _new_changes(prisoners: QuerySet[Sentence]) -> dict[int, Change]:
    """The first change of circumstances of each prisoner since their current classification, in
    six queries whatever the number of prisoners."""
    offender_ids = prisoners.values("offender_id")
    found: list[tuple[int, Change]] = []

    def add(offender_id: int, stamp: datetime.datetime, record: models.Model, description: str) -> None:
        change = Change(timezone.localdate(stamp), stamp, record._meta.label, record.pk, description)
        found.append((offender_id, change))

    for escape in _first_new(EscapeEvent.objects.filter(offender_id__in=offender_ids), "recorded_at"):
        add(
            escape.offender_id,
            escape.recorded_at,
            escape,
            f"{escape.get_kind_display()} from {escape.get_custody_display().lower()} on "
            f"{day_label(escape.occurred_on)} (recorded {_recorded(escape.recorded_at)})",
        )
    incidents = IncidentReport.objects.filter(offender_id__in=offender_ids).filter(
        Q(violence_related=True) | ~Q(corrections_act=CorrectionsActStatus.NONE)
    )
    for incident in _first_new(incidents, "recorded_at"):
        what = "Violent incident" if incident.violence_related else "Incident"
        if incident.corrections_act != CorrectionsActStatus.NONE:
            what += f" {incident.get_corrections_act_display().lower()}"
        add(
            incident.offender_id,
            incident.recorded_at,
            incident,
            f"{what} on {day_label(incident.occurred_on)} (recorded {_recorded(incident.recorded_at)})",
        )
    charges = Charge.objects.filter(offender_id__in=offender_ids).select_related("offence")
    for charge in _first_new(charges, "created_at"):
        serious = (
            " of serious assault" if charge.offence.has_category(OffenceCategory.SERIOUS_ASSAULT) else ""
        )
        add(
            charge.offender_id,
            charge.created_at,
            charge,
            f"New charge{serious}: {charge.offence.description}, laid {day_label(charge.charged_on)} "
            f"(recorded {_recorded(charge.created_at)})",
        )
    convictions = Conviction.objects.filter(offender_id__in=offender_ids).select_related("offence")
    for conviction in _first_new(convictions, "created_at"):
        serious = (
            " of serious assault" if conviction.offence.has_category(OffenceCategory.SERIOUS_ASSAULT) else ""
        )
        add(
            conviction.offender_id,
            conviction.created_at,
            conviction,
            f"New conviction{serious}: {conviction.offence.description}, "
            f"{day_label(conviction.convicted_on)} (recorded {_recorded(conviction.created_at)})",
        )
    release_changes = (
        OutboxEvent.objects.filter(
            event_type=SentenceChanged.__name__,
            offender_id__in=offender_ids,
            payload__changes__has_any_keys=list(RELEASE_DATE_FIELDS),
        )
        .annotate(sentence_id=Cast(KeyTextTransform("sentence_id", "payload"), models.BigIntegerField()))
        .filter(
            sentence_id__in=Sentence.objects.current()
            .filter(sentence_type=SentenceType.IMPRISONMENT, offender_id__in=offender_ids)
            .values("pk")
        )
    )
    for event in _first_new(release_changes, "occurred_at"):
        changed = event.payload["changes"]
        fields = [
            str(Sentence._meta.get_field(name).verbose_name)
            for name in RELEASE_DATE_FIELDS
            if name in changed
        ]
        # The trigger is the sentence whose dates changed, not the event that says so.
        found.append(
            (
                event.offender_id,
                Change(
                    timezone.localdate(event.occurred_at),
                    event.occurred_at,
                    Sentence._meta.label,
                    event.sentence_id,
                    f"Release dates changed ({', '.join(fields)}) on {_recorded(event.occurred_at)}",
                ),
            )
        )
    record_changes = OutboxEvent.objects.filter(
        event_type=PrisonRecordChanged.__name__, offender_id__in=offender_ids
    ).exclude(payload__record_label=SecurityClassification._meta.label)
    for event in _first_new(record_changes, "occurred_at"):
        # The trigger is the prison record the event names, with the event's own words.
        found.append(
            (
                event.offender_id,
                Change(
                    timezone.localdate(event.occurred_at),
                    event.occurred_at,
                    str(event.payload.get("record_label", ""))[:60],
                    event.payload.get("record_id"),
                    str(event.payload.get("summary") or "Prison record changed"),
                ),
            )
        )
    changes: dict[int, Change] = {}
    for offender_id, change in found:
        earlier = changes.get(offender_id)
        if earlier is None or change.recorded_at < earlier.recorded_at:
            changes[offender_id] = change
    return changes


@transaction.atomic
def schedule_refresh(
    *, offender_ids: Iterable[int] | None = None, today: datetime.date | None = None
) -> dict[str, int]:
    """Recompute the review schedule of every prisoner (or of `offender_ids`), and remove the rows
    of people who are no longer prisoners. A fixed number of queries whatever the number of
    prisoners: one for their sentences, one for their classifications, six for changes of
    circumstances, one upsert and one delete."""
    today = today or timezone.localdate()
    ids = None if offender_ids is None else sorted(set(offender_ids))
    prisoners = _prisoner_sentences(ids)
    # A prisoner has an active imprisonment sentence; their term is all their current ones, with
    # the completed ones those are cumulative on.
    imprisonment: dict[int, list[Sentence]] = {}
    for sentence in (
        _imprisonment_of_prisoners(ids).only(*CALCULATION_FIELDS).order_by("offender_id", "start_date", "id")
    ):
        imprisonment.setdefault(sentence.offender_id, []).append(sentence)
    current = {
        offender_id: served_with_current(sentences, CURRENT_SENTENCE_STATUSES)
        for offender_id, sentences in imprisonment.items()
    }
    terms = {
        offender_id: term_served(sentences)
        for offender_id, sentences in current.items()
        if any(sentence.status == SentenceStatus.ACTIVE for sentence in sentences)
    }
    classifications = {
        row.offender_id: row
        for row in SecurityClassification.objects.filter(offender_id__in=prisoners.values("offender_id"))
        .order_by("offender_id", "-effective_on", "-id")
        .distinct("offender_id")
    }
    changes = _new_changes(prisoners) if terms else {}
    now = timezone.now()
    rows = []
    for offender_id, term in terms.items():
        classification = classifications.get(offender_id)
        plan = plan_for(classification, term, changes.get(offender_id))
        rows.append(
            ReviewSchedule(
                offender_id=offender_id,
                due_on=plan.due_on,
                basis=plan.basis,
                reason=plan.reason,
                counted_from=classification,
                trigger_label=plan.trigger_label,
                trigger_pk=plan.trigger_pk,
                computed_at=now,
            )
        )
    ReviewSchedule.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["offender"],
        update_fields=[
            "due_on",
            "basis",
            "reason",
            "counted_from",
            "trigger_label",
            "trigger_pk",
            "computed_at",
        ],
    )
    if ids is not None:
        stale = ReviewSchedule.objects.filter(offender_id__in=ids).exclude(offender_id__in=list(terms))
    else:
        stale = ReviewSchedule.objects.exclude(
            offender_id__in=_prisoner_sentences(None).values("offender_id")
        )
    removed, _ = stale.delete()
    return {
        "prisoners": len(rows),
        "regular": sum(row.basis == ScheduleBasis.REGULAR for row in rows),
        "change": sum(row.basis == ScheduleBasis.CHANGE for row in rows),
        "none": sum(row.basis == ScheduleBasis.NONE for row in rows),
        "unclassified": sum(row.counted_from is None for row in rows),
        "due": sum(row.due_on is not None and row.due_on <= today for row in rows),
        "removed": removed,
    }


# --- the due list of a prison ---------------------------------------------------------------


class DueFilter(models.TextChoices):
    DUE = "due", "Overdue and due in the next 30 days"
    OVERDUE = "overdue", "Overdue only"
    ALL = "all", "All scheduled reviews"
    UNCLASSIFIED = "unclassified", "No initial classification"


DUE_WITHIN_DAYS = 30


class _DateDifference(Func):
    """`first - second` in days (PostgreSQL subtracts dates to an integer)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = models.IntegerField()


def schedules_at(prison_id: int) -> QuerySet[ReviewSchedule]:
    """The rows of prisoners whose active imprisonment sentence the prison manages."""
    return ReviewSchedule.objects.filter(
        Exists(
            _prisoner_sentences(None).filter(
                offender_id=OuterRef("offender_id"), managing_office_id=prison_id
            )
        )
    )


def _with_display(rows: QuerySet[ReviewSchedule], today: datetime.date) -> QuerySet[ReviewSchedule]:
    open_reviews = Review.objects.filter(
        offender_id=OuterRef("offender_id"), status__in=OPEN_REVIEW_STATUSES
    ).order_by("-initiated_at")
    today_value = Value(today, output_field=models.DateField())
    return (
        rows.select_related("offender", "counted_from")
        .annotate(
            days_overdue=_DateDifference(today_value, F("due_on")),
            days_until=_DateDifference(F("due_on"), today_value),
            open_review_pk=Subquery(open_reviews.values("pk")[:1]),
            open_review_status=Subquery(open_reviews.values("status")[:1]),
        )
        .annotate(
            open_review_status_label=Case(
                *[
                    When(open_review_status=value, then=Value(str(label)))
                    for value, label in ReviewStatus.choices
                ],
                default=Value(""),
                output_field=models.CharField(),
            )
        )
        .order_by(
            F("due_on").asc(nulls_last=True), "offender__family_name", "offender__given_names", "offender_id"
        )
    )


def reviews_due(
    prison_id: int,
    *,
    today: datetime.date,
    within_days: int | None = DUE_WITHIN_DAYS,
    overdue_only: bool = False,
) -> QuerySet[ReviewSchedule]:
    """Reviews due at the prison: overdue first (the earliest due date first), each row with its
    offender, current classification (`counted_from`), `days_overdue` (negative: days until due),
    basis, reason and the open review's pk and status, in one query. `within_days` None: every
    scheduled review."""
    rows = schedules_at(prison_id).filter(due_on__isnull=False)
    if overdue_only:
        rows = rows.filter(due_on__lt=today)
    elif within_days is not None:
        rows = rows.filter(due_on__lte=today + datetime.timedelta(days=within_days))
    return _with_display(rows, today)


def unclassified_at(prison_id: int, *, today: datetime.date) -> QuerySet[ReviewSchedule]:
    """Prisoners at the prison with no classification at all: no review can be scheduled."""
    return _with_display(schedules_at(prison_id).filter(counted_from__isnull=True), today)


def due_counts(prison_id: int, *, today: datetime.date) -> dict[str, int]:
    soon = today + datetime.timedelta(days=DUE_WITHIN_DAYS)
    return schedules_at(prison_id).aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        due_soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=soon)),
        scheduled=Count("pk", filter=Q(due_on__isnull=False)),
        unclassified=Count("pk", filter=Q(counted_from__isnull=True)),
    )


# --- who sees the due list (issue 5: "prison officers see reviews due and overdue for their prison")


DUE_LIST_ROLES = (Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER)


def can_choose_any_prison(user) -> bool:
    return has_role(user, Role.SYSTEM_ADMIN)


def can_view_reviews_due(user) -> bool:
    return can_choose_any_prison(user) or (has_role(user, *DUE_LIST_ROLES) and office_id_of(user) is not None)


def due_list_prisons_for(user) -> list[Office]:
    """The prisons whose due list the user may open: any prison for a system administrator, their
    own office for prison staff."""
    if can_choose_any_prison(user):
        return list(Office.objects.active().filter(kind=OfficeKind.PRISON).order_by("name"))
    if not can_view_reviews_due(user):
        return []
    return list(Office.objects.filter(pk=office_id_of(user)))


def access_due_list_prison(user, requested: str | None) -> Office | None:
    """The single gate for the due list: the prison whose list is shown, None when a system
    administrator has not chosen one yet. 403 for everyone else, and for prison staff asking for
    another prison's list."""
    if not can_view_reviews_due(user):
        raise PermissionDenied(
            "The reviews due list is for prison officers, recommending and approving officers."
        )
    prisons = due_list_prisons_for(user)
    if can_choose_any_prison(user):
        by_pk = {str(prison.pk): prison for prison in prisons}
        if requested:
            if requested not in by_pk:
                raise PermissionDenied("Choose one of the prisons listed.")
            return by_pk[requested]
        own = str(office_id_of(user))
        return by_pk.get(own)
    own = prisons[0]
    if requested and requested != str(own.pk):
        raise PermissionDenied("You may see only your own prison's reviews.")
    return own

import datetime
import math

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from sentences.calculation import SHORT_TERM, CalculationError, calculate, terms_of
from workflow.transitions import TransitionRow, Workflow


class OffenceCategory(models.TextChoices):
    DRUGS = "drugs", "Drugs"
    VIOLENCE = "violence", "Violence"
    ESCAPE = "escape", "Escape"
    TERRORISM = "terrorism", "Terrorism"
    SERIOUS_ASSAULT = "serious_assault", "Serious assault"
    CHILD_SEX = "child_sex", "Sexual offence against a child"


class Offence(models.Model):
    """The offence catalogue: each offence's Act and Ministry of Justice seriousness score
    (the average prison days imposed; seed 003 bands it H/M/L/VL)."""

    code = models.CharField(max_length=12, unique=True)
    description = models.CharField(max_length=200)
    act = models.CharField(max_length=120)
    section = models.CharField(max_length=20, blank=True)
    seriousness = models.DecimalField(
        "MoJ seriousness score", max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    categories = models.JSONField(default=list, blank=True, help_text="Subset of OffenceCategory values.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"

    def clean(self) -> None:
        unknown = set(self.categories or []) - set(OffenceCategory.values)
        if unknown:
            raise ValidationError({"categories": f"Unknown categories: {', '.join(sorted(unknown))}"})

    def has_category(self, category: str) -> bool:
        return category in (self.categories or [])


class Charge(models.Model):
    """A charge laid against an offender; `outstanding` until the court disposes of it."""

    class Outcome(models.TextChoices):
        CONVICTED = "convicted", "Convicted"
        DISMISSED = "dismissed", "Dismissed"
        WITHDRAWN = "withdrawn", "Withdrawn"
        ACQUITTED = "acquitted", "Acquitted"

    offender = models.ForeignKey("offenders.Offender", on_delete=models.PROTECT, related_name="charges")
    offence = models.ForeignKey(Offence, on_delete=models.PROTECT, related_name="charges")
    charged_on = models.DateField()
    offence_date = models.DateField(null=True, blank=True)
    court = models.ForeignKey(
        "staff.Office",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "court"},
    )
    outstanding = models.BooleanField(default=True)
    disposed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-charged_on", "-id"]
        indexes = [
            models.Index(fields=["offender", "outstanding"], name="charge_offender_outstanding"),
            # The API list's order (sentences/api.py), for keyset pages.
            models.Index(fields=["-charged_on", "-id"], name="charge_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.offence} charged {self.charged_on:%-d %b %Y}"

    def clean(self) -> None:
        errors = {}
        if self.outstanding and (self.disposed_on or self.outcome):
            errors["outstanding"] = "A disposed charge (with an outcome or date) is not outstanding."
        if not self.outstanding and not (self.disposed_on and self.outcome):
            errors["outcome"] = "A charge that is no longer outstanding needs its outcome and disposal date."
        if self.disposed_on and self.charged_on and self.disposed_on < self.charged_on:
            errors["disposed_on"] = "A charge cannot be disposed of before it was laid."
        if self.offence_date and self.charged_on and self.offence_date > self.charged_on:
            errors["offence_date"] = "The offence date cannot be after the charge date."
        if errors:
            raise ValidationError(errors)


class SentenceType(models.TextChoices):
    COMMUNITY_WORK = "community_work", "Community work"
    SUPERVISION = "supervision", "Supervision"
    INTENSIVE_SUPERVISION = "intensive_supervision", "Intensive supervision"
    COMMUNITY_DETENTION = "community_detention", "Community detention"
    HOME_DETENTION = "home_detention", "Home detention"
    IMPRISONMENT = "imprisonment", "Imprisonment"
    PAROLE = "parole", "Parole"
    RELEASE_ON_CONDITIONS = "release_on_conditions", "Release on conditions"
    EXTENDED_SUPERVISION = "extended_supervision", "Extended supervision order"


# Which fields each sentence type needs (public NZ sentencing facts; DOMAIN.md).
COMMUNITY_SENTENCE_TYPES = frozenset(
    {
        SentenceType.COMMUNITY_WORK,
        SentenceType.SUPERVISION,
        SentenceType.INTENSIVE_SUPERVISION,
        SentenceType.COMMUNITY_DETENTION,
    }
)
TYPES_WITH_CONDITIONS = frozenset(
    {
        SentenceType.SUPERVISION,
        SentenceType.INTENSIVE_SUPERVISION,
        SentenceType.COMMUNITY_DETENTION,
        SentenceType.HOME_DETENTION,
        SentenceType.PAROLE,
        SentenceType.RELEASE_ON_CONDITIONS,
        SentenceType.EXTENDED_SUPERVISION,
    }
)
COMMUNITY_WORK_HOURS = (40, 400)
# Sentencing Act 2002, s 86: a minimum period with a determinate sentence is at most 10 years.
MAXIMUM_MINIMUM_PERIOD_MONTHS = 120
NOT_THE_OFFENDERS_SENTENCE = "A sentence can only be cumulative on another sentence of the same offender."


class SentenceStatus(models.TextChoices):
    PENDING = "pending", "Not yet started"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"


class CompletionReason(models.TextChoices):
    NORMAL = "normal", "Completed normally"
    CANCELLED_SUBSEQUENT = "cancelled_subsequent", "Cancelled because of a subsequent sentence"
    QUASHED = "quashed", "Quashed"
    DISCHARGED_EARLY = "discharged_early", "Discharged early"
    TERMINATED = "terminated", "Terminated other than by normal completion"


# Not yet completed. Filtered as a positive list, `status IN ('pending', 'active')`, which the
# partial indexes below answer; `status <> 'completed'` is a condition no index can serve.
CURRENT_SENTENCE_STATUSES = [SentenceStatus.PENDING, SentenceStatus.ACTIVE]
# The partial index of current sentences: its size in pg_class is the estimate of how many there are.
CURRENT_SENTENCES_INDEX = "sentence_current_offender"


class SentenceQuerySet(models.QuerySet):
    def current(self):
        return self.filter(status__in=CURRENT_SENTENCE_STATUSES)

    def with_list_relations(self):
        return self.select_related("offender", "managing_office", "court")


class Sentence(models.Model):
    offender = models.ForeignKey("offenders.Offender", on_delete=models.PROTECT, related_name="sentences")
    sentence_type = models.CharField(max_length=30, choices=SentenceType.choices)
    court = models.ForeignKey(
        "staff.Office",
        on_delete=models.PROTECT,
        related_name="sentences_imposed",
        limit_choices_to={"kind": "court"},
    )
    court_case_number = models.CharField(max_length=30, blank=True)
    order_date = models.DateField(help_text="Date the court imposed the sentence or order.")
    start_date = models.DateField("Commencement date (SCD)")
    end_date = models.DateField(
        "Expiry date (SED)", null=True, blank=True, help_text="Blank when indeterminate."
    )
    parole_eligibility_date = models.DateField("Parole eligibility date (PED)", null=True, blank=True)
    statutory_release_date = models.DateField("Statutory release date (SRD)", null=True, blank=True)
    parole_hearing_date = models.DateField("Next parole hearing", null=True, blank=True)
    hours = models.PositiveIntegerField(
        "Hours (community work)",
        null=True,
        blank=True,
        validators=[MinValueValidator(COMMUNITY_WORK_HOURS[0]), MaxValueValidator(COMMUNITY_WORK_HOURS[1])],
    )
    conditions = models.TextField(blank=True)
    indeterminate = models.BooleanField(default=False, help_text="Life or preventive detention.")
    # Sentence calculation (sentences/calculation.py, docs/sentence-calculation.md): a sentence
    # cumulative on another is served after it; otherwise it runs concurrently from its own start.
    consecutive_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cumulative_sentences",
        verbose_name="Cumulative on",
        help_text="The sentence this one is served after. Blank when it is concurrent.",
    )
    remand_days = models.PositiveIntegerField(
        "Time on remand credited (days)",
        default=0,
        help_text="Pre-sentence detention, counted as time served.",
    )
    minimum_period_months = models.PositiveSmallIntegerField(
        "Minimum period of imprisonment (months)",
        null=True,
        blank=True,
        help_text="Set by the judge; parole eligibility is then at its end rather than at one third.",
    )
    managing_office = models.ForeignKey(
        "staff.Office",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_sentences",
        limit_choices_to=~Q(kind="court"),
    )
    status = models.CharField(max_length=12, choices=SentenceStatus.choices, default=SentenceStatus.ACTIVE)
    completion_reason = models.CharField(max_length=30, choices=CompletionReason.choices, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SentenceQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(
                fields=["offender"],
                condition=Q(status__in=CURRENT_SENTENCE_STATUSES),
                name=CURRENT_SENTENCES_INDEX,
            ),
            models.Index(
                fields=["managing_office", "sentence_type", "offender"],
                condition=Q(status__in=CURRENT_SENTENCE_STATUSES),
                # The muster list reads an office's current sentences from this index alone.
                include=["start_date", "end_date", "indeterminate"],
                name="sentence_current_office",
            ),
            # The API list's order (sentences/api.py), for keyset pages.
            models.Index(fields=["-start_date", "-id"], name="sentence_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="sentence_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | (Q(completed_on__isnull=False) & ~Q(completion_reason="")),
                name="completed_sentence_has_reason_and_date",
            ),
            models.CheckConstraint(
                condition=Q(consecutive_to__isnull=True) | ~Q(consecutive_to=models.F("id")),
                name="sentence_not_cumulative_on_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_sentence_type_display()} from {self.start_date:%-d %b %Y}"

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        # The stored 'cumulative on', so that clean() refuses a completed sentence only when it is
        # newly chosen: a sentence stays cumulative on one that has since been served.
        instance._stored_consecutive_to_id = instance.__dict__.get("consecutive_to_id")
        return instance

    def refresh_from_db(self, *args, **kwargs) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._stored_consecutive_to_id = self.__dict__.get("consecutive_to_id")

    @property
    def is_custodial(self) -> bool:
        return self.sentence_type == SentenceType.IMPRISONMENT

    def clean(self) -> None:
        errors: dict[str, str] = {}
        kind = self.sentence_type
        if self.start_date and self.order_date and self.start_date < self.order_date:
            errors["start_date"] = "A sentence cannot start before the court ordered it."
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date cannot be before the start date."
        if kind == SentenceType.COMMUNITY_WORK and not self.hours:
            errors["hours"] = "Community work needs its number of hours (40 to 400)."
        if kind != SentenceType.COMMUNITY_WORK and self.hours:
            errors["hours"] = "Only community work has hours."
        if self.conditions and kind not in TYPES_WITH_CONDITIONS:
            errors["conditions"] = f"{self.get_sentence_type_display()} has no conditions."
        if self.indeterminate and kind != SentenceType.IMPRISONMENT:
            errors["indeterminate"] = "Only imprisonment can be indeterminate."
        if not self.indeterminate and not self.end_date:
            errors["end_date"] = "A determinate sentence needs its end date."
        if kind != SentenceType.IMPRISONMENT:
            for name in ("parole_eligibility_date", "statutory_release_date", "parole_hearing_date"):
                if getattr(self, name):
                    errors[name] = "Only imprisonment has parole and release dates."
            self._clean_not_calculated(errors)
        else:
            self._clean_imprisonment_dates(errors)
            self._clean_calculation_fields(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_imprisonment_dates(self, errors: dict[str, str]) -> None:
        ped, srd = self.parole_eligibility_date, self.statutory_release_date
        # A sentence combined with others carries the notional single sentence's key dates
        # (docs/sentence-calculation.md), which may fall outside its own term: a cumulative
        # sentence's PED before it starts, a shorter concurrent one's SRD after it ends.
        alone = not self._combined_with_others()
        if alone and ped and self.start_date and ped < self.start_date:
            errors["parole_eligibility_date"] = "The PED cannot be before the sentence starts."
        if ped and srd and ped > srd:
            errors["parole_eligibility_date"] = "The PED cannot be after the SRD."
        if alone and srd and self.end_date and srd > self.end_date:
            errors["statutory_release_date"] = "The SRD cannot be after the sentence expiry date."
        if not self.indeterminate and not srd:
            errors["statutory_release_date"] = "A determinate prison sentence needs its SRD."

    def _combined_with_others(self) -> bool:
        """Cumulative on another sentence, or the offender has another current sentence of
        imprisonment: the key dates are then the notional single sentence's (sentences.calculation)."""
        if self.consecutive_to_id:
            return True
        if not self.offender_id:
            return False
        return (
            Sentence.objects.current()
            .filter(offender_id=self.offender_id, sentence_type=SentenceType.IMPRISONMENT)
            .exclude(pk=self.pk)
            .exists()
        )

    # The fields sentences/calculation.py reads (docs/sentence-calculation.md states these rules).

    def _clean_not_calculated(self, errors: dict[str, str]) -> None:
        """A sentence other than imprisonment is not calculated: no cumulative-on, remand credit or
        minimum period, and no sentence of imprisonment may stay cumulative on it."""
        if self.consecutive_to_id:
            errors["consecutive_to"] = "Only a sentence of imprisonment can be cumulative on another."
        if self.remand_days:
            errors["remand_days"] = "Only imprisonment has time on remand credited."
        if self.minimum_period_months is not None:
            errors["minimum_period_months"] = "Only imprisonment has a minimum period of imprisonment."
        dependants = self._current_dependants()
        if dependants:
            errors["sentence_type"] = (
                f"{dependants} cumulative on this one: only a sentence of imprisonment can have "
                "sentences cumulative on it. Change that sentence first."
            )

    def _clean_calculation_fields(self, errors: dict[str, str]) -> None:
        term_days = None
        if not self.indeterminate and self.start_date and self.end_date and self.end_date >= self.start_date:
            term_days = (self.end_date - self.start_date).days
        if term_days is not None and self.remand_days and self.remand_days > term_days:
            errors["remand_days"] = (
                f"The time on remand credited ({self.remand_days} days) cannot be more than the term "
                f"of the sentence ({term_days} days)."
            )
        if self.minimum_period_months is not None:
            message = self._minimum_period_error(term_days)
            if message:
                errors["minimum_period_months"] = message
        if self.consecutive_to_id:
            message = self._cumulative_on_error()
            if message:
                errors["consecutive_to"] = message
        elif self.indeterminate:
            dependants = self._current_dependants()
            if dependants:
                errors["indeterminate"] = (
                    f"{dependants} cumulative on this one: a sentence cannot be cumulative on an "
                    "indeterminate sentence. Change that sentence first."
                )
        dated = self.start_date and (self.indeterminate or self.end_date)
        if not errors and dated and self.pk and self.status in CURRENT_SENTENCE_STATUSES:
            self._clean_combined(errors)

    def _minimum_period_error(self, term_days: int | None) -> str:
        """Sentencing Act 2002, s 86: a minimum period of imprisonment is imposed with a determinate
        sentence of more than 2 years, is longer than one third of the term (else parole eligibility
        at one third would do) and is at most two thirds of the term and at most 10 years. With an
        indeterminate sentence (life, preventive detention) it is the period before parole
        eligibility. One third and two thirds are of the term in days, as in sentences.calculation."""
        months = self.minimum_period_months
        if months < 1:
            return "A minimum period of imprisonment is at least 1 month; leave it blank if there is none."
        if self.indeterminate:
            return ""
        if term_days is None:
            return ""  # the dates have their own errors
        start = self.start_date
        if self.end_date <= start + SHORT_TERM:
            return (
                "A minimum period of imprisonment goes only with a long-term sentence (more than 2 years) "
                "or an indeterminate one."
            )
        ends = start + relativedelta(months=months)
        one_third = start + datetime.timedelta(days=math.ceil(term_days / 3))
        two_thirds = start + datetime.timedelta(days=(2 * term_days) // 3)
        if ends <= one_third:
            return (
                f"A minimum period of imprisonment is longer than one third of the term: {months} months "
                f"from the commencement date ends on {ends:%-d %b %Y}, not after one third "
                f"({one_third:%-d %b %Y})."
            )
        if months > MAXIMUM_MINIMUM_PERIOD_MONTHS:
            return (
                "A minimum period of imprisonment with a determinate sentence is at most 10 years "
                "(120 months)."
            )
        if ends > two_thirds:
            return (
                f"A minimum period of imprisonment is at most two thirds of the term: {months} months "
                f"from the commencement date ends on {ends:%-d %b %Y}, after two thirds "
                f"({two_thirds:%-d %b %Y})."
            )
        return ""

    def _cumulative_on_error(self) -> str:
        if self.pk and self.consecutive_to_id == self.pk:
            return "A sentence cannot be cumulative on itself."
        if Sentence.consecutive_to.is_cached(self):
            other = self.consecutive_to
        else:
            other = (
                Sentence.objects.only("offender_id", "sentence_type", "status", "indeterminate")
                .filter(pk=self.consecutive_to_id)
                .first()
            )
        # The same words whether the sentence does not exist or is someone else's: the answer does
        # not tell whether another offender's sentence has that number.
        if other is None or other.offender_id != self.offender_id:
            return NOT_THE_OFFENDERS_SENTENCE
        if other.sentence_type != SentenceType.IMPRISONMENT:
            return "A sentence can only be cumulative on another sentence of imprisonment."
        unchanged = self.consecutive_to_id == getattr(self, "_stored_consecutive_to_id", None)
        if other.status == SentenceStatus.COMPLETED and not unchanged:
            return "A sentence cannot be cumulative on a completed sentence."
        if other.indeterminate:
            return "A sentence cannot be cumulative on an indeterminate sentence."
        if self.indeterminate:
            return "An indeterminate sentence is not served after another: leave 'Cumulative on' blank."
        return ""

    def _current_dependants(self) -> str:
        """'Sentence CRI-1 is' / 'Sentences 4 and 5 are': the current sentences cumulative on this
        one, or '' when there are none (or this one is new)."""
        if not self.pk:
            return ""
        labels = [
            court_case_number or str(pk)
            for pk, court_case_number in Sentence.objects.current()
            .filter(consecutive_to_id=self.pk)
            .order_by("pk")
            .values_list("pk", "court_case_number")
        ]
        if not labels:
            return ""
        if len(labels) == 1:
            return f"Sentence {labels[0]} is"
        return f"Sentences {', '.join(labels[:-1])} and {labels[-1]} are"

    def _clean_combined(self, errors: dict[str, str]) -> None:
        """The offender's current sentences of imprisonment, this one as changed, combined as the
        calculation combines them: refused if they cannot be (a sentence cumulative on itself through
        others, or on an indeterminate sentence)."""
        others = list(
            Sentence.objects.current()
            .filter(offender_id=self.offender_id, sentence_type=SentenceType.IMPRISONMENT)
            .exclude(pk=self.pk)
        )
        try:
            calculate(terms_of([*others, self]))
        except CalculationError as error:
            errors["consecutive_to" if self.consecutive_to_id else "indeterminate"] = str(error)


# The sentence's life: started (commenced) and completed, by a person, the court interface or the
# beat task; each step through SENTENCE_WORKFLOW below.
SENTENCE_TRANSITIONS: dict[str, frozenset[str]] = {
    SentenceStatus.PENDING: frozenset({SentenceStatus.ACTIVE, SentenceStatus.COMPLETED}),
    SentenceStatus.ACTIVE: frozenset({SentenceStatus.COMPLETED}),
    SentenceStatus.COMPLETED: frozenset(),
}


class SentenceTransition(TransitionRow):
    """One step of a sentence's status. The sentence's history of dated events (the order, an
    appeal, a transfer, its completion with the reason and the source) is SentenceEvent."""

    sentence = models.ForeignKey(Sentence, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=SentenceStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=SentenceStatus.choices)

    class Meta(TransitionRow.Meta):
        pass


SENTENCE_WORKFLOW = Workflow(
    name="sentence",
    model=Sentence,
    transitions=SENTENCE_TRANSITIONS,
    row_model=SentenceTransition,
    subject_field="sentence",
    noun="sentence",
)


class Conviction(models.Model):
    """A conviction behind a sentence, referencing the offence catalogue."""

    sentence = models.ForeignKey(Sentence, on_delete=models.CASCADE, related_name="convictions")
    offender = models.ForeignKey("offenders.Offender", on_delete=models.PROTECT, related_name="convictions")
    offence = models.ForeignKey(Offence, on_delete=models.PROTECT, related_name="convictions")
    charge = models.OneToOneField(
        Charge, null=True, blank=True, on_delete=models.PROTECT, related_name="conviction"
    )
    offence_date = models.DateField(null=True, blank=True)
    convicted_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-convicted_on", "-id"]
        indexes = [models.Index(fields=["offender", "-convicted_on"], name="conviction_offender_date")]

    def __str__(self) -> str:
        return f"{self.offence} convicted {self.convicted_on:%-d %b %Y}"

    def clean(self) -> None:
        if self.offence_date and self.convicted_on and self.offence_date > self.convicted_on:
            raise ValidationError({"offence_date": "The offence date cannot be after the conviction."})


class SentenceEventKind(models.TextChoices):
    """Seed 001: the events that change a sentence record."""

    ORDER_RECEIVED = "order_received", "Court order received"
    DETAILS_CHANGED = "details_changed", "Details changed"
    APPLICATION = "application", "Application made"
    APPEAL_SENTENCE = "appeal_sentence", "Appeal against sentence"
    APPEAL_CONVICTION = "appeal_conviction", "Appeal against conviction"
    BREACH = "breach", "Charged with breach"
    TRANSFER = "transfer", "Transferred to another office"
    COMPLETED = "completed", "Completed"


# Events that are pending until decided (seed 001: appeals and breaches are visible until resolved).
RESOLVABLE_EVENT_KINDS = frozenset(
    {
        SentenceEventKind.APPLICATION,
        SentenceEventKind.APPEAL_SENTENCE,
        SentenceEventKind.APPEAL_CONVICTION,
        SentenceEventKind.BREACH,
    }
)


class SentenceEvent(models.Model):
    """A dated event on a sentence, who recorded it and whether it came from the courts' system."""

    class Source(models.TextChoices):
        PERSON = "person", "Entered by staff"
        COURT_INTERFACE = "court", "Court interface (CMS)"
        SYSTEM = "system", "System"

    sentence = models.ForeignKey(Sentence, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=SentenceEventKind.choices)
    occurred_on = models.DateField()
    detail = models.CharField(max_length=500, blank=True)
    from_status = models.CharField(max_length=12, choices=SentenceStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=SentenceStatus.choices, blank=True)
    completion_reason = models.CharField(max_length=30, choices=CompletionReason.choices, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PERSON)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # An application, appeal or breach stays visible on the sentence until it is decided.
    resolved_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)
    resolution_source = models.CharField(max_length=10, choices=Source.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(
                fields=["sentence"],
                condition=Q(
                    resolved_on__isnull=True,
                    kind__in=["application", "appeal_sentence", "appeal_conviction", "breach"],
                ),
                name="sentence_event_outstanding",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on:%-d %b %Y}"

    @property
    def outstanding(self) -> bool:
        return self.kind in RESOLVABLE_EVENT_KINDS and self.resolved_on is None


# --- custody: where a person serving imprisonment is held --------------------------------------
#
# Custody is recorded by movements, as prison systems do (UK HMPPS "prisoner movements"): a
# reception into a prison, a transfer between prisons, a release with its reason. A release never
# ends the sentence: parole and release on conditions are part of it (Parole Act 2002), so whether
# someone is in prison is the latest movement, not the sentence's status (docs/custody.md).


class CustodyMovementKind(models.TextChoices):
    RECEIVED = "received", "Received into prison"
    TRANSFERRED = "transferred", "Transferred to another prison"
    RELEASED = "released", "Released"


class ReleaseReason(models.TextChoices):
    PAROLE = "parole", "Released on parole"
    STATUTORY_RELEASE = "statutory_release", "Released at the statutory release date"
    SENTENCE_SERVED = "sentence_served", "Sentence served (expiry date reached)"
    COURT_ORDER = "court_order", "Released by order of a court (including bail)"
    DEPORTATION = "deportation", "Released for deportation"
    DIED = "died", "Died in custody"


class CustodyMovement(models.Model):
    """One movement of a person into, between or out of prisons. Never changed once recorded: a
    mistake is put right by the next movement."""

    class Source(models.TextChoices):
        PERSON = "person", "Entered by staff"
        SYSTEM = "system", "System"

    offender = models.ForeignKey(
        "offenders.Offender", on_delete=models.PROTECT, related_name="custody_movements"
    )
    kind = models.CharField(max_length=12, choices=CustodyMovementKind.choices)
    # The prison received into or transferred to; for a release, the prison released from.
    prison = models.ForeignKey(
        "staff.Office", on_delete=models.PROTECT, related_name="+", limit_choices_to={"kind": "prison"}
    )
    occurred_on = models.DateField()
    release_reason = models.CharField(max_length=20, choices=ReleaseReason.choices, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PERSON)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["offender", "-occurred_on", "-id"], name="custody_movement_offender")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="released") & ~Q(release_reason=""))
                | (~Q(kind="released") & Q(release_reason="")),
                name="custody_release_has_reason",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == CustodyMovementKind.RELEASED:
            return f"{self.get_release_reason_display()} on {self.occurred_on:%-d %b %Y}"
        return f"{self.get_kind_display()} on {self.occurred_on:%-d %b %Y}"


class CustodyStatusQuerySet(models.QuerySet):
    def in_custody(self):
        return self.filter(in_custody=True)


class CustodyStatus(models.Model):
    """A person's custody now: their latest movement, kept beside it by the service that records
    movements (sentences.custody) so that lists test it by key, one row per person ever held."""

    offender = models.OneToOneField(
        "offenders.Offender", primary_key=True, on_delete=models.PROTECT, related_name="custody_status"
    )
    in_custody = models.BooleanField()
    prison = models.ForeignKey(
        "staff.Office",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The prison held in or last left.",
    )
    since = models.DateField()
    movement = models.OneToOneField(CustodyMovement, on_delete=models.PROTECT, related_name="+")

    objects = CustodyStatusQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "custody statuses"
        indexes = [
            models.Index(fields=["prison"], condition=Q(in_custody=True), name="custody_status_held_at"),
        ]

    def __str__(self) -> str:
        return f"{'In custody' if self.in_custody else 'Released'} since {self.since:%-d %b %Y}"

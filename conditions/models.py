"""Structured conditions and requirements of community sentences and orders (issue 15).

A sentence's conditions used to be one block of text (`Sentence.conditions`); a probation officer
needs each as a record of its own, with its kind, its details and its dates, so that appointments
and enforcement (later apps, above this one) can refer to it: a curfew's hours, the address to
reside at, community work hours ordered, worked and remaining.

One row per condition. Its details are columns, each used by one or more kinds (`KIND_FIELDS`);
`Condition.clean()` requires the ones a kind needs and refuses the others. A variation changes the
row in place under CONDITION_WORKFLOW (active → varied, varied → varied) and keeps the version
before it as a ConditionVersion row with the reason: the history of every version, the current one
on the row itself."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from workflow.transitions import TransitionRow, Workflow


class ConditionKind(models.TextChoices):
    REPORT = "report", "Report as directed"
    RESIDE = "reside", "Reside at an address"
    CURFEW = "curfew", "Curfew"
    PROGRAMME = "programme", "Attend a programme"
    COMMUNITY_WORK = "community_work", "Community work"
    NON_ASSOCIATION = "non_association", "Not associate with"
    ASSESSMENT = "assessment", "Alcohol or drug assessment"
    OTHER = "other", "Special condition"


class Substance(models.TextChoices):
    ALCOHOL = "alcohol", "Alcohol"
    DRUGS = "drugs", "Drugs"
    ALCOHOL_AND_DRUGS = "alcohol_and_drugs", "Alcohol and drugs"


class ConditionSource(models.TextChoices):
    COURT = "court", "Court (CMS)"
    STAFF = "staff", "Entered by staff"


class ConditionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    VARIED = "varied", "Varied"
    ENDED = "ended", "Ended"
    CANCELLED = "cancelled", "Cancelled"


# A varied condition is still in force (its current version is on the row); ended and cancelled
# are final. Cancelled: entered in error or withdrawn by the court; ended: it has run its course.
CONDITION_TRANSITIONS: dict[str, frozenset[str]] = {
    ConditionStatus.ACTIVE: frozenset(
        {ConditionStatus.VARIED, ConditionStatus.ENDED, ConditionStatus.CANCELLED}
    ),
    ConditionStatus.VARIED: frozenset(
        {ConditionStatus.VARIED, ConditionStatus.ENDED, ConditionStatus.CANCELLED}
    ),
    ConditionStatus.ENDED: frozenset(),
    ConditionStatus.CANCELLED: frozenset(),
}
IN_FORCE_STATUSES = (ConditionStatus.ACTIVE, ConditionStatus.VARIED)

# The detail columns each kind needs (required) and may have (optional); every other detail column
# must be empty. One table, so the API, the court message and the form all validate the same way.
KIND_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    ConditionKind.REPORT: ((), ("details",)),
    ConditionKind.RESIDE: (("address",), ("details",)),
    ConditionKind.CURFEW: (("curfew_from", "curfew_until"), ("address", "details")),
    ConditionKind.PROGRAMME: (("programme_name",), ("details",)),
    ConditionKind.COMMUNITY_WORK: (("hours_ordered",), ("details",)),
    ConditionKind.NON_ASSOCIATION: (("associates",), ("details",)),
    ConditionKind.ASSESSMENT: (("substance",), ("details",)),
    ConditionKind.OTHER: (("details",), ()),
}
DETAIL_FIELDS = (
    "address",
    "curfew_from",
    "curfew_until",
    "programme_name",
    "hours_ordered",
    "associates",
    "substance",
    "details",
)
REQUIRED_MESSAGES = {
    "address": "Give the address.",
    "curfew_from": "Give the time the curfew starts each day.",
    "curfew_until": "Give the time the curfew ends each day.",
    "programme_name": "Give the programme to attend.",
    "hours_ordered": "Give the hours of community work ordered.",
    "associates": "Name the people not to associate with.",
    "substance": "Say whether the assessment is for alcohol, drugs or both.",
    "details": "Give the wording of the special condition.",
}
# Public NZ sentencing facts (DOMAIN.md): community work is 40 to 400 hours.
MAX_COMMUNITY_WORK_HOURS = 400
# Hours on one day's work record: a work party's full day is about 8 hours.
MAX_HOURS_PER_DAY = 12


class ConditionQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(status__in=IN_FORCE_STATUSES)


class Condition(models.Model):
    offender = models.ForeignKey("offenders.Offender", on_delete=models.PROTECT, related_name="conditions")
    sentence = models.ForeignKey(
        "sentences.Sentence", on_delete=models.PROTECT, related_name="structured_conditions"
    )
    kind = models.CharField(max_length=20, choices=ConditionKind.choices)
    # The details, by kind (KIND_FIELDS).
    address = models.CharField("Address", max_length=300, blank=True)
    curfew_from = models.TimeField("Curfew starts", null=True, blank=True)
    curfew_until = models.TimeField("Curfew ends", null=True, blank=True)
    programme_name = models.CharField("Programme", max_length=200, blank=True)
    hours_ordered = models.PositiveIntegerField(
        "Hours ordered",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_COMMUNITY_WORK_HOURS)],
    )
    associates = models.CharField("Not to associate with", max_length=500, blank=True)
    substance = models.CharField("Assessment for", max_length=20, choices=Substance.choices, blank=True)
    details = models.TextField("Details", max_length=1000, blank=True)
    start_on = models.DateField("Starts")
    end_on = models.DateField("Ends", null=True, blank=True, help_text="Blank: until the sentence ends.")
    source = models.CharField(max_length=10, choices=ConditionSource.choices)
    status = models.CharField(max_length=10, choices=ConditionStatus.choices, default=ConditionStatus.ACTIVE)
    version = models.PositiveIntegerField(default=1)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConditionQuerySet.as_manager()

    class Meta:
        ordering = ["start_on", "id"]
        indexes = [models.Index(fields=["offender", "start_on", "id"], name="condition_offender")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="condition_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["ended", "cancelled"])
                | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="ended_condition_says_when_and_why",
            ),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def summary(self) -> str:
        """The condition in a few words, as the record lists it."""
        kind = self.kind
        if kind == ConditionKind.RESIDE:
            return f"Reside at {self.address}"
        if kind == ConditionKind.CURFEW and self.curfew_from and self.curfew_until:
            where = f" at {self.address}" if self.address else ""
            return f"Curfew{where}, {_time(self.curfew_from)} to {_time(self.curfew_until)}"
        if kind == ConditionKind.PROGRAMME:
            return f"Attend {self.programme_name}"
        if kind == ConditionKind.COMMUNITY_WORK:
            return f"Community work: {self.hours_ordered} hours"
        if kind == ConditionKind.NON_ASSOCIATION:
            return f"Not associate with {self.associates}"
        if kind == ConditionKind.ASSESSMENT and self.substance:
            return f"{Substance(self.substance).label} assessment"
        if kind == ConditionKind.OTHER:
            return self.details if len(self.details) <= 80 else f"{self.details[:77]}..."
        return self.get_kind_display()

    @property
    def in_force(self) -> bool:
        return self.status in IN_FORCE_STATUSES

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self._clean_kind(errors)
        self._clean_dates(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_kind(self, errors: dict[str, str]) -> None:
        if self.kind not in KIND_FIELDS:
            return  # clean_fields words the unknown choice
        required, optional = KIND_FIELDS[self.kind]
        label = ConditionKind(self.kind).label
        for name in required:
            if getattr(self, name) in (None, ""):
                errors[name] = REQUIRED_MESSAGES[name]
        for name in DETAIL_FIELDS:
            if name not in required and name not in optional and getattr(self, name) not in (None, ""):
                verbose = str(self._meta.get_field(name).verbose_name).lower()
                errors[name] = f"Leave '{verbose}' blank for this kind of condition ({label.lower()})."
        if self.kind == ConditionKind.CURFEW and self.curfew_from and self.curfew_from == self.curfew_until:
            errors["curfew_until"] = "A curfew ends at a different time from when it starts."
        if self.sentence_id is None:
            return
        sentence = self.sentence
        if sentence.sentence_type == "imprisonment":
            errors["sentence"] = (
                "A sentence of imprisonment has no conditions: they belong to the order the person is "
                "released on (parole or release on conditions)."
            )
        if self.kind == ConditionKind.COMMUNITY_WORK:
            if sentence.sentence_type != "community_work":
                errors["kind"] = "Community work hours are a condition of a sentence of community work only."
            elif self.hours_ordered and sentence.hours and self.hours_ordered > sentence.hours:
                errors["hours_ordered"] = (
                    f"The sentence orders {sentence.hours} hours of community work: a condition cannot "
                    "order more."
                )

    def _clean_dates(self, errors: dict[str, str]) -> None:
        if self.start_on and self.end_on and self.end_on < self.start_on:
            errors["end_on"] = "A condition cannot end before it starts."
        if self.sentence_id is None or self.start_on is None:
            return
        sentence = self.sentence
        if self.start_on < sentence.start_date:
            errors["start_on"] = (
                f"A condition cannot start before its sentence ({sentence.start_date:%-d %b %Y})."
            )
        if sentence.end_date:
            if self.start_on > sentence.end_date:
                errors["start_on"] = (
                    f"A condition cannot start after its sentence ends ({_day(sentence.end_date)})."
                )
            if self.end_on and self.end_on > sentence.end_date:
                errors["end_on"] = f"A condition cannot end after its sentence ({_day(sentence.end_date)})."


def _day(value: datetime.date) -> str:
    return f"{value:%-d %b %Y}"


def _time(value: datetime.time) -> str:
    """7pm, 7:30am: as people write times."""
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


class ConditionTransition(TransitionRow):
    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=ConditionStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=ConditionStatus.choices)

    class Meta(TransitionRow.Meta):
        pass


CONDITION_WORKFLOW = Workflow(
    name="condition",
    model=Condition,
    transitions=CONDITION_TRANSITIONS,
    row_model=ConditionTransition,
    subject_field="condition",
    noun="condition",
)


class ConditionVersion(models.Model):
    """A version of a condition that a variation replaced: its details and dates as they were, and
    why and by whom it was varied (the row itself holds the current version)."""

    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    values = models.JSONField(help_text="The detail fields and dates of this version.")
    reason = models.CharField(max_length=300)
    source = models.CharField(max_length=10, choices=ConditionSource.choices)
    varied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    varied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["condition", "version"]
        constraints = [
            models.UniqueConstraint(fields=["condition", "version"], name="one_row_per_condition_version")
        ]

    def __str__(self) -> str:
        return f"Version {self.version} of condition {self.condition_id}"


class WorkSource(models.TextChoices):
    STAFF = "staff", "Entered by staff"
    WORK_PARTY = "work_party", "Work party outcome"


class CommunityWorkRecord(models.Model):
    """Hours of community work done on a day, against a community work condition, and who recorded
    them (a person, or the appointments app from an attended community work placement)."""

    condition = models.ForeignKey(Condition, on_delete=models.PROTECT, related_name="work_records")
    worked_on = models.DateField()
    hours = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(MAX_HOURS_PER_DAY)],
    )
    source = models.CharField(max_length=12, choices=WorkSource.choices, default=WorkSource.STAFF)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-worked_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["condition", "worked_on"], name="one_work_record_per_day"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="work_record_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.hours} hours on {self.worked_on:%-d %b %Y}"

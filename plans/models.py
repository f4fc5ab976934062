"""Sentence plans (issue 6, seed 004: "once a sentence plan has been written the offender management
team will identify what intervention programmes can be made available").

A plan belongs to one sentence and holds objectives; its planned activities and interventions are
classification.SentencePlanActivity rows (the records A.5.5 of seed 003 reads), and its category is
the history in classification.SentencePlanCategoryChange: one model of each, shared with the
classification review."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from workflow.transitions import TransitionRow, Workflow


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed"
    CLOSED = "closed", "Closed"


# Where each status may go next; plan services are the only writers of `status`.
PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    PlanStatus.DRAFT: frozenset({PlanStatus.AGREED, PlanStatus.CLOSED}),
    PlanStatus.AGREED: frozenset({PlanStatus.CLOSED}),
    PlanStatus.CLOSED: frozenset(),
}
CURRENT_PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.AGREED)


class SentencePlanQuerySet(models.QuerySet):
    def current(self):
        return self.filter(status__in=CURRENT_PLAN_STATUSES)


class SentencePlan(models.Model):
    """The plan for one sentence. A sentence has one current plan (draft or agreed) at a time; a
    closed plan stays as history and a new one may be written."""

    offender = models.ForeignKey(
        "offenders.Offender", on_delete=models.PROTECT, related_name="sentence_plans"
    )
    sentence = models.ForeignKey("sentences.Sentence", on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_on = models.DateField()
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agreed_on = models.DateField(null=True, blank=True)
    review_on = models.DateField("Next review", null=True, blank=True)
    reviewed_on = models.DateField("Last reviewed", null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SentencePlanQuerySet.as_manager()

    class Meta:
        ordering = ["-written_on", "-id"]
        # The API list's order (plans/api.py), for keyset pages.
        indexes = [models.Index(fields=["-written_on", "-id"], name="sentence_plan_recent")]
        constraints = [
            models.UniqueConstraint(
                fields=["sentence"],
                condition=Q(status__in=["draft", "agreed"]),
                name="one_current_plan_per_sentence",
            ),
            models.CheckConstraint(
                condition=~Q(status="agreed") | Q(agreed_on__isnull=False, agreed_by__isnull=False),
                name="agreed_plan_says_when_and_by_whom",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_on__isnull=False) & ~Q(closed_reason="")),
                name="closed_plan_says_when_and_why",
            ),
        ]

    def __str__(self) -> str:
        return f"Sentence plan for {self.sentence} ({self.get_status_display().lower()})"

    def clean(self) -> None:
        if self.sentence_id and self.offender_id and self.sentence.offender_id != self.offender_id:
            raise ValidationError({"sentence": "That sentence belongs to a different offender."})

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_PLAN_STATUSES


class PlanEventKind(models.TextChoices):
    WRITTEN = "written", "Written"
    AGREED = "agreed", "Agreed"
    REVIEWED = "reviewed", "Reviewed"
    CLOSED = "closed", "Closed"


class PlanEvent(TransitionRow):
    """One step of a plan's life: written, agreed, reviewed, closed (the plan's transition rows,
    written by PLAN_WORKFLOW; a review keeps the plan agreed). `comment` is the note shown in the
    plan's history."""

    plan = models.ForeignKey(SentencePlan, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=PlanEventKind.choices)
    from_status = models.CharField(max_length=10, choices=PlanStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=PlanStatus.choices)
    occurred_on = models.DateField()
    comment = models.CharField(max_length=500, blank=True)

    class Meta(TransitionRow.Meta):
        ordering = ["occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on:%-d %b %Y}"


PLAN_WORKFLOW = Workflow(
    name="sentence plan",
    model=SentencePlan,
    transitions=PLAN_TRANSITIONS,
    row_model=PlanEvent,
    subject_field="plan",
    noun="sentence plan",
)


class NeedArea(models.TextChoices):
    """The areas of need an objective addresses (the criminogenic needs an assessment scores)."""

    ACCOMMODATION = "accommodation", "Accommodation"
    EDUCATION_EMPLOYMENT = "education_employment", "Education, training and employment"
    FINANCE = "finance", "Financial management"
    RELATIONSHIPS = "relationships", "Relationships and family"
    LIFESTYLE = "lifestyle", "Lifestyle and associates"
    ALCOHOL = "alcohol", "Alcohol"
    DRUGS = "drugs", "Drugs"
    EMOTIONAL = "emotional", "Emotional wellbeing"
    THINKING = "thinking", "Thinking and behaviour"
    ATTITUDES = "attitudes", "Attitudes to offending"
    VIOLENCE = "violence", "Violence"
    CULTURE = "culture", "Cultural identity"
    HEALTH = "health", "Health"
    OTHER = "other", "Other"


class ObjectiveStatus(models.TextChoices):
    OPEN = "open", "In progress"
    ACHIEVED = "achieved", "Achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"
    WITHDRAWN = "withdrawn", "Withdrawn"


OBJECTIVE_TRANSITIONS: dict[str, frozenset[str]] = {
    ObjectiveStatus.OPEN: frozenset(
        {ObjectiveStatus.ACHIEVED, ObjectiveStatus.NOT_ACHIEVED, ObjectiveStatus.WITHDRAWN}
    ),
    ObjectiveStatus.ACHIEVED: frozenset(),
    ObjectiveStatus.NOT_ACHIEVED: frozenset(),
    ObjectiveStatus.WITHDRAWN: frozenset(),
}


class Objective(models.Model):
    plan = models.ForeignKey(SentencePlan, on_delete=models.PROTECT, related_name="objectives")
    text = models.CharField("Objective", max_length=500)
    need_area = models.CharField(max_length=25, choices=NeedArea.choices)
    target_on = models.DateField("Target date")
    status = models.CharField(max_length=15, choices=ObjectiveStatus.choices, default=ObjectiveStatus.OPEN)
    status_changed_on = models.DateField(null=True, blank=True)
    status_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(status_changed_on__isnull=False),
                name="objective_outcome_is_dated",
            )
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 60 else f"{self.text[:57]}..."


class ObjectiveTransition(TransitionRow):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=15, choices=ObjectiveStatus.choices, blank=True)
    to_status = models.CharField(max_length=15, choices=ObjectiveStatus.choices)

    class Meta(TransitionRow.Meta):
        pass


OBJECTIVE_WORKFLOW = Workflow(
    name="plan objective",
    model=Objective,
    transitions=OBJECTIVE_TRANSITIONS,
    row_model=ObjectiveTransition,
    subject_field="objective",
    noun="objective",
)

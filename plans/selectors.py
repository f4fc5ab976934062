"""Reads of sentence plans: a fixed number of queries whatever the number of sentences, plans,
objectives or activities."""

from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When

from classification.models import SentencePlanActivity, SentencePlanCategoryChange
from plans.models import Objective, PlanEvent, SentencePlan
from sentences.models import Sentence, SentenceStatus


def plan_activities() -> QuerySet[SentencePlanActivity]:
    """Activities with their programme, agency, objective and the attendance at the programme."""
    return (
        SentencePlanActivity.objects.select_related("programme__agency", "referral", "objective")
        .annotate(
            sessions=Count("referral__attendances"),
            attended_sessions=Count("referral__attendances", filter=Q(referral__attendances__attended=True)),
            excused_sessions=Count("referral__attendances", filter=Q(referral__attendances__excused=True)),
        )
        .order_by("scheduled_on", "id")
    )


def plans_with_details(plans: QuerySet[SentencePlan], *, events: bool = False) -> list[SentencePlan]:
    """`plans` with their sentence, objectives, activities and category history (and, if asked,
    their events), each plan's `category` set to its current category."""
    lookups = [
        Prefetch("objectives", queryset=Objective.objects.order_by("target_on", "id")),
        Prefetch("activities", queryset=plan_activities()),
        Prefetch(
            "category_changes",
            queryset=SentencePlanCategoryChange.objects.select_related("changed_by").order_by(
                "changed_on", "id"
            ),
        ),
    ]
    if events:
        lookups.append(Prefetch("events", queryset=PlanEvent.objects.select_related("actor")))
    rows = list(
        plans.select_related("sentence__managing_office", "written_by", "agreed_by").prefetch_related(
            *lookups
        )
    )
    for plan in rows:
        changes = list(plan.category_changes.all())
        plan.category = changes[-1] if changes else None
    return rows


@dataclass
class SentencePlans:
    """One sentence on the record's plan tab: its current plan (if any) and its closed plans."""

    sentence: Sentence
    current: SentencePlan | None = None
    closed: list[SentencePlan] = field(default_factory=list)


def offender_sentence_plans(offender) -> list[SentencePlans]:
    """Every current sentence of the offender, and every completed one that had a plan, current
    sentences first, with their plans."""
    sentences = (
        Sentence.objects.filter(offender=offender)
        .filter(~Q(status=SentenceStatus.COMPLETED) | Q(plans__isnull=False))
        .distinct()
        .select_related("managing_office")
        .annotate(
            finished=Case(
                When(status=SentenceStatus.COMPLETED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("finished", "-start_date", "-id")
    )
    sections = {sentence.pk: SentencePlans(sentence=sentence) for sentence in sentences}
    for plan in plans_with_details(
        SentencePlan.objects.filter(offender=offender).order_by("-written_on", "-id")
    ):
        section = sections.get(plan.sentence_id)
        if section is None:
            continue
        if plan.is_current:
            section.current = plan
        else:
            section.closed.append(plan)
    return list(sections.values())

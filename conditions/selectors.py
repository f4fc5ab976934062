"""Reads of conditions: an offender's conditions by sentence, with community work hours worked and
remaining, in a fixed number of queries however many conditions and work records there are."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from conditions.models import Condition
from offenders.models import Offender
from sentences.models import Sentence, SentenceType


def with_hours(queryset: QuerySet[Condition]) -> QuerySet[Condition]:
    """Each condition with `worked` (hours of community work recorded against it; 0 for the other
    kinds) as one aggregate in the same query."""
    return queryset.annotate(
        worked=Coalesce(
            Sum("work_records__hours"),
            Value(Decimal(0)),
            output_field=DecimalField(max_digits=7, decimal_places=2),
        )
    )


def remaining_hours(condition: Condition) -> Decimal | None:
    """Hours ordered less hours worked (None for a condition without hours); needs `with_hours`."""
    if condition.hours_ordered is None:
        return None
    return max(Decimal(condition.hours_ordered) - condition.worked, Decimal(0))


def offender_conditions(offender: Offender) -> QuerySet[Condition]:
    return with_hours(
        Condition.objects.filter(offender=offender).select_related("sentence", "created_by")
    ).order_by("sentence_id", "start_on", "id")


@dataclass
class SentenceConditions:
    sentence: Sentence
    in_force: list[Condition] = field(default_factory=list)
    finished: list[Condition] = field(default_factory=list)
    may_change: bool = False


def offender_conditions_by_sentence(offender: Offender) -> list[SentenceConditions]:
    """A section for each current sentence that may have conditions, and each completed one that
    had some: two queries."""
    sentences = {
        sentence.pk: SentenceConditions(sentence)
        for sentence in Sentence.objects.filter(offender=offender)
        .exclude(sentence_type=SentenceType.IMPRISONMENT)
        .select_related("managing_office")
        .order_by("-start_date", "-id")
    }
    for condition in offender_conditions(offender):
        section = sentences.get(condition.sentence_id)
        if section is None:
            continue
        condition.remaining = remaining_hours(condition)
        (section.in_force if condition.in_force else section.finished).append(condition)
    return [
        section
        for section in sentences.values()
        if section.sentence.status != "completed" or section.in_force or section.finished
    ]

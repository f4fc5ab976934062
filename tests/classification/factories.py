"""Factories for the classification records (kept beside these tests; tests/factories.py is shared)."""

import datetime

import factory
from django.utils import timezone

from classification import models
from sentences.models import SentenceType
from tests.factories import ConvictionFactory, OffenderFactory, PrisonFactory, SentenceFactory


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def prison_sentence(offender=None, **kwargs):
    """An active imprisonment with release dates, making the offender a current prisoner."""
    start = kwargs.pop("start_date", days_ago(200))
    defaults = {
        "sentence_type": SentenceType.IMPRISONMENT,
        "order_date": start,
        "start_date": start,
        "end_date": start + datetime.timedelta(days=365 * 4),
        "statutory_release_date": start + datetime.timedelta(days=365 * 2),
    }
    defaults.update(kwargs)
    if offender is not None:
        defaults["offender"] = offender
    if "managing_office" not in defaults:
        # Managed by a prison, as a sentence of imprisonment is: the person is in custody there.
        defaults["managing_office"] = PrisonFactory()
    return SentenceFactory(**defaults)


def prisoner(**sentence_kwargs):
    sentence = prison_sentence(**sentence_kwargs)
    ConvictionFactory(sentence=sentence)
    return sentence.offender


class IncidentReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.IncidentReport

    offender = factory.SubFactory(OffenderFactory)
    occurred_on = factory.LazyFunction(lambda: days_ago(10))
    incident_type = models.IncidentType.OTHER
    corrections_act = models.CorrectionsActStatus.NONE
    # A charged or proven misconduct charge is dated; by default on the day of the incident.
    charge_laid_on = factory.LazyAttribute(
        lambda o: None if o.corrections_act == models.CorrectionsActStatus.NONE else o.occurred_on
    )
    proven_on = factory.LazyAttribute(
        lambda o: o.charge_laid_on if o.corrections_act == models.CorrectionsActStatus.PROVEN else None
    )


class EscapeEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.EscapeEvent

    offender = factory.SubFactory(OffenderFactory)
    kind = models.EscapeKind.ESCAPE
    custody = models.EscapeCustody.PRISON
    occurred_on = factory.LazyFunction(lambda: days_ago(100))


class HealthStabilityAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.HealthStabilityAssessment

    offender = factory.SubFactory(OffenderFactory)
    assessed_on = factory.LazyFunction(lambda: days_ago(10))
    stability = models.Stability.STABLE


class AtRiskAlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AtRiskAlert

    offender = factory.SubFactory(OffenderFactory)
    raised_on = factory.LazyFunction(lambda: days_ago(20))


class SentencePlanActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SentencePlanActivity

    offender = factory.SubFactory(OffenderFactory)
    scheduled_on = factory.LazyFunction(lambda: days_ago(30))
    description = factory.Sequence(lambda n: f"Activity {n}")
    status = models.ActivityStatus.COMPLETED
    # Issue 6: an unavailable or not-completed activity says why (database constraints).
    unavailable_reason = factory.LazyAttribute(
        lambda a: "Programme not running" if a.status == models.ActivityStatus.UNAVAILABLE else ""
    )
    not_completed_reason = factory.LazyAttribute(
        lambda a: "Stopped attending" if a.status == models.ActivityStatus.NOT_COMPLETED else ""
    )


class SentencePlanCategoryChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SentencePlanCategoryChange

    offender = factory.SubFactory(OffenderFactory)
    changed_on = factory.LazyFunction(lambda: days_ago(30))
    category = models.PlanCategory.INTERVENTION


class RemovalOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RemovalOrder

    offender = factory.SubFactory(OffenderFactory)
    kind = models.RemovalKind.DEPORTATION
    made_on = factory.LazyFunction(lambda: days_ago(30))


class PoliceInformationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PoliceInformation

    offender = factory.SubFactory(OffenderFactory)
    level = models.RiskLevel.MODERATE
    received_on = factory.LazyFunction(lambda: days_ago(30))

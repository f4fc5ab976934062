"""factory_boy factories for every record. Build data through these, not by hand."""

import datetime
import decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from agencies.models import Agency, Programme, Referral
from allocation.models import CaseAllocation
from casenotes.models import Casenote
from documents.models import DocumentTemplate
from offenders.models import Offender, OffenderAlias
from offenders.phonetics import fold
from sentences.models import (
    Charge,
    Conviction,
    CustodyMovement,
    CustodyMovementKind,
    CustodyStatus,
    Offence,
    Sentence,
    SentenceType,
)
from staff.models import Office, OfficeKind, StaffMember, StaffPlacement, Team

TODAY = timezone.localdate


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"OF{n:04d}")
    name = factory.Sequence(lambda n: f"Office {n}")
    kind = OfficeKind.PROBATION
    region = "Central"


class CourtFactory(OfficeFactory):
    code = factory.Sequence(lambda n: f"CT{n:04d}")
    name = factory.Sequence(lambda n: f"District Court {n}")
    kind = OfficeKind.COURT


class PrisonFactory(OfficeFactory):
    code = factory.Sequence(lambda n: f"PR{n:04d}")
    name = factory.Sequence(lambda n: f"Prison {n}")
    kind = OfficeKind.PRISON


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    office = factory.SubFactory(OfficeFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@corrections.example")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    staff_number = factory.Sequence(lambda n: f"S{n:06d}")
    office = factory.SubFactory(OfficeFactory)
    position = "Probation officer"

    @factory.post_generation
    def placement(self, create, extracted, **kwargs):
        if create:
            StaffPlacement.objects.create(
                staff=self,
                office=self.office,
                team=self.team,
                started_on=TODAY() - datetime.timedelta(days=400),
            )


def staff_user(role: str, office: Office | None = None, **kwargs):
    """A user holding `role`, with a staff record at `office`."""
    user = UserFactory(roles=[role], **kwargs)
    StaffMemberFactory(user=user, office=office or OfficeFactory())
    return user


class OffenderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offender

    prn = factory.Sequence(lambda n: f"{40000000 + n:08d}")
    family_name = factory.Faker("last_name")
    given_names = factory.Faker("first_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=70)
    gender = "M"
    home_office = factory.SubFactory(OfficeFactory)
    family_name_folded = factory.LazyAttribute(lambda o: fold(o.family_name))
    given_names_folded = factory.LazyAttribute(lambda o: fold(o.given_names))


class AliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OffenderAlias

    offender = factory.SubFactory(OffenderFactory)
    family_name = factory.Faker("last_name")
    given_names = factory.Faker("first_name")
    family_name_folded = factory.LazyAttribute(lambda o: fold(o.family_name))


class OffenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offence
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"X{n:05d}")
    description = factory.Sequence(lambda n: f"Offence {n}")
    act = "Crimes Act 1961"
    seriousness = decimal.Decimal("150.00")
    categories = factory.LazyFunction(list)


class ChargeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Charge

    offender = factory.SubFactory(OffenderFactory)
    offence = factory.SubFactory(OffenceFactory)
    charged_on = factory.LazyFunction(lambda: TODAY() - datetime.timedelta(days=30))
    outstanding = True


class SentenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sentence
        skip_postgeneration_save = True

    offender = factory.SubFactory(OffenderFactory)
    sentence_type = SentenceType.SUPERVISION
    court = factory.SubFactory(CourtFactory)
    order_date = factory.LazyFunction(lambda: TODAY() - datetime.timedelta(days=60))
    start_date = factory.LazyAttribute(lambda s: s.order_date)
    end_date = factory.LazyAttribute(lambda s: s.start_date + datetime.timedelta(days=365))
    managing_office = factory.LazyAttribute(lambda s: s.offender.home_office)
    status = "active"

    @factory.post_generation
    def in_custody(sentence, create, extracted, **kwargs):
        """An active sentence of imprisonment takes the person into custody at its managing office (a
        prison in real data; many tests use whatever office their fixture has) from
        its start, as migration sentences 0009 did for the sentences already recorded (and
        sentences.custody.custody_receive_on_sentence does when one is recorded through a service);
        `in_custody=False` leaves them out (released, or never received)."""
        if not create or extracted is False:
            return
        prison = sentence.managing_office
        if (
            sentence.sentence_type != SentenceType.IMPRISONMENT
            or sentence.status != "active"
            or prison is None
            or CustodyStatus.objects.filter(offender=sentence.offender).exists()
        ):
            return
        movement = CustodyMovement.objects.create(
            offender=sentence.offender,
            kind=CustodyMovementKind.RECEIVED,
            prison=prison,
            occurred_on=sentence.start_date,
            source=CustodyMovement.Source.SYSTEM,
        )
        CustodyStatus.objects.create(
            offender=sentence.offender,
            in_custody=True,
            prison=prison,
            since=sentence.start_date,
            movement=movement,
        )


class ConvictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conviction

    sentence = factory.SubFactory(SentenceFactory)
    offender = factory.LazyAttribute(lambda c: c.sentence.offender)
    offence = factory.SubFactory(OffenceFactory)
    convicted_on = factory.LazyAttribute(lambda c: c.sentence.order_date)


class CasenoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Casenote

    offender = factory.SubFactory(OffenderFactory)
    note_type = "contact"
    contact_on = factory.LazyFunction(timezone.now)
    summary = factory.Sequence(lambda n: f"Contact {n}")
    text = "Reported as directed."


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseAllocation

    offender = factory.SubFactory(OffenderFactory)
    staff = factory.SubFactory(StaffMemberFactory)
    started_on = factory.LazyFunction(lambda: TODAY() - datetime.timedelta(days=10))


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    accepted_on = factory.LazyFunction(lambda: TODAY() - datetime.timedelta(days=800))


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Programme {n}")
    adopted_on = factory.LazyFunction(lambda: TODAY() - datetime.timedelta(days=700))


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    offender = factory.SubFactory(OffenderFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    referred_on = factory.LazyFunction(lambda: TODAY() - datetime.timedelta(days=20))
    referred_by = factory.SubFactory(UserFactory)


class DocumentTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentTemplate
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"template-{n}")
    name = "Pre-sentence report"
    audience = "court"
    body = "<h1>Report on {{ offender.full_name }}</h1><p>PRN {{ offender.prn }}</p>"

"""A court message that finds an offender only through one of their aliases waits for a person to
confirm or reject it; only the person's own name and date of birth (or their PRN) is applied by
itself.

Seed 000: "MoJ (Courts) staff are responsible for checking the information that comes across this
interface" and "All CPPS staff are responsible for ensuring that IOMS records are accurate and
complete": an alias is a name the person has used, which someone else may carry as their own, so a
match on it alone is a person's decision, not the interface's."""

import datetime

import pytest
from django.urls import reverse

from courts.matching import ON_ALIAS
from courts.models import MatchCandidate, MatchDecision, MessageStatus
from courts.services import match_confirm, match_reject
from offenders.models import Offender
from reconciliation.models import DataException, ReasonCode
from sentences.models import Sentence
from tests.courts.conftest import deliver, imposed, on_sentence
from tests.factories import AliasFactory, OffenderFactory

pytestmark = pytest.mark.django_db
DOB = datetime.date(1990, 5, 17)
WIREMU = {"family_name": "Tamihana", "given_names": "Wiremu James", "date_of_birth": "1990-05-17"}


@pytest.fixture
def known_as_wiremu(reference_data, office):
    """William Thomas, who has also been known as Wiremu James Tamihana (same date of birth)."""
    william = OffenderFactory(
        prn="45678901", family_name="Thomas", given_names="William", date_of_birth=DOB, home_office=office
    )
    AliasFactory(offender=william, family_name="Tamihana", given_names="Wiremu James")
    return william


def test_an_exact_match_on_an_alias_alone_waits_for_a_person_and_changes_nothing(known_as_wiremu):
    addresses = known_as_wiremu.addresses.count()

    message = deliver(imposed("CMS-AL1", offender=WIREMU))

    assert message.status == MessageStatus.AWAITING_MATCH, message.status_reason
    assert message.status_reason.startswith("Matched on an alias only")
    assert "not their own name" in message.status_reason
    assert message.offender is None
    candidate = MatchCandidate.objects.get(message=message)
    assert (candidate.offender, candidate.decision) == (known_as_wiremu, MatchDecision.PENDING)
    assert candidate.reasons[0] == ON_ALIAS
    assert not Sentence.objects.exists()
    assert Offender.objects.count() == 1
    assert known_as_wiremu.addresses.count() == addresses


def test_the_person_deciding_sees_that_the_match_is_on_an_alias(client, admin_support, known_as_wiremu):
    message = deliver(imposed("CMS-AL2", offender=WIREMU))
    candidate = MatchCandidate.objects.get(message=message)
    client.force_login(admin_support)

    queue = client.get(reverse("courts:match_queue")).content.decode()
    confirm = client.get(reverse("courts:match_confirm", kwargs={"pk": candidate.pk})).content.decode()
    detail = client.get(reverse("courts:message_detail", kwargs={"pk": message.pk})).content.decode()

    for page in (queue, confirm, detail):
        assert "matched on an alias" in page.lower()
    assert "Matched on an alias only" in queue


def test_confirming_an_alias_match_applies_the_message_to_that_offender(known_as_wiremu, admin_support):
    message = deliver(imposed("CMS-AL3", offender=WIREMU))

    match_confirm(actor=admin_support, candidate=MatchCandidate.objects.get(message=message))

    message.refresh_from_db()
    assert message.status == MessageStatus.PROCESSED, message.status_reason
    assert message.offender == known_as_wiremu
    assert Sentence.objects.get().offender == known_as_wiremu
    assert Offender.objects.count() == 1
    # The name was already one of his aliases: it is not added twice.
    assert known_as_wiremu.aliases.filter(family_name="Tamihana").count() == 1


def test_rejecting_an_alias_match_records_a_new_offender_for_the_sentence(known_as_wiremu, admin_support):
    message = deliver(imposed("CMS-AL4", offender=WIREMU))

    match_reject(actor=admin_support, message=message, reason="A different man of the same name")

    message.refresh_from_db()
    assert message.status == MessageStatus.PROCESSED, message.status_reason
    assert message.offender != known_as_wiremu
    assert (message.offender.family_name, message.offender.given_names) == ("Tamihana", "Wiremu James")
    assert Sentence.objects.get().offender == message.offender
    assert not known_as_wiremu.sentences.exists()


def test_rejecting_an_alias_match_for_a_message_on_a_sentence_is_an_exception(
    known_as_wiremu, known_sentence, admin_support
):
    message = on_sentence("sentence.quashed", "CMS-AL5", known_sentence)
    message["offender"] = WIREMU
    result = deliver(message)
    assert result.status == MessageStatus.AWAITING_MATCH

    match_reject(actor=admin_support, message=result)

    result.refresh_from_db()
    assert result.status == MessageStatus.EXCEPTION
    assert DataException.objects.get(court_message=result).reason_code == ReasonCode.UNMATCHED_MESSAGE


def test_an_exact_match_on_the_own_name_is_still_applied_by_itself(known_as_wiremu):
    own_name = {"family_name": "Thomas", "given_names": "William", "date_of_birth": "1990-05-17"}

    message = deliver(imposed("CMS-AL6", offender=own_name))

    assert message.status == MessageStatus.PROCESSED, message.status_reason
    assert message.offender == known_as_wiremu
    assert "same family name; same given names; same date of birth" in message.status_reason


def test_an_own_name_that_is_also_one_of_the_same_persons_aliases_is_applied(reference_data):
    wiremu = OffenderFactory(family_name="Tamihana", given_names="Wiremu James", date_of_birth=DOB)
    AliasFactory(offender=wiremu, family_name="Tamihana", given_names="Wiremu James")

    message = deliver(imposed("CMS-AL7", offender=WIREMU))

    assert message.status == MessageStatus.PROCESSED, message.status_reason
    assert message.offender == wiremu


def test_one_person_by_own_name_and_another_by_alias_waits_for_a_person(known_as_wiremu):
    wiremu = OffenderFactory(family_name="Tamihana", given_names="Wiremu James", date_of_birth=DOB)

    message = deliver(imposed("CMS-AL8", offender=WIREMU))

    assert message.status == MessageStatus.AWAITING_MATCH, message.status_reason
    assert "(1 matched on an alias)" in message.status_reason
    candidates = {c.offender: c for c in MatchCandidate.objects.filter(message=message)}
    assert set(candidates) == {wiremu, known_as_wiremu}
    assert ON_ALIAS in candidates[known_as_wiremu].reasons
    assert ON_ALIAS not in candidates[wiremu].reasons
    assert not Sentence.objects.exists()


def test_a_prn_with_an_alias_name_is_applied_by_the_prn(known_as_wiremu):
    message = deliver(imposed("CMS-AL9", offender={**WIREMU, "prn": "45678901"}))

    assert message.status == MessageStatus.PROCESSED, message.status_reason
    assert message.offender == known_as_wiremu
    assert "Offender matched by PRN 45678901" in message.status_reason

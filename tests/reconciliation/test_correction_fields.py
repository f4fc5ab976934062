"""The exceptions report's "ask the courts to correct their data" form offers exactly the details a
court correction request accepts: both read the one list in reconciliation.models."""

import re

import pytest
from django.urls import reverse

from courts import corrections
from courts.models import CorrectionRequest
from reconciliation.detection import exception_raise
from reconciliation.models import ExceptionStatus, ReasonCode
from tests.factories import OffenderFactory

pytestmark = pytest.mark.django_db


def _offered_fields(client, exception) -> list[str]:
    page = client.get(reverse("reconciliation:detail", kwargs={"pk": exception.pk})).content.decode()
    return re.findall(r'name="correction-fields_wrong" value="([^"]+)"', page)


def _accepted_by_courts(*, has_sentence: bool) -> set[str]:
    # The definition courts.corrections validates a request against (correction_request_create).
    return {name for name, _ in corrections.correctable_fields(has_sentence=has_sentence)}


def test_the_form_offers_every_detail_the_courts_accept_for_a_sentence(
    as_user, admin_support, make_exception
):
    exception = make_exception()
    offered = _offered_fields(as_user(admin_support), exception)
    assert len(offered) == len(set(offered))
    assert set(offered) == _accepted_by_courts(has_sentence=True)
    assert {"court", "conditions", "parole_hearing_date", "convictions", "gender", "address"} <= set(offered)


def test_the_form_offers_the_offenders_details_when_no_sentence_is_named(as_user, admin_support, office):
    offender = OffenderFactory(home_office=office)
    exception, _ = exception_raise(
        reason_code=ReasonCode.MISSING_KEY_DATES, detail="Date of birth looks wrong.", offender=offender
    )
    offered = _offered_fields(as_user(admin_support), exception)
    assert set(offered) == _accepted_by_courts(has_sentence=False)


def test_a_request_naming_every_offered_detail_reaches_the_courts(as_user, admin_support, make_exception):
    exception = make_exception()
    client = as_user(admin_support)
    offered = _offered_fields(client, exception)
    response = client.post(
        reverse("reconciliation:request_correction", kwargs={"pk": exception.pk}),
        {
            "correction-fields_wrong": offered,
            "correction-what_is_wrong": "The courts' system sent the wrong court and conditions",
            "correction-should_be": "As on the order of 3 May",
        },
        follow=True,
    )
    assert "Asked the courts to correct their data" in response.content.decode()
    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.CORRECTION_REQUESTED
    request = CorrectionRequest.objects.get(offender=exception.offender)
    assert sorted(request.fields) == sorted(offered)

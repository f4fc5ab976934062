"""Issue 11, four eyes on exceptions: nobody resolves an exception raised by their own change.
The change's author is recorded on the exception (`raised_by`); the service refuses them, the
refusal is audited, and the page shows why instead of the resolve form."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from reconciliation.access import OWN_CHANGE
from reconciliation.detection import exception_raise, exceptions_scan
from reconciliation.models import DataException, ExceptionStatus, ReasonCode
from reconciliation.services import exception_resolve
from staff.roles import Role
from tests.factories import OffenderFactory, SentenceFactory, staff_user
from tests.reconciliation.conftest import changed_by_person, court_delivered, days_ago

RESOLUTION = {
    "resolution_reason": "Checked against the court order of 3 May.",
    "change_made": "No change: the record matches the court order.",
}


@pytest.fixture
def colleague(office):
    return staff_user(Role.ADMIN_SUPPORT, office=office, username="colleague")


@pytest.fixture
def modified_exception(office, admin_support):
    """A sentence changed by hand (by admin_support) after the courts delivered it, found by the
    nightly checks."""
    sentence = SentenceFactory(offender=OffenderFactory(home_office=office), managing_office=office)
    court_delivered(sentence, at=days_ago(3))
    changed_by_person(sentence, admin_support, detail="Expiry date corrected by hand")
    exceptions_scan()
    return DataException.objects.get(reason_code=ReasonCode.MODIFICATION_CHECK)


def test_the_nightly_checks_record_whose_change_raised_a_modification_check(
    modified_exception, admin_support
):
    assert modified_exception.raised_by == admin_support


def test_a_person_raising_an_exception_is_recorded_and_the_courts_are_nobody(office, admin_support):
    sentence = SentenceFactory(offender=OffenderFactory(home_office=office))
    by_person, _ = exception_raise(
        reason_code=ReasonCode.MISSING_KEY_DATES, detail="No SRD", sentence=sentence, actor=admin_support
    )
    by_system, _ = exception_raise(
        reason_code=ReasonCode.DECEASED_ACTIVE, detail="Deceased", sentence=sentence
    )

    assert by_person.raised_by == admin_support
    assert by_system.raised_by is None


def test_the_author_of_the_change_cannot_resolve_its_exception_and_the_refusal_is_audited(
    modified_exception, admin_support
):
    with pytest.raises(PermissionDenied, match="another member of staff"):
        exception_resolve(actor=admin_support, exception=modified_exception, **RESOLUTION)

    modified_exception.refresh_from_db()
    assert modified_exception.status == ExceptionStatus.OPEN
    assert modified_exception.resolved_by is None
    refusal = AuditEvent.objects.get(action=AuditAction.DENIED, object_id=str(modified_exception.pk))
    assert refusal.actor == admin_support
    assert OWN_CHANGE in refusal.summary


def test_a_colleague_resolves_it(modified_exception, colleague):
    resolved = exception_resolve(actor=colleague, exception=modified_exception, **RESOLUTION)

    assert resolved.status == ExceptionStatus.RESOLVED
    assert resolved.resolved_by == colleague


def test_an_exception_no_person_raised_may_be_resolved_by_anyone_who_reconciles(
    make_exception, admin_support
):
    exception = make_exception()

    assert exception_resolve(actor=admin_support, exception=exception, **RESOLUTION).is_resolved


def test_the_page_shows_the_author_why_instead_of_the_resolve_form(client, modified_exception, admin_support):
    client.force_login(admin_support)
    page = client.get(reverse("reconciliation:detail", kwargs={"pk": modified_exception.pk})).content.decode()

    assert OWN_CHANGE in page
    assert reverse("reconciliation:resolve", kwargs={"pk": modified_exception.pk}) not in page
    # The other steps stay open to them: they may still start work or ask the courts.
    assert reverse("reconciliation:start", kwargs={"pk": modified_exception.pk}) in page


def test_the_page_offers_a_colleague_the_resolve_form(client, modified_exception, colleague):
    client.force_login(colleague)
    page = client.get(reverse("reconciliation:detail", kwargs={"pk": modified_exception.pk})).content.decode()

    assert OWN_CHANGE not in page
    assert reverse("reconciliation:resolve", kwargs={"pk": modified_exception.pk}) in page


def test_a_forged_resolve_by_the_author_is_refused_and_changes_nothing(
    client, modified_exception, admin_support
):
    client.force_login(admin_support)
    response = client.post(
        reverse("reconciliation:resolve", kwargs={"pk": modified_exception.pk}),
        {f"resolve-{name}": value for name, value in RESOLUTION.items()},
    )

    assert response.status_code == 403
    modified_exception.refresh_from_db()
    assert modified_exception.status == ExceptionStatus.OPEN
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=admin_support).exists()

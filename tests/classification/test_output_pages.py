"""The output downloads (issue 5, Outputs) against the real gate, can_view_classification: every
role at the prisoner's prison, at another office, a user with no role and an anonymous visitor,
for the form and the letter; each download audited as an export and served as an attachment."""

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from classification.models import ClassificationKind, Review
from classification.services import security_classification_record
from staff.models import OfficeKind
from staff.roles import Role
from tests.classification.factories import days_ago, prisoner
from tests.classification.test_workflow import approved, submitted
from tests.factories import OfficeFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

# Seed 003 output readers: staff of the prisoner's offices in these roles; system administrators
# anywhere; never the read-only data share (classification.access.can_view_classification).
VIEWERS = frozenset(
    {
        Role.PRISON_OFFICER,
        Role.RECOMMENDING_OFFICER,
        Role.APPROVING_OFFICER,
        Role.SERVICE_MANAGER,
        Role.ADMIN_SUPPORT,
        Role.PROBATION_OFFICER,
        Role.SYSTEM_ADMIN,
    }
)
ANYWHERE = frozenset({Role.SYSTEM_ADMIN})

# (URL name, the review it is asked for, roles allowed at the prisoner's prison, roles allowed at
# another office). The letter of an approved review; its refusal before approval is tested below.
OUTPUT_PAGES = [
    ("classification:review_pdf", "approved", VIEWERS, ANYWHERE),
    ("classification:review_letter", "approved", VIEWERS, ANYWHERE),
]


@pytest.fixture
def prison(db):
    return OfficeFactory(kind=OfficeKind.PRISON)


@pytest.fixture
def reviews(prison, v1):
    """An approved review of one prisoner and a submitted (not approved) review of another."""

    def prisoner_at_prison():
        offender = prisoner(managing_office=prison)
        security_classification_record(
            actor=None,
            offender=offender,
            kind=ClassificationKind.INITIAL,
            internal_category="A",
            external_category="A",
            effective_on=days_ago(180),
        )
        return offender

    officers = {
        "initiator": staff_user(Role.PRISON_OFFICER, prison),
        "recommender": staff_user(Role.RECOMMENDING_OFFICER, prison),
        "approver": staff_user(Role.APPROVING_OFFICER, prison),
    }
    return {
        "approved": approved(prisoner_at_prison(), officers),
        "submitted": submitted(prisoner_at_prison(), officers),
    }


def url(name: str, review: Review) -> str:
    return reverse(name, kwargs={"pk": review.pk})


def exports_by(user, review) -> int:
    return AuditEvent.objects.filter(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="classification.Review",
        object_id=str(review.pk),
    ).count()


@pytest.mark.parametrize("role", sorted(Role.values))
def test_each_role_at_the_prison_is_allowed_or_refused_each_download(client, prison, reviews, role):
    user = staff_user(role, prison)
    client.force_login(user)
    for name, key, allowed, _ in OUTPUT_PAGES:
        review = reviews[key]
        before = exports_by(user, review)
        response = client.get(url(name, review))
        if role in allowed:
            assert response.status_code == 200, (name, role)
            assert response["Content-Type"] == "application/pdf"
            assert b"".join(response).startswith(b"%PDF")
            assert response["Cache-Control"] == "no-store"
            assert exports_by(user, review) == before + 1, (name, role)
        else:
            assert response.status_code == 403, (name, role)
            assert exports_by(user, review) == before, (name, role)


@pytest.mark.parametrize("role", sorted(Role.values))
def test_each_role_at_another_office_is_refused_unless_a_system_administrator(client, reviews, role):
    user = staff_user(role, OfficeFactory())
    client.force_login(user)
    for name, key, _, allowed_anywhere in OUTPUT_PAGES:
        response = client.get(url(name, reviews[key]))
        assert response.status_code == (200 if role in allowed_anywhere else 403), (name, role)


def test_a_probation_officer_at_the_prisoners_home_office_may_download(client, reviews):
    review = reviews["approved"]
    officer = staff_user(Role.PROBATION_OFFICER, review.offender.home_office)
    client.force_login(officer)
    for name, key, _, _ in OUTPUT_PAGES:
        assert client.get(url(name, reviews[key])).status_code == 200, name


def test_a_user_without_a_role_is_refused_every_download(client, reviews):
    client.force_login(UserFactory())
    for name, key, _, _ in OUTPUT_PAGES:
        assert client.get(url(name, reviews[key])).status_code == 403, name
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, reviews):
    for name, key, _, _ in OUTPUT_PAGES:
        response = client.get(url(name, reviews[key]))
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name


def test_a_review_that_does_not_exist_is_not_found(client, prison, reviews):
    client.force_login(staff_user(Role.PRISON_OFFICER, prison))
    missing = Review(pk=Review.objects.order_by("-pk").first().pk + 1)
    for name, _, _, _ in OUTPUT_PAGES:
        assert client.get(url(name, missing)).status_code == 404, name


def test_the_downloads_are_attachments_with_a_safe_filename_and_an_audit_row(client, prison, reviews):
    user = staff_user(Role.RECOMMENDING_OFFICER, prison)
    client.force_login(user)
    done, draft = reviews["approved"], reviews["submitted"]

    form = client.get(url("classification:review_pdf", done))
    letter = client.get(url("classification:review_letter", done))
    draft_form = client.get(url("classification:review_pdf", draft))

    prn = done.offender.prn
    assert form["Content-Disposition"] == (
        f'attachment; filename="{prn}-classification-review-{done.pk}.pdf"'
    )
    assert letter["Content-Disposition"] == (
        f'attachment; filename="{prn}-classification-letter-{done.pk}.pdf"'
    )
    assert draft_form["Content-Disposition"] == (
        f'attachment; filename="{draft.offender.prn}-classification-review-{draft.pk}-draft.pdf"'
    )
    summaries = list(
        AuditEvent.objects.filter(actor=user, action=AuditAction.EXPORT)
        .order_by("id")
        .values_list("offender_id", "summary")
    )
    assert summaries == [
        (done.offender_id, f"Downloaded classification review {done.pk} of PRN {prn} as PDF"),
        (done.offender_id, f"Downloaded the classification letter of review {done.pk} for PRN {prn}"),
        (
            draft.offender_id,
            f"Downloaded classification review {draft.pk} of PRN {draft.offender.prn} as PDF (not approved)",
        ),
    ]


def test_there_is_no_letter_before_approval_and_the_page_says_why(client, prison, reviews):
    user = staff_user(Role.PRISON_OFFICER, prison)
    client.force_login(user)
    review = reviews["submitted"]

    response = client.get(url("classification:review_letter", review))

    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    assert "There is no letter for this review yet" in response.content.decode()
    assert "awaiting recommendation" in response.content.decode()
    assert exports_by(user, review) == 0
    assert AuditEvent.objects.filter(
        actor=user, action=AuditAction.VIEW, object_type="classification.Review", object_id=str(review.pk)
    ).exists()


def test_a_data_share_user_is_refused_the_letter_before_approval_too(client, prison, reviews):
    client.force_login(staff_user(Role.DATA_SHARE, prison))
    assert client.get(url("classification:review_letter", reviews["submitted"])).status_code == 403

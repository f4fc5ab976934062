"""The review pages (seed 003, C, D and E through the browser's forms): who may see and do what,
the answers with their sources and "this score falls on", corrections with reasons, every step
through the forms by four different officers, bad input changing nothing, audit and constant
queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from classification.models import (
    ClassificationKind,
    EscapeEvent,
    EscapeKind,
    Review,
    ReviewAnswerCorrection,
    ReviewStatus,
)
from classification.selectors import current_classification
from classification.services import security_classification_record
from staff.models import OfficeKind
from staff.roles import Role
from tests.classification.factories import days_ago, prisoner, today
from tests.classification.test_workflow import approved, initiated, recommended, submitted
from tests.factories import OfficeFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

EVERY_ROLE = list(Role)
PRISON_ROLES = {Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER}
VIEWERS = PRISON_ROLES | {Role.SERVICE_MANAGER, Role.ADMIN_SUPPORT, Role.PROBATION_OFFICER, Role.SYSTEM_ADMIN}

# (URL name, kwargs builder, roles allowed at the prisoner's prison, method). For a step, "allowed"
# means a fresh user of the role may take it on some review of this prisoner (the review here waits
# for its initiating officer, so an allowed step is turned away with a message, not a 403).
REVIEW_PAGES = [
    ("classification:reviews", lambda o: {}, PRISON_ROLES | {Role.SYSTEM_ADMIN}, "get"),
    ("classification:prisoner", lambda o: {"offender_id": o["inmate"].pk}, VIEWERS, "get"),
    ("classification:review", lambda o: {"pk": o["review"].pk}, VIEWERS, "get"),
    ("classification:review_start", lambda o: {"offender_id": o["other"].pk}, {Role.PRISON_OFFICER}, "post"),
    ("classification:review_correct", lambda o: {"pk": o["review"].pk}, set(), "post"),
    (
        "classification:review_correct_item",
        lambda o: {"pk": o["review"].pk, "item": "A.3.1"},
        set(),
        "get",
    ),
    (
        "classification:review_check",
        lambda o: {"pk": o["review"].pk},
        {Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER},
        "get",
    ),
    ("classification:review_confirmation", lambda o: {"pk": o["review"].pk}, VIEWERS, "get"),
    ("classification:review_submit", lambda o: {"pk": o["review"].pk}, set(), "post"),
    (
        "classification:review_recommend",
        lambda o: {"pk": o["review"].pk},
        {Role.RECOMMENDING_OFFICER},
        "post",
    ),
    (
        "classification:review_send_back",
        lambda o: {"pk": o["review"].pk},
        {Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER},
        "post",
    ),
    ("classification:review_approve", lambda o: {"pk": o["review"].pk}, {Role.APPROVING_OFFICER}, "post"),
    ("classification:review_advise", lambda o: {"pk": o["review"].pk}, PRISON_ROLES, "post"),
    ("classification:review_refer_back", lambda o: {"pk": o["review"].pk}, PRISON_ROLES, "post"),
    ("classification:review_reconfirm", lambda o: {"pk": o["review"].pk}, {Role.APPROVING_OFFICER}, "post"),
    (
        "classification:review_cancel",
        lambda o: {"pk": o["review"].pk},
        {Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER, Role.SYSTEM_ADMIN},
        "post",
    ),
]


@pytest.fixture
def prison(db):
    return OfficeFactory(kind=OfficeKind.PRISON)


def classified(prison, **kwargs):
    offender = prisoner(managing_office=prison, **kwargs)
    security_classification_record(
        actor=None,
        offender=offender,
        kind=ClassificationKind.INITIAL,
        internal_category="A",
        external_category="B",
        effective_on=days_ago(180),
    )
    return offender


@pytest.fixture
def inmate(prison, v1):
    return classified(prison)


@pytest.fixture
def officers(prison):
    return {
        "initiator": staff_user(Role.PRISON_OFFICER, prison),
        "recommender": staff_user(Role.RECOMMENDING_OFFICER, prison),
        "approver": staff_user(Role.APPROVING_OFFICER, prison),
        "adviser": staff_user(Role.PRISON_OFFICER, prison),
    }


@pytest.fixture
def objects(prison, inmate, officers):
    return {"inmate": inmate, "other": classified(prison), "review": initiated(inmate, officers)}


def _request(client, name, kwargs, method):
    url = reverse(name, kwargs=kwargs)
    return client.post(url, {}) if method == "post" else client.get(url)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_each_role_at_the_prison(client, prison, objects, role):
    """Viewers at the prisoner's prison read; the steps are open only to the officer the review waits
    for (a fresh user of any role is none of them, so every step is refused)."""
    client.force_login(staff_user(role, prison))
    for name, kwargs, allowed, method in REVIEW_PAGES:
        response = _request(client, name, kwargs(objects), method)
        if role in allowed:
            assert response.status_code in {200, 302, 400}, (name, role, response.status_code)
        else:
            assert response.status_code == 403, (name, role, response.status_code)


@pytest.mark.parametrize("role", sorted(VIEWERS - {Role.SYSTEM_ADMIN}))
def test_staff_of_another_office_see_nothing(client, objects, role):
    elsewhere = OfficeFactory(kind=OfficeKind.PRISON)
    client.force_login(staff_user(role, elsewhere))
    for name, kwargs, _, method in REVIEW_PAGES[1:]:
        assert _request(client, name, kwargs(objects), method).status_code == 403, (name, role)
    # Their own prison's list shows nothing of this one.
    if role in PRISON_ROLES:
        response = client.get(reverse("classification:reviews"))
        assert objects["inmate"].prn not in response.content.decode()


def test_no_role_and_anonymous(client, objects):
    for name, kwargs, _, method in REVIEW_PAGES:
        response = _request(client, name, kwargs(objects), method)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), name
    client.force_login(UserFactory(roles=[]))
    for name, kwargs, _, method in REVIEW_PAGES:
        assert _request(client, name, kwargs(objects), method).status_code == 403, name


def test_missing_review_is_404(client, prison, objects):
    client.force_login(staff_user(Role.PRISON_OFFICER, prison))
    assert client.get(reverse("classification:review", kwargs={"pk": 999999})).status_code == 404


# --- the pages show what the form needs ------------------------------------------------------------


def test_the_review_page_shows_answers_sources_and_when_a_score_falls(client, prison, inmate, officers):
    # Seed 003, A.2.1 counts an attempt "for which the prisoner was convicted".
    escape = EscapeEvent.objects.create(
        offender=inmate,
        kind=EscapeKind.ATTEMPT,
        custody="prison",
        occurred_on=days_ago(300),
        convicted_on=days_ago(300),
    )
    review = initiated(inmate, officers)
    client.force_login(officers["initiator"])
    response = client.get(reverse("classification:review", kwargs={"pk": review.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    for code in ("A.1.1", "A.2.1", "A.4.6", "A.5.5", "B.2.4", "B.3.1", "B.4.4"):
        assert f">{code}<" in html, code
    assert str(escape.occurred_on.year) in html
    falls = escape.occurred_on + datetime.timedelta(days=365)
    entry = review.answers["A.2.1"]
    assert entry["changes_on"], "an attempt 300 days ago moves band within a year"
    changes_on = datetime.date.fromisoformat(entry["changes_on"])
    assert abs((changes_on - falls).days) <= 1
    assert f"This score falls on {changes_on.day} {changes_on:%B %Y}" in html
    assert f"Internal risk <strong>{review.internal_score}</strong>" in html
    # The instrument is the version used, apart from the prisoner's scores (issue 14).
    assert f"Scored with version {review.instrument.version} of the instrument (from " in html
    # Seed 003's automatic items say what they carry, not "not answered".
    assert "Carried over from section A" in html
    assert f"Internal {review.internal_category} (just scored)" in html
    assert "Not answered" not in html
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="classification.Review", object_id=str(review.pk)
    ).exists()


def test_the_prisoner_page_shows_the_classification_history_and_offers_a_review(
    client, prison, inmate, officers
):
    client.force_login(officers["initiator"])
    response = client.get(reverse("classification:prisoner", kwargs={"offender_id": inmate.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Initial classification" in html and "Start the review" in html
    # The record's tab is there too.
    record = client.get(reverse("offenders:detail", kwargs={"pk": inmate.pk})).content.decode()
    assert reverse("classification:prisoner", kwargs={"offender_id": inmate.pk}) in record


def test_a_prisoner_without_an_initial_classification_cannot_be_reviewed(client, prison, officers, v1):
    offender = prisoner(managing_office=prison)
    client.force_login(officers["initiator"])
    html = client.get(
        reverse("classification:prisoner", kwargs={"offender_id": offender.pk})
    ).content.decode()
    assert "Start the review" not in html
    response = client.post(
        reverse("classification:review_start", kwargs={"offender_id": offender.pk}), {"reason": "due"}
    )
    assert response.status_code == 400
    assert "no initial classification" in response.content.decode()
    assert not Review.objects.filter(offender=offender).exists()


# --- the whole workflow through the forms ----------------------------------------------------------


def test_one_review_from_start_to_advising_the_prisoner(client, prison, inmate, officers):
    client.force_login(officers["initiator"])
    response = client.post(
        reverse("classification:review_start", kwargs={"offender_id": inmate.pk}),
        {"reason": "due", "comments": "Six-monthly review"},
    )
    review = Review.objects.get(offender=inmate)
    assert response.status_code == 302 and response["Location"] == reverse(
        "classification:review", kwargs={"pk": review.pk}
    )

    # A correction without a reason changes nothing.
    url = reverse("classification:review_correct", kwargs={"pk": review.pk})
    response = client.post(url, {"correct-item": "A.3.1", "correct-option": "U", "correct-reason": ""})
    assert response.status_code == 400
    assert "Say why the pre-populated answer is wrong" in response.content.decode()
    review.refresh_from_db()
    assert review.answers["A.3.1"]["option"] == "S"
    # An option of another item is refused.
    response = client.post(url, {"correct-item": "A.3.1", "correct-option": "H", "correct-reason": "x"})
    assert response.status_code == 400
    response = client.post(
        url,
        {
            "correct-item": "A.3.1",
            "correct-option": "U",
            "correct-reason": "Medical opinion of 2 Nov: poses a risk",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.answers["A.3.1"]["option"] == "U"
    assert ReviewAnswerCorrection.objects.get(review=review).reason.startswith("Medical opinion")

    # C.3: a recommended classification needs reasons.
    url = reverse("classification:review_submit", kwargs={"pk": review.pk})
    response = client.post(
        url,
        {"submit-override_internal_category": "B", "submit-override_reason": "", "submit-declaration": "on"},
    )
    assert response.status_code == 400
    review.refresh_from_db()
    assert review.status == ReviewStatus.INITIATED
    response = client.post(
        url, {"submit-comments": "All answers checked against the file.", "submit-declaration": "on"}
    )
    assert response.status_code == 302

    # The initiating officer cannot recommend their own review.
    response = client.post(reverse("classification:review_recommend", kwargs={"pk": review.pk}), {})
    assert response.status_code == 403

    client.force_login(officers["recommender"])
    page = client.get(reverse("classification:review", kwargs={"pk": review.pk})).content.decode()
    assert "Check the review and recommend it" in page and "approve it" not in page
    response = client.post(
        reverse("classification:review_recommend", kwargs={"pk": review.pk}),
        {"recommend-comments": "Agreed", "recommend-declaration": "on"},
    )
    assert response.status_code == 302

    client.force_login(officers["approver"])
    url = reverse("classification:review_approve", kwargs={"pk": review.pk})
    response = client.post(url, {"approve-internal_category": "B", "approve-declaration": "on"})
    assert response.status_code == 400  # changing it needs a reason
    assert "Give the reason" in response.content.decode()
    response = client.post(url, {"approve-comments": "Approved as recommended", "approve-declaration": "on"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED
    assert current_classification(inmate.pk).pk == review.classification_id

    client.force_login(officers["adviser"])
    url = reverse("classification:review_advise", kwargs={"pk": review.pk})
    response = client.post(url, {"advise-advised_on": today().isoformat(), "advise-prisoner_signed": "no"})
    assert response.status_code == 400  # a refusal is recorded
    response = client.post(
        url,
        {
            "advise-advised_on": today().isoformat(),
            "advise-prisoner_signed": "no",
            "advise-refusal_note": "Refused to sign; witnessed by the unit manager",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.ADVISED and review.prisoner_signed is False
    assert list(review.transitions.values_list("to_status", flat=True)) == [
        ReviewStatus.INITIATED,
        ReviewStatus.SUBMITTED,
        ReviewStatus.RECOMMENDED,
        ReviewStatus.APPROVED,
        ReviewStatus.ADVISED,
    ]
    # Finished: a late step is turned away with a message and changes nothing.
    client.force_login(officers["approver"])
    response = client.post(
        reverse("classification:review_cancel", kwargs={"pk": review.pk}), {"cancel-reason": "late"}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.ADVISED


def test_send_back_refer_back_and_reconfirm_through_the_forms(client, prison, inmate, officers):
    review = submitted(inmate, officers)
    client.force_login(officers["recommender"])
    url = reverse("classification:review_send_back", kwargs={"pk": review.pk})
    assert client.post(url, {"send_back-reason": ""}).status_code == 400
    assert client.post(url, {"send_back-reason": "A.5.2 is wrong"}).status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.SENT_BACK

    client.force_login(officers["initiator"])
    url = reverse("classification:review_submit", kwargs={"pk": review.pk})
    assert client.post(url, {"submit-declaration": "on"}).status_code == 302

    client.force_login(officers["recommender"])
    client.post(
        reverse("classification:review_recommend", kwargs={"pk": review.pk}), {"recommend-declaration": "on"}
    )
    client.force_login(officers["approver"])
    url = reverse("classification:review_approve", kwargs={"pk": review.pk})
    client.post(url, {"approve-declaration": "on"})
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED

    client.force_login(officers["adviser"])
    url = reverse("classification:review_refer_back", kwargs={"pk": review.pk})
    assert client.post(url, {"refer_back-discrepancy": " "}).status_code == 400
    assert client.post(url, {"refer_back-discrepancy": "Record shows B/B"}).status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.REFERRED_BACK

    client.force_login(officers["approver"])
    url = reverse("classification:review_reconfirm", kwargs={"pk": review.pk})
    assert client.post(url, {"reconfirm-comments": "Re-recorded"}).status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED


def test_the_reviews_list_puts_the_users_own_work_first(client, prison, officers, v1):
    waiting_for_me = recommended(classified(prison), officers)
    not_mine = initiated(classified(prison), officers)
    client.force_login(officers["approver"])
    html = client.get(reverse("classification:reviews")).content.decode()
    assert html.index(waiting_for_me.offender.prn) < html.index(not_mine.offender.prn)
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, offender_id=not_mine.offender_id).exists()


# --- constant queries ------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_reviews_list_takes_constant_queries(client, prison, officers, v1):
    client.force_login(officers["approver"])
    url = reverse("classification:reviews")
    recommended(classified(prison), officers)
    few = _queries(client, url)
    for _ in range(6):
        recommended(classified(prison), officers)
        initiated(classified(prison), officers)
    assert _queries(client, url) == few


def test_the_review_page_takes_constant_queries_whatever_the_history(client, prison, inmate, officers):
    review = approved(inmate, officers)
    client.force_login(officers["adviser"])
    url = reverse("classification:review", kwargs={"pk": review.pk})
    short = _queries(client, url)
    EscapeEvent.objects.bulk_create(
        EscapeEvent(offender=inmate, kind=EscapeKind.ESCAPE, custody="prison", occurred_on=days_ago(400 + n))
        for n in range(30)
    )
    other = classified(prison)
    long_review = initiated(other, officers)
    for n in range(5):
        from classification.services import review_correct_answer

        long_review = review_correct_answer(
            actor=officers["initiator"],
            review=long_review,
            item="A.3.1",
            option="U" if n % 2 == 0 else "S",
            reason=f"Correction {n}",
        )
    client.force_login(officers["initiator"])
    assert _queries(client, reverse("classification:review", kwargs={"pk": long_review.pk})) <= short + 2

"""The classification API (issue 5): the active instrument and every version read-only by any
user with a role; reviews read-only by those who may read the prisoner's classification, decided
for the whole list in the database; audit of lists and reads; every write refused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from classification.access import can_view_classification
from classification.api import reviews_visible_to
from classification.models import (
    ClassificationKind,
    InstrumentOption,
    Review,
    ReviewStatus,
)
from classification.services import (
    instrument_activate,
    instrument_draft_create,
    instrument_option_set_points,
    review_correct_answer,
    review_initiate,
    review_submit,
    security_classification_record,
)
from offenders.models import Offender
from sentences.models import Sentence, SentenceStatus
from staff.models import OfficeKind
from staff.roles import Role
from tests.classification.factories import days_ago, prisoner, today
from tests.factories import OfficeFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

VIEWERS = {
    Role.PRISON_OFFICER,
    Role.RECOMMENDING_OFFICER,
    Role.APPROVING_OFFICER,
    Role.SERVICE_MANAGER,
    Role.ADMIN_SUPPORT,
    Role.PROBATION_OFFICER,
}


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def prison(db):
    return OfficeFactory(kind=OfficeKind.PRISON)


def classified_prisoner(prison, **kwargs) -> Offender:
    """A prisoner at `prison` with an initial classification, ready for a review."""
    offender = prisoner(managing_office=prison, **kwargs)
    security_classification_record(
        actor=None,
        offender=offender,
        kind=ClassificationKind.INITIAL,
        internal_category="A",
        external_category="A",
        effective_on=days_ago(180),
    )
    return offender


def review_of(offender, prison) -> Review:
    return review_initiate(actor=staff_user(Role.PRISON_OFFICER, prison), offender=offender)


@pytest.fixture
def inmate(prison, v1):
    return classified_prisoner(prison)


@pytest.fixture
def review(inmate, prison):
    """A review corrected once and submitted: three steps to show."""
    officer = staff_user(Role.PRISON_OFFICER, prison)
    review = review_initiate(actor=officer, offender=inmate)
    review = review_correct_answer(
        actor=officer, review=review, item="A.3.1", option="U", reason="Health Services: unstable today"
    )
    return review_submit(actor=officer, review=review)


# --- the instrument ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", Role.values)
def test_every_role_reads_the_active_instrument(v1, role):
    response = client_for(staff_user(role)).get("/api/v1/classification/instrument/")

    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["status"], body["effective_from"]) == (
        1,
        "active",
        v1.effective_from.isoformat(),
    )
    assert body["thresholds"] == {"internal_b_from": 27, "external_b_from": 24}
    items = {item["code"]: item for item in body["items"]}
    assert [item["code"] for item in body["items"]][:3] == ["A.1.1", "A.1.2", "A.2.1"]
    assert items["A.2.1"]["section"] == "A" and items["A.2.1"]["kind"] == "scored"
    assert items["A.2.1"]["options"] == [
        {"code": "none", "label": "No escape or attempt", "points": 0},
        {"code": "5y_plus", "label": "5 years or more", "points": 2},
        {"code": "3_5y", "label": "3 years to less than 5 years", "points": 4},
        {"code": "1_3y", "label": "1 year to less than 3 years", "points": 8},
        {"code": "under_1y", "label": "Less than 1 year", "points": 14},
    ]
    assert items["B.2.1"]["kind"] == "carry_over" and items["B.2.1"]["options"] == []


def test_a_user_without_a_role_or_a_login_reads_no_instrument(v1):
    for path in ("/api/v1/classification/instrument/", "/api/v1/classification/instruments/"):
        assert client_for(UserFactory()).get(path).status_code == 403
        assert client_for().get(path).status_code in (401, 403)


def test_every_version_is_listed_and_each_read_with_its_points(v1, inmate, prison):
    review_of(inmate, prison)
    draft = instrument_draft_create(actor=None, source=v1, effective_from=today())
    high = InstrumentOption.objects.get(item__instrument=draft, item__code="B.4.3", code="H")
    instrument_option_set_points(actor=None, option=high, points=4)
    client = client_for(staff_user(Role.DATA_SHARE))

    listed = client.get("/api/v1/classification/instruments/").json()
    draft_read = client.get("/api/v1/classification/instruments/2/").json()

    assert [(v["version"], v["status"], v["reviews_scored"]) for v in listed["results"]] == [
        (2, "draft", 0),
        (1, "active", 1),
    ]
    b43 = next(item for item in draft_read["items"] if item["code"] == "B.4.3")
    assert {option["code"]: option["points"] for option in b43["options"]} == {
        "none": 0,
        "L": 2,
        "M": 5,
        "H": 4,
    }
    assert client.get("/api/v1/classification/instruments/99/").status_code == 404


def test_the_active_instrument_follows_an_activation(v1):
    draft = instrument_draft_create(actor=None, source=v1, effective_from=today())
    instrument_activate(actor=None, instrument=draft)

    body = client_for(staff_user(Role.PRISON_OFFICER)).get("/api/v1/classification/instrument/").json()

    assert (body["version"], body["status"]) == (2, "active")


def test_with_no_active_version_the_instrument_is_not_found(v1):
    type(v1).objects.filter(pk=v1.pk).update(status="retired")
    response = client_for(staff_user(Role.SYSTEM_ADMIN)).get("/api/v1/classification/instrument/")
    assert response.status_code == 404


def test_reading_the_instrument_files_no_audit_row(v1):
    before = AuditEvent.objects.count()
    client_for(staff_user(Role.PROBATION_OFFICER)).get("/api/v1/classification/instrument/")
    assert AuditEvent.objects.count() == before


# --- writes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_every_write_is_refused(v1, review, method):
    client = client_for(staff_user(Role.SYSTEM_ADMIN))
    before = (Review.objects.values_list("status", "updated_at").get(), InstrumentOption.objects.count())
    for path in [
        "/api/v1/classification/instrument/",
        "/api/v1/classification/instruments/",
        "/api/v1/classification/instruments/1/",
        "/api/v1/classification/reviews/",
        f"/api/v1/classification/reviews/{review.pk}/",
    ]:
        response = getattr(client, method)(path, {"status": "approved", "points": 1}, format="json")
        assert response.status_code == 405, (method, path)
    assert (
        Review.objects.values_list("status", "updated_at").get(),
        InstrumentOption.objects.count(),
    ) == before


def test_the_data_share_is_refused_reviews_and_writes(v1, review):
    client = client_for(staff_user(Role.DATA_SHARE))
    assert client.get("/api/v1/classification/reviews/").status_code == 403
    assert client.get(f"/api/v1/classification/reviews/{review.pk}/").status_code == 403
    assert client.post("/api/v1/classification/reviews/", {}, format="json").status_code == 403


# --- reviews: who reads which ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*Role.values, "no role"])
def test_each_role_at_the_prison_reads_the_review_or_is_refused(review, prison, role):
    user = UserFactory() if role == "no role" else staff_user(role, prison)
    client = client_for(user)

    listed = client.get("/api/v1/classification/reviews/")
    read = client.get(f"/api/v1/classification/reviews/{review.pk}/")

    if role in VIEWERS | {Role.SYSTEM_ADMIN}:
        assert listed.status_code == read.status_code == 200
        assert [row["id"] for row in listed.json()["results"]] == [review.pk]
        assert read.json()["id"] == review.pk
    else:
        assert listed.status_code == read.status_code == 403
        assert "results" not in listed.json() and "answers" not in read.json()


@pytest.mark.parametrize("role", sorted(VIEWERS))
def test_staff_of_another_office_see_no_review_of_the_prisoner(review, role):
    client = client_for(staff_user(role, OfficeFactory()))

    assert client.get("/api/v1/classification/reviews/").json()["results"] == []
    assert client.get(f"/api/v1/classification/reviews/{review.pk}/").status_code == 403


def test_the_home_office_reads_the_review_too(review, inmate):
    client = client_for(staff_user(Role.PROBATION_OFFICER, inmate.home_office))
    assert [row["id"] for row in client.get("/api/v1/classification/reviews/").json()["results"]] == [
        review.pk
    ]


def test_the_list_filter_is_the_same_rule_as_the_review_gate(v1, prison):
    """reviews_visible_to(user) holds exactly the reviews can_view_classification lets the user read."""
    elsewhere = OfficeFactory(kind=OfficeKind.PRISON)
    here, there = classified_prisoner(prison), classified_prisoner(elsewhere)
    released = classified_prisoner(prison)
    reviews = [review_of(here, prison), review_of(there, elsewhere), review_of(released, prison)]
    # The released prisoner's sentence is completed: the prison is no longer one of their offices.
    Sentence.objects.filter(offender=released).update(
        status=SentenceStatus.COMPLETED, completion_reason="normal", completed_on=today()
    )
    users = [UserFactory()] + [
        staff_user(role, office)
        for role in Role.values
        for office in (prison, elsewhere, here.home_office, OfficeFactory())
    ]
    seen = set()
    for user in users:
        offenders = {review.pk: Offender.objects.get(pk=review.offender_id) for review in reviews}
        expected = {pk for pk, offender in offenders.items() if can_view_classification(user, offender)}
        assert set(reviews_visible_to(user).values_list("pk", flat=True)) == expected, user
        seen.add(frozenset(expected))
    # The cases differ: nobody, one prison's, the home office's, everyone's (the administrator).
    here_review, there_review, released_review = (review.pk for review in reviews)
    expected_cases = [set(), {here_review}, {there_review}, {here_review, there_review, released_review}]
    assert {frozenset(case) for case in expected_cases} <= seen


def test_the_list_is_filtered_by_offender_and_status(v1, prison, review, inmate):
    other = classified_prisoner(prison)
    started = review_of(other, prison)
    client = client_for(staff_user(Role.RECOMMENDING_OFFICER, prison))

    def ids(query):
        return [row["id"] for row in client.get(f"/api/v1/classification/reviews/{query}").json()["results"]]

    assert ids("") == [started.pk, review.pk]
    assert ids(f"?offender={inmate.pk}") == [review.pk]
    assert ids(f"?status={ReviewStatus.INITIATED}") == [started.pk]
    assert ids(f"?status={ReviewStatus.SUBMITTED}&offender={other.pk}") == []
    assert client.get("/api/v1/classification/reviews/?status=nonsense").status_code == 400


# --- reviews: what is read ------------------------------------------------------------------------------


def test_a_review_reads_with_its_answers_scores_categories_version_corrections_and_steps(
    review, inmate, prison
):
    body = (
        client_for(staff_user(Role.APPROVING_OFFICER, prison))
        .get(f"/api/v1/classification/reviews/{review.pk}/")
        .json()
    )

    assert (body["offender"], body["offender_prn"], body["instrument_version"]) == (inmate.pk, inmate.prn, 1)
    assert body["status"] == "submitted"
    assert (body["internal_score"], body["external_score"]) == (review.internal_score, review.external_score)
    assert (body["internal_category"], body["external_category"]) == (
        review.internal_category,
        review.external_category,
    )
    stability = body["answers"]["A.3.1"]
    assert (stability["option"], stability["prepopulated"]) == ("U", "S")
    current_offence = body["answers"]["A.4.1"]
    assert current_offence["sources"][0]["label"] == "sentences.Conviction"
    assert [(c["item"], c["from_option"], c["to_option"]) for c in body["corrections"]] == [
        ("A.3.1", "S", "U")
    ]
    assert [(t["from_status"], t["to_status"]) for t in body["transitions"]] == [
        ("", "initiated"),
        ("initiated", "submitted"),
    ]


def test_an_unknown_review_is_not_found(v1):
    client = client_for(staff_user(Role.SYSTEM_ADMIN))
    assert client.get("/api/v1/classification/reviews/999999/").status_code == 404


# --- audit -----------------------------------------------------------------------------------------------


def test_a_list_is_audited_as_a_search_with_a_view_under_each_prisoner_listed(v1, prison, review, inmate):
    other = classified_prisoner(prison)
    review_of(other, prison)
    user = staff_user(Role.SERVICE_MANAGER, prison)

    client_for(user).get("/api/v1/classification/reviews/?status=initiated")

    search = AuditEvent.objects.get(actor=user, action=AuditAction.SEARCH)
    assert search.summary == "Searched classification reviews (API)" and search.query == "status=initiated"
    viewed = AuditEvent.objects.filter(actor=user, action=AuditAction.VIEW)
    assert set(viewed.values_list("offender_id", flat=True)) == {other.pk}


def test_a_list_for_one_prisoner_is_filed_under_that_prisoner(review, inmate, prison):
    user = staff_user(Role.PRISON_OFFICER, prison)
    client_for(user).get(f"/api/v1/classification/reviews/?offender={inmate.pk}")
    assert AuditEvent.objects.filter(actor=user, action=AuditAction.SEARCH, offender_id=inmate.pk).exists()


def test_reading_a_review_is_audited_under_the_prisoner(review, inmate, prison):
    user = staff_user(Role.PROBATION_OFFICER, prison)
    client_for(user).get(f"/api/v1/classification/reviews/{review.pk}/")
    event = AuditEvent.objects.get(actor=user, action=AuditAction.VIEW)
    assert (event.object_type, event.object_id, event.offender_id) == (
        "classification.Review",
        str(review.pk),
        inmate.pk,
    )


def test_a_refused_read_files_no_view(review):
    user = staff_user(Role.PRISON_OFFICER, OfficeFactory())
    client_for(user).get(f"/api/v1/classification/reviews/{review.pk}/")
    assert not AuditEvent.objects.filter(actor=user, action=AuditAction.VIEW).exists()


# --- constant queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.PRISON_OFFICER])
def test_the_review_list_takes_the_same_queries_whatever_its_length(v1, prison, role):
    client = client_for(staff_user(role, prison))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/classification/reviews/").status_code == 200
        return len(captured)

    for _ in range(2):
        review_correct_answer(
            actor=(review := review_of(classified_prisoner(prison), prison)).initiated_by,
            review=review,
            item="A.3.1",
            option="U",
            reason="Unstable",
        )
    few = queries()
    for _ in range(4):
        review_submit(
            actor=(review := review_of(classified_prisoner(prison), prison)).initiated_by, review=review
        )
    many = queries()

    assert len(client.get("/api/v1/classification/reviews/").json()["results"]) == 6
    assert few == many

"""Recording a recall to prison in the browser (seed 004: moving between community and prison keeps
the team and prompts the prison's allocation request): who may open the page, bad input changing
nothing, and the recall itself."""

import pytest
from django.test import Client
from django.urls import reverse

from allocation.models import AllocateRequest, AllocateRequestKind
from sentences.models import SentenceStatus
from staff.roles import Role
from tests.allocation.helpers import today
from tests.allocation.test_handover import release_on_parole
from tests.factories import OfficeFactory, UserFactory, staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prison_sentence")]

# (URL name, allowed roles at the offender's community office): the recall page. Prison managers
# (recommending and approving officers) of any prison may record a recall to their prison too.
RECALL_PAGES = [
    (
        "allocation:recall",
        {Role.SERVICE_MANAGER, Role.SYSTEM_ADMIN, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER},
    ),
]


@pytest.fixture
def parole(manager, offender):
    return release_on_parole(manager, offender)


@pytest.mark.parametrize("role", list(Role))
def test_who_may_open_the_recall_page(office, parole, role):
    client = Client()
    client.force_login(staff_user(role, office=office))
    response = client.get(reverse("allocation:recall", kwargs={"sentence_pk": parole.pk}))
    assert response.status_code == (200 if role in RECALL_PAGES[0][1] else 403), role


def test_no_role_and_anonymous_are_refused(parole):
    url = reverse("allocation:recall", kwargs={"sentence_pk": parole.pk})
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client = Client()
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


def test_a_manager_records_a_recall_and_bad_input_changes_nothing(client, manager, offender, parole, prison):
    client.force_login(manager)
    sentence_page = client.get(reverse("sentences:detail", kwargs={"pk": parole.pk})).content.decode()
    url = reverse("allocation:recall", kwargs={"sentence_pk": parole.pk})
    assert url in sentence_page, "the release's page offers the recall"

    community = OfficeFactory()
    for data in (
        {"prison": prison.pk, "recalled_on": today().isoformat(), "reason": ""},
        {"prison": community.pk, "recalled_on": today().isoformat(), "reason": "Breach"},
    ):
        response = client.post(url, data)
        assert response.status_code == 200
        parole.refresh_from_db()
        assert parole.status != SentenceStatus.COMPLETED
    assert not AllocateRequest.objects.filter(kind=AllocateRequestKind.RECALL).exists()

    response = client.post(
        url,
        {"prison": prison.pk, "recalled_on": today().isoformat(), "reason": "Recall order: curfew breaches"},
    )
    assert response.status_code == 302
    parole.refresh_from_db()
    assert parole.status == SentenceStatus.COMPLETED
    request = AllocateRequest.objects.get(offender=offender, kind=AllocateRequestKind.RECALL)
    assert request.office == prison
    # Recorded once: the page now turns the finished release away.
    again = client.get(url)
    assert again.status_code == 302

"""The administrators' instrument pages (issue 5, "The scoring instrument is versioned data"):
who may use them, drafting, changing points and thresholds (all or nothing), the dry run as a
task with its progress, its CSV, activation, audit and constant queries."""

import csv
import io

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from kombu.exceptions import OperationalError

from audit.models import AuditAction, AuditEvent
from classification import tasks_instrument
from classification.models import (
    ClassificationKind,
    Instrument,
    InstrumentItem,
    InstrumentOption,
    InstrumentStatus,
    ItemKind,
    Review,
    RiskLevel,
)
from classification.selectors import instrument_dry_run
from classification.services import (
    instrument_draft_create,
    review_cancel,
    review_initiate,
    security_classification_record,
)
from classification.tasks_instrument import dry_run_key, dry_run_start, dry_run_state
from staff.models import OfficeKind
from staff.roles import Role
from tests.classification.factories import (
    EscapeEventFactory,
    PoliceInformationFactory,
    days_ago,
    prisoner,
    today,
)
from tests.factories import OfficeFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

ANONYMOUS, NO_ROLE = "anonymous", "no role"

# (URL name, method, object the URL names, status for a system administrator). Everyone else is
# refused with 403 and changes nothing; an anonymous visitor is sent to log in. Run in this order
# for one administrator: the last row activates the draft.
INSTRUMENT_PAGES = [
    ("classification:instruments", "get", None, 200),
    ("classification:instrument_draft", "post", None, 200),  # refused: version 2 is already a draft
    ("classification:instrument", "get", "draft", 200),
    ("classification:instrument", "get", "v1", 200),
    ("classification:instrument", "post", "draft", 302),
    ("classification:instrument_dry_run", "get", "draft", 200),
    ("classification:instrument_dry_run", "post", "draft", 302),
    ("classification:instrument_dry_run_export", "get", "draft", 200),
    ("classification:instrument_activate", "get", "draft", 200),
    ("classification:instrument_activate", "post", "draft", 302),
]


@pytest.fixture
def run_tasks_here(monkeypatch):
    """Celery tasks run in the test's process as they are queued (the real queue and worker are
    exercised by hand: see the module docstring of classification/tasks_instrument.py)."""
    from ioms.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)


@pytest.fixture
def draft(v1):
    draft = instrument_draft_create(actor=None, source=v1, effective_from=today())
    cache.delete(dry_run_key(draft.pk))  # a result left by an earlier test run with the same pk
    yield draft
    cache.delete(dry_run_key(draft.pk))


@pytest.fixture
def prison(db):
    return OfficeFactory(kind=OfficeKind.PRISON)


@pytest.fixture
def inmate(prison, v1):
    """A prisoner at `prison` with an initial classification (internal A, external A)."""
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


@pytest.fixture
def initiator(prison):
    return staff_user(Role.PRISON_OFFICER, prison)


@pytest.fixture
def flagged(inmate):
    """The inmate's external category is B under version 1: Police information H (B.4.3, 10), an
    escape two years ago, convicted the same day (A.2.1 8, carried to B.2.1; seed 003 counts only
    escapes "for which the prisoner was convicted"), about 1.5 years to serve (B.3.1, 3) and a
    Moderate current offence (B.2.2, 4): 25 >= 24."""
    PoliceInformationFactory(offender=inmate, level=RiskLevel.HIGH)
    EscapeEventFactory(offender=inmate, occurred_on=days_ago(730), convicted_on=days_ago(730))
    return inmate


@pytest.fixture
def admin(prison):
    return staff_user(Role.SYSTEM_ADMIN, prison)


def option(instrument, item, code) -> InstrumentOption:
    return InstrumentOption.objects.get(item__instrument=instrument, item__code=item, code=code)


def points_data(instrument, **changes) -> dict:
    """The points form as the page fills it in, with `changes` ({field name: value}) applied."""
    data = {"internal_b_from": instrument.internal_b_from, "external_b_from": instrument.external_b_from}
    for each in InstrumentOption.objects.filter(item__instrument=instrument, item__kind=ItemKind.SCORED):
        data[f"option-{each.pk}"] = each.points
    data.update(changes)
    return data


def dry_run(client, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("classification:instrument_dry_run", args=[draft.pk]))
    assert response.status_code == 302
    return dry_run_state(draft)


def snapshot() -> tuple:
    """Everything the pages could change."""
    return (
        list(
            Instrument.objects.order_by("pk").values_list(
                "pk", "status", "internal_b_from", "external_b_from"
            )
        ),
        list(InstrumentOption.objects.order_by("pk").values_list("pk", "points")),
    )


# --- the access matrix ----------------------------------------------------------------------------


def _request(client, name, method, key, objects):
    url = reverse(name, args=[objects[key].pk] if key else [])
    if method == "get":
        return client.get(url)
    data = {}
    if name == "classification:instrument_draft":
        data = {"effective_from": today().isoformat()}
    elif name == "classification:instrument":
        data = points_data(objects["draft"])
    elif name == "classification:instrument_activate":
        data = {"confirm": "on"}
    return client.post(url, data)


@pytest.mark.parametrize("who", [*Role.values, NO_ROLE])
def test_each_role_is_allowed_or_refused_each_instrument_page(
    client,
    prison,
    v1,
    draft,
    who,
    run_tasks_here,
    django_capture_on_commit_callbacks,
):
    # A finished dry run, so that the export and the activation have something to work from.
    dry_run_start(draft=draft, active=v1)
    tasks_instrument.instrument_dry_run_task(draft.pk, v1.pk, dry_run_state(draft).run_id)
    user = UserFactory() if who == NO_ROLE else staff_user(who, prison)
    client.force_login(user)
    before = snapshot()
    objects = {"draft": draft, "v1": v1}

    outcomes = []
    for name, method, key, _ in INSTRUMENT_PAGES:
        # Each request's on-commit work (queuing the dry run) runs as the request ends.
        with django_capture_on_commit_callbacks(execute=True):
            outcomes.append((name, method, _request(client, name, method, key, objects).status_code))

    if who == Role.SYSTEM_ADMIN:
        assert outcomes == [(name, method, status) for name, method, _, status in INSTRUMENT_PAGES]
        assert Instrument.objects.get(pk=draft.pk).status == InstrumentStatus.ACTIVE
    else:
        assert outcomes == [(name, method, 403) for name, method, _, _ in INSTRUMENT_PAGES]
        assert snapshot() == before
        assert not AuditEvent.objects.filter(
            actor=user,
            action__in=[AuditAction.VIEW, AuditAction.CREATE, AuditAction.UPDATE, AuditAction.EXPORT],
        ).exists()


def test_an_anonymous_visitor_is_sent_to_log_in_from_every_instrument_page(client, v1, draft):
    before = snapshot()
    for name, method, key, _ in INSTRUMENT_PAGES:
        response = _request(client, name, method, key, {"draft": draft, "v1": v1})
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name
    assert snapshot() == before


def test_an_unknown_version_is_not_found(client, admin):
    client.force_login(admin)
    assert client.get(reverse("classification:instrument", args=[999999])).status_code == 404
    assert client.get(reverse("classification:instrument_dry_run", args=[999999])).status_code == 404


# --- the versions and drafting --------------------------------------------------------------------


def test_the_versions_page_lists_status_date_thresholds_and_reviews_scored(
    client, admin, v1, inmate, initiator
):
    review_initiate(actor=initiator, offender=inmate)
    client.force_login(admin)

    response = client.get(reverse("classification:instruments"))

    assert response.status_code == 200
    (row,) = [version for version in response.context["versions"] if version.pk == v1.pk]
    assert (row.status, row.internal_b_from, row.external_b_from, row.reviews_scored) == ("active", 27, 24, 1)
    html = response.content.decode()
    assert "Version 1" in html and "Active" in html and v1.effective_from.strftime("%-d %b %Y") in html
    assert AuditEvent.objects.filter(
        actor=admin, action=AuditAction.VIEW, summary="Viewed the instrument versions"
    ).exists()


def test_drafting_copies_the_active_version_and_a_second_draft_is_refused(client, admin, v1):
    client.force_login(admin)

    response = client.post(
        reverse("classification:instrument_draft"), {"effective_from": today().isoformat()}
    )

    draft = Instrument.objects.get(status=InstrumentStatus.DRAFT)
    assert response.status_code == 302
    assert response["Location"] == reverse("classification:instrument", args=[draft.pk])
    assert draft.version == 2 and draft.effective_from == today()
    assert InstrumentOption.objects.filter(item__instrument=draft).count() == (
        InstrumentOption.objects.filter(item__instrument=v1).count()
    )
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(draft.pk)).exists()

    again = client.post(reverse("classification:instrument_draft"), {"effective_from": today().isoformat()})
    assert again.status_code == 200
    assert "Version 2 is already a draft" in again.content.decode()
    assert Instrument.objects.count() == 2


def test_a_draft_needs_a_date_from_today(client, admin, v1):
    client.force_login(admin)
    for value, message in [
        ("", "Effective from — Enter the date"),
        ("soon", "Enter a valid date."),
        (days_ago(1).isoformat(), "A new version takes effect today or later."),
    ]:
        response = client.post(reverse("classification:instrument_draft"), {"effective_from": value})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert Instrument.objects.count() == 1


# --- one version ------------------------------------------------------------------------------------


def test_the_version_page_shows_items_in_order_by_section_with_every_option(client, admin, v1):
    client.force_login(admin)

    response = client.get(reverse("classification:instrument", args=[v1.pk]))

    assert response.status_code == 200
    sections = response.context["sections"]
    assert [section["code"] for section in sections] == ["A", "B"]
    codes = [entry["item"].code for section in sections for entry in section["items"]]
    assert codes == list(
        InstrumentItem.objects.filter(instrument=v1).order_by("position").values_list("code", flat=True)
    )
    assert all(entry["item"].section == section["code"] for section in sections for entry in section["items"])
    a21 = next(entry for entry in sections[0]["items"] if entry["item"].code == "A.2.1")
    assert [(o.code, o.points) for o, _ in a21["options"]] == [
        ("none", 0), ("5y_plus", 2), ("3_5y", 4), ("1_3y", 8), ("under_1y", 14)
    ]  # fmt: skip
    html = response.content.decode()
    assert "Less than 1 year" in html and "category B from 27 points" in html
    # The active version is read-only: no points fields, no problems list.
    assert response.context["form"] is None
    assert 'name="option-' not in html and "Problems" not in html
    assert AuditEvent.objects.filter(
        actor=admin, action=AuditAction.VIEW, object_type="classification.Instrument", object_id=str(v1.pk)
    ).exists()


def test_a_draft_shows_its_problems_and_a_form_with_a_labelled_field_per_scored_option(client, admin, draft):
    InstrumentOption.objects.filter(item__instrument=draft, item__code="A.3.1", code="U").delete()
    client.force_login(admin)

    response = client.get(reverse("classification:instrument", args=[draft.pk]))

    html = response.content.decode()
    assert "Item A.3.1 lacks options U." in html
    form = response.context["form"]
    scored = InstrumentOption.objects.filter(item__instrument=draft, item__kind=ItemKind.SCORED)
    assert {f"option-{o.pk}" for o in scored} | {"internal_b_from", "external_b_from"} == set(form.fields)
    under_1y = option(draft, "A.2.1", "under_1y")
    label = f'<label class="visually-hidden" for="id_option-{under_1y.pk}">'
    assert label + 'Points for <span class="hint item-code">A.2.1</span> Time since last escape' in html


def test_changing_points_and_thresholds_saves_each_change_with_its_audit(client, admin, draft):
    client.force_login(admin)
    high = option(draft, "B.4.3", "H")
    unstable = option(draft, "A.3.1", "U")
    data = points_data(draft, **{f"option-{high.pk}": 4, f"option-{unstable.pk}": 9, "internal_b_from": 25})

    response = client.post(reverse("classification:instrument", args=[draft.pk]), data)

    assert response.status_code == 302
    high.refresh_from_db(), unstable.refresh_from_db(), draft.refresh_from_db()
    assert (high.points, unstable.points, draft.internal_b_from, draft.external_b_from) == (4, 9, 25, 24)
    updates = AuditEvent.objects.filter(actor=admin, action=AuditAction.UPDATE, object_id=str(draft.pk))
    assert updates.count() == 3
    assert updates.filter(changes={"points": [10, 4]}).exists()
    followed = client.get(response["Location"])
    assert "Saved 3 changes." in followed.content.decode()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("-1", "Points cannot be negative."),
        ("four", "Enter the points as a whole number, for example 4."),
        ("2.5", "Enter the points as a whole number, for example 4."),
        ("", "Enter the points (0 for none)."),
    ],
)
def test_bad_points_change_nothing(client, admin, draft, bad, message):
    client.force_login(admin)
    high, unstable = option(draft, "B.4.3", "H"), option(draft, "A.3.1", "U")
    before = snapshot()
    data = points_data(draft, **{f"option-{high.pk}": 4, f"option-{unstable.pk}": bad, "internal_b_from": 20})

    response = client.post(reverse("classification:instrument", args=[draft.pk]), data)

    assert response.status_code == 200
    assert snapshot() == before
    form = response.context["form"]
    assert form.errors == {f"option-{unstable.pk}": [message]}
    html = response.content.decode()
    assert "There is a problem" in html and f'href="#id_option-{unstable.pk}"' in html
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_a_threshold_below_one_changes_nothing(client, admin, draft):
    client.force_login(admin)
    high = option(draft, "B.4.3", "H")
    before = snapshot()

    response = client.post(
        reverse("classification:instrument", args=[draft.pk]),
        points_data(draft, **{f"option-{high.pk}": 4, "external_b_from": 0}),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "external_b_from": ["Ensure this value is greater than or equal to 1."]
    }
    assert snapshot() == before


def test_a_refusal_by_a_service_undoes_the_points_already_saved(client, admin, draft, monkeypatch):
    """One transaction: a service refusing the thresholds leaves the points saved before it unsaved."""

    def refuse(**kwargs):
        raise ValidationError("Someone else changed this version first.")

    monkeypatch.setattr("classification.services.instrument_thresholds_set", refuse)
    client.force_login(admin)
    high = option(draft, "B.4.3", "H")
    before = snapshot()

    response = client.post(
        reverse("classification:instrument", args=[draft.pk]),
        points_data(draft, **{f"option-{high.pk}": 4, "internal_b_from": 20}),
    )

    assert response.status_code == 200
    assert "Someone else changed this version first." in response.content.decode()
    assert snapshot() == before
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_editing_a_version_that_is_not_a_draft_is_refused(client, admin, v1):
    client.force_login(admin)
    high = option(v1, "B.4.3", "H")
    before = snapshot()

    response = client.post(
        reverse("classification:instrument", args=[v1.pk]), points_data(v1, **{f"option-{high.pk}": 4})
    )

    assert response.status_code == 302
    assert snapshot() == before
    followed = client.get(response["Location"]).content.decode()
    assert "Version 1 is active: only a draft can change." in followed
    # Nor can it be dry-run or activated again.
    dry = client.post(reverse("classification:instrument_dry_run", args=[v1.pk]))
    assert "only a draft is dry-run" in client.get(dry["Location"]).content.decode()
    activate = client.post(reverse("classification:instrument_activate", args=[v1.pk]), {"confirm": "on"})
    assert activate.status_code == 302
    assert snapshot() == before
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


# --- the dry run ------------------------------------------------------------------------------------


def test_from_draft_to_activation_the_dry_run_names_the_prisoner_whose_category_changes(
    client,
    admin,
    v1,
    flagged,
    initiator,
    run_tasks_here,
    django_capture_on_commit_callbacks,
):
    earlier = review_initiate(actor=initiator, offender=flagged)
    assert (earlier.instrument, earlier.external_category) == (v1, "B")
    client.force_login(admin)

    # Draft version 2, weighing Police information H at 4 points rather than 10.
    client.post(reverse("classification:instrument_draft"), {"effective_from": today().isoformat()})
    draft = Instrument.objects.get(status=InstrumentStatus.DRAFT)
    cache.delete(dry_run_key(draft.pk))
    high = option(draft, "B.4.3", "H")
    client.post(
        reverse("classification:instrument", args=[draft.pk]), points_data(draft, **{f"option-{high.pk}": 4})
    )

    # Not yet dry-run: the activation page sends the administrator to the dry run first.
    response = client.get(reverse("classification:instrument_activate", args=[draft.pk]))
    assert "The draft has not been dry-run." in response.content.decode()
    refused = client.post(reverse("classification:instrument_activate", args=[draft.pk]), {"confirm": "on"})
    assert refused["Location"] == reverse("classification:instrument_dry_run", args=[draft.pk])
    assert Instrument.objects.get(pk=draft.pk).status == InstrumentStatus.DRAFT

    state = dry_run(client, draft, django_capture_on_commit_callbacks)
    assert state.state == "done" and state.done == state.total == 1

    page = client.get(reverse("classification:instrument_dry_run", args=[draft.pk]))
    html = page.content.decode()
    assert page.context["finished"].report.prisoners_scored == 1
    assert [(c.prn, c.active_categories, c.draft_categories) for c in page.context["changes"]] == [
        (flagged.prn, ("A", "B"), ("A", "A"))
    ]
    assert flagged.prn in html and flagged.full_name in html and "B → A" in html
    assert AuditEvent.objects.filter(
        actor=admin, action=AuditAction.VIEW, offender_id=flagged.pk, summary__contains="dry run"
    ).exists()

    export = client.get(reverse("classification:instrument_dry_run_export", args=[draft.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0] == [
        "PRN",
        "Name",
        "Internal (version 1)",
        "External (version 1)",
        "Internal (version 2)",
        "External (version 2)",
    ]
    assert rows[1:] == [[flagged.prn, flagged.full_name, "A", "B", "A", "A"]]
    assert AuditEvent.objects.filter(actor=admin, action=AuditAction.EXPORT, object_id=str(draft.pk)).exists()

    confirm = client.get(reverse("classification:instrument_activate", args=[draft.pk]))
    assert "Categories that would change" in confirm.content.decode()
    unticked = client.post(reverse("classification:instrument_activate", args=[draft.pk]), {})
    assert "Tick the box to confirm the activation." in unticked.content.decode()
    activated = client.post(reverse("classification:instrument_activate", args=[draft.pk]), {"confirm": "on"})
    assert activated.status_code == 302
    v1.refresh_from_db(), draft.refresh_from_db()
    assert (v1.status, draft.status) == (InstrumentStatus.RETIRED, InstrumentStatus.ACTIVE)

    # The review started before keeps version 1; a review started now is scored by version 2.
    earlier.refresh_from_db()
    assert (earlier.instrument, earlier.external_category) == (v1, "B")
    review_cancel(actor=initiator, review=earlier, reason="Started again under version 2")
    later = review_initiate(actor=initiator, offender=flagged)
    assert (later.instrument, later.external_category) == (draft, "A")


def test_a_dry_run_of_points_since_changed_is_out_of_date_and_cannot_activate(
    client, admin, v1, draft, flagged, run_tasks_here, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    dry_run(client, draft, django_capture_on_commit_callbacks)
    high = option(draft, "B.4.3", "H")
    client.post(
        reverse("classification:instrument", args=[draft.pk]), points_data(draft, **{f"option-{high.pk}": 4})
    )

    page = client.get(reverse("classification:instrument_dry_run", args=[draft.pk])).content.decode()
    assert "have changed since the last dry run" in page
    refused = client.post(reverse("classification:instrument_activate", args=[draft.pk]), {"confirm": "on"})
    assert refused.status_code == 302
    assert Instrument.objects.get(pk=draft.pk).status == InstrumentStatus.DRAFT
    export = client.get(reverse("classification:instrument_dry_run_export", args=[draft.pk]))
    assert export.status_code == 302


def test_the_dry_run_page_shows_progress_while_the_task_runs(client, admin, v1, draft, flagged):
    client.force_login(admin)
    # Queued but not yet picked up by a worker (the callback queuing it is not run here).
    client.post(reverse("classification:instrument_dry_run", args=[draft.pk]))
    state = dry_run_state(draft)
    assert state.state == "queued"

    queued = client.get(reverse("classification:instrument_dry_run", args=[draft.pk])).content.decode()
    assert "classification/dry_run_progress.js" in queued and "data-dry-run-progress" in queued
    assert "Waiting for a worker to start the dry run." in queued

    tasks_instrument._update(draft.pk, state.run_id, state="running", done=500, total=2000)
    running = client.get(reverse("classification:instrument_dry_run", args=[draft.pk])).content.decode()
    assert 'max="2000" value="500"' in running
    assert "Scored 500 of 2000 prisoners (25%)." in running
    # The page's own polls while it runs are not audited; a visit is.
    views = AuditEvent.objects.filter(actor=admin, action=AuditAction.VIEW).count()
    client.get(reverse("classification:instrument_dry_run", args=[draft.pk]), HTTP_X_IOMS_POLL="dry-run")
    assert AuditEvent.objects.filter(actor=admin, action=AuditAction.VIEW).count() == views
    # Asking again while it runs does not start a second run.
    client.post(reverse("classification:instrument_dry_run", args=[draft.pk]))
    assert dry_run_state(draft).run_id == state.run_id


def test_a_queue_that_cannot_be_reached_is_reported(
    client, admin, v1, draft, monkeypatch, django_capture_on_commit_callbacks
):
    def unreachable(*args):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(tasks_instrument.instrument_dry_run_task, "delay", unreachable)
    client.force_login(admin)

    state = dry_run(client, draft, django_capture_on_commit_callbacks)

    assert state.state == "failed"
    page = client.get(reverse("classification:instrument_dry_run", args=[draft.pk])).content.decode()
    assert "The task queue could not be reached." in page
    assert "dry_run_progress.js" not in page


def test_the_batched_dry_run_gives_the_selectors_result_and_reports_progress(v1, draft, flagged, monkeypatch):
    for _ in range(4):
        PoliceInformationFactory(offender=prisoner(), level=RiskLevel.HIGH)
    high = option(draft, "B.4.3", "H")
    high.points = 30
    high.save(update_fields=["points"])
    progress = []

    batched = instrument_dry_run(
        draft=draft, active=v1, batch_size=2, on_progress=lambda done, total: progress.append((done, total))
    )

    assert batched == instrument_dry_run(draft=draft, active=v1)
    # H at 30 points puts the four new prisoners in external B; the flagged one was B already.
    assert batched.prisoners_scored == 5 and batched.changed_count == 4
    assert flagged.pk not in {change.offender_id for change in batched.changes}
    assert progress == [(0, 5), (2, 5), (4, 5), (5, 5)]


def test_csv_cells_cannot_run_as_formulas(
    client, admin, v1, draft, flagged, run_tasks_here, django_capture_on_commit_callbacks
):
    type(flagged).objects.filter(pk=flagged.pk).update(given_names="=HYPERLINK(1)", family_name="Smith")
    high = option(draft, "B.4.3", "H")
    high.points = 4
    high.save(update_fields=["points"])
    client.force_login(admin)
    dry_run(client, draft, django_capture_on_commit_callbacks)

    export = client.get(reverse("classification:instrument_dry_run_export", args=[draft.pk]))

    assert "'=HYPERLINK(1) Smith" in b"".join(export.streaming_content).decode()


# --- constant queries -------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_version_page_takes_the_same_queries_whatever_its_size(client, admin, draft):
    client.force_login(admin)
    url = reverse("classification:instrument", args=[draft.pk])
    item = InstrumentItem.objects.get(instrument=draft, code="A.3.1")

    def add_options(count):
        start = InstrumentOption.objects.filter(item=item).count()
        InstrumentOption.objects.bulk_create(
            InstrumentOption(item=item, code=f"x{n}", label=f"Extra {n}", points=1, position=50 + n)
            for n in range(start, start + count)
        )

    add_options(2)
    few = _queries(client, url)
    add_options(20)
    many = _queries(client, url)
    assert few == many


def test_the_dry_run_page_takes_the_same_queries_whatever_the_number_of_prisoners(
    client, admin, v1, draft, run_tasks_here, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    url = reverse("classification:instrument_dry_run", args=[draft.pk])
    instrument_thresholds = {"internal_b_from": 4, "external_b_from": 24}
    Instrument.objects.filter(pk=draft.pk).update(**instrument_thresholds)  # every prisoner moves
    for _ in range(2):
        prisoner()
    dry_run(client, draft, django_capture_on_commit_callbacks)
    few = _queries(client, url)
    for _ in range(6):
        prisoner()
    dry_run(client, draft, django_capture_on_commit_callbacks)
    many = _queries(client, url)

    assert dry_run_state(draft).report.changed_count == 8
    assert few == many


def test_nothing_about_the_dry_run_is_stored_in_the_database(v1, draft, flagged):
    reviews, events = Review.objects.count(), AuditEvent.objects.count()
    dry_run_start(draft=draft, active=v1)
    tasks_instrument.instrument_dry_run_task(draft.pk, v1.pk, dry_run_state(draft).run_id)
    assert dry_run_state(draft).report.changed_count == 0
    assert (Review.objects.count(), AuditEvent.objects.count()) == (reviews, events)

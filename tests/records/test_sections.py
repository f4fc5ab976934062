"""The record's pages gather what each app adds to an offender's record from one list
(records.sections); each app writes its part next to its access rules."""

import pytest
from django.urls import resolve, reverse

from ioms.read_models import record_sections
from records.sections import RECORD_SECTIONS
from staff.roles import Role
from tests.factories import OffenderFactory, staff_user


def _names(functions) -> list[str]:
    return [f"{function.__module__}.{function.__name__}" for function in functions]


def test_the_record_gathers_each_apps_part_from_its_own_module():
    """Pinned: a part that vanished or moved out of its app fails here, not as a tab or a kind of
    timeline entry quietly missing from the record."""
    assert _names(RECORD_SECTIONS.permissions) == [
        "offenders.record_sections.permissions",
        "casenotes.record_sections.permissions",
        "documents.record_sections.permissions",
        "allocation.record_sections.permissions",
        "agencies.record_sections.permissions",
        "sentences.record_sections.permissions",
        "courts.record_sections.permissions",
        "classification.record_sections.permissions",
    ]
    assert [(tab.key, tab.url_name, tab.shown_if) for tab in RECORD_SECTIONS.tabs] == [
        ("details", "offenders:detail", ""),
        ("sentences", "offenders:sentences", ""),
        ("conditions", "conditions:offender", ""),
        ("casenotes", "offenders:casenotes", "read_casenotes"),
        ("documents", "offenders:documents", "read_documents"),
        ("staff", "offenders:staff", ""),
        ("programmes", "offenders:programmes", ""),
        ("plans", "plans:offender", ""),
        ("appointments", "appointments:offender", ""),
        ("compliance", "compliance:offender", ""),
        ("classification", "classification:prisoner", "view_classification"),
        ("timeline", "offenders:timeline", ""),
        ("history", "audit:offender_history", "view_history"),
    ]
    assert _names(RECORD_SECTIONS.timeline) == [
        "sentences.record_sections.timeline",
        "agencies.record_sections.timeline",
        "allocation.record_sections.timeline",
        "offenders.record_sections.timeline",
        "casenotes.record_sections.timeline",
        "documents.record_sections.timeline",
    ]


def test_the_frame_drawn_by_lower_apps_pages_is_the_records_list():
    assert record_sections() is RECORD_SECTIONS


def test_the_record_pages_keep_their_addresses_and_names():
    for name, path, view in [
        ("offenders:search", "/offenders/", "records.views.search"),
        ("offenders:detail", "/offenders/7/", "records.views.detail"),
        ("offenders:sentences", "/offenders/7/sentences/", "records.views.sentences"),
        ("offenders:casenotes", "/offenders/7/casenotes/", "records.views.casenotes"),
        ("offenders:documents", "/offenders/7/documents/", "records.views.documents"),
        ("offenders:staff", "/offenders/7/staff/", "records.views.staff"),
        ("offenders:programmes", "/offenders/7/programmes/", "records.views.programmes"),
        ("offenders:timeline", "/offenders/7/timeline/", "records.views.timeline"),
        ("offenders:edit", "/offenders/7/edit/", "offenders.views.edit"),
        ("offenders:restrict", "/offenders/7/restrict/", "offenders.views_restricted.restrict"),
    ]:
        args = [] if name == "offenders:search" else [7]
        assert reverse(name, args=args) == path
        assert resolve(path)._func_path == view


@pytest.mark.django_db
def test_a_viewer_is_offered_only_the_tabs_their_access_allows(client, office, other_office):
    offender = OffenderFactory(home_office=office)
    tabs = {}
    for role, at in ((Role.SERVICE_MANAGER, office), (Role.PROBATION_OFFICER, other_office)):
        client.force_login(staff_user(role, office=at))
        response = client.get(reverse("offenders:detail", args=[offender.pk]))
        tabs[role] = [tab["key"] for tab in response.context["tabs"]]
    assert tabs[Role.SERVICE_MANAGER] == [
        "details",
        "sentences",
        "conditions",
        "casenotes",
        "documents",
        "staff",
        "programmes",
        "plans",
        "appointments",
        "compliance",
        "classification",
        "timeline",
        "history",
    ]
    # An officer of another office reads the record, but neither its classification nor its audit trail.
    assert tabs[Role.PROBATION_OFFICER] == [
        "details",
        "sentences",
        "conditions",
        "casenotes",
        "documents",
        "staff",
        "programmes",
        "plans",
        "appointments",
        "compliance",
        "timeline",
    ]

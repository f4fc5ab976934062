"""Every state machine goes through the one workflow mechanism (workflow.transitions): the list of
them is pinned here, and nothing outside the mechanism writes a status."""

import ast
from pathlib import Path

import pytest
from django.apps import apps

from workflow.transitions import WORKFLOWS, TransitionRow, Workflow

ROOT = Path(__file__).resolve().parent.parent

# No query is made; the suite's autouse fixtures need the test database.
pytestmark = pytest.mark.django_db

STATE_MACHINES = {
    # name: (model, status field)
    "agency": ("agencies.Agency", "status"),
    "programme": ("agencies.Programme", "status"),
    "referral": ("agencies.Referral", "status"),
    "allocate request": ("allocation.AllocateRequest", "status"),
    "appointment": ("appointments.Appointment", "status"),
    "enforcement": ("compliance.EnforcementAction", "status"),
    "appointment reminder": ("appointments.ReminderSent", "status"),
    "classification review": ("classification.Review", "status"),
    "condition": ("conditions.Condition", "status"),
    "instrument": ("classification.Instrument", "status"),
    "sentence plan activity": ("classification.SentencePlanActivity", "status"),
    "court message": ("courts.CourtMessage", "status"),
    "correction request": ("courts.CorrectionRequest", "status"),
    "document": ("documents.Document", "status"),
    "report": ("documents.Report", "status"),
    "sentence plan": ("plans.SentencePlan", "status"),
    "plan objective": ("plans.Objective", "status"),
    "data exception": ("reconciliation.DataException", "status"),
    "sentence": ("sentences.Sentence", "status"),
}

# Writes of a `status` that are not steps of a workflow, each with the reason.
NOT_STEPS = {
    # Demo data is created in its final state by bulk loaders (creation, not a step).
    "demo/",
    # Display attributes computed for a page (a share's and a credential's state), not model fields.
    "datashare/views.py",
}


def test_every_state_machine_is_registered_with_the_one_workflow_mechanism():
    registered = {
        name: (workflow.model._meta.label, workflow.status_field) for name, workflow in WORKFLOWS.items()
    }
    assert registered == STATE_MACHINES


def test_every_model_with_a_status_choice_field_is_a_registered_state_machine():
    from_workflows = {(w.model._meta.label, w.status_field) for w in WORKFLOWS.values()}
    with_status = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        if (ROOT / model.__module__.split(".")[0]).is_dir()  # the portal's own apps
        for field in model._meta.concrete_fields
        if field.name == "status" and field.choices and not issubclass(model, TransitionRow)
    }
    assert with_status == from_workflows


def test_each_workflow_writes_its_steps_to_a_transition_row_table_of_its_own():
    tables = [workflow.row_model._meta.db_table for workflow in WORKFLOWS.values()]
    assert len(tables) == len(set(tables))
    for workflow in WORKFLOWS.values():
        assert isinstance(workflow, Workflow)
        assert issubclass(workflow.row_model, TransitionRow)
        subject = workflow.row_model._meta.get_field(workflow.subject_field)
        assert subject.related_model is workflow.model


def _status_writes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        is_update = (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update"
        )
        if is_update and any(keyword.arg == "status" for keyword in node.keywords):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} .update(status=...)")
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "status":
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} .status = ...")
    return found


def test_nothing_but_the_workflow_mechanism_writes_a_status():
    writes = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = str(path.relative_to(ROOT))
        if relative.startswith((".venv", "tests/", "workflow/")) or "/migrations/" in relative:
            continue
        if any(relative.startswith(allowed) for allowed in NOT_STEPS):
            continue
        writes += _status_writes(path)
    assert writes == []

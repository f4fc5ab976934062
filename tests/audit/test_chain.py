"""Issue 11: each append-only row is sealed into a hash chain, and `manage.py verify_audit` proves the
chain end to end and names the first row that was changed, removed or slipped in, even by the
database owner with the append-only triggers switched off."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from audit.append_only import chained_tables
from audit.chain import SealingRefused, chain_heads, seal_chains
from audit.models import AuditAction, AuditEvent, ChainSeal
from audit.services import audit_record
from audit.tasks import seal_append_only_chains
from casenotes.models import Casenote
from tests.factories import CasenoteFactory, OffenderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(system_admin):
    return [
        audit_record(
            actor=system_admin,
            action=AuditAction.UPDATE,
            summary=f"Changed record {number}",
            changes={"surname": ["Smith", f"Smyth{number}"], "aliases": [1, 2]},
        )
        for number in range(5)
    ]


@pytest.fixture
def note(probation_officer, office):
    return CasenoteFactory(offender=OffenderFactory(home_office=office), author=probation_officer)


def verify() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def verify_fails(*args: str) -> tuple[str, str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit", *args, stdout=out, stderr=io.StringIO())
    return str(failure.value), out.getvalue()


def as_owner_without_triggers(table: str, trigger: str, sql: str, params: list) -> None:
    """What the issue found possible: the owner switches the append-only trigger off and back on."""
    with connection.cursor() as cursor:
        # The test's own inserts leave deferred foreign-key checks pending, which ALTER TABLE refuses.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")


def delete_as_owner(event: AuditEvent) -> None:
    as_owner_without_triggers(
        "audit_auditevent", "auditevent_append_only", "DELETE FROM audit_auditevent WHERE id = %s", [event.pk]
    )


def test_verify_audit_passes_on_a_clean_chain_and_seals_every_append_only_table(events, note):
    output = verify()

    assert "Every chain verified" in output
    assert f"audit_auditevent: {AuditEvent.objects.count()} rows verified" in output
    assert "casenotes_casenote: 1 rows verified" in output
    assert ChainSeal.objects.filter(table_name="casenotes_casenote", row_id=note.pk).exists()


def test_each_row_is_chained_to_the_one_before_it_in_id_order(events):
    seal_chains()
    seal_chains()

    seals = list(ChainSeal.objects.filter(table_name="audit_auditevent").order_by("row_id"))
    ids = sorted(AuditEvent.objects.values_list("id", flat=True))
    assert [seal.row_id for seal in seals] == ids
    assert [seal.previous_row_id for seal in seals] == [None, *ids[:-1]]
    assert len({seal.hash for seal in seals}) == len(seals)


def test_sealing_again_seals_only_the_new_rows(events, system_admin):
    seal_chains()
    seal_chains()
    later = audit_record(actor=system_admin, action=AuditAction.LOGOUT, summary="Logged out")

    seal_chains()
    assert seal_chains()["audit_auditevent"] == 1
    seal = ChainSeal.objects.get(table_name="audit_auditevent", row_id=later.pk)
    assert seal.previous_row_id == events[-1].pk


def test_a_seal_is_written_once_and_never_changed_or_removed(events):
    seal_chains()
    seal_chains()
    seal = ChainSeal.objects.get(table_name="audit_auditevent", row_id=events[2].pk)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ChainSeal.objects.filter(pk=seal.pk).update(hash="0" * 64)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ChainSeal.objects.filter(pk=seal.pk).delete()
    with pytest.raises(IntegrityError, match="chainseal_row_once"), transaction.atomic():
        ChainSeal.objects.create(table_name="audit_auditevent", row_id=events[2].pk, hash="0" * 64)
    with pytest.raises(IntegrityError, match="chainseal_one_successor"), transaction.atomic():
        ChainSeal.objects.create(
            table_name="audit_auditevent", row_id=10**9, previous_row_id=events[1].pk, hash="0" * 64
        )

    assert ChainSeal.objects.get(pk=seal.pk).hash == seal.hash


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("summary", "Nothing happened"),
        ("actor_label", "someone-else"),
        ("at", "2020-01-01T00:00:00Z"),
        ("changes", '{"surname": ["Smith", "Jones"], "aliases": [1, 2]}'),
        ("ip_address", "10.0.0.9"),
        ("channel", "api"),
        ("offender_id", "42"),
    ],
)
def test_verify_audit_names_a_row_changed_by_the_owner_as_the_first_broken_row(events, column, value):
    verify()
    altered = events[2]
    as_owner_without_triggers(
        "audit_auditevent",
        "auditevent_append_only",
        f"UPDATE audit_auditevent SET {column} = %s WHERE id = %s",
        [value, altered.pk],
    )

    message, output = verify_fails()

    assert f"first broken row: audit_auditevent row {altered.pk}: altered" in message
    assert f"FIRST BROKEN: audit_auditevent row {altered.pk}: altered" in output
    # Only the changed row: the rows after it still match their seals.
    assert f"row {events[3].pk}:" not in output


def test_verify_audit_names_a_removed_row(events):
    verify()
    removed = events[1]
    delete_as_owner(removed)

    message, _ = verify_fails()

    assert f"audit_auditevent row {removed.pk}: missing: the sealed row was removed" in message


def test_verify_audit_names_the_break_when_a_row_and_its_seal_are_both_removed(events):
    verify()
    removed, following = events[1], events[2]
    delete_as_owner(removed)
    as_owner_without_triggers(
        "audit_chainseal",
        "chainseal_append_only",
        "DELETE FROM audit_chainseal WHERE table_name = 'audit_auditevent' AND row_id = %s",
        [removed.pk],
    )

    message, _ = verify_fails()

    assert f"audit_auditevent row {following.pk}: link broken" in message


def test_verify_audit_names_a_row_slipped_in_among_the_sealed_rows(system_admin):
    first = audit_record(actor=system_admin, action=AuditAction.LOGIN, summary="Logged in")
    with connection.cursor() as cursor:  # an id handed out and never used, as after a rollback
        cursor.execute("SELECT nextval(pg_get_serial_sequence('audit_auditevent', 'id'))")
        (unused_id,) = cursor.fetchone()
    audit_record(actor=system_admin, action=AuditAction.LOGOUT, summary="Logged out")
    verify()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (id, at, actor_label, action, object_type, object_id, summary,"
            " changes, query, user_agent, channel)"
            " SELECT %s, at, actor_label, action, object_type, object_id, 'Backdated', changes, query,"
            " user_agent, channel FROM audit_auditevent WHERE id = %s",
            [unused_id, first.pk],
        )

    message, _ = verify_fails()

    assert f"audit_auditevent row {unused_id}: not in the chain" in message


def test_a_change_to_a_casenote_is_found_too(note):
    verify()
    as_owner_without_triggers(
        "casenotes_casenote",
        "casenote_append_only",
        "UPDATE casenotes_casenote SET text = %s WHERE id = %s",
        ["Did not report.", note.pk],
    )

    message, _ = verify_fails()

    assert f"casenotes_casenote row {note.pk}: altered" in message
    assert Casenote.objects.get(pk=note.pk).text == "Did not report."


def test_every_append_only_table_but_the_seals_is_chained():
    assert {entry.table for entry in chained_tables()} == {
        "audit_auditevent",
        "casenotes_casenote",
        "classification_securityclassification",
        "documents_issuerecord",
        "documents_reporttransition",
        "events_outboxevent",
    }


def test_sealing_refuses_a_sequence_that_hands_out_ids_in_blocks(events):
    with connection.cursor() as cursor:
        cursor.execute("ALTER SEQUENCE audit_auditevent_id_seq CACHE 20")

    with pytest.raises(SealingRefused, match="audit_auditevent caches 20 values"):
        seal_chains()
    with pytest.raises(CommandError, match="CACHE 1"):
        verify()


def test_celery_beat_seals_every_minute(settings, events):
    entry = settings.CELERY_BEAT_SCHEDULE["seal-append-only-chains"]
    assert entry["task"] == "audit.tasks.seal_append_only_chains"
    assert entry["schedule"] == 60

    seal_append_only_chains()
    assert seal_append_only_chains()["audit_auditevent"] == len(events)


def test_a_head_kept_outside_the_database_shows_a_chain_recomputed_from_scratch(events):
    verify()
    (kept,) = [head for head in chain_heads() if head.startswith("audit_auditevent:")]
    assert f"head {kept}" in verify()
    # Someone able to rewrite the tables changes a row and recomputes every seal from it on.
    as_owner_without_triggers(
        "audit_auditevent",
        "auditevent_append_only",
        "UPDATE audit_auditevent SET summary = 'Nothing happened' WHERE id = %s",
        [events[0].pk],
    )
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_chainseal DISABLE TRIGGER ioms_refuse_truncate")
        cursor.execute("TRUNCATE audit_chainseal")
        cursor.execute("ALTER TABLE audit_chainseal ENABLE TRIGGER ioms_refuse_truncate")
    assert "Every chain verified" in verify()

    message, output = verify_fails("--expect-head", kept)

    row_id = kept.split(":")[1]
    assert f"first broken row: audit_auditevent row {row_id}: the chain was recomputed" in message


def test_a_recorded_head_that_is_not_one_is_a_clear_error(events):
    with pytest.raises(CommandError, match="TABLE:ROW:HASH"):
        call_command("verify_audit", "--expect-head", "audit_auditevent-12", stdout=io.StringIO())

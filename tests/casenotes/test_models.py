"""Casenotes are append-only in the database itself: whoever asks, UPDATE and DELETE are refused."""

import pytest
from django.db import DatabaseError, connection, transaction

from casenotes.models import Casenote
from tests.factories import CasenoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def note():
    return CasenoteFactory(text="Reported as directed.")


def assert_unchanged(note: Casenote) -> None:
    stored = Casenote.objects.get(pk=note.pk)
    assert stored.text == "Reported as directed."


def test_the_database_refuses_to_edit_a_casenote_through_the_orm(note):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Casenote.objects.filter(pk=note.pk).update(text="x")

    assert_unchanged(note)


def test_the_database_refuses_to_save_changes_to_a_casenote(note):
    note.text = "x"

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        note.save(update_fields=["text"])

    assert_unchanged(note)


def test_the_database_refuses_to_delete_a_casenote_through_the_orm(note):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Casenote.objects.filter(pk=note.pk).delete()

    assert_unchanged(note)


def test_the_database_refuses_raw_sql_that_edits_or_deletes_a_casenote(note):
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE casenotes_casenote SET text = %s WHERE id = %s", ["x", note.pk])
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM casenotes_casenote WHERE id = %s", [note.pk])

    assert_unchanged(note)


def test_new_casenotes_can_still_be_added(note):
    CasenoteFactory(offender=note.offender)

    assert Casenote.objects.filter(offender=note.offender).count() == 2

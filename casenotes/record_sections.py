"""What the casenotes app adds to an offender's record (records.sections gathers it): the
casenotes tab for those who may read them, whether the viewer may add one, and the casenotes they
may read on the timeline (sensitive ones only for those who may read those)."""

from django.utils import timezone

from casenotes.access import can_add_casenote, can_read_casenotes, can_read_sensitive
from casenotes.models import Casenote
from ioms.read_models import RecordTab, TimelineEntry, TimelineKind

TAB = RecordTab("casenotes", "Casenotes", "offenders:casenotes", shown_if="read_casenotes")


def permissions(user, offender) -> dict[str, bool]:
    return {
        "read_casenotes": can_read_casenotes(user, offender),
        "add_casenote": can_add_casenote(user, offender),
    }


def timeline(offender, *, user, may) -> list[TimelineKind]:
    sensitive = can_read_sensitive(user)
    if not may["read_casenotes"]:
        return []
    return [
        TimelineKind(
            Casenote.objects.filter(offender=offender)
            .visible_to_sensitive(sensitive)
            .select_related("author")
            .order_by("-contact_on", "-id"),
            "contact_on",
            True,
            lambda note: TimelineEntry(
                on=timezone.localdate(note.contact_on),
                at=note.contact_on,
                kind="Casenote",
                title=f"{note.get_note_type_display()}: {note.summary}",
                detail=f"By {note.author.get_full_name() or note.author.get_username()}"
                if note.author
                else "By the system",
                url_name="casenotes:detail",
                url_pk=note.pk,
            ),
        )
    ]

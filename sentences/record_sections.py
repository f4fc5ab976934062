"""What the sentences app adds to an offender's record (records.sections gathers it): the
sentences tab, whether the viewer may record a sentence, and the sentences' events on the
timeline."""

from ioms.read_models import RecordTab, TimelineEntry, TimelineKind
from sentences.access import can_record_custody, can_record_sentence
from sentences.models import CustodyMovement, SentenceEvent

TAB = RecordTab("sentences", "Sentences", "offenders:sentences")


def permissions(user, offender) -> dict[str, bool]:
    return {
        "record_sentence": can_record_sentence(user, offender),
        "record_custody": can_record_custody(user, offender),
    }


def timeline(offender, *, user, may) -> list[TimelineKind]:
    return [
        TimelineKind(
            SentenceEvent.objects.filter(sentence__offender=offender)
            .select_related("sentence")
            .order_by("-occurred_on", "-id"),
            "occurred_on",
            False,
            lambda event: TimelineEntry(
                on=event.occurred_on,
                kind="Sentence",
                title=f"{event.get_kind_display()}: {event.sentence}",
                detail=event.detail,
                url_name="sentences:detail",
                url_pk=event.sentence_id,
            ),
        ),
        TimelineKind(
            CustodyMovement.objects.filter(offender=offender)
            .select_related("prison")
            .order_by("-occurred_on", "-id"),
            "occurred_on",
            False,
            lambda movement: TimelineEntry(
                on=movement.occurred_on,
                kind="Custody",
                title=f"{movement}: {movement.prison.name}",
                detail=movement.detail,
                url_name="offenders:sentences",
                url_pk=movement.offender_id,
            ),
        ),
    ]

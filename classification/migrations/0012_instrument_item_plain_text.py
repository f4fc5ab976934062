"""The questions of every instrument version in plain words (issue 14, content design): the item
numbers written into five questions' text ("Time since B.4.1 conviction", "(A.2.1)") move out of
it. Pages show each item's number beside its question as secondary text, and a carried-over item's
sources come from classification.scoring.CARRY_OVERS. Only the wording changes: no code, option or
point, so a version that has scored a review scores it the same."""

from django.db import migrations

PLAIN = {
    ("B.2.1", "Time since last escape or attempt (A.2.1)"): "Time since last escape or attempt",
    ("B.2.2", "Most serious current offence (A.4.1)"): "Most serious current offence",
    ("B.2.3", "Charges and convictions under other Acts (A.4.5 + A.4.6)"): "Charges and convictions under other Acts",
    ("B.2.4", "Cooperation and motivation (A.5)"): "Cooperation and motivation",
    ("B.4.2", "Time since B.4.1 conviction"): "Time since that conviction",
}


def to_plain(apps, schema_editor):
    InstrumentItem = apps.get_model("classification", "InstrumentItem")
    for (code, old), new in PLAIN.items():
        InstrumentItem.objects.filter(code=code, text=old).update(text=new)


def to_numbered(apps, schema_editor):
    InstrumentItem = apps.get_model("classification", "InstrumentItem")
    for (code, old), new in PLAIN.items():
        InstrumentItem.objects.filter(code=code, text=new).update(text=old)


class Migration(migrations.Migration):
    dependencies = [("classification", "0011_prison_record_dates")]

    operations = [migrations.RunPython(to_plain, to_numbered)]

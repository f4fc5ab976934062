"""The muster list's read model: one entry for each person on each office's muster, with the keys
the list is sorted by, so that a page is read from an index in the order it is shown.

Entries are derived data, written only by the database (migration muster 0001): triggers on
sentences_sentence and offenders_offender recompute the entries of the (office, person) pairs a
statement touched, whatever wrote the rows (services, court messages, COPY), and
`muster_entries_rebuild()` recomputes them all after a bulk load made with the triggers off
(muster.services.muster_entries_deferred). Never written by Django.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F


class MusterEntry(models.Model):
    """A person on an office's muster: they have at least one sentence managed by the office that is
    active or not yet started. The aggregates are over those sentences only."""

    pk = models.CompositePrimaryKey("office", "offender")
    # Derived rows: the sentences that produce them already hold the keys, and a constraint here
    # would be one more check per row of a rebuild.
    office = models.ForeignKey(
        "staff.Office", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    offender = models.ForeignKey(
        "offenders.Offender",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    prn = models.CharField(max_length=9)
    family_name_folded = models.CharField(max_length=80)
    given_names_folded = models.CharField(max_length=120)
    earliest_start = models.DateField()
    latest_end = models.DateField(null=True)  # None when a sentence is indeterminate
    indeterminate = models.BooleanField()
    sentence_types = ArrayField(models.CharField(max_length=30))  # distinct, in order
    sentence_count = models.PositiveIntegerField()

    class Meta:
        verbose_name_plural = "muster entries"
        # One index for each sort the page offers (muster.selectors._ORDERINGS), the office first; a
        # descending sort whose ties are still by name ascending needs its own.
        indexes = [
            models.Index(
                fields=["office", "family_name_folded", "given_names_folded", "offender"],
                name="muster_entry_name",
            ),
            models.Index(fields=["office", "prn", "offender"], name="muster_entry_prn"),
            models.Index(
                fields=["office", "earliest_start", "family_name_folded", "given_names_folded", "offender"],
                name="muster_entry_start",
            ),
            models.Index(
                "office",
                F("earliest_start").desc(),
                "family_name_folded",
                "given_names_folded",
                "offender",
                name="muster_entry_start_desc",
            ),
            models.Index(
                "office",
                F("latest_end").asc(nulls_last=True),
                "family_name_folded",
                "given_names_folded",
                "offender",
                name="muster_entry_end",
            ),
            models.Index(
                "office",
                F("latest_end").desc(nulls_first=True),
                "family_name_folded",
                "given_names_folded",
                "offender",
                name="muster_entry_end_desc",
            ),
            # A change of name or PRN reaches the person's entries at every office.
            models.Index(fields=["offender"], name="muster_entry_offender"),
        ]

    def __str__(self) -> str:
        return f"{self.prn} on the muster of office {self.office_id}"

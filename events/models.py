"""The outbox: every domain event published (events/domain.py), one row each, written in the
publishing transaction, so an event exists exactly when the change it reports was committed.

Append-only (audit/append_only.py): partner systems read it in order through the data share
(datashare/api.py), and a row they have read must never change behind them.

`txid` is the writing transaction's id, set by the database. Ids come from a sequence, which is not
transactional: id 100 may commit after id 101. A reader therefore orders by (txid, id) and reads only
rows whose transaction is older than every transaction still running (`OutboxEventQuerySet.final`),
so a row can never appear later behind a reader's cursor."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.expressions import RawSQL


class CurrentTransactionId(models.Func):
    """pg_current_xact_id() as a bigint: a 64-bit id that never wraps around (PostgreSQL 13+)."""

    template = "pg_current_xact_id()::text::bigint"
    output_field = models.BigIntegerField()


class OutboxEventQuerySet(models.QuerySet):
    def final(self):
        """Rows whose transaction ended before any transaction still running began: no row with a
        lower (txid, id) can commit after these are read."""
        oldest_running = RawSQL("pg_snapshot_xmin(pg_current_snapshot())::text::bigint", [])
        return self.filter(txid__lt=oldest_running)

    def in_feed_order(self):
        return self.order_by("txid", "id")


class OutboxEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    txid = models.BigIntegerField(db_default=CurrentTransactionId(), editable=False)
    occurred_at = models.DateTimeField()
    event_type = models.CharField(max_length=60)
    # No foreign key: events sit below the offenders app, and the outbox outlives every other row.
    offender_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)

    objects = OutboxEventQuerySet.as_manager()

    class Meta:
        verbose_name = "outbox event"
        indexes = [models.Index(fields=["txid", "id"], name="outbox_feed_order")]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.pk}"

"""The one mechanism every state machine in the portal goes through.

A workflow is a `TextChoices` status on a model, one map of allowed transitions, and one row per
step in a table derived from `TransitionRow`. `Workflow.move()` does a step the same way everywhere
(STYLE.md, "Workflows are explicit state machines"):

1. refuses a step the map does not allow, with a message a person can act on;
2. changes the status with a conditional update (`WHERE status = <the status the caller read>`),
   and when no row changed refuses with "someone else got there first" and the status it now has:
   no lost update, whatever the caller locked or read;
3. writes the transition row (from, to, actor, time, comment) and the audit row in the same
   transaction;
4. queues side effects with `transaction.on_commit`, so nothing leaves the building for a change
   that is rolled back.

Every workflow registers itself on construction; `tests/test_workflows.py` lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from audit.actors import actor_user
from audit.models import AuditAction
from audit.services import audit_record, batch_insert
from ioms.transactions import service_atomic

WORKFLOWS: dict[str, Workflow] = {}


class TransitionNotAllowed(ValidationError):
    """The map does not allow this step from the record's current status."""


class ConcurrentChange(ValidationError):
    """The record's status changed between reading it and stepping it: someone else got there first."""


class TransitionRow(models.Model):
    """One step of a workflow: from, to, who, when and why. Concrete tables add the foreign key to
    their record (named by `Workflow.subject_field`) and any detail of their own."""

    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


@dataclass(frozen=True)
class Workflow:
    """One state machine: `model.<status_field>` moves along `transitions` and each step is a row
    of `row_model`, whose foreign key to the record is `subject_field`."""

    name: str
    model: type[models.Model]
    transitions: Mapping[str, frozenset[str]]
    row_model: type[TransitionRow]
    subject_field: str
    status_field: str = "status"
    noun: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        statuses = set(self.transitions) | {s for targets in self.transitions.values() for s in targets}
        unknown = statuses - set(self._choices())
        if unknown:
            raise ValueError(f"{self.name}: transitions name statuses the model does not have: {unknown}")
        if self.name in WORKFLOWS and WORKFLOWS[self.name] != self:
            raise ValueError(f"Two workflows are called {self.name!r}")
        WORKFLOWS[self.name] = self

    # --- Reading the map ------------------------------------------------------------------------

    def _choices(self) -> dict[str, str]:
        return dict(self.model._meta.get_field(self.status_field).choices)

    def label(self, status: str) -> str:
        return self.labels.get(status) or str(self._choices().get(status, status)).lower()

    @property
    def _noun(self) -> str:
        return self.noun or self.model._meta.verbose_name

    @property
    def _article(self) -> str:
        return "An" if self._noun[:1].lower() in "aeiou" else "A"

    def allowed(self, from_status: str, to_status: str) -> bool:
        return to_status in self.transitions.get(from_status, frozenset())

    def next_statuses(self, from_status: str) -> frozenset[str]:
        return self.transitions.get(from_status, frozenset())

    def check(self, from_status: str, to_status: str) -> None:
        if not self.allowed(from_status, to_status):
            raise TransitionNotAllowed(
                f"{self._article} {self._noun} that is {self.label(from_status)} cannot become "
                f"{self.label(to_status)}."
            )

    # --- Doing a step ---------------------------------------------------------------------------

    def move(
        self,
        record: models.Model,
        *,
        to: str,
        actor,
        comment: str = "",
        fields: Mapping[str, Any] | None = None,
        row: Mapping[str, Any] | None = None,
        summary: str = "",
        audit_changes: Mapping[str, Any] | None = None,
        from_status: str | None = None,
        on_commit: Iterable[Callable[[], None]] = (),
        audit: bool = True,
    ) -> TransitionRow:
        """Step `record` to `to`, if it still has the status the caller read (`from_status`, or the
        record's own attribute). `fields` are written with the status in the same UPDATE; `row`
        adds detail to the transition row. Returns the transition row; `record` is updated in
        memory.

        Like every service (ioms.transactions), the step takes a savepoint when called inside
        another transaction, except inside `one_unit()` (a court message being applied), where any
        error undoes the whole unit anyway: the court interface's throughput counts statements."""
        before = from_status if from_status is not None else getattr(record, self.status_field)
        self.check(before, to)
        fields = dict(fields or {})
        with service_atomic():
            updated = (
                type(record)
                ._base_manager.filter(pk=record.pk, **{self.status_field: before})
                .update(**{self.status_field: to}, **fields)
            )
            if updated:
                setattr(record, self.status_field, to)
                for name, value in fields.items():
                    setattr(record, name, value)
                step = self.record_step(
                    record, from_status=before, to=to, actor=actor, comment=comment, row=row
                )
                if audit:
                    changes = {self.status_field: [before, to], **(audit_changes or {})}
                    audit_record(
                        actor=actor,
                        action=AuditAction.UPDATE,
                        obj=record,
                        summary=summary
                        or f"{self._noun.capitalize()} {record.pk}: {self.label(before)} → {self.label(to)}",
                        changes=changes,
                    )
                for callback in on_commit:
                    transaction.on_commit(callback)
        if not updated:
            # Raised outside the block: nothing was written, so the caller's transaction stays usable.
            raise self._concurrent_change(record)
        return step

    def _concurrent_change(self, record: models.Model) -> ConcurrentChange:
        now = (
            type(record)._base_manager.filter(pk=record.pk).values_list(self.status_field, flat=True).first()
        )
        state = f"it is now {self.label(now)}" if now is not None else "it no longer exists"
        return ConcurrentChange(f"Someone else changed this {self._noun} while you had it open: {state}.")

    def move_many(
        self,
        records: Sequence[models.Model],
        *,
        from_status: str,
        to: str,
        actor=None,
        comments: Mapping[Any, str] | None = None,
        fields: Mapping[str, Any] | None = None,
        own_fields: Sequence[str] = (),
        audit: bool = True,
    ) -> None:
        """The same step for many records read in `from_status` (the court interface's batch
        import files a thousand messages at once): one UPDATE and one INSERT of transition rows per
        thousand records, rather than statements per record. `fields` are the same for every record;
        `own_fields` are each record's own values, already set on it in memory. `comments` by pk.
        Refused with ConcurrentChange, changing nothing, when any of them has moved meanwhile."""
        if not records:
            return
        self.check(from_status, to)
        comments = comments or {}
        with transaction.atomic():
            for start in range(0, len(records), 1000):
                chunk = records[start : start + 1000]
                values: dict[str, Any] = {self.status_field: to, **(fields or {})}
                for name in own_fields:
                    # As QuerySet.bulk_update writes them: a CASE per field, cast to its type.
                    field = self.model._meta.get_field(name)
                    case = Case(
                        *[
                            When(pk=record.pk, then=Value(getattr(record, field.attname), output_field=field))
                            for record in chunk
                        ],
                        output_field=field,
                    )
                    values[field.attname] = Cast(case, output_field=field)
                updated = self.model._base_manager.filter(
                    pk__in=[record.pk for record in chunk], **{self.status_field: from_status}
                ).update(**values)
                if updated != len(chunk):
                    raise ConcurrentChange(
                        f"Someone else changed {len(chunk) - updated} of these {self._noun}s meanwhile."
                    )
            user = actor_user(actor)
            self.row_model.objects.bulk_create(
                [
                    self.row_model(
                        **{self.subject_field: record},
                        from_status=from_status,
                        to_status=to,
                        actor=user,
                        comment=comments.get(record.pk, ""),
                    )
                    for record in records
                ],
                batch_size=1000,
            )
            for record in records:
                setattr(record, self.status_field, to)
                for name, value in (fields or {}).items():
                    setattr(record, name, value)
                if audit:
                    audit_record(
                        actor=actor,
                        action=AuditAction.UPDATE,
                        obj=record,
                        summary=f"{self._noun.capitalize()} {record.pk}: {self.label(from_status)} → "
                        f"{self.label(to)}",
                        changes={self.status_field: [from_status, to]},
                    )

    def record_step(
        self,
        record: models.Model,
        *,
        from_status: str,
        to: str,
        actor,
        comment: str = "",
        row: Mapping[str, Any] | None = None,
    ) -> TransitionRow:
        """The transition row alone: for the first status of a new record (`from_status=""`), whose
        creation the creating service audits, and for steps that stay in one status. Inserted at
        once, or with the other rows at the end of an open `audit.services.batch_writes()` block
        (its pk is then unknown until the block ends)."""
        return batch_insert(
            self.row_model(
                **{self.subject_field: record},
                from_status=from_status,
                to_status=to,
                actor=actor_user(actor),
                comment=comment,
                **(row or {}),
            )
        )

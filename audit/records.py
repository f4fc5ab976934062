"""The one generic path for changing fields of a record: validate, save only the changed fields,
and write the audit row with the before/after values, all in the caller's transaction."""

import operator
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import F, Q

from audit.models import AuditAction
from audit.services import audit_record, diff, snapshot


class _Undecided(Exception):
    """The condition uses something `_holds` does not evaluate: the database decides it."""


_COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _value(obj: models.Model, name: str) -> Any:
    if name == "pk":
        return obj.pk
    field = obj._meta.get_field(name)
    if not getattr(field, "concrete", False):
        raise _Undecided(name)
    return getattr(obj, field.attname)


def _holds(condition, obj: models.Model) -> bool | None:
    """SQL's answer (True, False or None for unknown) to a Q of plain comparisons of `obj`'s own
    fields (exact, gt(e), lt(e), in, isnull, against values or F() of other fields): a check
    constraint or a foreign key's limit_choices_to, decided without a query."""
    if isinstance(condition, Q):
        results = [_holds(child, obj) for child in condition.children]
        if condition.connector == Q.AND:
            value = False if False in results else (None if None in results else True)
        elif condition.connector == Q.OR:
            value = True if True in results else (None if None in results else False)
        else:
            raise _Undecided(condition.connector)
        return (None if value is None else not value) if condition.negated else value
    if not (isinstance(condition, tuple) and len(condition) == 2):
        raise _Undecided(condition)
    name, expected = condition
    field_name, _, lookup = name.partition("__")
    lookup = lookup or "exact"
    actual = _value(obj, field_name)
    if isinstance(expected, F):
        expected = _value(obj, expected.name)
    elif hasattr(expected, "resolve_expression") or isinstance(expected, models.Model):
        raise _Undecided(expected)
    if lookup == "isnull":
        return (actual is None) == bool(expected)
    if lookup == "exact" and expected is None:  # Django turns `= None` into IS NULL
        return actual is None
    if actual is None or expected is None:
        return None
    try:
        if lookup == "in":
            if any(item is None for item in expected):
                raise _Undecided(expected)
            return actual in expected
        if lookup in _COMPARISONS:
            return _COMPARISONS[lookup](actual, expected)
    except TypeError as error:
        raise _Undecided(error) from error
    raise _Undecided(lookup)


def _loaded_foreign_keys(instance: models.Model) -> set[str]:
    """Foreign keys whose object is loaded on `instance` (fetched or just saved, e.g. the office
    found by its code or the offender created a moment ago) and satisfies the field's
    limit_choices_to: full_clean's SELECT per key would only confirm what is already known."""
    loaded = set()
    for field in instance._meta.concrete_fields:
        if not field.many_to_one or field.remote_field.parent_link or not field.is_cached(instance):
            continue
        related = field.get_cached_value(instance)
        if related is None or related._state.adding or related.pk is None:
            continue
        if getattr(instance, field.attname) != getattr(related, field.target_field.attname):
            continue
        limit = field.get_limit_choices_to()
        if limit:
            try:
                if _holds(limit if isinstance(limit, Q) else Q(**limit), related) is not True:
                    continue  # the query words the error
            except _Undecided:
                continue
        loaded.add(field.name)
    return loaded


def _validate_constraints(instance: models.Model, exclude: set[str]) -> None:
    """Model.validate_constraints, with each check constraint decided in Python where it can be
    (otherwise a SAVEPOINT and a SELECT each)."""
    errors: dict = {}
    for model, constraints in instance.get_constraints():
        for constraint in constraints:
            try:
                if isinstance(constraint, models.CheckConstraint) and not exclude:
                    try:
                        if _holds(constraint.condition, instance) is False:
                            raise ValidationError(
                                constraint.get_violation_error_message(), code=constraint.violation_error_code
                            )
                        continue
                    except _Undecided:
                        pass
                constraint.validate(model, instance, exclude=exclude)
            except ValidationError as error:
                if getattr(error, "code", None) == "unique" and len(getattr(constraint, "fields", ())) == 1:
                    errors.setdefault(constraint.fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def record_validate(instance: models.Model) -> None:
    """`instance.full_clean()`, the same checks and errors, without the queries that only confirm
    what is known: no SELECT for a foreign key whose object is loaded, none for a check constraint
    Python can decide. Every service validates a new or changed record with this."""
    loaded = _loaded_foreign_keys(instance)
    errors: dict = {}
    try:
        instance.clean_fields(exclude=loaded)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        instance.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    failed = {name for name in errors if name != NON_FIELD_ERRORS}
    try:
        instance.validate_unique(exclude=failed)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    failed = {name for name in errors if name != NON_FIELD_ERRORS}
    try:
        _validate_constraints(instance, failed)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def record_update(*, actor, instance: models.Model, data: dict[str, Any], summary: str = "") -> dict:
    """Apply `data` to `instance`, run full validation, save the changed fields and audit them.

    Returns the {field: [old, new]} changes (empty when nothing changed: then nothing is written).
    Raises django.core.exceptions.ValidationError and leaves the row untouched on bad input.
    """
    fields = list(data)
    before = snapshot(instance, fields)
    for name, value in data.items():
        setattr(instance, name, value)
    changes = diff(before, snapshot(instance, fields))
    if not changes:
        return {}
    record_validate(instance)
    update_fields = [instance._meta.get_field(name).attname for name in changes]
    if any(field.name == "updated_at" for field in instance._meta.fields):
        update_fields.append("updated_at")
    instance.save(update_fields=update_fields)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=instance,
        summary=summary or f"Changed {instance._meta.verbose_name} {instance}",
        changes=changes,
    )
    return changes

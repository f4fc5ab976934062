"""Services are atomic: called alone, each is its own transaction; called inside another, it takes
a savepoint, so a caller that catches its error can carry on with the transaction.

Inside `one_unit()` (a block with its own savepoint, every error in which undoes the whole block:
a court message being applied) nobody carries on after an error, so the services called there take
no savepoint of their own: two statements fewer for each service call. Code in a unit that must
catch an error and carry on (an INSERT that may meet a unique constraint) still uses its own
`transaction.atomic()` block, which always takes a savepoint.
"""

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from django.db import transaction

_in_unit: ContextVar[bool] = ContextVar("in_unit", default=False)


def service_atomic() -> transaction.Atomic:
    """`transaction.atomic()` for a service's block, without the savepoint inside `one_unit()`."""
    return transaction.atomic(savepoint=not _in_unit.get())


def atomic_service[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """`@transaction.atomic` for a service, without the savepoint inside `one_unit()`."""

    @functools.wraps(func)
    def service(*args: P.args, **kwargs: P.kwargs) -> R:
        with service_atomic():
            return func(*args, **kwargs)

    return service


@contextlib.contextmanager
def one_unit() -> Iterator[None]:
    """A savepoint around work that is kept whole or not at all: an error anywhere in the block
    rolls back to it (and must leave the block: the transaction cannot be used before then)."""
    with transaction.atomic():
        token = _in_unit.set(True)
        try:
            yield
        finally:
            _in_unit.reset(token)

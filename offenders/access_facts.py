"""Facts about an offender that its access rules (offenders.access) need but that apps above
offenders own: the managing offices of its current sentences (sentences) and whether a member of
staff is allocated to its case (allocation). Offenders may not import those apps (the layers,
.importlinter), so each provides its fact once, from its AppConfig.ready, and the rules themselves
stay together in offenders.access.

A fact nobody provides fails loudly, on use (ImproperlyConfigured) and in `manage.py check`
(offenders.checks), rather than answering "no" and quietly refusing every officer.
tests/offenders/test_access_facts.py pins the providers."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields

from django.core.exceptions import ImproperlyConfigured

from offenders.models import Offender
from staff.models import StaffMember

# The offices managing the offender's current sentences (one query).
ManagingOfficeIds = Callable[[Offender], Iterable[int]]
# Whether the member of staff is on the offender's case now (one query).
IsAllocated = Callable[[StaffMember, Offender], bool]


@dataclass
class AccessFacts:
    managing_office_ids: ManagingOfficeIds | None = None
    is_allocated: IsAllocated | None = None


# The app that provides each fact, for the message when it is missing.
PROVIDING_APPS = {"managing_office_ids": "sentences", "is_allocated": "allocation"}
PROVIDERS = AccessFacts()


def provide_managing_office_ids(provider: ManagingOfficeIds) -> None:
    PROVIDERS.managing_office_ids = provider


def provide_is_allocated(provider: IsAllocated) -> None:
    PROVIDERS.is_allocated = provider


def missing_facts() -> list[str]:
    return [fact.name for fact in fields(AccessFacts) if getattr(PROVIDERS, fact.name) is None]


def _provider(name: str) -> Callable:
    provider = getattr(PROVIDERS, name)
    if provider is None:
        raise ImproperlyConfigured(
            f"No app provides the access fact {name!r} that offenders.access needs: the "
            f"{PROVIDING_APPS[name]} app provides it from its AppConfig.ready. Install it."
        )
    return provider


def managing_office_ids(offender: Offender) -> set[int]:
    """The offices managing the offender's current sentences."""
    return set(_provider("managing_office_ids")(offender))


def is_allocated(member: StaffMember, offender: Offender) -> bool:
    """Whether the member of staff is allocated to the offender's case now."""
    return _provider("is_allocated")(member, offender)

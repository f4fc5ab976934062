from celery import shared_task

from classification.schedule import schedule_refresh


@shared_task
def refresh_review_schedules() -> dict[str, int]:
    """The nightly recount of every prisoner's next classification review (issue 5, Scheduling)."""
    return schedule_refresh()


# The instrument dry run (classification/tasks_instrument.py), imported so the worker registers it.
from classification import tasks_instrument  # noqa: E402, F401

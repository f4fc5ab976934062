from celery import shared_task

from reconciliation.detection import exceptions_scan


@shared_task
def scan_for_exceptions() -> dict[str, int]:
    """The nightly checks of sentence data (see reconciliation.detection.RULES)."""
    result = exceptions_scan()
    return {"raised": result.raised, "no_longer_detected": result.no_longer_detected}

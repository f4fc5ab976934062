from celery import shared_task

from allocation.requests import allocate_requests_for_upcoming_releases


@shared_task
def create_pre_release_requests() -> int:
    """Pre-allocation requests for prisoners whose parole hearing or release is near (seed 002)."""
    return allocate_requests_for_upcoming_releases()

from django.conf import settings


def idle_warning(request) -> dict:
    """Values for the idle warning in base.html."""
    return {
        "idle_seconds": settings.IOMS_IDLE_MINUTES * 60,
        "idle_warning_seconds": settings.IOMS_IDLE_WARNING_SECONDS,
    }

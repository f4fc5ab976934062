"""`manage.py check`: every access fact offenders.access needs has a provider (offenders.access_facts),
so a deployment without one fails at start rather than refusing officers their records."""

from django.core.checks import Error, register

from offenders.access_facts import PROVIDING_APPS, missing_facts


@register()
def check_access_facts(app_configs=None, **kwargs):
    return [
        Error(
            f"No app provides the access fact {name!r} that offenders.access needs.",
            hint=f"Install the {PROVIDING_APPS[name]} app: it provides the fact from its AppConfig.ready.",
            id="offenders.E001",
        )
        for name in missing_facts()
    ]

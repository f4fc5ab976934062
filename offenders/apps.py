from django.apps import AppConfig


class OffendersConfig(AppConfig):
    name = "offenders"

    def ready(self):
        from offenders import checks  # noqa: F401 (registers the check that every access fact is provided)

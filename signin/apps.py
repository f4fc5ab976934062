from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "signin"
    verbose_name = "Sign-in"

    def ready(self) -> None:
        # Imported here, once the apps are loaded: they connect receivers and register a check.
        from signin import checks, signals  # noqa: F401

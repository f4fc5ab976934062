from django.apps import AppConfig


class MusterConfig(AppConfig):
    name = "muster"
    verbose_name = "Muster list"

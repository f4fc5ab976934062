from django.apps import AppConfig


class DatashareConfig(AppConfig):
    name = "datashare"
    verbose_name = "Data share (read-only partner access)"

from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Offender record pages"

    def ready(self):
        from ioms.read_models import register_record_sections
        from records.sections import RECORD_SECTIONS

        # The frame of the record (its tabs, what the viewer may do) is drawn by offenders.views
        # for the pages of every app; this is where it learns each app's part.
        register_record_sections(RECORD_SECTIONS)

from django.apps import AppConfig


class ClassificationConfig(AppConfig):
    name = "classification"

    def ready(self):
        # A report (documents, a layer below) includes the classification history as a section.
        from classification.selectors import classification_report_section
        from documents.assembly import report_section_register

        report_section_register("classification", classification_report_section)

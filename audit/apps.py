from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "audit"

    def ready(self):
        from audit import checks  # noqa: F401 (registers the database role check)
        from audit.db_roles import grant_after_migrate

        # For this app only: the handler runs once per migrate (post_migrate is sent per app).
        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="audit.grant_app_role")

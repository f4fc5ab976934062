from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "allocation"

    def ready(self):
        # offenders.access (a layer below) lets the officers allocated to a case maintain the record
        # (seed 000); allocation provides that fact (offenders.access_facts).
        from allocation.access import is_allocated
        from offenders.access_facts import provide_is_allocated

        provide_is_allocated(is_allocated)

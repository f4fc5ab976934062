from django.contrib import admin

from ioms.admin_site import ReferenceDataAdmin
from sentences.models import Offence


@admin.register(Offence)
class OffenceAdmin(ReferenceDataAdmin):
    """The offence catalogue is reference data; sentences are maintained through the portal."""

    list_display = ("code", "description", "act", "seriousness", "active")
    list_filter = ("act", "active")
    search_fields = ("code", "description", "act")

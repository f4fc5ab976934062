from django.contrib import admin

from documents.models import DocumentTemplate
from ioms.admin_site import ReferenceDataAdmin


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(ReferenceDataAdmin):
    list_display = ("code", "name", "audience", "report_kind", "active")
    list_filter = ("audience", "report_kind", "active")
    search_fields = ("code", "name")

from django.contrib import admin

from documents.models import DocumentTemplate


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "audience", "active")
    list_filter = ("audience", "active")
    search_fields = ("code", "name")

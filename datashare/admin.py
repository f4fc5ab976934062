"""Data shares in the admin: read-only, for system administrators to look things up. Every change
goes through the data-share pages and datashare.services (which check the field catalogue and audit)."""

from django.contrib import admin

from datashare.models import Share, ShareCredential, ShareReader


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Share)
class ShareAdmin(ReadOnlyAdmin):
    list_display = ("name", "partner", "starts_on", "ends_on")


@admin.register(ShareCredential)
class ShareCredentialAdmin(ReadOnlyAdmin):
    list_display = ("label", "share", "token_prefix", "issued_at", "expires_at", "revoked_at", "last_used_at")
    list_select_related = ("share",)
    exclude = ("token_hash",)


@admin.register(ShareReader)
class ShareReaderAdmin(ReadOnlyAdmin):
    list_display = ("user", "share", "added_at")
    list_select_related = ("user", "share")

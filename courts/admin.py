"""Court interface records in the admin: read-only, for system administrators to look things up.
Every change goes through the services and the pages (a message's status only by its transitions)."""

from django.contrib import admin

from courts.models import CorrectionRequest, CourtApiCredential, CourtMessage, MatchCandidate


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CourtApiCredential)
class CourtApiCredentialAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "token_prefix",
        "active",
        "expires_at",
        "rotated_at",
        "previous_token_prefix",
        "previous_valid_until",
        "last_used_at",
    )
    exclude = ("token_hash", "previous_token_hash")


@admin.register(CourtMessage)
class CourtMessageAdmin(ReadOnlyAdmin):
    list_display = ("pk", "message_id", "message_type", "status", "received_at", "source")
    list_filter = ("status", "source")
    search_fields = ("message_id",)
    list_select_related = ("credential",)
    raw_id_fields = ("offender", "sentence", "duplicate_of", "credential")


@admin.register(MatchCandidate)
class MatchCandidateAdmin(ReadOnlyAdmin):
    list_display = ("message", "offender", "score", "decision")
    list_select_related = ("message", "offender")
    raw_id_fields = ("message", "offender", "decided_by")


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(ReadOnlyAdmin):
    list_display = ("reference", "offender", "status", "raised_at", "office")
    list_filter = ("status",)
    list_select_related = ("offender", "office")
    raw_id_fields = ("offender", "sentence", "raised_by", "corrected_by_message")

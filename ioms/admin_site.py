"""Django admin is for reference data only, and only for system administrators."""

from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.apps import AdminConfig

from staff.roles import Role, has_role


def administrators_only(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and has_role(user, Role.SYSTEM_ADMIN)


class IomsAdminConfig(AdminConfig):
    default_site = "ioms.admin_site.IomsAdminSite"


class IomsAdminSite(AdminSite):
    site_header = "IOMS reference data"
    site_title = "IOMS administration"
    index_title = "Reference data"

    def has_permission(self, request) -> bool:
        return administrators_only(request)


class ReferenceDataAdmin(ModelAdmin):
    """Reference data is administered by system administrators, whatever Django model permissions
    their account happens to hold."""

    def has_module_permission(self, request) -> bool:
        return administrators_only(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return administrators_only(request)

    def has_add_permission(self, request) -> bool:
        return administrators_only(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return administrators_only(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # reference rows are retired (active/closed), never deleted: records point at them

"""Django admin is for reference data only, and only for system administrators. It needs the roles, so
it sits just above staff and audit, not in the core (.importlinter)."""

from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator

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

    # One sign-in page for everything (issue 11): the admin's own login form would be a second,
    # unthrottled and unaudited way in, so it only sends people to the portal's.
    @method_decorator(login_not_required)
    def login(self, request, extra_context=None):
        if self.has_permission(request):
            return redirect("admin:index")
        if request.user.is_authenticated:
            raise PermissionDenied("The admin is for system administrators.")
        # The portal's login checks `next` is on this site before following it.
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        query = QueryDict(mutable=True)
        query[REDIRECT_FIELD_NAME] = next_url
        return redirect(f"{reverse('login')}?{query.urlencode(safe='/')}")

    def logout(self, request, extra_context=None):
        # 307 keeps the POST (and its CSRF token): the portal's logout audits and ends the session.
        return redirect(reverse("logout"), permanent=False, preserve_request=True)


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

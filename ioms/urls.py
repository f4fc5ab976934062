from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from courts import urls as courts_urls
from portal import urls as portal_urls
from portal import views as portal_views
from reconciliation import urls as reconciliation_urls
from sentences import urls as sentences_urls
from signin import views as signin_views
from staff import urls as staff_urls

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("accounts/login/", signin_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", signin_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("signin.urls")),
    # No self-service password reset by email: accounts are managed by the help desk (closed network).
    path(
        "accounts/password_change/",
        # Django's form views take PUT as POST: a page answers 405 to what it does not handle.
        auth_views.PasswordChangeView.as_view(http_method_names=["get", "head", "post", "options"]),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("offenders/", include("records.urls")),
    path("sentences/", include((portal_urls.sentence_pages + sentences_urls.urlpatterns, "sentences"))),
    path("casenotes/", include("casenotes.urls")),
    path("documents/", include("documents.urls")),
    path("agencies/", include("agencies.urls")),
    path("staff/", include((portal_urls.staff_pages + staff_urls.urlpatterns, "staff"))),
    path("allocation/", include("allocation.urls")),
    path("audit/", include((portal_urls.audit_pages, "audit"))),
    path("courts/", include("courts.urls")),
    # The exceptions report, with the courts' step on its page (asking them to correct their data).
    path(
        "exceptions/",
        include((reconciliation_urls.urlpatterns + courts_urls.exception_pages, "reconciliation")),
    ),
    path("muster/", include("muster.urls")),
    path("classification/", include("classification.urls")),
    path("plans/", include("plans.urls")),
    path("conditions/", include("conditions.urls")),
    path("appointments/", include("appointments.urls")),
    path("compliance/", include("compliance.urls")),
    path("data-share/", include("datashare.urls")),
    path("inbox/", include("inbox.urls")),
    path("api/v1/", include("ioms.api_urls")),
    path("admin/", admin.site.urls),
]

# The API's unrouted addresses answer JSON 404s (issue 11: the published contract).
handler404 = "ioms.api_errors.page_not_found"

"""The root URLconf with the audited login and logout in front, as ioms/urls.py should have them
(see the report to the lead). Tests of the login page use it until that line is added."""

from django.urls import path

from audit import views as audit_views
from ioms.urls import urlpatterns as root_urlpatterns

urlpatterns = [
    path("accounts/login/", audit_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", audit_views.LogoutView.as_view(), name="logout"),
    *root_urlpatterns,
]

from django.urls import path

from signin import views

app_name = "signin"

urlpatterns = [
    path("session/", views.session_status, name="session"),
    path("second-factor/", views.otp_verify, name="otp_verify"),
    path("second-factor/set-up/", views.otp_setup, name="otp_setup"),
    path("second-factor/reset/<int:user_pk>/", views.otp_reset, name="otp_reset"),
]

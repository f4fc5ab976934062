from django.urls import path

from signin import views

app_name = "signin"

urlpatterns = [
    path("session/", views.session_status, name="session"),
]

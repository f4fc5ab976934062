from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("offenders/<int:offender_pk>/", views.offender_history, name="offender_history"),
]

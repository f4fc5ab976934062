"""Served by ioms/urls.py in the `sentences` namespace, with the sentence page of portal/urls.py."""

from django.urls import path

from sentences import views

urlpatterns = [
    path("offender/<int:offender_pk>/new/", views.sentence_create_view, name="create"),
    path("<int:pk>/edit/", views.sentence_edit, name="edit"),
    path("<int:pk>/complete/", views.sentence_complete_view, name="complete"),
    path("<int:pk>/events/new/", views.sentence_event, name="event"),
    path("events/<int:pk>/decide/", views.sentence_event_decide, name="event_decide"),
    path("offender/<int:offender_pk>/charges/", views.charge_create_view, name="charge_create"),
    path("charges/<int:pk>/dispose/", views.charge_dispose_view, name="charge_dispose"),
    path("offender/<int:offender_pk>/custody/release/", views.custody_release_view, name="custody_release"),
    path("offender/<int:offender_pk>/custody/reception/", views.custody_receive_view, name="custody_receive"),
]

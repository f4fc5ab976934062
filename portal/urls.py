"""The portal's pages that people know by another app's name (staff:detail, sentences:detail,
audit:offender_history): ioms/urls.py serves each list in that namespace, beside the app's own."""

from django.urls import path

from portal import views

staff_pages = [
    path("", views.staff_list, name="list"),
    path("<int:pk>/", views.staff_detail, name="detail"),
]
sentence_pages = [
    path("<int:pk>/", views.sentence_detail, name="detail"),
]
audit_pages = [
    path("offenders/<int:offender_pk>/", views.offender_history, name="offender_history"),
]

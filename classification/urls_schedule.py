"""URL patterns of the classification pages (schedule); included by classification/urls.py."""

from django.urls import path

from classification import views_schedule

urlpatterns = [
    path("due/", views_schedule.due, name="due"),
    path("due/export.csv", views_schedule.due_export, name="due_export"),
]

"""Served by ioms/urls.py in the `staff` namespace, with the directory pages of portal/urls.py."""

from django.urls import path

from staff import views

urlpatterns = [
    path("<int:pk>/relocate/", views.staff_relocate_view, name="relocate"),
]

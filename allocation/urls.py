from django.urls import path

from allocation import views

app_name = "allocation"
urlpatterns = [
    path("offender/<int:offender_pk>/allocate/", views.allocate, name="allocate"),
    path("<int:pk>/end/", views.allocation_end, name="end"),
]

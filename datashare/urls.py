"""The data-share pages of system administrators, at /data-share/. Partner staff need no URL of their
own: the offender search and record pages show them the shared record (datashare/views.py)."""

from django.urls import path

from datashare import views

app_name = "datashare"
urlpatterns = [
    path("", views.share_list, name="shares"),
    path("new/", views.share_create, name="share_create"),
    path("<int:pk>/", views.share_detail, name="share_detail"),
    path("<int:pk>/end/", views.share_end, name="share_end"),
    path("<int:pk>/credentials/new/", views.credential_issue, name="credential_issue"),
    path("credentials/<int:pk>/revoke/", views.credential_revoke, name="credential_revoke"),
    path("<int:pk>/readers/new/", views.reader_add, name="reader_add"),
    path("readers/<int:pk>/remove/", views.reader_remove, name="reader_remove"),
]

"""The offenders app's own pages: creating a record, the forms that change it, and need-to-know.
records.urls serves them under the offenders namespace at /offenders/, together with the search,
the front page and the tabs of the record (records.views)."""

from django.urls import path

from offenders import views, views_restricted

urlpatterns = [
    path("new/", views.create, name="create"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/aliases/new/", views.alias_add, name="alias_add"),
    path("<int:pk>/addresses/new/", views.address_add, name="address_add"),
    path("<int:pk>/identifiers/new/", views.identifier_add, name="identifier_add"),
    path("<int:pk>/flags/new/", views.flag_raise, name="flag_raise"),
    path("<int:pk>/flags/<int:flag_pk>/end/", views.flag_end, name="flag_end"),
    # Need-to-know (issue 11)
    path("<int:pk>/restrict/", views_restricted.restrict, name="restrict"),
    path("<int:pk>/restriction/lift/", views_restricted.restriction_lift, name="restriction_lift"),
    path("<int:pk>/access-list/", views_restricted.access_list, name="access_list"),
    path(
        "<int:pk>/access-list/<int:access_pk>/remove/", views_restricted.access_revoke, name="access_revoke"
    ),
    path("<int:pk>/break-glass/", views_restricted.break_glass, name="break_glass"),
    path("break-glass/", views_restricted.break_glass_report, name="break_glass_report"),
    path("break-glass/export.csv", views_restricted.break_glass_report_csv, name="break_glass_report_csv"),
]

from django.urls import path

from agencies import views

app_name = "agencies"
urlpatterns = [
    path("", views.agency_list, name="list"),
    path("new/", views.agency_create, name="create"),
    path("<int:pk>/", views.agency_detail, name="detail"),
    path("<int:pk>/edit/", views.agency_edit, name="edit"),
    path("<int:pk>/discontinue/", views.agency_discontinue_view, name="discontinue"),
    path("<int:pk>/programmes.csv", views.programmes_export, name="programmes_export"),
    path("<int:agency_pk>/programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:pk>/discontinue/", views.programme_discontinue_view, name="programme_discontinue"),
    path(
        "programmes/<int:pk>/referrals.csv",
        views.programme_referrals_export,
        name="programme_referrals_export",
    ),
    path("offender/<int:offender_pk>/refer/", views.refer, name="refer"),
    path("referrals/<int:pk>/status/", views.referral_status, name="referral_status"),
    path("referrals/<int:pk>/attendance/", views.attendance, name="attendance"),
]

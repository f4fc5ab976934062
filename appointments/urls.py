from django.urls import path

from appointments import views

app_name = "appointments"
urlpatterns = [
    path("diary/", views.my_diary, name="mine"),
    path("diary/<int:staff_pk>/", views.officer_diary, name="diary"),
    path("office/<int:office_pk>/", views.office_calendar_page, name="office"),
    path("offender/<int:offender_pk>/", views.offender_schedule_page, name="offender"),
    path("offender/<int:offender_pk>/new/", views.appointment_create, name="create"),
    path("offender/<int:offender_pk>/contact-level/", views.contact_level_change, name="contact_level"),
    path("offender/<int:offender_pk>/reminders/", views.reminder_preference, name="reminders"),
    path("<int:pk>/", views.appointment_detail, name="detail"),
    path("<int:pk>/outcome/", views.appointment_outcome, name="outcome"),
    path("<int:pk>/reschedule/", views.appointment_reschedule, name="reschedule"),
    path("<int:pk>/change/", views.appointment_change, name="change"),
    path("outcomes/", views.bulk_outcomes, name="bulk_outcomes"),
    path("feed/", views.calendar_feed, name="feed"),
    path("feed/<str:token>.ics", views.ical, name="ical"),
]

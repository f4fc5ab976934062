from django.urls import path

from allocation import views

app_name = "allocation"
urlpatterns = [
    path("offender/<int:offender_pk>/allocate/", views.allocate, name="allocate"),
    path("offender/<int:offender_pk>/transfer/", views.transfer, name="transfer"),
    path("offender/<int:offender_pk>/history/", views.history, name="history"),
    path("<int:pk>/end/", views.allocation_end, name="end"),
    path("<int:pk>/replace/", views.allocation_replace, name="replace"),
    path("sentences/<int:sentence_pk>/recall/", views.sentence_recall, name="recall"),
    path("queue/", views.queue, name="queue"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("caseload/", views.caseload, name="caseload"),
    path("staff/<int:staff_pk>/reallocate/", views.reallocate, name="reallocate"),
    path("leave/", views.leave, name="leave"),
    path("notifications/", views.notifications, name="notifications"),
]

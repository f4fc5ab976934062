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
    path("requests/<int:pk>/steps/<str:step>/", views.request_step, name="request_step"),
    path("requests/<int:pk>/officer/", views.request_officer, name="request_officer"),
    path("requests/<int:pk>/allocated/", views.request_allocated, name="request_allocated"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("caseload/", views.caseload, name="caseload"),
    path("staff/<int:staff_pk>/reallocate/", views.reallocate, name="reallocate"),
    path("leave/", views.leave, name="leave"),
    path("notifications/", views.notifications, name="notifications"),
]

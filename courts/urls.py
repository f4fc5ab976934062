from django.urls import path

from courts import views

app_name = "courts"
urlpatterns = [
    path("messages/", views.message_list, name="message_list"),
    path("messages/<int:pk>/", views.message_detail, name="message_detail"),
    path("messages/<int:pk>/retry/", views.message_retry, name="message_retry"),
    path("messages/<int:pk>/reject-matches/", views.match_reject, name="match_reject"),
    path("matches/", views.match_queue_view, name="match_queue"),
    path("matches/<int:pk>/confirm/", views.match_confirm, name="match_confirm"),
    path("corrections/", views.correction_list, name="correction_list"),
    path("corrections/new/<int:offender_pk>/", views.correction_create, name="correction_create"),
    path("corrections/<int:pk>/", views.correction_detail, name="correction_detail"),
    path("corrections/<int:pk>/sent/", views.correction_send, name="correction_send"),
    path("corrections/<int:pk>/withdraw/", views.correction_withdraw, name="correction_withdraw"),
]

# On the exceptions report's page of an exception (reconciliation's addresses and names: ioms/urls.py
# puts them with reconciliation.urls), the step that is this app's: asking the courts for a correction.
exception_pages = [
    path("<int:pk>/correction/", views.exception_request_correction, name="request_correction"),
]

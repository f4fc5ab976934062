from django.urls import path

from conditions import views

app_name = "conditions"
urlpatterns = [
    path("offender/<int:offender_pk>/", views.offender_conditions, name="offender"),
    path("sentence/<int:sentence_pk>/new/", views.condition_add, name="add"),
    path("<int:pk>/", views.condition_detail, name="detail"),
    path("<int:pk>/vary/", views.condition_vary, name="vary"),
    path("<int:pk>/end/", views.condition_end, name="end"),
    path("<int:pk>/hours/", views.hours_record, name="hours"),
]

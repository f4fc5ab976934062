from django.urls import path

from plans import views

app_name = "plans"
urlpatterns = [
    path("offender/<int:offender_pk>/", views.offender_plans, name="offender"),
    path("sentence/<int:sentence_pk>/new/", views.plan_create, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/agree/", views.plan_agree, name="agree"),
    path("<int:pk>/review/", views.plan_review, name="review"),
    path("<int:pk>/close/", views.plan_close, name="close"),
    path("<int:pk>/category/", views.plan_category, name="category"),
    path("<int:pk>/objectives/new/", views.objective_add, name="objective_add"),
    path("<int:pk>/activities/new/", views.activity_add, name="activity_add"),
    path("objectives/<int:pk>/", views.objective_record, name="objective_record"),
    path("activities/<int:pk>/", views.activity_record, name="activity_record"),
]

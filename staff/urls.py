from django.urls import path

from staff import views

app_name = "staff"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("<int:pk>/", views.staff_detail, name="detail"),
    path("<int:pk>/relocate/", views.staff_relocate_view, name="relocate"),
]

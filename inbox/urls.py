from django.urls import path

from inbox import views

app_name = "inbox"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("export.csv", views.export, name="export"),
    path("team/", views.team, name="team"),
    path("staff/<int:staff_pk>/", views.person, name="person"),
]

from django.urls import path

from casenotes import views

app_name = "casenotes"
urlpatterns = [
    path("offender/<int:offender_pk>/new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/amend/", views.amend, name="amend"),
]

from django.urls import path

from muster import views

app_name = "muster"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:office_pk>/", views.office, name="office"),
    path("<int:office_pk>/print/", views.printable, name="print"),
    path("<int:office_pk>/export.csv", views.export_csv, name="export_csv"),
    path("<int:office_pk>/export.xlsx", views.export_xlsx, name="export_xlsx"),
]

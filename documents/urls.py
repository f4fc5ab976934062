from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("offender/<int:offender_pk>/new/", views.document_create_view, name="create"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/revise/", views.document_revise_view, name="revise"),
    path("<int:pk>/finalise/", views.document_finalise_view, name="finalise"),
    path("<int:pk>/pdf/", views.document_pdf_view, name="pdf"),
    path("<int:pk>/pdf/<int:version>/", views.document_pdf_view, name="pdf"),
]

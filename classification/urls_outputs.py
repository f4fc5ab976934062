"""URL patterns of the classification pages (outputs); included by classification/urls.py."""

from django.urls import path

from classification import views_outputs as views

urlpatterns = [
    path("reviews/<int:pk>/form.pdf", views.review_pdf, name="review_pdf"),
    path("reviews/<int:pk>/letter.pdf", views.review_letter, name="review_letter"),
]

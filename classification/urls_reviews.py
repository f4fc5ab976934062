"""URL patterns of a prisoner's classification and its reviews; included by classification/urls.py."""

from django.urls import path

from classification import views_reviews as views

urlpatterns = [
    path("reviews/", views.review_list, name="reviews"),
    path("prisoners/<int:offender_id>/", views.prisoner, name="prisoner"),
    path("prisoners/<int:offender_id>/start/", views.review_start, name="review_start"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/correct/", views.review_correct, name="review_correct"),
    path("reviews/<int:pk>/submit/", views.review_submit, name="review_submit"),
    path("reviews/<int:pk>/recommend/", views.review_recommend, name="review_recommend"),
    path("reviews/<int:pk>/send-back/", views.review_send_back, name="review_send_back"),
    path("reviews/<int:pk>/approve/", views.review_approve, name="review_approve"),
    path("reviews/<int:pk>/advise/", views.review_advise, name="review_advise"),
    path("reviews/<int:pk>/refer-back/", views.review_refer_back, name="review_refer_back"),
    path("reviews/<int:pk>/reconfirm/", views.review_reconfirm, name="review_reconfirm"),
    path("reviews/<int:pk>/cancel/", views.review_cancel, name="review_cancel"),
]

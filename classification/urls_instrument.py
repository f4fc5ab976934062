"""URL patterns of the classification pages (instrument); included by classification/urls.py."""

urlpatterns = []

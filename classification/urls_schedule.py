"""URL patterns of the classification pages (schedule); included by classification/urls.py."""

urlpatterns = []

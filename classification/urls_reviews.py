"""URL patterns of the classification pages (reviews); included by classification/urls.py."""

urlpatterns = []

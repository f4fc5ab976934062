"""URL patterns of the classification pages (outputs); included by classification/urls.py."""

urlpatterns = []

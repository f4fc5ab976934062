"""The portal's URLs plus one page that fails as a page does when the database is down."""

from django.db import OperationalError
from django.urls import path

from ioms import urls as portal_urls


def broken(request):
    raise OperationalError("connection to server on socket failed: No such file or directory")


urlpatterns = [path("broken/", broken), *portal_urls.urlpatterns]
handler404 = portal_urls.handler404

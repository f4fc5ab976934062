"""The offender's record at /offenders/, under the offenders namespace (every address and name as it
was when offenders served them all): the search, the front page and the tabs that gather from
other apps (records.views), and the offenders app's own pages (offenders.urls)."""

from django.urls import path

from offenders.urls import urlpatterns as offenders_pages
from records import views

app_name = "offenders"
urlpatterns = [
    path("", views.search, name="search"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/sentences/", views.sentences, name="sentences"),
    path("<int:pk>/casenotes/", views.casenotes, name="casenotes"),
    path("<int:pk>/documents/", views.documents, name="documents"),
    path("<int:pk>/staff/", views.staff, name="staff"),
    path("<int:pk>/programmes/", views.programmes, name="programmes"),
    path("<int:pk>/timeline/", views.timeline, name="timeline"),
    *offenders_pages,
]

"""/api/v1/share/: the partner systems' read-only data share (datashare/api.py). Included by
ioms/api_urls.py; nothing here accepts a user's session, and nothing else accepts a share credential."""

from django.urls import path

from datashare.api import (
    ShareAboutView,
    ShareAllocationViewSet,
    ShareEventFeedView,
    ShareOffenderViewSet,
    ShareSentenceViewSet,
)

urlpatterns = [
    path("", ShareAboutView.as_view(), name="share-about"),
    path("offenders/", ShareOffenderViewSet.as_view({"get": "list"}), name="share-offender-list"),
    path(
        "offenders/<str:prn>/",
        ShareOffenderViewSet.as_view({"get": "retrieve"}),
        name="share-offender-detail",
    ),
    path("sentences/", ShareSentenceViewSet.as_view({"get": "list"}), name="share-sentence-list"),
    path("allocations/", ShareAllocationViewSet.as_view({"get": "list"}), name="share-allocation-list"),
    path("events/", ShareEventFeedView.as_view(), name="share-event-list"),
]

"""URL patterns of the classification pages (instrument); included by classification/urls.py."""

from django.urls import path

from classification import views_instrument

urlpatterns = [
    path("instruments/", views_instrument.instrument_list, name="instruments"),
    path("instruments/draft/", views_instrument.instrument_draft, name="instrument_draft"),
    path("instruments/<int:pk>/", views_instrument.instrument_detail, name="instrument"),
    path("instruments/<int:pk>/dry-run/", views_instrument.instrument_dry_run, name="instrument_dry_run"),
    path(
        "instruments/<int:pk>/dry-run.csv",
        views_instrument.instrument_dry_run_export,
        name="instrument_dry_run_export",
    ),
    path("instruments/<int:pk>/activate/", views_instrument.instrument_activate, name="instrument_activate"),
]

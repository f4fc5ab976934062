"""Pages of the Review Security Classification. Each area keeps its own patterns module; this is
the one namespace they share."""

from classification import urls_instrument, urls_outputs, urls_reviews, urls_schedule

app_name = "classification"
urlpatterns = [
    *urls_reviews.urlpatterns,
    *urls_schedule.urlpatterns,
    *urls_outputs.urlpatterns,
    *urls_instrument.urlpatterns,
]

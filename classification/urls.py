"""Pages of the Review Security Classification (seed 003), by job; the views are in
classification/views/."""

from django.urls import path

from classification.views import due, instrument, outputs, prison_records, reviews

app_name = "classification"
urlpatterns = [
    # A prisoner's classification, a review and its steps, the reviews in progress.
    path("reviews/", reviews.review_list, name="reviews"),
    path("prisoners/<int:offender_id>/", reviews.prisoner, name="prisoner"),
    path("prisoners/<int:offender_id>/start/", reviews.review_start, name="review_start"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review"),
    path("reviews/<int:pk>/correct/", reviews.review_correct, name="review_correct"),
    path("reviews/<int:pk>/answers/<str:item>/", reviews.review_correct_item, name="review_correct_item"),
    path("reviews/<int:pk>/check/", reviews.review_check, name="review_check"),
    path("reviews/<int:pk>/confirmation/", reviews.review_confirmation, name="review_confirmation"),
    path("reviews/<int:pk>/submit/", reviews.review_submit, name="review_submit"),
    path("reviews/<int:pk>/recommend/", reviews.review_recommend, name="review_recommend"),
    path("reviews/<int:pk>/send-back/", reviews.review_send_back, name="review_send_back"),
    path("reviews/<int:pk>/approve/", reviews.review_approve, name="review_approve"),
    path("reviews/<int:pk>/advise/", reviews.review_advise, name="review_advise"),
    path("reviews/<int:pk>/refer-back/", reviews.review_refer_back, name="review_refer_back"),
    path("reviews/<int:pk>/reconfirm/", reviews.review_reconfirm, name="review_reconfirm"),
    path("reviews/<int:pk>/cancel/", reviews.review_cancel, name="review_cancel"),
    # The prison records the review reads, recorded and corrected by staff of the prisoner's prison
    # (classification/views/prison_records.py), and the initial classification at reception.
    path("prisoners/<int:offender_id>/records/", prison_records.prison_records, name="prison_records"),
    path(
        "prisoners/<int:offender_id>/records/<slug:kind>/new/",
        prison_records.prison_record_new,
        name="prison_record_new",
    ),
    path(
        "prisoners/<int:offender_id>/records/<slug:kind>/<int:pk>/correct/",
        prison_records.prison_record_correct,
        name="prison_record_correct",
    ),
    path(
        "prisoners/<int:offender_id>/records/<slug:kind>/<int:pk>/end/",
        prison_records.prison_record_end,
        name="prison_record_end",
    ),
    path(
        "prisoners/<int:offender_id>/initial-classification/",
        prison_records.initial_classification,
        name="initial_classification",
    ),
    # The reviews due at a prison.
    path("due/", due.due, name="due"),
    path("due/export.csv", due.due_export, name="due_export"),
    # A review's PDF form and letter.
    path("reviews/<int:pk>/form.pdf", outputs.review_pdf, name="review_pdf"),
    path("reviews/<int:pk>/letter.pdf", outputs.review_letter, name="review_letter"),
    # The scoring instrument's versions (system administrators).
    path("instruments/", instrument.instrument_list, name="instruments"),
    path("instruments/draft/", instrument.instrument_draft, name="instrument_draft"),
    path("instruments/<int:pk>/", instrument.instrument_detail, name="instrument"),
    path("instruments/<int:pk>/dry-run/", instrument.instrument_dry_run, name="instrument_dry_run"),
    path(
        "instruments/<int:pk>/dry-run.csv",
        instrument.instrument_dry_run_export,
        name="instrument_dry_run_export",
    ),
    path("instruments/<int:pk>/activate/", instrument.instrument_activate, name="instrument_activate"),
]

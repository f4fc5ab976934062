from django.urls import path

from documents import views, views_reports

app_name = "documents"
urlpatterns = [
    path("offender/<int:offender_pk>/new/", views.document_create_view, name="create"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/revise/", views.document_revise_view, name="revise"),
    path("<int:pk>/finalise/", views.document_finalise_view, name="finalise"),
    path("<int:pk>/pdf/", views.document_pdf_view, name="pdf"),
    path("<int:pk>/pdf/<int:version>/", views.document_pdf_view, name="pdf"),
    # Reports for courts and the Parole Board (tests/documents/test_report_pages.py: REPORT_PAGES).
    path("offender/<int:offender_pk>/reports/", views_reports.report_list, name="reports"),
    path(
        "offender/<int:offender_pk>/reports/new/", views_reports.report_assemble_view, name="report_assemble"
    ),
    path("reports/<int:pk>/", views_reports.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views_reports.report_edit, name="report_edit"),
    path("reports/<int:pk>/submit/", views_reports.report_submit_view, name="report_submit"),
    path("reports/<int:pk>/decide/", views_reports.report_decide, name="report_decide"),
    path("reports/<int:pk>/issue/", views_reports.report_issue_view, name="report_issue"),
    path("reports/<int:pk>/cancel/", views_reports.report_cancel_view, name="report_cancel"),
    path("reports/<int:pk>/addendum/", views_reports.report_addendum_view, name="report_addendum"),
    path("reports/<int:pk>/pdf/", views_reports.report_pdf_view, name="report_pdf"),
    path("reports/<int:pk>/pdf/<int:version>/", views_reports.report_pdf_view, name="report_pdf"),
    path("reports/issues/<int:pk>/pdf/", views_reports.report_issued_pdf, name="report_issued_pdf"),
]

"""/api/v1/: the REST API, its OpenAPI schema and the interactive docs (served from
drf-spectacular-sidecar, so the page loads nothing from other hosts)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from agencies.api import AgencyViewSet, ProgrammeViewSet, ReferralViewSet
from allocation.api import AllocationViewSet
from appointments.api import AppointmentViewSet
from audit.api import AuditEventViewSet
from casenotes.api import CasenoteViewSet
from classification.api import ActiveInstrumentView, InstrumentViewSet, ReviewViewSet
from classification.api_records import PrisonRecordViewSet
from compliance.api import EnforcementActionViewSet
from conditions.api import ConditionViewSet
from courts.api import CourtMessageEndpoint
from documents.api import DocumentViewSet
from offenders.api import OffenderViewSet
from plans.api import SentencePlanViewSet
from sentences.api import ChargeViewSet, CustodyViewSet, OffenceViewSet, SentenceViewSet
from staff.api import OfficeViewSet, StaffMemberViewSet, TeamViewSet


def _declare_language(response):
    """The vendored page has a bare <html>; screen readers need the page's language."""
    response.content = response.content.replace(
        b"<html>", f'<html lang="{settings.LANGUAGE_CODE}">'.encode(), 1
    )


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI without its call to the public validator service (validator.swagger.io). The split
    view serves the page's start-up script from its own URL (`?script`), so the page runs under the
    portal's Content-Security-Policy with no inline script; templates/drf_spectacular/swagger_ui.html
    replaces the vendored page's inline <style> with a static file."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if "settings" in response.data:  # the start-up script
            ui_settings = spectacular_settings.SWAGGER_UI_SETTINGS
            if isinstance(ui_settings, dict):
                response.data["settings"] = self._dump({**ui_settings, "validatorUrl": None})
        else:
            response.add_post_render_callback(_declare_language)
        return response


router = DefaultRouter()
router.register("offenders", OffenderViewSet, basename="offender")
router.register("offences", OffenceViewSet, basename="offence")
router.register("charges", ChargeViewSet, basename="charge")
router.register("sentences", SentenceViewSet, basename="sentence")
router.register("custody", CustodyViewSet, basename="custody")
router.register("casenotes", CasenoteViewSet, basename="casenote")
router.register("documents", DocumentViewSet, basename="document")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("staff", StaffMemberViewSet, basename="staff")
router.register("offices", OfficeViewSet, basename="office")
router.register("teams", TeamViewSet, basename="team")
router.register("allocations", AllocationViewSet, basename="allocation")
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("classification/instruments", InstrumentViewSet, basename="classification-instrument")
router.register("classification/reviews", ReviewViewSet, basename="classification-review")
router.register("classification/prisoners", PrisonRecordViewSet, basename="classification-prisoner")
router.register("sentence-plans", SentencePlanViewSet, basename="sentence-plan")
router.register("conditions", ConditionViewSet, basename="condition")
router.register("appointments", AppointmentViewSet, basename="appointment")
router.register("enforcement", EnforcementActionViewSet, basename="enforcement-action")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # A browser without a session is sent to the login page rather than shown a bare 403.
    path("docs/", login_required(SwaggerView.as_view(url_name="api-schema")), name="api-docs"),
    # Partner systems read the data share here with their own credential; nothing else can, and
    # the credential reaches nothing else (datashare/api.py).
    path("share/", include("datashare.api_urls")),
    # The courts' CMS posts here with its own credential; nothing else can (courts/api.py).
    path("court-messages/", CourtMessageEndpoint.as_view(), name="court-message-create"),
    # The active scoring instrument, read-only (classification/api.py).
    path(
        "classification/instrument/",
        ActiveInstrumentView.as_view({"get": "retrieve"}),
        name="classification-instrument-active",
    ),
    *router.urls,
]

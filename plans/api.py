"""Sentence plans over the API, read-only (issue 6): /api/v1/sentence-plans/ and /<id>/, each plan
with its objectives, its activities and interventions (status, dates, programme and agency) and
its category history.

Who may read them is plans.access.can_view_plans, applied to the whole list in the database
(`plans_visible_to`): whoever may see the offender's record, never the read-only data share. A
list is audited as a search with a view filed under each offender listed; a plan read is a view.

Plans change only through the plan pages (plans.services): every write method answers 405."""

import django_filters
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import permissions, serializers

from classification.models import SentencePlanActivity, SentencePlanCategoryChange
from ioms.api_common import ListRetrieveViewSet
from offenders.access import VIEWING_ROLES
from offenders.models import visible_offenders_q
from plans.access import access_plan_by_id
from plans.models import Objective, PlanStatus, SentencePlan
from plans.selectors import plan_activities
from staff.access import is_read_only_user
from staff.roles import has_role


def may_read_plans(user) -> bool:
    """can_view_plans without an offender: it depends on the user's roles alone."""
    return has_role(user, *VIEWING_ROLES) and not is_read_only_user(user)


class MayReadPlans(permissions.BasePermission):
    message = "You may not read sentence plans."

    def has_permission(self, request, view) -> bool:
        return may_read_plans(request.user)


def plans_visible_to(user) -> QuerySet[SentencePlan]:
    """plans.access.can_view_plans as a filter: every plan for those who may see offenders'
    records, none for anyone else (the data share, a user with no role)."""
    if not may_read_plans(user):
        return SentencePlan.objects.none()
    return SentencePlan.objects.all()


# --- serializers ------------------------------------------------------------------------------


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


class CategoryChangeSerializer(serializers.ModelSerializer):
    changed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = SentencePlanCategoryChange
        fields = ["id", "changed_on", "category", "reason", "changed_by", "changed_by_name"]
        read_only_fields = fields

    def get_changed_by_name(self, change: SentencePlanCategoryChange) -> str:
        return _name(change.changed_by)


class ObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objective
        fields = ["id", "text", "need_area", "target_on", "status", "status_changed_on", "status_note"]
        read_only_fields = fields


class ActivitySerializer(serializers.ModelSerializer):
    programme_name = serializers.CharField(source="programme.name", read_only=True, default="")
    agency = serializers.IntegerField(
        source="programme.agency_id", read_only=True, allow_null=True, default=None
    )
    agency_name = serializers.CharField(source="programme.agency.name", read_only=True, default="")
    referral_status = serializers.CharField(source="referral.status", read_only=True, default="")
    sessions = serializers.IntegerField(read_only=True, help_text="Sessions recorded on the referral.")
    attended_sessions = serializers.IntegerField(read_only=True)
    excused_sessions = serializers.IntegerField(read_only=True)

    class Meta:
        model = SentencePlanActivity
        fields = [
            "id",
            "description",
            "objective",
            "programme",
            "programme_name",
            "agency",
            "agency_name",
            "referral",
            "referral_status",
            "scheduled_on",
            "planned_end_on",
            "status",
            "attended_on",
            "completed_on",
            "status_changed_on",
            "unavailable_reason",
            "not_completed_reason",
            "sessions",
            "attended_sessions",
            "excused_sessions",
        ]
        read_only_fields = fields


class SentencePlanSerializer(serializers.ModelSerializer):
    offender_prn = serializers.CharField(source="offender.prn", read_only=True)
    offender_name = serializers.CharField(source="offender.full_name", read_only=True)
    sentence_type = serializers.CharField(source="sentence.sentence_type", read_only=True)
    managing_office_name = serializers.CharField(
        source="sentence.managing_office.name", read_only=True, default=""
    )
    written_by_name = serializers.SerializerMethodField()
    agreed_by_name = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField(help_text="The latest entry of the category history.")
    category_history = CategoryChangeSerializer(source="category_changes", many=True, read_only=True)
    objectives = ObjectiveSerializer(many=True, read_only=True)
    activities = ActivitySerializer(many=True, read_only=True)

    class Meta:
        model = SentencePlan
        fields = [
            "id",
            "offender",
            "offender_prn",
            "offender_name",
            "sentence",
            "sentence_type",
            "managing_office_name",
            "status",
            "category",
            "written_by",
            "written_by_name",
            "written_on",
            "agreed_by",
            "agreed_by_name",
            "agreed_on",
            "review_on",
            "reviewed_on",
            "closed_on",
            "closed_reason",
            "updated_at",
            "objectives",
            "activities",
            "category_history",
        ]
        read_only_fields = fields

    def get_written_by_name(self, plan: SentencePlan) -> str:
        return _name(plan.written_by)

    def get_agreed_by_name(self, plan: SentencePlan) -> str:
        return _name(plan.agreed_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_category(self, plan: SentencePlan) -> str | None:
        changes = list(plan.category_changes.all())
        return changes[-1].category if changes else None


# --- the viewset ------------------------------------------------------------------------------


class SentencePlanFilter(django_filters.FilterSet):
    offender = django_filters.NumberFilter(field_name="offender_id")
    sentence = django_filters.NumberFilter(field_name="sentence_id")
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices)

    class Meta:
        model = SentencePlan
        fields = ["offender", "sentence", "status"]


PLAN_PREFETCHES = (
    Prefetch("objectives", queryset=Objective.objects.order_by("target_on", "id")),
    Prefetch("activities", queryset=plan_activities()),
    Prefetch(
        "category_changes",
        queryset=SentencePlanCategoryChange.objects.select_related("changed_by").order_by("changed_on", "id"),
    ),
)


@extend_schema_view(
    list=extend_schema(summary="Sentence plans you may read (filterable; audited as a search)"),
    retrieve=extend_schema(summary="A sentence plan with its objectives, activities and category history"),
)
class SentencePlanViewSet(ListRetrieveViewSet):
    """Sentence plans (issue 6), read-only: every write method answers 405."""

    http_method_names = ["get", "head", "options"]
    permission_classes = [permissions.IsAuthenticated, MayReadPlans]
    serializer_class = SentencePlanSerializer
    filterset_class = SentencePlanFilter
    ordering_fields = ["written_on", "updated_at", "review_on"]
    lookup_value_regex = r"\d+"
    audit_scope = "sentence plans"

    def get_queryset(self):
        if self.schema_only:
            return SentencePlan.objects.none()
        return (
            plans_visible_to(self.request.user)
            .filter(visible_offenders_q(self.request.user, "offender"))
            .select_related("offender", "sentence__managing_office", "written_by", "agreed_by")
            .prefetch_related(*PLAN_PREFETCHES)
            .order_by("-written_on", "-id")
        )

    def get_object(self) -> SentencePlan:
        plan = access_plan_by_id(self.request.user, self.kwargs["pk"])
        prefetch_related_objects([plan], *PLAN_PREFETCHES)
        return plan

    def audit_read(self, obj, what: str = "") -> None:
        super().audit_read(obj, what or f"sentence plan {obj.pk} of PRN {obj.offender.prn}")

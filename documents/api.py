"""Defined-format documents over the API: create from a template, read the versions, save a new
version, finalise, and download a version as PDF. Not for the data share."""

import django_filters
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from audit.models import AuditAction
from audit.services import audit_record
from documents.access import (
    access_document_by_id,
    can_list_documents,
    can_write_documents,
    readable_documents,
)
from documents.models import Document, DocumentStatus, DocumentTemplate, DocumentVersion
from documents.services import document_create, document_finalise, document_pdf, document_revise
from ioms.api_common import ListRetrieveViewSet, PDFRenderer, ServiceCreateMixin, refuse
from offenders.access import access_offender_by_id
from sentences.models import Sentence


class DocumentVersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentVersion
        fields = ["number", "author_note", "created_by", "created_at"]
        read_only_fields = fields


class DocumentVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentVersion
        fields = ["number", "body_html", "author_note", "created_by", "created_at"]
        read_only_fields = fields


DOCUMENT_FIELDS = [
    "id",
    "offender",
    "sentence",
    "template",
    "template_name",
    "title",
    "status",
    "created_by",
    "created_at",
    "updated_at",
]


class DocumentSerializer(serializers.ModelSerializer):
    template_name = serializers.CharField(source="template.name", read_only=True)
    latest_version = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Document
        fields = [*DOCUMENT_FIELDS, "latest_version"]
        read_only_fields = fields


class DocumentDetailSerializer(serializers.ModelSerializer):
    template_name = serializers.CharField(source="template.name", read_only=True)
    versions = DocumentVersionSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Document
        fields = [*DOCUMENT_FIELDS, "versions"]
        read_only_fields = fields


class DocumentCreateSerializer(serializers.ModelSerializer):
    template = serializers.PrimaryKeyRelatedField(
        queryset=DocumentTemplate.objects.filter(active=True, report_kind="")
    )
    sentence = serializers.PrimaryKeyRelatedField(
        queryset=Sentence.objects.all(), required=False, allow_null=True
    )
    title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Defaults to the template's name."
    )

    class Meta:
        model = Document
        fields = ["offender", "template", "title", "sentence"]


class DocumentReviseSerializer(serializers.Serializer):
    body_html = serializers.CharField(help_text="The whole document as HTML.")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class DocumentFilter(django_filters.FilterSet):
    offender = django_filters.NumberFilter(field_name="offender_id")
    sentence = django_filters.NumberFilter(field_name="sentence_id")
    template = django_filters.NumberFilter(field_name="template_id")
    status = django_filters.ChoiceFilter(choices=DocumentStatus.choices)

    class Meta:
        model = Document
        fields = ["offender", "sentence", "template", "status"]


@extend_schema_view(
    list=extend_schema(summary="List documents (audited as a search; not for the data share)"),
    retrieve=extend_schema(summary="A document and its versions (audited as a view)"),
    create=extend_schema(
        summary="Create a document from a template and the record's data",
        request=DocumentCreateSerializer,
        responses={201: DocumentDetailSerializer},
    ),
)
class DocumentViewSet(ServiceCreateMixin, ListRetrieveViewSet):
    """Defined-format documents built from a template and the record's data, kept as numbered
    versions. The data share reads no documents. Reads and downloads are audited."""

    serializer_class = DocumentSerializer
    serializer_classes = {"retrieve": DocumentDetailSerializer, "create": DocumentCreateSerializer}
    output_serializer_class = DocumentDetailSerializer
    filterset_class = DocumentFilter
    ordering_fields = ["updated_at", "created_at", "title"]
    audit_scope = "documents"

    def get_queryset(self):
        # The latest version number of each document on the page, looked up per row: an aggregate
        # over a join would group every document before the page could be cut.
        latest = (
            DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number").values("number")[:1]
        )
        queryset = (
            Document.objects.select_related("template")
            .annotate(latest_version=Subquery(latest))
            .order_by("-updated_at", "-id")
        )
        if self.schema_only:
            return queryset.none()
        return readable_documents(self.request.user, queryset)

    def list(self, request: Request, *args, **kwargs) -> Response:
        if not can_list_documents(request.user):
            refuse("You may not read documents.")
        return super().list(request, *args, **kwargs)

    def get_object(self) -> Document:
        for_edit = self.action in {"finalise"} or (
            self.action == "versions" and self.request.method == "POST"
        )
        return access_document_by_id(self.request.user, self.kwargs["pk"], for_edit=for_edit)

    def perform_create(self, serializer) -> Document:
        data = dict(serializer.validated_data)
        offender = access_offender_by_id(self.request.user, data.pop("offender").pk)
        if not can_write_documents(self.request.user, offender):
            refuse("You may not create documents on this offender's record.")
        return document_create(actor=self.request.user, offender=offender, **data)

    @extend_schema(
        methods=["GET"],
        summary="The document's versions, newest first",
        responses=DocumentVersionSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Save an edit as the next version (drafts only)",
        request=DocumentReviseSerializer,
        responses={201: DocumentVersionSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def versions(self, request: Request, pk=None) -> Response:
        document = self.get_object()
        if request.method == "POST":
            version = document_revise(
                actor=request.user, document=document, **self.validated(DocumentReviseSerializer)
            )
            return self.created(version, DocumentVersionSerializer)
        self.audit_read(document, f"versions of {document}")
        return self.paginated(document.versions.all(), DocumentVersionSerializer)

    @extend_schema(summary="Make the document final", request=None, responses=DocumentDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def finalise(self, request: Request, pk=None) -> Response:
        document = document_finalise(actor=request.user, document=self.get_object())
        return self.ok(access_document_by_id(request.user, document.pk), DocumentDetailSerializer)

    @extend_schema(
        summary="Download a version as PDF (the latest unless ?version=N); audited as an export",
        parameters=[OpenApiParameter("version", int, description="Version number; defaults to the latest.")],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF file."),
        },
    )
    @action(detail=True, methods=["get"], filter_backends=[], renderer_classes=[JSONRenderer, PDFRenderer])
    def pdf(self, request: Request, pk=None) -> HttpResponse:
        document = self.get_object()
        number = request.query_params.get("version", "")
        versions = document.versions.select_related("document")
        if number:
            if not number.isdigit():
                raise serializers.ValidationError({"version": "A version number is a whole number."})
            versions = versions.filter(number=int(number))
        version = versions.order_by("-number").first()
        if version is None:
            raise Http404("No such version of this document.")
        content = document_pdf(version=version)
        audit_record(
            actor=request.user,
            action=AuditAction.EXPORT,
            obj=document,
            summary=f"Downloaded version {version.number} of {document} as PDF (API)",
        )
        response = HttpResponse(content, content_type="application/pdf")
        filename = f"document-{document.pk}-v{version.number}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

"""What every API viewset shares: who may write, the audit of reads, and the one way a write happens
(validate the shape with a serializer, then call the app's service). It needs the roles and the audit
service, so it sits just above staff and audit, not in the core (.importlinter)."""

import json
from collections.abc import Iterable
from typing import NoReturn

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Model, QuerySet
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_description_list
from rest_framework import fields, mixins, permissions, renderers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from audit.models import AuditAction
from audit.services import audit_listed, audit_record, audit_search, audit_view
from staff.access import is_read_only_user
from staff.roles import Role, has_role

# Records are never deleted and never replaced wholesale over the API: PATCH calls the service that
# changes named fields, so PUT and DELETE answer 405.
HTTP_METHODS = ["get", "post", "patch", "head", "options"]
# Query parameters that page or sort a list rather than say what is searched for.
# "page" too: an older client's page number is paging, not a search term to audit.
PAGING_PARAMETERS = frozenset({"cursor", "page", "page_size", "ordering", "format"})


class ReadOnlyForDataShare(permissions.BasePermission):
    """The data share reads core case information and changes nothing (seed 004)."""

    message = "This account is read-only: it may not change records."

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return not is_read_only_user(request.user)


class IsSystemAdmin(permissions.BasePermission):
    message = "Only system administrators may read the audit trail."

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, Role.SYSTEM_ADMIN)


class PDFRenderer(renderers.BaseRenderer):
    """Lets a client ask for `Accept: application/pdf` (or ?format=pdf); an error is answered as
    JSON, labelled so (IomsViewSet.finalize_response)."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()


def refuse(message: str) -> NoReturn:
    """403 with a message saying what the user may not do."""
    raise PermissionDenied(message)


class IomsViewSet(viewsets.GenericViewSet):
    """Base of every viewset: the data share is read-only, PUT/DELETE are refused, and each action
    may have its own serializer (`serializer_classes`), falling back to `serializer_class`.

    Subclasses obtain objects through their app's access module in `get_object`, never through the
    queryset alone."""

    permission_classes = [permissions.IsAuthenticated, ReadOnlyForDataShare]
    http_method_names = HTTP_METHODS
    serializer_classes: dict[str, type[BaseSerializer]] = {}
    # Set on viewsets of offender-related records: reads are audited under this scope.
    audit_scope: str = ""

    def finalize_response(self, request, response, *args, **kwargs):
        # An error is JSON whatever the client asked for (a PDF download refused or not found is
        # {"detail": ...}, labelled application/json as the schema documents).
        if getattr(response, "status_code", 200) >= 400 and isinstance(
            getattr(request, "accepted_renderer", None), PDFRenderer
        ):
            request.accepted_renderer, request.accepted_media_type = (
                renderers.JSONRenderer(),
                "application/json",
            )
        return super().finalize_response(request, response, *args, **kwargs)

    @property
    def schema_only(self) -> bool:
        """drf-spectacular builds the schema with a fake request: no user, no access rules."""
        return getattr(self, "swagger_fake_view", False)

    def get_serializer_class(self):
        return self.serializer_classes.get(self.action, self.serializer_class)

    # --- audit ---------------------------------------------------------------------------------

    def search_terms(self) -> dict[str, str]:
        return {
            key: ",".join(self.request.query_params.getlist(key))
            for key in sorted(self.request.query_params)
            if key not in PAGING_PARAMETERS
        }

    def audit_list(self, terms: dict[str, str] | None = None) -> None:
        """Every list of offender-related records is recorded as a search with its parameters.
        A list narrowed to one offender is also filed under that offender's audit history."""
        if not self.audit_scope:
            return
        terms = self.search_terms() if terms is None else terms
        offender_id = terms.get("offender", "")
        filters = getattr(getattr(self, "filterset_class", None), "base_filters", {})
        # Only a real offender filter files the search under an offender (and only a sane integer).
        if offender_id.isdigit() and len(offender_id) <= 18 and "offender" in filters:
            query = "&".join(f"{key}={value}" for key, value in sorted(terms.items()) if value)
            audit_record(
                actor=self.request.user,
                action=AuditAction.SEARCH,
                offender_id=int(offender_id),
                summary=f"Searched {self.audit_scope} (API)",
                query=query,
            )
        else:
            audit_search(actor=self.request.user, scope=f"{self.audit_scope} (API)", terms=terms)
        rows = getattr(getattr(self, "paginator", None), "rows", None)
        if rows is not None:
            ids = {self.listed_offender_id(item) for item in rows}
            ids.discard(None)
            audit_listed(
                actor=self.request.user, offender_ids=ids, summary=f"Listed in {self.audit_scope} (API)"
            )

    def listed_offender_id(self, item: Model) -> int | None:
        """Whose record a listed row is part of (OffenderViewSet: the row is the record)."""
        return getattr(item, "offender_id", None)

    def audit_read(self, obj: Model, what: str = "") -> None:
        if self.audit_scope:
            audit_view(actor=self.request.user, obj=obj, summary=f"Viewed {what or obj} (API)"[:300])

    # --- responses -----------------------------------------------------------------------------

    def paginated(self, queryset: QuerySet | Iterable, serializer_class: type[BaseSerializer]) -> Response:
        page = self.paginate_queryset(queryset)
        context = self.get_serializer_context()
        if page is not None:
            return self.get_paginated_response(serializer_class(page, many=True, context=context).data)
        return Response(serializer_class(queryset, many=True, context=context).data)

    def validated(self, serializer_class: type[BaseSerializer], data=None, **kwargs) -> dict:
        """The request body checked for shape; raises a 400 naming the fields at fault."""
        serializer = serializer_class(
            data=self.request.data if data is None else data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def created(self, obj: Model, serializer_class: type[BaseSerializer]) -> Response:
        return Response(
            serializer_class(obj, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    def ok(self, obj: Model, serializer_class: type[BaseSerializer]) -> Response:
        return Response(serializer_class(obj, context=self.get_serializer_context()).data)


class ListRetrieveViewSet(mixins.ListModelMixin, IomsViewSet):
    """List (audited when the records are offender-related) and retrieve through `get_object`,
    which subclasses implement with their access module; every retrieve is audited."""

    def list(self, request: Request, *args, **kwargs) -> Response:
        response = super().list(request, *args, **kwargs)
        self.audit_list()
        return response

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        obj = self.get_object()
        self.audit_read(obj)
        return Response(self.get_serializer(obj).data)


class ServiceCreateMixin:
    """POST validates the body with the action's serializer, then `perform_create` calls the
    service, which checks the rules, writes the record and its audit row in one transaction."""

    output_serializer_class: type[BaseSerializer]

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = self.perform_create(serializer)
        return self.created(obj, self.output_serializer_class)

    def perform_create(self, serializer) -> Model:
        raise NotImplementedError


class ServiceUpdateMixin:
    """PATCH validates the named fields, then `perform_update` calls the app's update service."""

    output_serializer_class: type[BaseSerializer]

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        obj = self.get_object()
        serializer = self.get_serializer(obj, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        self.perform_update(obj, serializer)
        return self.ok(self.read_back(obj), self.output_serializer_class)

    def perform_update(self, obj: Model, serializer) -> None:
        raise NotImplementedError

    def read_back(self, obj: Model) -> Model:
        """The record as changed, for the response. Override to re-read with view access only:
        a change (a transfer to another office) can take away the right to change it again."""
        return self.get_object()


# --- OpenAPI: one named component per choice set --------------------------------------------------
# Many records have a `status` or a `kind`, each with its own choices. drf-spectacular would name
# them by a hash ("Status6b5Enum") and warn; instead each choice set is named after the TextChoices
# class that defines it (SentenceStatus -> SentenceStatusEnum, Address.Kind -> AddressKindEnum).

_EXTRA_ENUM_NAMES: dict[frozenset, str] = {}


def name_enum(name: str, choices) -> None:
    """Name a choice set that is not a TextChoices class of its own (e.g. a subset of one)."""
    _EXTRA_ENUM_NAMES[frozenset(value for value, _ in choices)] = f"{name}Enum"


def _subclasses(cls) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def _enum_name(values: Iterable) -> str | None:
    key = frozenset(value for value in values if value not in ("", None))
    if key in _EXTRA_ENUM_NAMES:
        return _EXTRA_ENUM_NAMES[key]
    classes = sorted(_subclasses(models.TextChoices), key=lambda c: (c.__module__, c.__qualname__))
    for choices in classes:
        if frozenset(choices.values) == key:
            return choices.__qualname__.replace(".", "") + "Enum"
    return None


def may_be_blank(field) -> bool:
    """Whether the field's value may be "": it accepts blank input, or it is read-only and its model
    column may be blank (DRF drops `allow_blank` from read-only fields, yet an agency with no kind
    recorded still answers `"kind": ""`). The schema says what the data can be."""
    if getattr(field, "allow_blank", False):
        return True
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if not field.read_only or model is None or not field.source or "." in field.source:
        return False
    try:
        model_field = model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return False
    return bool(model_field.blank) and isinstance(model_field, models.CharField | models.TextField)


class BlankableEmailFieldExtension(OpenApiSerializerFieldExtension):
    """An e-mail address that may be left empty is "" or an address: `format: email` alone would
    make every record with no address break the schema."""

    target_class = fields.EmailField

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if not may_be_blank(self.target):
            return schema
        return {"anyOf": [schema, {"type": "string", "maxLength": 0}]}


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = fields.ChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        name = None if isinstance(field, fields.MultipleChoiceField) else _enum_name(field.choices)
        if name is None:
            return auto_schema._map_serializer_field(field, direction, bypass_extensions=True)
        enum = ResolvedComponent(
            name=name,
            type=ResolvedComponent.SCHEMA,
            object=name,
            schema={
                "type": "string",
                "enum": [value for value in field.choices if value not in ("", None)],
                "description": build_choice_description_list(field.choices.items()),
            },
        )
        auto_schema.registry.register_on_missing(enum)
        variants = [enum.ref]
        for allowed, value, component_name in (
            (may_be_blank(field), "", "BlankEnum"),
            (field.allow_null, None, "NullEnum"),
        ):
            if allowed:
                extra = ResolvedComponent(
                    name=component_name,
                    type=ResolvedComponent.SCHEMA,
                    object=component_name,
                    schema={"enum": [value]},
                )
                auto_schema.registry.register_on_missing(extra)
                variants.append(extra.ref)
        return variants[0] if len(variants) == 1 else {"oneOf": variants}

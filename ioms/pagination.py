"""Keyset ("cursor") pagination for every API list (issue 10).

A page is found from the position of the last row the client saw, never by counting or skipping
rows. The casenote list's next page is

    WHERE (contact_on, id) < (:last_contact_on, :last_id) ORDER BY contact_on DESC, id DESC LIMIT 51

which an index on the list's order answers by reading 51 entries, however many rows the table
holds. Page numbers cost a COUNT(*) of every matching row on each request (775 ms of a 775 ms
request over 4.8 million casenotes) and an OFFSET that reads and throws away every earlier row.

The order is the list's own (the viewset's `ordering`, else the queryset's) or the client's
`?ordering=`, made total by ending it at the primary key or a unique column. A cursor carries
that order and the edge row's values in it, so a cursor made for one order is refused for
another. DRF's own CursorPagination positions on the first ordering column only and steps over
ties with an OFFSET; this one compares the whole key.
"""

import base64
import binascii
import datetime
import decimal
import json
import uuid
from dataclasses import dataclass, replace

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db.models import F, Field, Model, Q, QuerySet
from django.db.models.constants import LOOKUP_SEP

# Row-value comparison, `(a, b) < (x, y)`, as Django builds it for composite primary keys. It is the
# one form of "after this row" that PostgreSQL turns into the start of an index scan.
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param


@dataclass(frozen=True)
class OrderKey:
    """One column of a list's order. PostgreSQL puts NULLs last going up and first going down."""

    path: str
    descending: bool
    field: Field
    nullable: bool
    # Set when the column is reached through a join: the row carries it as this annotation.
    alias: str = ""

    @property
    def order_by(self) -> str:
        return f"-{self.path}" if self.descending else self.path

    def reversed(self) -> "OrderKey":
        return replace(self, descending=not self.descending)

    def value_of(self, row: Model):
        return getattr(row, self.alias or self.field.attname)


def _resolve(model: type[Model], path: str) -> tuple[Field, bool, bool]:
    """The column a path such as "offender__prn" names, whether it can be NULL, and whether it
    alone identifies a row of `model`."""
    parts = path.split(LOOKUP_SEP)
    nullable = False
    for position, name in enumerate(parts):
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        except FieldDoesNotExist as error:
            raise ImproperlyConfigured(
                f"Keyset pagination cannot order {model.__name__} by {path!r}."
            ) from error
        last = position == len(parts) - 1
        if field.is_relation and (last or not (field.many_to_one or field.one_to_one) or field.auto_created):
            # Ordering by a relation orders by the related model's own ordering, and a to-many
            # relation repeats rows: a list must name the column it sorts on.
            raise ImproperlyConfigured(f"Order {model.__name__} by a column, not the relation {path!r}.")
        nullable = nullable or field.null
        if not last:
            model = field.related_model
    identifies = len(parts) == 1 and (field.primary_key or (field.unique and not field.null))
    return field, nullable, identifies


def order_keys(queryset: QuerySet) -> list[OrderKey]:
    """The queryset's order, ending at the first column that identifies a row (the primary key is
    added, in the direction of the last column, when none does)."""
    query = queryset.query
    names = list(query.order_by) if query.order_by else list(queryset.model._meta.ordering)
    keys: list[OrderKey] = []
    for name in names:
        if not isinstance(name, str) or name == "?":
            raise ImproperlyConfigured(f"Keyset pagination orders by column names only, not {name!r}.")
        descending = name.startswith("-")
        path = name.lstrip("-")
        field, nullable, identifies = _resolve(queryset.model, path)
        alias = f"keyset_{len(keys)}" if LOOKUP_SEP in path else ""
        keys.append(OrderKey(path, descending, field, nullable, alias))
        if identifies:
            return keys
    descending = keys[-1].descending if keys else False
    pk = queryset.model._meta.pk
    return [*keys, OrderKey(pk.name, descending, pk, nullable=False)]


def rows_after(keys: list[OrderKey], values: list):
    """The condition for rows after the row whose values in `keys` are `values`."""
    if len({key.descending for key in keys}) == 1 and not any(key.nullable for key in keys):
        compare = TupleLessThan if keys[0].descending else TupleGreaterThan
        return compare(Tuple(*(F(key.path) for key in keys)), tuple(values))
    # Mixed directions or a column that may be NULL: spelt out column by column, with the first
    # column's bound on its own so that an index on it still starts near the cursor.
    after = Q()
    same_so_far = Q()
    for key, value in zip(keys, values, strict=True):
        beyond = _beyond(key, value)
        if beyond is not None:
            after |= same_so_far & beyond
        same_so_far &= Q(**{f"{key.path}__isnull": True}) if value is None else Q(**{key.path: value})
    if not after:
        return Q(pk__in=[])
    first, value = keys[0], values[0]
    if value is not None and (first.descending or not first.nullable):
        after &= Q(**{f"{first.path}__{'lte' if first.descending else 'gte'}": value})
    return after


def _beyond(key: OrderKey, value) -> Q | None:
    if key.descending:
        return Q(**{f"{key.path}__isnull": False}) if value is None else Q(**{f"{key.path}__lt": value})
    if value is None:
        return None
    beyond = Q(**{f"{key.path}__gt": value})
    return beyond | Q(**{f"{key.path}__isnull": True}) if key.nullable else beyond


def _to_json(value):
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()  # datetimes keep their microseconds, unlike DjangoJSONEncoder
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    return value


@dataclass(frozen=True)
class Position:
    values: list
    backwards: bool


class KeysetPagination(CursorPagination):
    """`?cursor=` pages forwards and backwards through any list; `?page_size=` up to 500.
    The response is `{"next", "previous", "results"}`: there is no count."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_description = (
        "Where the page starts: copy it from the `next` or `previous` link of the page before. "
        "A cursor belongs to one `ordering`."
    )
    page_size_query_description = "Rows per page: 50 unless given, at most 500."
    invalid_cursor_message = "Invalid cursor: follow the next or previous link of a page in the same order."

    def paginate_queryset(self, queryset: QuerySet, request: Request, view=None) -> list | None:
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None
        self.base_url = request.build_absolute_uri()
        keys = order_keys(queryset)
        self.signature = ",".join(key.order_by for key in keys)
        position = self.decode_position(request, keys)
        backwards = position is not None and position.backwards
        walk = [key.reversed() for key in keys] if backwards else keys
        queryset = queryset.order_by(*(key.order_by for key in walk))
        joined = {key.alias: F(key.path) for key in keys if key.alias}
        if joined:
            queryset = queryset.annotate(**joined)
        if position is not None:
            queryset = queryset.filter(rows_after(walk, position.values))
        # One row more than the page says whether the walk goes on; behind a cursor there is
        # always the row the cursor was made from.
        rows = list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if backwards:
            rows.reverse()
        self.rows = rows
        self.has_next = bool(rows) and (backwards or more)
        self.has_previous = bool(rows) and (more if backwards else position is not None)
        self.first_values = [key.value_of(rows[0]) for key in keys] if rows else []
        self.last_values = [key.value_of(rows[-1]) for key in keys] if rows else []
        self.display_page_controls = self.has_next or self.has_previous  # the browsable API's links
        return rows

    def decode_position(self, request: Request, keys: list[OrderKey]) -> Position | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if not encoded:
            return None
        try:
            payload = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
            raw = payload["v"]
            if payload["o"] != self.signature or len(raw) != len(keys):
                raise ValueError("cursor of another order")
            values = [
                None if value is None else key.field.to_python(value)
                for key, value in zip(keys, raw, strict=True)
            ]
            return Position(values=values, backwards=bool(payload.get("b")))
        except (binascii.Error, json.JSONDecodeError, KeyError, TypeError, ValueError, ValidationError):
            raise NotFound(self.invalid_cursor_message) from None

    def link_to(self, values: list, *, backwards: bool) -> str:
        payload = {"o": self.signature, "v": [_to_json(value) for value in values]}
        if backwards:
            payload["b"] = 1
        encoded = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
        return replace_query_param(self.base_url, self.cursor_query_param, encoded.rstrip("="))

    def get_next_link(self) -> str | None:
        return self.link_to(self.last_values, backwards=False) if self.has_next else None

    def get_previous_link(self) -> str | None:
        return self.link_to(self.first_values, backwards=True) if self.has_previous else None


# The name settings.REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"] gives.
StandardPagination = KeysetPagination

"""Browser pages of the data share.

- For partner staff (a user whose only role is the data share): the offender search and the shared
  record, which offenders/views.py shows them in place of its own pages (same addresses), limited
  to the fields of their share (the rule: datashare/access.py). No tab, no warning text, no action:
  nothing on these pages changes anything. Every search and every record shown is audited.
- For system administrators: the shares, their credentials (issued here, the token shown once) and
  the partner staff who read them. Every change goes through datashare.services."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from audit.services import audit_listed, audit_search, audit_view
from datashare import services
from datashare.access import (
    access_credential_by_id,
    access_reader_by_id,
    access_share_by_id,
    access_shared_offender_by_id,
    browser_scope_of,
    can_manage_shares,
    can_search_shared_offenders,
)
from datashare.catalogue import ALLOCATIONS, CATALOGUE, OFFENDERS, RESOURCE_LABELS, SENTENCES, ShareScope
from datashare.forms import (
    ConfirmForm,
    CredentialIssueForm,
    CredentialRevokeForm,
    ReaderAddForm,
    ShareEndForm,
    ShareForm,
)
from datashare.models import Share
from datashare.selectors import shared_allocations, shared_sentences, shares_with_counts
from ioms.forms import add_service_errors
from offenders.forms import OffenderSearchForm
from offenders.models import Flag, Offender
from offenders.selectors import SearchTerms, offender_search

# --- partner staff: the shared record -------------------------------------------------------------


def _with_warnings(offenders: list[Offender], scope: ShareScope) -> None:
    if "warnings" in scope.fields_of(OFFENDERS):
        prefetch_related_objects(
            offenders,
            Prefetch(
                "flags",
                queryset=Flag.objects.filter(ended_on__isnull=True).order_by("raised_on", "id"),
                to_attr="shared_warnings",
            ),
        )


def _heading(offender: Offender, scope: ShareScope) -> str:
    fields = scope.fields_of(OFFENDERS)
    if "family_name" in fields and "given_names" in fields:
        return f"{offender.family_name.upper()}, {offender.given_names}"
    if "prn" in fields:
        return f"PRN {offender.prn}"
    return "Offender record"


@require_GET
def shared_search(request):
    """The offender search as the data share shows it (offenders:search for a data-share user)."""
    if not can_search_shared_offenders(request.user):
        raise PermissionDenied("Your data share is not in force, or it carries no offender records.")
    scope = browser_scope_of(request.user)
    shared = scope.fields_of(OFFENDERS)
    submitted = any(name in request.GET for name in ("q", "date_of_birth", "office"))
    form = OffenderSearchForm(request.GET if submitted else None)
    # A filter on a field the share does not carry would tell its value: not offered.
    if "date_of_birth" not in shared:
        del form.fields["date_of_birth"]
    if "home_office" not in shared:
        del form.fields["office"]
    rows = None
    if submitted and form.is_valid():
        text = form.cleaned_data["q"].strip()
        date_of_birth = form.cleaned_data.get("date_of_birth")
        office = form.cleaned_data.get("office")
        audit_search(
            actor=request.user,
            scope=f"offenders (data share {scope.name})",
            terms={
                "text": text,
                "date_of_birth": date_of_birth.isoformat() if date_of_birth else "",
                "office": office.code if office else "",
            },
        )
        # Restricted records are never shared, not even masked (issue 11; docs/data-share.md).
        hits = [
            hit
            for hit in offender_search(
                SearchTerms(text=text, date_of_birth=date_of_birth, office_id=office.pk if office else None),
                viewer=request.user,
            )
            if not hit.masked and not hit.offender.restricted
        ]
        if len(hits) == 1 and hits[0].matched_on == "PRN":
            return redirect("offenders:detail", pk=hits[0].offender.pk)
        offenders = [hit.offender for hit in hits]
        _with_warnings(offenders, scope)
        audit_listed(
            actor=request.user,
            offender_ids=[offender.pk for offender in offenders],
            summary=f"Listed in an offender search (data share {scope.name})",
        )
        # What matched (an alias, say) is not shown: only the share's fields are.
        rows = [
            {
                "offender": offender,
                "heading": _heading(offender, scope),
                "values": scope.rows(OFFENDERS, offender),
            }
            for offender in offenders
        ]
    return render(
        request,
        "datashare/search.html",
        {
            "form": form,
            "rows": rows,
            "labels": scope.labels(OFFENDERS),
            "scope": scope,
            "limit_reached": rows is not None and len(rows) >= 50,
        },
    )


@require_GET
def shared_record(request, pk: int):
    """An offender's record as the data share shows it (offenders:detail for a data-share user)."""
    offender, scope = access_shared_offender_by_id(request.user, pk)
    audit_view(actor=request.user, obj=offender, summary=f"Viewed {offender} (data share {scope.name})")
    _with_warnings([offender], scope)
    sentences = allocations = None
    if scope.allows(SENTENCES):
        sentences = [
            scope.rows(SENTENCES, sentence)
            for sentence in shared_sentences().current().filter(offender=offender)
        ]
    if scope.allows(ALLOCATIONS):
        allocations = [
            scope.rows(ALLOCATIONS, allocation)
            for allocation in shared_allocations().filter(offender=offender, ended_on__isnull=True)
        ]
    return render(
        request,
        "datashare/record.html",
        {
            "offender": offender,
            "heading": _heading(offender, scope),
            "scope": scope,
            "details": scope.rows(OFFENDERS, offender),
            "sentences": sentences,
            "sentence_labels": scope.labels(SENTENCES),
            "allocations": allocations,
            "allocation_labels": scope.labels(ALLOCATIONS),
        },
    )


# --- system administrators: shares, credentials, readers ------------------------------------------


def _refuse_unless_manager(user) -> None:
    if not can_manage_shares(user):
        raise PermissionDenied("Only system administrators manage data shares.")


def _status(share: Share, today: datetime.date) -> str:
    if share.starts_on > today:
        return "Not yet begun"
    if share.ends_on is not None and share.ends_on < today:
        return "Ended"
    return "In force"


@require_GET
def share_list(request):
    _refuse_unless_manager(request.user)
    today = timezone.localdate()
    shares = list(shares_with_counts())
    for share in shares:
        share.status = _status(share, today)
    return render(request, "datashare/share_list.html", {"shares": shares})


@require_http_methods(["GET", "POST"])
def share_create(request):
    _refuse_unless_manager(request.user)
    form = ShareForm(
        request.POST if request.method == "POST" else None, initial={"starts_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            share = services.share_create(
                actor=request.user,
                name=data["name"],
                partner=data["partner"],
                purpose=data["purpose"],
                allowed_fields=form.allowed_fields(),
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Made the data share {share.name}.")
            return redirect("datashare:share_detail", pk=share.pk)
    return render(request, "datashare/share_form.html", {"form": form})


@require_GET
def share_detail(request, pk: int):
    share = access_share_by_id(request.user, pk)
    scope = share.scope
    now = timezone.now()
    credentials = list(share.credentials.select_related("issued_by", "revoked_by"))
    for credential in credentials:
        if credential.revoked_at:
            credential.status = "Revoked"
        elif credential.expires_at <= now:
            credential.status = "Expired"
        else:
            credential.status = "Live"
    fields = [
        {
            "label": RESOURCE_LABELS[resource],
            "fields": [CATALOGUE[resource][name] for name in scope.fields_of(resource)],
        }
        for resource in CATALOGUE
        if scope.allows(resource)
    ]
    return render(
        request,
        "datashare/share_detail.html",
        {
            "share": share,
            "status": _status(share, timezone.localdate()),
            "fields": fields,
            "credentials": credentials,
            "readers": list(share.readers.select_related("user", "added_by")),
        },
    )


@require_http_methods(["GET", "POST"])
def share_end(request, pk: int):
    share = access_share_by_id(request.user, pk)
    form = ShareEndForm(
        request.POST if request.method == "POST" else None, initial={"ends_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.share_end(
                actor=request.user,
                share=share,
                ends_on=form.cleaned_data["ends_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"The data share {share.name} ends on {form.cleaned_data['ends_on']:%-d %b %Y}."
            )
            return redirect("datashare:share_detail", pk=share.pk)
    return render(request, "datashare/share_end.html", {"share": share, "form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def credential_issue(request, pk: int):
    share = access_share_by_id(request.user, pk)
    form = CredentialIssueForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        try:
            credential, token = services.share_credential_issue(
                actor=request.user,
                share=share,
                label=form.cleaned_data["label"],
                expires_at=services.end_of_day(expires_on) if expires_on else None,
            )
        except ValidationError as error:
            add_service_errors(form, error, fields={"expires_at": "expires_on"})
        else:
            # Shown on this response only: the page is not cached and the token is stored nowhere.
            response = render(
                request,
                "datashare/credential_issued.html",
                {"share": share, "credential": credential, "token": token},
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "datashare/credential_issue.html", {"share": share, "form": form})


@require_http_methods(["GET", "POST"])
def credential_revoke(request, pk: int):
    credential = access_credential_by_id(request.user, pk)
    form = CredentialRevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.share_credential_revoke(
                actor=request.user, credential=credential, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Revoked the credential {credential.label}: its token is refused from now on."
            )
            return redirect("datashare:share_detail", pk=credential.share_id)
    return render(request, "datashare/credential_revoke.html", {"credential": credential, "form": form})


@require_http_methods(["GET", "POST"])
def reader_add(request, pk: int):
    share = access_share_by_id(request.user, pk)
    form = ReaderAddForm(request.POST if request.method == "POST" else None, share=share)
    if request.method == "POST" and form.is_valid():
        user = form.cleaned_data["user"]
        try:
            services.share_reader_add(actor=request.user, share=share, user=user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{user.get_username()} now reads {share.name}.")
            return redirect("datashare:share_detail", pk=share.pk)
    return render(request, "datashare/reader_add.html", {"share": share, "form": form})


@require_http_methods(["GET", "POST"])
def reader_remove(request, pk: int):
    reader = access_reader_by_id(request.user, pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.share_reader_remove(actor=request.user, reader=reader)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{reader.user.get_username()} no longer reads {reader.share.name} (the core share applies).",
            )
            return redirect("datashare:share_detail", pk=reader.share_id)
    return render(request, "datashare/reader_remove.html", {"reader": reader, "form": form})

"""Browser pages of the offender record that change it (its details, aliases, addresses,
identifiers and flags), and the frame every page of the record draws (`record_context`). The
search, the front page and the tabs that read other apps' records are records.views, served at the
same addresses under the same names.

Every page obtains the offender through `access_offender_by_id` and writes an audit row for the
view; every change goes through offenders.services."""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from audit.services import audit_view
from ioms.read_models import record_sections
from offenders import services
from offenders.access import access_offender_by_id, can_create_offender, current_break_glass
from offenders.forms import (
    AddressForm,
    AliasForm,
    FlagEndForm,
    FlagRaiseForm,
    IdentifierForm,
    OffenderDetailsForm,
    add_service_errors,
)
from offenders.models import Flag, Offender
from offenders.selectors import offender_active_flags
from staff.access import office_id_of


def record_context(request, offender: Offender, *, tab: str) -> dict:
    """What every page of the record shows: the header with its warnings, the tabs the user may
    open, and what the user may do. Each app says what the user may do and which tabs it adds
    (ioms.read_models.record_sections, the list in records.sections); a tab whose `shown_if`
    permission the user lacks is not offered."""
    user = request.user
    sections = record_sections()
    may: dict[str, bool] = {}
    for permissions in sections.permissions:
        may.update(permissions(user, offender))
    tabs = [
        {
            "key": section.key,
            "label": section.label,
            "url": reverse(section.url_name, args=[offender.pk]),
            "current": section.key == tab,
        }
        for section in sections.tabs
        if not section.shown_if or may[section.shown_if]
    ]
    return {
        "offender": offender,
        "warnings": offender_active_flags(offender),
        "tabs": tabs,
        "tab": tab,
        "may": may,
        # Need-to-know: the banner of a restricted record, and the grant of one opened through the glass.
        "break_glass": current_break_glass(user, offender) if offender.restricted else None,
    }


# --- Changes -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def create(request):
    if not can_create_offender(request.user):
        raise PermissionDenied("You may not create offender records.")
    if request.method == "POST":
        form = OffenderDetailsForm(request.POST)
        if form.is_valid():
            try:
                offender = services.offender_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Created the record of {offender.full_name} (PRN {offender.prn}).")
                return redirect("offenders:detail", pk=offender.pk)
    else:
        form = OffenderDetailsForm(initial={"home_office": office_id_of(request.user)})
    return render(request, "offenders/create.html", {"form": form})


def _record_form(request, offender: Offender, form, *, title: str, submit: str, intro: str = ""):
    context = record_context(request, offender, tab="details")
    context.update(form=form, title=title, submit=submit, intro=intro)
    return render(request, "offenders/record_form.html", context)


@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    offender = access_offender_by_id(request.user, pk, for_edit=True)
    if request.method == "GET":
        audit_view(actor=request.user, obj=offender, summary=f"Opened {offender} to change details")
    # The form works on a copy, so the page header keeps the saved values if the input is refused.
    if request.method == "POST":
        form = OffenderDetailsForm(request.POST, instance=copy.copy(offender), editing=True)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.fields}
            try:
                changes = services.offender_update(actor=request.user, offender=offender, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if changes:
                    messages.success(request, f"Saved the changes to {offender.full_name}'s details.")
                else:
                    messages.info(request, "Nothing was changed.")
                return redirect("offenders:detail", pk=offender.pk)
    else:
        form = OffenderDetailsForm(instance=copy.copy(offender), editing=True)
    return _record_form(request, offender, form, title="Change personal details", submit="Save changes")


def _add_to_record(
    request, pk: int, form_class, service, *, title: str, submit: str, done: str, intro: str = ""
):
    """The shape every "add something to the record" page shares: validate, call the service,
    show its errors, or redirect to the record with a message."""
    offender = access_offender_by_id(request.user, pk, for_edit=True)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                service(actor=request.user, offender=offender, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, done)
                return redirect("offenders:detail", pk=offender.pk)
    else:
        form = form_class()
    return _record_form(request, offender, form, title=title, submit=submit, intro=intro)


@require_http_methods(["GET", "POST"])
def alias_add(request, pk: int):
    return _add_to_record(
        request,
        pk,
        AliasForm,
        services.alias_add,
        title="Add an alias",
        submit="Add alias",
        done="Alias added.",
    )


@require_http_methods(["GET", "POST"])
def address_add(request, pk: int):
    return _add_to_record(
        request,
        pk,
        AddressForm,
        services.address_add,
        title="Add an address",
        submit="Add address",
        done="Address added.",
        intro="The current address of the same kind will end the day before the new one starts.",
    )


@require_http_methods(["GET", "POST"])
def identifier_add(request, pk: int):
    return _add_to_record(
        request,
        pk,
        IdentifierForm,
        services.identifier_add,
        title="Add an identifier",
        submit="Add identifier",
        done="Identifier added.",
    )


@require_http_methods(["GET", "POST"])
def flag_raise(request, pk: int):
    return _add_to_record(
        request,
        pk,
        FlagRaiseForm,
        services.flag_raise,
        title="Raise a flag",
        submit="Raise flag",
        done="Flag raised.",
        intro="Active flags are shown as warnings at the top of every page of the record.",
    )


@require_http_methods(["GET", "POST"])
def flag_end(request, pk: int, flag_pk: int):
    offender = access_offender_by_id(request.user, pk, for_edit=True)
    flag = get_object_or_404(Flag, pk=flag_pk, offender=offender)
    if request.method == "POST":
        form = FlagEndForm(request.POST)
        if form.is_valid():
            try:
                services.flag_end(
                    actor=request.user,
                    flag=flag,
                    reason=form.cleaned_data["reason"],
                    ended_on=form.cleaned_data["ended_on"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict") and "ended_reason" in error.error_dict:
                    error = ValidationError({"reason": error.error_dict["ended_reason"]})
                add_service_errors(form, error)
            else:
                messages.success(request, f"Ended the flag “{flag}”.")
                return redirect("offenders:detail", pk=offender.pk)
    else:
        form = FlagEndForm()
    return _record_form(
        request,
        offender,
        form,
        title=f"End the flag “{flag}”",
        submit="End flag",
        intro=f"Raised on {flag.raised_on:%-d %B %Y}: {flag.reason}",
    )

"""Browser pages of conditions: the record's "Conditions" tab (a section per sentence), a
condition's page with its versions and community work hours, and the forms that add, vary, end and
record hours. Every page obtains its object through conditions.access and audits the view; every
change goes through conditions.services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from audit.refusals import Refused
from audit.services import audit_view
from conditions import services
from conditions.access import (
    access_condition_by_id,
    access_sentence_for_conditions_by_id,
    can_change_conditions,
    can_change_offender_conditions,
    can_view_conditions,
)
from conditions.forms import ConditionForm, EndForm, HoursForm, VaryForm
from conditions.models import Condition, ConditionKind
from conditions.selectors import offender_conditions_by_sentence, remaining_hours, with_hours
from ioms.forms import add_service_errors, posted
from offenders.access import access_offender_by_id
from offenders.views import record_context
from sentences.models import SentenceStatus


def _record(request, offender, **context) -> dict:
    full = record_context(request, offender, tab="conditions")
    full.update(context)
    return full


@require_http_methods(["GET"])
def offender_conditions(request, offender_pk):
    offender = access_offender_by_id(request.user, offender_pk)
    if not can_view_conditions(request.user, offender):
        raise Refused("You may not see this offender's conditions.", obj=offender)
    audit_view(actor=request.user, obj=offender, summary=f"Viewed the conditions of {offender}")
    sections = offender_conditions_by_sentence(offender)
    changes_every_sentence = can_change_offender_conditions(request.user, offender)  # asked once
    for section in sections:
        section.may_change = section.sentence.status != SentenceStatus.COMPLETED and (
            changes_every_sentence or can_change_conditions(request.user, section.sentence)
        )
    return render(request, "conditions/offender.html", _record(request, offender, sections=sections))


@require_http_methods(["GET"])
def condition_detail(request, pk):
    condition = access_condition_by_id(request.user, pk)
    audit_view(actor=request.user, obj=condition, summary=f"Viewed the condition '{condition.summary}'")
    [condition] = with_hours(
        Condition.objects.filter(pk=condition.pk).select_related("offender", "sentence", "created_by")
    )
    condition.remaining = remaining_hours(condition)
    may_change = condition.in_force and can_change_conditions(request.user, condition.sentence)
    context = _record(
        request,
        condition.offender,
        condition=condition,
        may_change=may_change,
        is_community_work=condition.kind == ConditionKind.COMMUNITY_WORK,
        versions=condition.versions.select_related("varied_by").order_by("-version"),
        work_records=condition.work_records.select_related("recorded_by").order_by("-worked_on"),
        transitions=condition.transitions.select_related("actor").order_by("at", "id"),
    )
    return render(request, "conditions/detail.html", context)


def _form_page(
    request, *, offender, form, title: str, submit: str, back: str, intro: str = "", condition=None
):
    context = _record(
        request, offender, form=form, title=title, submit=submit, back=back, intro=intro, condition=condition
    )
    return render(request, "conditions/form.html", context)


@require_http_methods(["GET", "POST"])
def condition_add(request, sentence_pk):
    sentence = access_sentence_for_conditions_by_id(request.user, sentence_pk, for_edit=True)
    if request.method == "GET":
        audit_view(actor=request.user, obj=sentence, summary=f"Opened {sentence} to add a condition")
    form = ConditionForm(posted(request), sentence=sentence)
    if request.method == "POST" and form.is_valid():
        try:
            condition = services.condition_create(actor=request.user, sentence=sentence, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Condition added: {condition.summary}.")
            return redirect("conditions:offender", offender_pk=sentence.offender_id)
    return _form_page(
        request,
        offender=sentence.offender,
        form=form,
        title=f"Add a condition to {sentence}",
        submit="Add the condition",
        back=reverse("conditions:offender", args=[sentence.offender_id]),
        intro="Give the details the kind of condition needs; leave the others blank.",
    )


@require_http_methods(["GET", "POST"])
def condition_vary(request, pk):
    condition = access_condition_by_id(request.user, pk, for_edit=True)
    if not condition.in_force:
        messages.info(
            request, f"This condition is {condition.get_status_display().lower()}; it cannot change."
        )
        return redirect("conditions:detail", pk=condition.pk)
    form = VaryForm(posted(request), condition=condition)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            services.condition_vary(actor=request.user, condition=condition, reason=reason, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The condition is varied; the earlier version is kept in its history.")
            return redirect("conditions:detail", pk=condition.pk)
    return _form_page(
        request,
        offender=condition.offender,
        form=form,
        title=f"Vary the condition: {condition.summary}",
        submit="Vary the condition",
        back=reverse("conditions:detail", args=[condition.pk]),
        intro=f"{condition.get_kind_display()}. Change its details or dates and say why.",
        condition=condition,
    )


@require_http_methods(["GET", "POST"])
def condition_end(request, pk):
    condition = access_condition_by_id(request.user, pk, for_edit=True)
    if not condition.in_force:
        messages.info(request, f"This condition is {condition.get_status_display().lower()} already.")
        return redirect("conditions:detail", pk=condition.pk)
    form = EndForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.condition_end(
                actor=request.user,
                condition=condition,
                ended_on=data["ended_on"],
                reason=data["reason"],
                cancel=data["outcome"] == "cancelled",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The condition is {condition.get_status_display().lower()}.")
            return redirect("conditions:offender", offender_pk=condition.offender_id)
    return _form_page(
        request,
        offender=condition.offender,
        form=form,
        title=f"End the condition: {condition.summary}",
        submit="End the condition",
        back=reverse("conditions:detail", args=[condition.pk]),
        condition=condition,
    )


@require_http_methods(["GET", "POST"])
def hours_record(request, pk):
    condition = access_condition_by_id(request.user, pk, for_edit=True)
    if condition.kind != ConditionKind.COMMUNITY_WORK or not condition.in_force:
        messages.info(request, "Hours are recorded against a community work condition in force only.")
        return redirect("conditions:detail", pk=condition.pk)
    form = HoursForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            record = services.community_work_hours_record(
                actor=request.user,
                condition=condition,
                on=form.cleaned_data["worked_on"],
                hours=form.cleaned_data["hours"],
            )
        except ValidationError as error:
            add_service_errors(form, error, {"hours": "hours", "worked_on": "worked_on"})
        else:
            messages.success(
                request, f"Recorded {record.hours.normalize():f} hours on {record.worked_on:%-d %b %Y}."
            )
            return redirect("conditions:detail", pk=condition.pk)
    return _form_page(
        request,
        offender=condition.offender,
        form=form,
        title=f"Record community work hours: {condition.summary}",
        submit="Record the hours",
        back=reverse("conditions:detail", args=[condition.pk]),
        condition=condition,
    )

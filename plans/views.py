"""Browser pages of sentence plans: the record's "Sentence plans" tab (a section per sentence), a
plan's page, and the forms that write, agree, review and close a plan and add and record its
objectives and activities. Every page obtains its object through plans.access and audits the view;
every change goes through plans.services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from agencies.models import OPEN_REFERRAL_STATUSES
from audit.services import audit_view
from classification.models import ActivityStatus
from ioms.forms import add_service_errors, posted
from offenders.access import access_offender_by_id
from offenders.views import record_context
from plans import services
from plans.access import (
    access_activity_by_id,
    access_objective_by_id,
    access_plan_by_id,
    access_sentence_for_plan_by_id,
    can_view_plans,
    can_write_plan_for,
    writes_offender_plans,
    writes_prison_plan,
)
from plans.forms import (
    ActivityForm,
    ActivityOutcomeForm,
    AgreeForm,
    CategoryForm,
    CloseForm,
    ObjectiveForm,
    ObjectiveOutcomeForm,
    PlanForm,
    ReviewForm,
)
from plans.models import OBJECTIVE_TRANSITIONS, PlanStatus, SentencePlan
from plans.selectors import offender_sentence_plans, plans_with_details
from sentences.models import SentenceStatus


def _record(request, offender, **context) -> dict:
    full = record_context(request, offender, tab="plans")
    full.update(context)
    return full


@require_http_methods(["GET"])
def offender_plans(request, offender_pk):
    """The record's tab: a section for each current sentence (and each completed one that had a
    plan) with its plan's objectives, activities, attendance and category."""
    offender = access_offender_by_id(request.user, offender_pk)
    if not can_view_plans(request.user, offender):
        raise PermissionDenied("You may not see this offender's sentence plans.")
    audit_view(actor=request.user, obj=offender, summary=f"Viewed the sentence plans of {offender}")
    sections = offender_sentence_plans(offender)
    writes_every_plan = writes_offender_plans(request.user, offender)  # asked once for every section
    for section in sections:
        may_write = writes_every_plan or writes_prison_plan(request.user, section.sentence)
        section.may_start = (
            may_write and section.current is None and section.sentence.status != SentenceStatus.COMPLETED
        )
    return render(request, "plans/offender.html", _record(request, offender, sections=sections))


@require_http_methods(["GET"])
def plan_detail(request, pk):
    plan = access_plan_by_id(request.user, pk)
    audit_view(actor=request.user, obj=plan, summary=f"Viewed the sentence plan for {plan.sentence}")
    [detailed] = plans_with_details(SentencePlan.objects.filter(pk=plan.pk), events=True)
    may_write = plan.is_current and can_write_plan_for(request.user, plan.sentence)
    for activity in detailed.activities.all():
        activity.may_record = may_write and activity.is_open
        activity.referral_open = (
            activity.referral_id is not None and activity.referral.status in OPEN_REFERRAL_STATUSES
        )
    for objective in detailed.objectives.all():
        objective.may_record = may_write and bool(OBJECTIVE_TRANSITIONS[objective.status])
    return render(
        request,
        "plans/detail.html",
        _record(request, plan.offender, plan=detailed, may_write=may_write, PlanStatus=PlanStatus),
    )


def _form_page(request, *, offender, form, title: str, submit: str, back: str, intro: str = "", extra=None):
    context = _record(
        request, offender, form=form, title=title, submit=submit, back=back, intro=intro, **(extra or {})
    )
    return render(request, "plans/form.html", context)


def _saved(request, message: str, plan_pk: int):
    messages.success(request, message)
    return redirect("plans:detail", pk=plan_pk)


@require_http_methods(["GET", "POST"])
def plan_create(request, sentence_pk):
    sentence = access_sentence_for_plan_by_id(request.user, sentence_pk)
    offender = sentence.offender
    if request.method == "GET":
        audit_view(actor=request.user, obj=sentence, summary=f"Opened {sentence} to write a sentence plan")
    form = PlanForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, sentence=sentence, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, "Plan written as a draft: add its objectives and activities.", plan.pk)
    return _form_page(
        request,
        offender=offender,
        form=form,
        title=f"Write a sentence plan for {sentence}",
        submit="Write the plan",
        back=reverse("plans:offender", args=[offender.pk]),
        intro="The plan starts as a draft. Add its objectives and activities, then record its agreement.",
    )


def _plan_form(
    request, pk, *, form_class, service, title: str, submit: str, done: str, intro: str = "", **kwargs
):
    plan = access_plan_by_id(request.user, pk, for_edit=True)
    form = form_class(posted(request), **{key: value(plan) for key, value in kwargs.items()})
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, done, plan.pk)
    return _form_page(
        request,
        offender=plan.offender,
        form=form,
        title=title.format(sentence=plan.sentence),
        submit=submit,
        back=reverse("plans:detail", args=[plan.pk]),
        intro=intro,
        extra={"plan": plan},
    )


@require_http_methods(["GET", "POST"])
def plan_agree(request, pk):
    return _plan_form(
        request,
        pk,
        form_class=AgreeForm,
        service=services.plan_agree,
        title="Record the agreement of the plan for {sentence}",
        submit="Record the agreement",
        done="The plan is agreed.",
        intro="The offender has agreed the plan's objectives and activities. A casenote records it.",
        plan=lambda plan: plan,
    )


@require_http_methods(["GET", "POST"])
def plan_review(request, pk):
    return _plan_form(
        request,
        pk,
        form_class=ReviewForm,
        service=services.plan_review,
        title="Review the plan for {sentence}",
        submit="Record the review",
        done="The review is recorded.",
    )


@require_http_methods(["GET", "POST"])
def plan_close(request, pk):
    return _plan_form(
        request,
        pk,
        form_class=CloseForm,
        service=services.plan_close,
        title="Close the plan for {sentence}",
        submit="Close the plan",
        done="The plan is closed.",
        intro="Record the outcome of every activity first.",
    )


@require_http_methods(["GET", "POST"])
def plan_category(request, pk):
    return _plan_form(
        request,
        pk,
        form_class=CategoryForm,
        service=services.plan_category_change,
        title="Change the category of the plan for {sentence}",
        submit="Change the category",
        done="The plan's category is changed.",
        current=services.current_category,
    )


@require_http_methods(["GET", "POST"])
def objective_add(request, pk):
    return _plan_form(
        request,
        pk,
        form_class=ObjectiveForm,
        service=services.objective_add,
        title="Add an objective to the plan for {sentence}",
        submit="Add the objective",
        done="Objective added.",
    )


@require_http_methods(["GET", "POST"])
def activity_add(request, pk):
    return _plan_form(
        request,
        pk,
        form_class=ActivityForm,
        service=services.activity_add,
        title="Plan an activity or intervention for {sentence}",
        submit="Add the activity",
        done="Activity added.",
        intro="Choose a programme from the programme records to refer the offender to it, or describe "
        "another activity.",
        plan=lambda plan: plan,
    )


@require_http_methods(["GET", "POST"])
def objective_record(request, pk):
    objective = access_objective_by_id(request.user, pk, for_edit=True)
    plan = objective.plan
    if not OBJECTIVE_TRANSITIONS[objective.status]:
        messages.info(
            request, f"This objective is {objective.get_status_display().lower()}; it cannot change."
        )
        return redirect("plans:detail", pk=plan.pk)
    form = ObjectiveOutcomeForm(posted(request), objective=objective)
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_record(actor=request.user, objective=objective, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, "The objective's outcome is recorded.", plan.pk)
    return _form_page(
        request,
        offender=plan.offender,
        form=form,
        title=f"Outcome of the objective: {objective}",
        submit="Record the outcome",
        back=reverse("plans:detail", args=[plan.pk]),
        extra={"plan": plan},
    )


@require_http_methods(["GET", "POST"])
def activity_record(request, pk):
    activity = access_activity_by_id(request.user, pk, for_edit=True)
    plan = activity.plan
    if not activity.is_open:
        messages.info(request, f"This activity is {activity.get_status_display().lower()}; it cannot change.")
        return redirect("plans:detail", pk=plan.pk)
    referral_open = activity.referral_id is not None and activity.referral.status in OPEN_REFERRAL_STATUSES
    # A programme's attendance and outcome come from its referral while that is open.
    allowed = frozenset({ActivityStatus.UNAVAILABLE}) if referral_open else None
    form = ActivityOutcomeForm(posted(request), activity=activity, allowed=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_record(actor=request.user, activity=activity, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, f"Recorded: {activity.description}.", plan.pk)
    return _form_page(
        request,
        offender=plan.offender,
        form=form,
        title=f"Record what happened: {activity.description}",
        submit="Record",
        back=reverse("plans:detail", args=[plan.pk]),
        extra={"plan": plan, "activity": activity, "referral_open": referral_open},
    )

"""Browser pages of the Review Security Classification (seed 003): a prisoner's classification
and reviews, a review with its answers, sources and corrections, the step forms (initiate,
correct, submit, recommend, approve, send back, cancel, advise, refer back, confirm again) and the
reviews waiting at a prison.

The journey follows the GOV.UK patterns (issue 14): an answer is changed from its own page (the
question, its options as radios, the reason), chosen by its "Change" link in the answers table;
submitting, recommending and approving are taken from a check-your-answers page whose declaration
must be ticked, and end on a confirmation panel. The declaration is this page's requirement, not
the service's (the API takes the steps without it): the view files its words as an audit row
(`changes["declaration"]`) in the same transaction as the step.

Reviews are obtained only through `access_review_by_id`; every change goes through
classification.services, which checks state, officer and the four-eyes rule."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from audit.models import AuditAction
from audit.refusals import Refused
from audit.services import audit_listed, audit_record, audit_view
from classification import services
from classification.access import (
    access_review_by_id,
    can_advise_review,
    can_approve_review,
    can_cancel_review,
    can_edit_review,
    can_initiate_review,
    can_recommend_review,
    can_view_classification,
    prime_prison_offices,
)
from classification.forms import (
    AdviseForm,
    ApproveForm,
    CorrectAnswerForm,
    DeclarationForm,
    ReasonForm,
    RecommendForm,
    ReconfirmForm,
    ReferBackForm,
    StartReviewForm,
    SubmitReviewForm,
    correctable,
)
from classification.models import (
    OPEN_REVIEW_STATUSES,
    ClassificationKind,
    Review,
    ReviewSchedule,
    ReviewStatus,
)
from classification.selectors import (
    classification_history,
    prison_reviews,
    prisoner_reviews,
    review_sheet,
)
from ioms.forms import add_service_errors
from offenders.access import access_offender_by_id
from offenders.models import visible_offenders_q
from offenders.views import record_context
from staff.access import office_id_of
from staff.roles import Role, has_role

PER_PAGE = 25


def _access_classification(request, offender_id):
    offender = access_offender_by_id(request.user, offender_id)
    if not can_view_classification(request.user, offender):
        raise Refused("You may not see this prisoner's security classification.", obj=offender)
    return offender


# --- a prisoner's classification ---------------------------------------------------------------


def _prisoner_context(request, offender, start_form=None) -> dict:
    history = classification_history(offender.pk)
    reviews = prisoner_reviews(offender.pk)
    open_review = next((review for review in reviews if review.status in OPEN_REVIEW_STATUSES), None)
    has_initial = any(row.kind == ClassificationKind.INITIAL for row in history)
    may_start = can_initiate_review(request.user, offender) and has_initial and open_review is None
    context = record_context(request, offender, tab="classification")
    context.update(
        current=history[0] if history else None,
        history=history,
        reviews=reviews,
        open_review=open_review,
        has_initial=has_initial,
        may_start=may_start,
        start_form=(start_form or StartReviewForm()) if may_start else None,
        schedule=_schedule_of(offender),
        restart_guard=services.review_restart_guard(offender) if may_start else None,
    )
    return context


def _schedule_of(offender) -> ReviewSchedule | None:
    """The prisoner's review schedule, where scheduling has computed one."""
    return ReviewSchedule.objects.filter(offender=offender).first()


@require_GET
def prisoner(request, offender_id):
    offender = _access_classification(request, offender_id)
    audit_view(actor=request.user, obj=offender, summary=f"Viewed the security classification of {offender}")
    return render(request, "classification/prisoner.html", _prisoner_context(request, offender))


@require_POST
def review_start(request, offender_id):
    offender = _access_classification(request, offender_id)
    if not can_initiate_review(request.user, offender):
        raise PermissionDenied(
            "Only a prison officer of the prison managing this prisoner's sentence can start a review."
        )
    form = StartReviewForm(request.POST)
    if form.is_valid():
        try:
            review = services.review_initiate(
                actor=request.user,
                offender=offender,
                reason=form.cleaned_data["reason"],
                comments=form.cleaned_data["comments"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Review started. Every answer is pre-populated from the records: check each one "
                "and change any that the records got wrong.",
            )
            return redirect("classification:review", pk=review.pk)
    context = _prisoner_context(request, offender, start_form=form)
    if context["start_form"] is None:
        context["start_form"] = form
        context["may_start"] = True
    return render(request, "classification/prisoner.html", context, status=400)


# --- a review ----------------------------------------------------------------------------------

# step -> (form class, form prefix)
STEP_FORMS = {
    "correct": (CorrectAnswerForm, "correct"),
    "submit": (SubmitReviewForm, "submit"),
    "recommend": (RecommendForm, "recommend"),
    "send_back": (ReasonForm, "send_back"),
    "approve": (ApproveForm, "approve"),
    "advise": (AdviseForm, "advise"),
    "refer_back": (ReferBackForm, "refer_back"),
    "reconfirm": (ReconfirmForm, "reconfirm"),
    "cancel": (ReasonForm, "cancel"),
}
# The steps taken from check-your-answers, with a declaration (issue 14), and their button.
CHECKED_STEPS = {
    "submit": "Submit for recommendation",
    "recommend": "Recommend",
    "approve": "Approve",
}


def allowed_steps(user, review: Review) -> list[str]:
    """The steps this user may take on the review now (the services check again, including the
    four-eyes rule across rounds)."""
    status = review.status
    steps = []
    if status in (ReviewStatus.INITIATED, ReviewStatus.SENT_BACK) and can_edit_review(user, review):
        steps += ["correct", "submit"]
    if status == ReviewStatus.SUBMITTED and can_recommend_review(user, review):
        steps += ["recommend", "send_back"]
    if status == ReviewStatus.RECOMMENDED and can_approve_review(user, review):
        steps += ["approve", "send_back"]
    if status == ReviewStatus.APPROVED and can_advise_review(user, review):
        steps += ["advise", "refer_back"]
    if status == ReviewStatus.REFERRED_BACK and can_approve_review(user, review):
        steps += ["reconfirm"]
    if status in OPEN_REVIEW_STATUSES and can_cancel_review(user, review):
        steps += ["cancel"]
    return steps


def _step_form(step: str, data=None):
    form_class, prefix = STEP_FORMS[step]
    return form_class(data, prefix=prefix)


def _waiting_for(review: Review) -> str:
    return {
        ReviewStatus.INITIATED: "the initiating officer to check the answers and submit the review",
        ReviewStatus.SENT_BACK: "the initiating officer to correct and submit the review again",
        ReviewStatus.SUBMITTED: "a recommending officer who did not start it",
        ReviewStatus.RECOMMENDED: "an approving officer who neither started nor recommended it",
        ReviewStatus.APPROVED: "an officer to check the prisoner's record and advise the prisoner",
        ReviewStatus.REFERRED_BACK: "the approving officer to put right the discrepancy found",
    }.get(review.status, "")


def _review_context(review: Review, sheet) -> dict:
    return {
        "review": review,
        "offender": review.offender,
        "sheet": sheet,
        "section_a": sheet.sections.get("A", []),
        "section_b": sheet.sections.get("B", []),
        "waiting_for": _waiting_for(review),
        "recommended": review.recommended_categories,
        "approved": review.status
        in (ReviewStatus.APPROVED, ReviewStatus.ADVISED, ReviewStatus.REFERRED_BACK),
        "correctable_codes": {item.code for item in sheet.instrument.items.all() if correctable(item)},
    }


def _render_review(request, review: Review, *, bound: dict | None = None, status: int = 200):
    sheet = review_sheet(review)
    steps = allowed_steps(request.user, review)
    # The declared steps are taken from check-your-answers, answers are changed one at a time:
    # the review page links to them.
    forms = {
        step: (bound or {}).get(step) or _step_form(step)
        for step in steps
        if step not in CHECKED_STEPS and step != "correct"
    }
    checked_step = next((step for step in steps if step in CHECKED_STEPS), None)
    context = _review_context(review, sheet)
    context.update(
        forms=forms,
        may_correct="correct" in steps,
        checked_step=checked_step,
        has_next_step=bool(forms) or checked_step is not None,
    )
    return render(request, "classification/review.html", context, status=status)


@require_GET
def review_detail(request, pk):
    review = access_review_by_id(request.user, pk)
    audit_view(actor=request.user, obj=review, summary=f"Viewed a classification review of {review.offender}")
    return _render_review(request, review)


def _call(step: str, request, review: Review, data: dict) -> Review:
    actor = request.user
    if step == "submit":
        return services.review_submit(actor=actor, review=review, **data)
    if step == "recommend":
        return services.review_recommend(actor=actor, review=review, comments=data["comments"])
    if step == "send_back":
        return services.review_send_back(actor=actor, review=review, reason=data["reason"])
    if step == "approve":
        return services.review_approve(actor=actor, review=review, **data)
    if step == "advise":
        return services.review_advise(actor=actor, review=review, **data)
    if step == "refer_back":
        return services.review_refer_back(actor=actor, review=review, discrepancy=data["discrepancy"])
    if step == "reconfirm":
        return services.review_reconfirm(actor=actor, review=review, comments=data["comments"])
    if step == "cancel":
        return services.review_cancel(actor=actor, review=review, reason=data["reason"])
    raise ValueError(step)


SUCCESS = {
    "send_back": "Review sent back to the initiating officer.",
    "advise": "Recorded that the prisoner has been advised. The review is complete.",
    "refer_back": "Review referred back to the approving officer. Do not give the prisoner a copy yet.",
    "reconfirm": "Classification recorded again; the prisoner can now be advised.",
    "cancel": "Review cancelled.",
}
# The field a service names in its errors, when it differs from the form's.
FIELD_ALIASES = {"discrepancy": "discrepancy"}


# step -> who may ever take it on this review, whatever its state (else 403)
STEP_ACTORS = {
    "correct": can_edit_review,
    "submit": can_edit_review,
    "recommend": can_recommend_review,
    "send_back": lambda user, review: can_recommend_review(user, review) or can_approve_review(user, review),
    "approve": can_approve_review,
    "advise": can_advise_review,
    "refer_back": can_advise_review,
    "reconfirm": can_approve_review,
    "cancel": can_cancel_review,
}


def _turned_away(request, review: Review):
    messages.error(
        request,
        f"This review is {review.get_status_display().lower()}: that step cannot be taken now.",
    )
    return redirect("classification:review", pk=review.pk)


def _take_declared_step(step: str, request, review: Review, form: DeclarationForm) -> None:
    """The service, then the declaration the officer ticked, filed in the audit trail in the same
    transaction (the declaration is the page's requirement; the service is the one path for the
    step, from the API too)."""
    with transaction.atomic():
        _call(step, request, review, form.step_data())
        audit_record(
            actor=request.user,
            action=AuditAction.UPDATE,
            obj=review,
            summary=f"Declaration made on checking the classification review: {form.declaration}",
            changes={"declaration": [None, f"{step}: {form.declaration}"]},
        )


def _step_view(step: str):
    @require_POST
    def view(request, pk):
        review = access_review_by_id(request.user, pk)
        if not STEP_ACTORS[step](request.user, review):
            raise PermissionDenied("You may not take this step on this review.")
        if step not in allowed_steps(request.user, review):
            return _turned_away(request, review)
        form = _step_form(step, request.POST)
        if form.is_valid():
            try:
                if step in CHECKED_STEPS:
                    _take_declared_step(step, request, review, form)
                else:
                    _call(step, request, review, form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error, fields=FIELD_ALIASES)
            else:
                if step in CHECKED_STEPS:
                    return redirect("classification:review_confirmation", pk=review.pk)
                messages.success(request, SUCCESS[step])
                return redirect("classification:review", pk=review.pk)
        if step in CHECKED_STEPS:
            review.refresh_from_db()  # a refused step changed nothing: show the review as it is
            return _render_check(request, review, step, form, status=400)
        return _render_review(request, review, bound={step: form}, status=400)

    view.__name__ = f"review_{step}"
    return view


review_submit = _step_view("submit")
review_recommend = _step_view("recommend")
review_send_back = _step_view("send_back")
review_approve = _step_view("approve")
review_advise = _step_view("advise")
review_refer_back = _step_view("refer_back")
review_reconfirm = _step_view("reconfirm")
review_cancel = _step_view("cancel")


# --- changing one answer -----------------------------------------------------------------------


def _correctable_item(sheet, code: str):
    item = next((item for item in sheet.instrument.items.all() if item.code == code), None)
    if item is None or not correctable(item):
        raise Http404("No such item to correct on this review.")
    return item


def _render_correct(request, review: Review, sheet, item, form, *, status: int = 200):
    row = next(row for rows in sheet.sections.values() for row in rows if row.code == item.code)
    context = _review_context(review, sheet)
    context.update(item=item, row=row, form=form, back=_back_url(request, review))
    return render(request, "classification/review_correct.html", context, status=status)


def _back_url(request, review: Review) -> str:
    """Back to check-your-answers when the officer came from there, else to the review."""
    source = request.POST.get("from") or request.GET.get("from")
    if source == "check":
        return reverse("classification:review_check", kwargs={"pk": review.pk})
    return reverse("classification:review", kwargs={"pk": review.pk})


def _correct_access(request, pk):
    review = access_review_by_id(request.user, pk)
    if not can_edit_review(request.user, review):
        raise PermissionDenied("Only the initiating officer can correct this review's answers.")
    return review


@require_GET
def review_correct_item(request, pk, item):
    """One item's question, its options as radios and the reason for changing it."""
    review = _correct_access(request, pk)
    if "correct" not in allowed_steps(request.user, review):
        return _turned_away(request, review)
    sheet = review_sheet(review)
    instrument_item = _correctable_item(sheet, item)
    audit_view(actor=request.user, obj=review, summary=f"Viewed a classification review of {review.offender}")
    current = (review.answers.get(item) or {}).get("option") or ""
    form = CorrectAnswerForm(item=instrument_item, current=current, prefix="correct")
    return _render_correct(request, review, sheet, instrument_item, form)


@require_POST
def review_correct(request, pk):
    """Change one pre-populated answer (the form of `review_correct_item`); the reason is kept."""
    review = _correct_access(request, pk)
    if "correct" not in allowed_steps(request.user, review):
        return _turned_away(request, review)
    sheet = review_sheet(review)
    instrument_item = _correctable_item(sheet, request.POST.get("correct-item", ""))
    form = CorrectAnswerForm(request.POST, item=instrument_item, prefix="correct")
    if form.is_valid():
        try:
            services.review_correct_answer(
                actor=request.user,
                review=review,
                item=instrument_item.code,
                option=form.cleaned_data["option"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error, fields={"item": "option"})
        else:
            messages.success(
                request, f"Answer to {instrument_item.code} changed and the review scored again."
            )
            return redirect(f"{_back_url(request, review)}#item-{slugify(instrument_item.code)}")
    return _render_correct(request, review, sheet, instrument_item, form, status=400)


# --- check your answers and the confirmation ---------------------------------------------------


def _render_check(request, review: Review, step: str, form, *, status: int = 200):
    sheet = review_sheet(review)
    context = _review_context(review, sheet)
    context.update(step=step, form=form, button=CHECKED_STEPS[step], may_correct=step == "submit")
    return render(request, "classification/review_check.html", context, status=status)


@require_GET
def review_check(request, pk):
    """Check your answers before submitting, recommending or approving: every answer, the scores
    and the categories, then the declaration and the one button."""
    review = access_review_by_id(request.user, pk)
    if not any(STEP_ACTORS[step](request.user, review) for step in CHECKED_STEPS):
        raise PermissionDenied("Only the officer the review waits for can check and sign it.")
    step = next((step for step in allowed_steps(request.user, review) if step in CHECKED_STEPS), None)
    if step is None:
        return _turned_away(request, review)
    audit_view(actor=request.user, obj=review, summary=f"Viewed a classification review of {review.offender}")
    return _render_check(request, review, step, _step_form(step))


# The confirmation after each declared step: (status reached, panel title, what happens next).
CONFIRMATIONS = {
    ReviewStatus.SUBMITTED: (
        "Review submitted for recommendation",
        "A recommending officer at the prison who did not start the review will check it. "
        "It is in their inbox and on the list of reviews in progress. If they send it back, "
        "it returns to you to correct.",
    ),
    ReviewStatus.RECOMMENDED: (
        "Review recommended",
        "An approving officer at the prison who neither started nor recommended the review will "
        "approve it or send it back.",
    ),
    ReviewStatus.APPROVED: (
        "Classification approved",
        "It is now the prisoner's current security classification. An officer at the prison checks "
        "the prisoner's record shows it, then gives the prisoner a copy of the form and records "
        "that they were advised.",
    ),
}


@require_GET
def review_confirmation(request, pk):
    """The panel after submitting, recommending or approving, shown to the officer who took the
    step while the review is still where they left it (otherwise the review itself)."""
    review = access_review_by_id(request.user, pk)
    last = review.transitions.order_by("-id").first()
    if last is None or last.actor_id != request.user.pk or review.status not in CONFIRMATIONS:
        return redirect("classification:review", pk=review.pk)
    audit_view(actor=request.user, obj=review, summary=f"Viewed a classification review of {review.offender}")
    title, next_steps = CONFIRMATIONS[review.status]
    return render(
        request,
        "classification/review_confirmation.html",
        {"review": review, "offender": review.offender, "title": title, "next_steps": next_steps},
    )


# --- reviews waiting at a prison ---------------------------------------------------------------

PRISON_ROLES = (Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER)
WAITING = (
    ReviewStatus.INITIATED,
    ReviewStatus.SENT_BACK,
    ReviewStatus.SUBMITTED,
    ReviewStatus.RECOMMENDED,
    ReviewStatus.APPROVED,
    ReviewStatus.REFERRED_BACK,
)


@require_GET
def review_list(request):
    """Reviews in progress at the user's prison (every prison for a system administrator), each
    with who it waits for; the ones the user can act on first."""
    user = request.user
    national = has_role(user, Role.SYSTEM_ADMIN)
    if not national and not has_role(user, *PRISON_ROLES):
        raise PermissionDenied("Classification reviews are for prison staff.")
    prison_id = None if national else office_id_of(user)
    if not national and prison_id is None:
        raise PermissionDenied("You are not placed at a prison.")
    reviews = prison_reviews(prison_id=prison_id, statuses=WAITING).filter(
        visible_offenders_q(user, "offender")  # need-to-know
    )
    if national:
        # Every prison's reviews: paged in the database; an administrator acts on none but cancel.
        page = Paginator(reviews, PER_PAGE).get_page(request.GET.get("page"))
        prime_prison_offices([review.offender for review in page.object_list])
        mine = set()
    else:
        # One prison's reviews in progress (tens, not thousands): the user's own work first.
        reviews = list(reviews)
        prime_prison_offices([review.offender for review in reviews])
        # "Your step": a step that moves the review on (anyone who may cancel could, at any time).
        mine = {review.pk for review in reviews if set(allowed_steps(user, review)) - {"cancel"}}
        reviews.sort(key=lambda review: review.pk not in mine)
        page = Paginator(reviews, PER_PAGE).get_page(request.GET.get("page"))
    audit_listed(
        actor=user,
        offender_ids=[review.offender_id for review in page.object_list],
        summary="Listed on the classification reviews in progress",
    )
    rows = [
        {"review": review, "yours": review.pk in mine, "waiting_for": _waiting_for(review)}
        for review in page.object_list
    ]
    return render(
        request,
        "classification/reviews.html",
        {"page_obj": page, "rows": rows, "national": national, "today": timezone.localdate()},
    )

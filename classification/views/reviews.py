"""Browser pages of the Review Security Classification (seed 003): a prisoner's classification
and reviews, a review with its answers, sources and corrections, the step forms (initiate,
correct, submit, recommend, approve, send back, cancel, advise, refer back, confirm again) and the
reviews waiting at a prison.

Reviews are obtained only through `access_review_by_id`; every change goes through
classification.services, which checks state, officer and the four-eyes rule."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from audit.refusals import Refused
from audit.services import audit_listed, audit_view
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
    CommentForm,
    CorrectAnswerForm,
    ReasonForm,
    ReconfirmForm,
    ReferBackForm,
    StartReviewForm,
    SubmitReviewForm,
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
                "and correct any that the records got wrong.",
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
    "recommend": (CommentForm, "recommend"),
    "send_back": (ReasonForm, "send_back"),
    "approve": (ApproveForm, "approve"),
    "advise": (AdviseForm, "advise"),
    "refer_back": (ReferBackForm, "refer_back"),
    "reconfirm": (ReconfirmForm, "reconfirm"),
    "cancel": (ReasonForm, "cancel"),
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


def _step_form(step: str, sheet, data=None):
    form_class, prefix = STEP_FORMS[step]
    if form_class is CorrectAnswerForm:
        return form_class(data, prefix=prefix, items=sheet.instrument.items.all())
    return form_class(data, prefix=prefix)


def _waiting_for(review: Review) -> str:
    return {
        ReviewStatus.INITIATED: "the initiating officer to check the answers and submit the review",
        ReviewStatus.SENT_BACK: "the initiating officer to correct and submit the review again",
        ReviewStatus.SUBMITTED: "a recommending officer who did not initiate it",
        ReviewStatus.RECOMMENDED: "an approving officer who neither initiated nor recommended it",
        ReviewStatus.APPROVED: "an officer to check the record and advise the prisoner",
        ReviewStatus.REFERRED_BACK: "the approving officer to put right the discrepancy found",
    }.get(review.status, "")


def _render_review(request, review: Review, *, bound: dict | None = None, status: int = 200):
    sheet = review_sheet(review)
    steps = allowed_steps(request.user, review)
    forms = {step: (bound or {}).get(step) or _step_form(step, sheet) for step in steps}
    return render(
        request,
        "classification/review.html",
        {
            "review": review,
            "offender": review.offender,
            "sheet": sheet,
            "section_a": sheet.sections.get("A", []),
            "section_b": sheet.sections.get("B", []),
            "forms": forms,
            "waiting_for": _waiting_for(review),
            "recommended": review.recommended_categories,
            "approved": review.status
            in (ReviewStatus.APPROVED, ReviewStatus.ADVISED, ReviewStatus.REFERRED_BACK),
        },
        status=status,
    )


@require_GET
def review_detail(request, pk):
    review = access_review_by_id(request.user, pk)
    audit_view(actor=request.user, obj=review, summary=f"Viewed a classification review of {review.offender}")
    return _render_review(request, review)


def _call(step: str, request, review: Review, data: dict) -> Review:
    actor = request.user
    if step == "correct":
        item, option = data["answer"]
        return services.review_correct_answer(
            actor=actor, review=review, item=item, option=option, reason=data["reason"]
        )
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
    "correct": "Answer corrected and the review scored again.",
    "submit": "Review submitted to a recommending officer.",
    "recommend": "Review recommended and sent to an approving officer.",
    "send_back": "Review sent back to the initiating officer.",
    "approve": "Classification approved. It is now the prisoner's current classification.",
    "advise": "Recorded that the prisoner has been advised. The review is complete.",
    "refer_back": "Review referred back to the approving officer. Do not give the prisoner a copy yet.",
    "reconfirm": "Classification recorded again; the prisoner can now be advised.",
    "cancel": "Review cancelled.",
}
# The field a service names in its errors, when it differs from the form's.
FIELD_ALIASES = {"item": "answer", "option": "answer", "discrepancy": "discrepancy"}


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


def _step_view(step: str):
    @require_POST
    def view(request, pk):
        review = access_review_by_id(request.user, pk)
        if not STEP_ACTORS[step](request.user, review):
            raise PermissionDenied("You may not take this step on this review.")
        if step not in allowed_steps(request.user, review):
            messages.error(
                request,
                f"This review is {review.get_status_display().lower()}: that step cannot be taken now.",
            )
            return redirect("classification:review", pk=review.pk)
        form = _step_form(step, review_sheet(review), request.POST)
        if form.is_valid():
            try:
                _call(step, request, review, form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error, fields=FIELD_ALIASES)
            else:
                messages.success(request, SUCCESS[step])
                return redirect("classification:review", pk=review.pk)
        return _render_review(request, review, bound={step: form}, status=400)

    view.__name__ = f"review_{step}"
    return view


review_correct = _step_view("correct")
review_submit = _step_view("submit")
review_recommend = _step_view("recommend")
review_send_back = _step_view("send_back")
review_approve = _step_view("approve")
review_advise = _step_view("advise")
review_refer_back = _step_view("refer_back")
review_reconfirm = _step_view("reconfirm")
review_cancel = _step_view("cancel")


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

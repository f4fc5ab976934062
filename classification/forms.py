"""Forms of the review pages (seed 003, sections C, D and E). They check the shape of input; the
services in classification/services.py check the rules (state, officer, four-eyes)."""

from django import forms
from django.utils import timezone

from classification.models import Category, ItemKind, ReviewReason
from classification.scoring import INTERNAL_CATEGORY_ITEM
from ioms.forms import DateField

CATEGORY_OR_AS_RECOMMENDED = (("", "As recommended"), *Category.choices)
CATEGORY_OR_NONE = (("", "No override"), *Category.choices)
TEXT = {"rows": 3}


class StartReviewForm(forms.Form):
    # No default: "Review due" is a claim the officer makes, refused soon after an approval
    # (classification.services.review_restart_guard).
    reason = forms.ChoiceField(
        label="Why is the review being done?",
        choices=ReviewReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the review is being done."},
    )
    comments = forms.CharField(
        label="Reason for the review",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
        help_text=(
            "Needed for a change of circumstances or a review requested by staff: say what has "
            "changed or who asked for it."
        ),
    )


def correctable(item) -> bool:
    """Staff correct scored answers and overrides; carried-over items and the internal category
    (B.4.4) follow from the others."""
    return item.kind != ItemKind.CARRY_OVER and item.code != INTERNAL_CATEGORY_ITEM


class CorrectAnswerForm(forms.Form):
    """Correct one pre-populated answer: the item's question with its options as radios, and the
    reason. The item travels as a hidden field; the view checks it names this item."""

    item = forms.CharField(widget=forms.HiddenInput)
    option = forms.ChoiceField(
        widget=forms.RadioSelect, error_messages={"required": "Choose the correct answer."}
    )
    reason = forms.CharField(
        label="Why is the pre-populated answer wrong?",
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
        help_text="Name the record that shows it, e.g. the incident report or the medical opinion.",
        error_messages={"required": "Say why the pre-populated answer is wrong."},
    )

    def __init__(self, *args, item, current: str = "", **kwargs):
        kwargs.setdefault("initial", {"item": item.code, "option": current})
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["option"].label = item.text  # the page shows the item number beside it
        self.fields["option"].choices = [
            (option.code, f"{option.label} — {option.points} point{'' if option.points == 1 else 's'}")
            for option in item.options.all()
        ]

    def clean_item(self) -> str:
        if self.cleaned_data["item"] != self.item.code:
            raise forms.ValidationError("This form is for another item; open the item again.")
        return self.cleaned_data["item"]


# The declarations made on check-your-answers before each step (issue 14). The view requires the
# box ticked and files the words in the audit trail with the step.
DECLARATIONS = {
    "submit": (
        "I confirm that I have checked every answer against the prisoner's records, corrected any "
        "the records got wrong, and that the information is correct to the best of my knowledge."
    ),
    "recommend": (
        "I confirm that I have checked the information, the scoring and the proposed "
        "classification, and that I recommend it."
    ),
    "approve": (
        "I confirm that I have checked this review and approve the classification shown as the "
        "prisoner's security classification."
    ),
}


class DeclarationForm(forms.Form):
    """A step taken from check-your-answers: the officer ticks the declaration first."""

    step = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["declaration"] = forms.BooleanField(
            label=DECLARATIONS[self.step],
            error_messages={"required": "Tick the box to confirm the declaration."},
        )

    @property
    def declaration(self) -> str:
        return DECLARATIONS[self.step]

    def step_data(self) -> dict:
        """The cleaned data the service takes (without the declaration)."""
        return {key: value for key, value in self.cleaned_data.items() if key != "declaration"}


class SubmitReviewForm(DeclarationForm):
    """Seed 003, C.3 and C.4."""

    step = "submit"

    override_internal_category = forms.ChoiceField(
        label="Recommend another internal category",
        required=False,
        choices=CATEGORY_OR_NONE,
        help_text="Only when the scored category is not the right one.",
    )
    override_external_category = forms.ChoiceField(
        label="Recommend another external category", required=False, choices=CATEGORY_OR_NONE
    )
    override_reason = forms.CharField(
        label="Reasons for recommending another classification",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
        help_text="Needed when you recommend a category other than the scored one.",
    )
    comments = forms.CharField(
        label="Your comments",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
    )


class RecommendForm(DeclarationForm):
    """Seed 003, D.1."""

    step = "recommend"
    comments = forms.CharField(
        label="Your comments", required=False, max_length=4000, widget=forms.Textarea(attrs=TEXT)
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=4000, widget=forms.Textarea(attrs=TEXT))


class ApproveForm(DeclarationForm):
    """Seed 003, D.2."""

    step = "approve"

    internal_category = forms.ChoiceField(
        label="Approved internal category", required=False, choices=CATEGORY_OR_AS_RECOMMENDED
    )
    external_category = forms.ChoiceField(
        label="Approved external category", required=False, choices=CATEGORY_OR_AS_RECOMMENDED
    )
    change_reason = forms.CharField(
        label="Reason for changing the recommended classification",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
        help_text="Needed only when you approve a classification other than the one recommended.",
    )
    comments = forms.CharField(
        label="Your comments",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
    )


class AdviseForm(forms.Form):
    """Seed 003, E.2: the prisoner is given a copy and signs for it, or refuses to."""

    advised_on = DateField(
        label="Date the prisoner was given a copy",
    )
    prisoner_signed = forms.TypedChoiceField(
        label="Did the prisoner sign the form?",
        choices=(("yes", "Yes, the prisoner signed"), ("no", "No, the prisoner refused to sign")),
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    refusal_note = forms.CharField(
        label="Record of the refusal",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
        help_text="Needed when the prisoner refused to sign: what was said and who witnessed it.",
    )
    comments = forms.CharField(
        label="Advising officer's comments",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"advised_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ReferBackForm(forms.Form):
    """Seed 003, E.1."""

    discrepancy = forms.CharField(
        label="The discrepancy you found",
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
        help_text="What the prisoner's record shows and what the review approved.",
    )


class ReconfirmForm(forms.Form):
    comments = forms.CharField(
        label="How the discrepancy was put right", max_length=2000, widget=forms.Textarea(attrs=TEXT)
    )

"""Forms of the review pages (seed 003, sections C, D and E). They check the shape of input; the
services in classification/services.py check the rules (state, officer, four-eyes)."""

from django import forms
from django.utils import timezone

from classification.models import Category, ItemKind, ReviewReason
from classification.scoring import INTERNAL_CATEGORY_ITEM

CATEGORY_OR_AS_RECOMMENDED = (("", "As recommended"), *Category.choices)
CATEGORY_OR_NONE = (("", "No override"), *Category.choices)
TEXT = {"rows": 3}


class StartReviewForm(forms.Form):
    reason = forms.ChoiceField(label="Why is the review being done?", choices=ReviewReason.choices)
    comments = forms.CharField(
        label="Comments", required=False, max_length=2000, widget=forms.Textarea(attrs=TEXT)
    )


class CorrectAnswerForm(forms.Form):
    """Correct one pre-populated answer. The choices are every option of every item staff may
    correct, grouped by item, as "<item>|<option>"."""

    answer = forms.ChoiceField(
        label="Item and correct answer",
        help_text="Choose the item and the answer the records should have given.",
    )
    reason = forms.CharField(
        label="Why is the pre-populated answer wrong?",
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
        help_text="Name the record that shows it, e.g. the incident report or the medical opinion.",
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        groups = []
        for item in items:
            if item.kind == ItemKind.CARRY_OVER or item.code == INTERNAL_CATEGORY_ITEM:
                continue
            groups.append(
                (
                    f"{item.code} {item.text}",
                    [
                        (f"{item.code}|{option.code}", f"{item.code}: {option.label}")
                        for option in item.options.all()
                    ],
                )
            )
        self.fields["answer"].choices = [("", "Choose an item and answer"), *groups]

    def clean_answer(self) -> tuple[str, str]:
        item, _, option = self.cleaned_data["answer"].partition("|")
        return item, option


class SubmitReviewForm(forms.Form):
    """Seed 003, C.3 and C.4."""

    override_internal_category = forms.ChoiceField(
        label="Recommended internal category", required=False, choices=CATEGORY_OR_NONE
    )
    override_external_category = forms.ChoiceField(
        label="Recommended external category", required=False, choices=CATEGORY_OR_NONE
    )
    override_reason = forms.CharField(
        label="Reasons for recommending another classification",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
        help_text="Needed when you recommend a category other than the scored one.",
    )
    comments = forms.CharField(
        label="Initiating officer's comments",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
    )


class CommentForm(forms.Form):
    comments = forms.CharField(
        label="Comments", required=False, max_length=4000, widget=forms.Textarea(attrs=TEXT)
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=4000, widget=forms.Textarea(attrs=TEXT))


class ApproveForm(forms.Form):
    """Seed 003, D.2."""

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
        label="Approving officer's comments",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
    )


class AdviseForm(forms.Form):
    """Seed 003, E.2: the prisoner is given a copy and signs for it, or refuses to."""

    advised_on = forms.DateField(
        label="Date the prisoner was given a copy",
        widget=forms.DateInput(attrs={"type": "date"}),
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

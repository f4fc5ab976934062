from django import forms

from inbox.sources import SOURCES


class KindFilterForm(forms.Form):
    kind = forms.ChoiceField(label="Show", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "All work")] + [(source.kind, source.label) for source in SOURCES]

    def chosen_kind(self) -> str:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["kind"]
        return ""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class CasenoteType(models.TextChoices):
    CONTACT = "contact", "Contact"
    ACTION = "action", "Action"
    SYSTEM = "system", "System"
    COURT = "court", "Court"
    ALLOCATION = "allocation", "Allocation"
    PROGRAMME = "programme", "Programme"
    ASSESSMENT = "assessment", "Assessment"


class CasenoteQuerySet(models.QuerySet):
    def visible_to_sensitive(self, allowed: bool):
        return self if allowed else self.filter(sensitive=False)

    def with_list_relations(self):
        return self.select_related("author", "sentence", "amends")


class Casenote(models.Model):
    """Never edited in place (the database refuses UPDATE and DELETE: migration 0002).
    A correction is a new note whose `amends` points at the note it corrects."""

    offender = models.ForeignKey("offenders.Offender", on_delete=models.PROTECT, related_name="casenotes")
    sentence = models.ForeignKey(
        "sentences.Sentence", null=True, blank=True, on_delete=models.PROTECT, related_name="casenotes"
    )
    note_type = models.CharField(max_length=20, choices=CasenoteType.choices, default=CasenoteType.CONTACT)
    contact_on = models.DateTimeField(help_text="When the contact or action happened.")
    summary = models.CharField(max_length=200)
    text = models.TextField()
    sensitive = models.BooleanField(
        default=False, help_text="Visible only to staff with the sensitive-casenote permission."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amends = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amendments"
    )
    amendment_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CasenoteQuerySet.as_manager()

    class Meta:
        ordering = ["-contact_on", "-id"]
        indexes = [
            models.Index(fields=["offender", "-contact_on"], name="casenote_offender_time"),
            models.Index(fields=["sentence", "-contact_on"], name="casenote_sentence_time"),
            # The API list's order (casenotes/api.py), for keyset pages.
            models.Index(fields=["-contact_on", "-id"], name="casenote_time"),
            # A probation officer's own recent notes on the home page.
            models.Index(fields=["author", "-created_at", "-id"], name="casenote_author_recent"),
        ]
        permissions = [("view_sensitive_casenote", "Can read and write sensitive casenotes")]

    def __str__(self) -> str:
        return f"{self.get_note_type_display()}: {self.summary}"

    def clean(self) -> None:
        errors = {}
        if self.sentence_id and self.offender_id and self.sentence.offender_id != self.offender_id:
            errors["sentence"] = "That sentence belongs to a different offender."
        if self.amends_id and not self.amendment_reason.strip():
            errors["amendment_reason"] = "Say why the note is being corrected."
        if self.amends_id and self.amends.offender_id != self.offender_id:
            errors["amends"] = "An amendment must be on the same offender's record."
        if errors:
            raise ValidationError(errors)

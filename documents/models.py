from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class DocumentTemplate(models.Model):
    """A defined-format document: its body is a Django template rendered with the record's data."""

    class Audience(models.TextChoices):
        COURT = "court", "Court"
        PAROLE_BOARD = "parole_board", "New Zealand Parole Board"
        INTERNAL = "internal", "Internal"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    body = models.TextField(help_text="Django template; context: offender, sentence, sentences, convictions…")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Final"


class Document(models.Model):
    offender = models.ForeignKey("offenders.Offender", on_delete=models.PROTECT, related_name="documents")
    sentence = models.ForeignKey(
        "sentences.Sentence", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    template = models.ForeignKey(DocumentTemplate, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["offender", "-updated_at"], name="document_offender_time")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.sentence_id and self.offender_id and self.sentence.offender_id != self.offender_id:
            raise ValidationError({"sentence": "That sentence belongs to a different offender."})


class DocumentVersion(models.Model):
    """Each save of a document is a new numbered version; earlier versions are kept unchanged."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body_html = models.TextField()
    author_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

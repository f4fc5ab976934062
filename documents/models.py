from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from workflow.transitions import TransitionRow, Workflow


class ReportKind(models.TextChoices):
    """The reports courts and the Parole Board ask for (seed 000; issue 6)."""

    PRE_SENTENCE = "pre_sentence", "Pre-sentence report"
    PAROLE_PROGRESS = "parole_progress", "Parole progress report"
    PAROLE_ASSESSMENT = "parole_assessment", "Parole assessment report"
    BREACH = "breach", "Breach report"


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
    # Set on the template a kind of report is assembled from (documents.reports); blank for the
    # templates of other documents.
    report_kind = models.CharField(max_length=20, blank=True, choices=ReportKind.choices)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["report_kind"],
                condition=Q(active=True) & ~Q(report_kind=""),
                name="one_active_template_per_report_kind",
            )
        ]

    def __str__(self) -> str:
        return self.name


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Final"


# A final document is never changed: a new document (or a report's addendum) follows it.
DOCUMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    DocumentStatus.DRAFT: frozenset({DocumentStatus.FINAL}),
    DocumentStatus.FINAL: frozenset(),
}


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
        indexes = [
            models.Index(fields=["offender", "-updated_at"], name="document_offender_time"),
            # The API list's order (documents/api.py), for keyset pages.
            models.Index(fields=["-updated_at", "-id"], name="document_recent"),
        ]

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


class DocumentTransition(TransitionRow):
    """Each step of a document: written (draft), then final."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=DocumentStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=DocumentStatus.choices)

    class Meta(TransitionRow.Meta):
        pass


DOCUMENT_WORKFLOW = Workflow(
    name="document",
    model=Document,
    transitions=DOCUMENT_TRANSITIONS,
    row_model=DocumentTransition,
    subject_field="document",
    noun="document",
)


# ---------------------------------------------------------------------------------------------
# Reports for courts and the Parole Board (issue 6): a document assembled from the record, edited,
# approved by a second person and issued, with the record of who issued what to whom.
# ---------------------------------------------------------------------------------------------


REPORT_AUDIENCE = {
    ReportKind.PRE_SENTENCE: DocumentTemplate.Audience.COURT,
    ReportKind.PAROLE_PROGRESS: DocumentTemplate.Audience.PAROLE_BOARD,
    ReportKind.PAROLE_ASSESSMENT: DocumentTemplate.Audience.PAROLE_BOARD,
    ReportKind.BREACH: DocumentTemplate.Audience.COURT,
}
PAROLE_REPORT_KINDS = frozenset({ReportKind.PAROLE_PROGRESS, ReportKind.PAROLE_ASSESSMENT})


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for approval"
    RETURNED = "returned", "Returned to the author"
    APPROVED = "approved", "Approved, to be issued"
    ISSUED = "issued", "Issued"
    CANCELLED = "cancelled", "Cancelled"


# The one map of allowed steps. Issuing again (a copy to another recipient) keeps a report issued.
REPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    ReportStatus.DRAFT: frozenset({ReportStatus.SUBMITTED, ReportStatus.CANCELLED}),
    ReportStatus.RETURNED: frozenset({ReportStatus.SUBMITTED, ReportStatus.CANCELLED}),
    ReportStatus.SUBMITTED: frozenset({ReportStatus.APPROVED, ReportStatus.RETURNED, ReportStatus.CANCELLED}),
    ReportStatus.APPROVED: frozenset({ReportStatus.ISSUED, ReportStatus.CANCELLED}),
    ReportStatus.ISSUED: frozenset(),
    ReportStatus.CANCELLED: frozenset(),
}
# Saved edits are allowed only before submission (or after a return): an approval is of one version.
REPORT_EDITABLE_STATUSES = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})
# For the work inbox: the report's author has work to do (write, rework, issue) ...
REPORT_AUTHOR_WORK_STATUSES = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED, ReportStatus.APPROVED})
# ... or a service manager of the offender's office has a report to approve or return.
REPORT_AWAITING_APPROVAL_STATUSES = frozenset({ReportStatus.SUBMITTED})
REPORT_CLOSED_STATUSES = frozenset({ReportStatus.ISSUED, ReportStatus.CANCELLED})


class ReportQuerySet(models.QuerySet):
    def author_work(self):
        """Reports whose author has something to do before `due_on`."""
        return self.filter(status__in=REPORT_AUTHOR_WORK_STATUSES)

    def awaiting_approval(self):
        """Reports waiting for a service manager of the offender's office."""
        return self.filter(status__in=REPORT_AWAITING_APPROVAL_STATUSES)

    def open(self):
        return self.exclude(status__in=REPORT_CLOSED_STATUSES)


class Report(models.Model):
    """A report to a court or the Parole Board. Its text is a Document (numbered versions); the
    report adds the deadline, the approval (four-eyes) and the record of issue. `status` changes
    only in documents.reports, one service per step, each moving it by REPORT_WORKFLOW."""

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="report")
    offender = models.ForeignKey("offenders.Offender", on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    due_on = models.DateField(help_text="The court date or hearing date the report is for.")
    status = models.CharField(max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The casenotes the author chose to extract, and whether any is sensitive (then only staff who
    # may read sensitive casenotes may read the report).
    extracts = models.ManyToManyField("casenotes.Casenote", blank=True, related_name="+")
    includes_sensitive = models.BooleanField(default=False)
    submitted_version = models.ForeignKey(
        DocumentVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_version = models.ForeignKey(
        DocumentVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # An issued report is frozen; a later change is an addendum: a new report pointing at it.
    addendum_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="addenda"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "-id"]
        indexes = [
            models.Index(fields=["author", "status", "due_on"], name="report_author_work"),
            models.Index(fields=["status", "due_on"], name="report_status_due"),
            models.Index(fields=["offender", "-created_at"], name="report_offender_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "issued"])
                | Q(approved_version__isnull=False, approved_by__isnull=False, approved_at__isnull=False),
                name="report_approved_has_version_and_approver",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("author")),
                name="report_approver_is_not_the_author",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.get_status_display().lower()})"


class ReportTransition(TransitionRow):
    """Each step of a report: from, to, who, when and why (the reason a report was returned), and
    the version it was of."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ReportStatus.choices)
    version = models.ForeignKey(
        DocumentVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(TransitionRow.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_status or '—'} → {self.to_status}"


REPORT_WORKFLOW = Workflow(
    name="report",
    model=Report,
    transitions=REPORT_TRANSITIONS,
    row_model=ReportTransition,
    subject_field="report",
    noun="report",
)


class RecipientKind(models.TextChoices):
    COURT = "court", "A court"
    PAROLE_BOARD = "parole_board", "New Zealand Parole Board"
    OTHER = "other", "Another recipient"


class IssueMethod(models.TextChoices):
    EMAIL = "email", "E-mail"
    PORTAL = "portal", "Court or Parole Board portal"
    HAND = "hand", "By hand"
    POST = "post", "Post"


class IssueRecord(models.Model):
    """Who issued which version of a report to whom, how and when, with the PDF exactly as issued.
    Rows are written once and never changed."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="issues")
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="issues")
    recipient_kind = models.CharField(max_length=20, choices=RecipientKind.choices)
    recipient_court = models.ForeignKey(
        "staff.Office",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "court"},
    )
    recipient = models.CharField(max_length=200, help_text="The recipient as named on the issued PDF.")
    method = models.CharField(max_length=10, choices=IssueMethod.choices)
    note = models.CharField(max_length=300, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    pdf = models.BinaryField(editable=False)
    pdf_sha256 = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["issued_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(recipient_kind="court") | Q(recipient_court__isnull=False),
                name="issue_to_a_court_names_the_court",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.version.number} to {self.recipient}"

"""Where outstanding work comes from: one source per kind of work, each written by the app that
produces the work, next to its access rules (`<app>/inbox_items.py`, on the shape of
ioms.read_models.InboxSource). A source reads the records that produced the work (an allocate
request waiting in a queue, a classification review at one of its steps, an exception to
reconcile ...) and says who may act on each: nothing is copied into the inbox, so there is nothing
to keep in step.

Each source answers for many people at once in one or two queries, so an inbox costs a fixed
number of queries however many people or items. An item overdue by more than its source's
`escalate_after_days` is escalated to the assignee's manager (inbox.selectors, inbox.services)."""

from allocation.inbox_items import AllocateRequestSource
from appointments.inbox_items import ContactLevelSource, FirstAppointmentSource
from classification.inbox_items import ClassificationReviewSource, ReviewDueSource
from compliance.inbox_items import (
    BreachApprovalSource,
    BreachLaySource,
    EnforcementDecisionSource,
    WarningIssueSource,
)
from courts.inbox_items import CorrectionRequestSource
from documents.inbox_items import ReportDeadlineSource
from ioms.read_models import InboxSource
from plans.inbox_items import PlanReviewSource, SentencePlanActivitySource
from reconciliation.inbox_items import DataExceptionSource

# Every kind of work the inbox gathers, in the order its filter and counts list them.
SOURCES: tuple[InboxSource, ...] = (
    AllocateRequestSource(),
    ClassificationReviewSource(),
    ReviewDueSource(),
    DataExceptionSource(),
    CorrectionRequestSource(),
    SentencePlanActivitySource(),
    PlanReviewSource(),
    ReportDeadlineSource(),
    FirstAppointmentSource(),
    ContactLevelSource(),
    EnforcementDecisionSource(),
    WarningIssueSource(),
    BreachApprovalSource(),
    BreachLaySource(),
)

"""The one list of what each app adds to an offender's record: what the viewer may do there, the
tabs, and the kinds of timeline entry, each in the order the record shows it. Each app writes its
part next to its access rules (`<app>/record_sections.py`); the record's pages only gather them
(offenders.views.record_context for the frame every page of the record draws, records.selectors
for the timeline)."""

from agencies import record_sections as agencies
from allocation import record_sections as allocation
from appointments import record_sections as appointments
from casenotes import record_sections as casenotes
from classification import record_sections as classification
from compliance import record_sections as compliance
from conditions import record_sections as conditions
from courts import record_sections as courts
from documents import record_sections as documents
from ioms.read_models import RecordSections, RecordTab
from offenders import record_sections as offenders
from plans import record_sections as plans
from sentences import record_sections as sentences

TIMELINE_TAB = RecordTab("timeline", "Timeline", "offenders:timeline")

RECORD_SECTIONS = RecordSections(
    permissions=(
        offenders.permissions,
        casenotes.permissions,
        documents.permissions,
        allocation.permissions,
        agencies.permissions,
        sentences.permissions,
        courts.permissions,
        classification.permissions,
    ),
    tabs=(
        offenders.DETAILS_TAB,
        sentences.TAB,
        conditions.TAB,
        casenotes.TAB,
        documents.TAB,
        allocation.TAB,
        agencies.TAB,
        plans.TAB,
        appointments.TAB,
        compliance.TAB,
        classification.TAB,
        TIMELINE_TAB,
        offenders.HISTORY_TAB,
    ),
    # Entries on the same day and time keep this order.
    timeline=(
        sentences.timeline,
        agencies.timeline,
        allocation.timeline,
        offenders.timeline,
        casenotes.timeline,
        documents.timeline,
    ),
)

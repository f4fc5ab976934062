"""The inbox stores no work: every item is derived from the record that produced it
(inbox.sources). The one thing kept is that a manager was told about an escalated item, so the
daily notice goes out once per item."""

from django.conf import settings
from django.db import models


class EscalationNotice(models.Model):
    """A manager was notified that an item of their team is overdue (inbox.services)."""

    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    item_key = models.CharField(max_length=120, help_text="The work item's key, e.g. exception:42.")
    notification = models.ForeignKey(
        "allocation.Notification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notified_at = models.DateTimeField()

    class Meta:
        ordering = ["-notified_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["manager", "item_key"], name="one_escalation_notice_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item_key} escalated to {self.manager_id}"

"""Component groups and components: the public face of one or more monitors."""

from __future__ import annotations

import string

from django.db import models, transaction
from django.utils import timezone

from monitors.models import MonitorStatus
from statuspage.lib.chain import Link
from statuspage.lib.ids import public_id


class ComponentStatus(models.TextChoices):
    """Statuspage v2's closed set, ordered from best to worst by SEVERITY."""

    OPERATIONAL = "operational", "Operational"
    UNDER_MAINTENANCE = "under_maintenance", "Under maintenance"
    DEGRADED_PERFORMANCE = "degraded_performance", "Degraded performance"
    PARTIAL_OUTAGE = "partial_outage", "Partial outage"
    MAJOR_OUTAGE = "major_outage", "Major outage"


SEVERITY = {status: rank for rank, status in enumerate(ComponentStatus.values)}


def worst(statuses) -> str:
    """The most severe status in `statuses`, operational when empty."""
    return max(statuses, key=SEVERITY.__getitem__, default=ComponentStatus.OPERATIONAL)


class ComponentGroup(models.Model):
    public_id = models.CharField(max_length=12, unique=True, default=public_id, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=1)
    collapsed = models.BooleanField(default=False, help_text="Show collapsed on the page while operational.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


GROUP_SEPARATOR = " · "
_REGION_WORDS = {MonitorStatus.DEGRADED: "degraded", MonitorStatus.DOWN: "failing"}


class Component(models.Model):
    public_id = models.CharField(max_length=12, unique=True, default=public_id, editable=False)
    group = models.ForeignKey(
        ComponentGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="components"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=1)
    showcase = models.BooleanField(default=True, help_text="Show uptime bars on the page.")
    only_show_if_degraded = models.BooleanField(default=False)
    start_date = models.DateField(null=True, blank=True)
    monitors = models.ManyToManyField("monitors.Monitor", blank=True, related_name="components")

    status = models.CharField(
        max_length=24, choices=ComponentStatus.choices, default=ComponentStatus.OPERATIONAL
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    override_status = models.CharField(max_length=24, choices=ComponentStatus.choices, blank=True)
    override_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name with its group's, e.g. "deepseek-sim · Chat": every provider has a "Chat", so this
        is how a component is named anywhere outside its group's own block. Load `group` with it
        (select_related or prefetch_related) where many are named."""
        return f"{self.group.name}{GROUP_SEPARATOR}{self.name}" if self.group_id else self.name

    def set_status(self, new_status: str, now, source: str) -> bool:
        """Move to `new_status`, log the interval boundary that uptime is computed from, and queue the
        subscribers' component webhooks, all in one transaction: a change is never announced without
        being made, nor made without being announced. The same status again writes nothing."""
        if new_status == self.status:
            return False
        with transaction.atomic():
            change = ComponentStatusChange.objects.create(
                component=self, old_status=self.status, new_status=new_status, created_at=now, source=source
            )
            self.status, self.status_changed_at = new_status, now
            self.save(update_fields=["status", "status_changed_at", "updated_at"])
            announce_change(change)
        return True

    def regional_notes(self) -> list[str]:
        """Regions that see this component fail while the quorum of regions does not, e.g.
        "failing in eu": recorded and shown, though it moves no status (use with prefetched monitors)."""
        seen: dict[str, str] = {}
        for monitor in self.monitors.all():
            for region, status in monitor.outvoted_regions().items():
                if seen.get(region) != MonitorStatus.DOWN:
                    seen[region] = status
        return [f"{_REGION_WORDS[status]} in {region}" for region, status in sorted(seen.items())]


_BASE36 = string.digits + string.ascii_lowercase


class ComponentStatusChange(models.Model):
    """Every change of a component's status: the intervals time-weighted uptime is computed from."""

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="status_changes")
    old_status = models.CharField(max_length=24, choices=ComponentStatus.choices)
    new_status = models.CharField(max_length=24, choices=ComponentStatus.choices)
    created_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, help_text="monitors, incident update, override...")

    class Meta:
        indexes = [models.Index(fields=["component", "created_at"], name="componentchange_time")]

    def __str__(self) -> str:
        return f"{self.component_id}: {self.old_status} -> {self.new_status}"

    @property
    def public_id(self) -> str:
        """Opaque and stable in Statuspage's style (12 lowercase alphanumerics), without a stored column:
        the row id in base 36."""
        digits, n = "", self.pk
        while n:
            n, digit = divmod(n, 36)
            digits = _BASE36[digit] + digits
        return digits.rjust(12, "0")


# Queues the subscribers' component webhooks (subscriptions.outbox), in the change's transaction.
announce_change: Link[[ComponentStatusChange], int] = Link("components.announce_change")

"""Claim StateChange rows from the monitors side and recompute the components they touch."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from monitors.models import StateChange
from statuspage.components import status
from statuspage.components.models import Component

BATCH = 500


def propagate(now: datetime) -> tuple[int, list[tuple[Component, str]]]:
    """Process up to BATCH pending state changes.

    Returns how many were processed and (component, old_status) for each component that changed.
    """
    with transaction.atomic():
        pending = list(
            StateChange.objects.select_for_update(skip_locked=True)
            .filter(processed_at=None)
            .order_by("created_at")[:BATCH]
        )
        if not pending:
            return 0, []
        monitor_ids = {change.monitor_id for change in pending}
        changed = recompute(Component.objects.filter(monitors__in=monitor_ids).distinct(), now)
        StateChange.objects.filter(pk__in=[c.pk for c in pending]).update(processed_at=now)
    return len(pending), changed


def recompute(components, now: datetime) -> list[tuple[Component, str]]:
    """Derive each component's status from its monitors and save the ones that changed."""
    changed = []
    for component in components.prefetch_related("monitors"):
        new = status.derive(
            (m.status for m in component.monitors.all()),
            current=component.status,
            override_status=component.override_status,
            override_until=component.override_until,
            now=now,
        )
        if new != component.status:
            changed.append((component, component.status))
            component.status = new
            component.status_changed_at = now
            component.save(update_fields=["status", "status_changed_at", "updated_at"])
    return changed

"""Claim StateChange rows from the monitors side and recompute the components they touch."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from monitors.models import Monitor, MonitorStatus, StateChange
from statuspage.components import monitor_alerts, status
from statuspage.components.models import Component
from statuspage.lib import pageversion
from statuspage.lib.chain import Link

BATCH = 500

Changes = list[tuple[Component, str]]  # (component, its status before)

# Downstream (connected in statuspage/pipeline/chain.py): incident automation reacts to the changes in
# their transaction; maintenance windows are the incidents room's to say.
components_changed: Link[[Changes, datetime], object] = Link("propagation.components_changed")
upstream_moved: Link[[Monitor, str, datetime], None] = Link("propagation.upstream_moved")
in_maintenance: Link[[list[int]], set[int]] = Link("propagation.in_maintenance")


def propagate(now: datetime) -> tuple[int, Changes]:
    """Process up to BATCH pending state changes, then let incident automation react, in one
    transaction: a failure leaves the rows pending for the next sweep.

    Returns how many were processed and (component, old_status) for each component that changed.
    """
    with transaction.atomic():
        pending = list(
            StateChange.objects.select_for_update(skip_locked=True)
            .filter(processed_at=None)
            .select_related("monitor__provider")
            .order_by("created_at")[:BATCH]
        )
        if not pending:
            return 0, []
        monitor_ids = {change.monitor_id for change in pending if not change.region}
        changed = recompute(Component.objects.filter(monitors__in=monitor_ids).distinct(), now)
        components_changed(changed, now)
        for change in pending:
            if change.monitor.kind == "upstream" and not change.region:
                upstream_moved(change.monitor, change.new_status, change.since or change.created_at)
        if any(
            change.region or MonitorStatus.UNKNOWN in (change.old_status, change.new_status)
            for change in pending
        ):
            # On the page without moving a status: an out-voted region's flag, a silent monitor's note.
            transaction.on_commit(pageversion.bump)
        monitor_alerts.raise_for(
            [c.monitor for c in pending if not c.region and c.new_status == MonitorStatus.UNKNOWN], now
        )
        StateChange.objects.filter(pk__in=[c.pk for c in pending]).update(processed_at=now)
    return len(pending), changed


def target_status(component: Component, now: datetime, in_maintenance: bool) -> str:
    """What the component should show now (monitors are expected to be prefetched)."""
    return status.derive(
        (m.status for m in component.monitors.all()),
        current=component.status,
        override_status=component.override_status,
        override_until=component.override_until,
        in_maintenance=in_maintenance,
        now=now,
    )


def recompute(components: QuerySet[Component], now: datetime) -> Changes:
    """Derive each component's status from its monitors and save the ones that changed."""
    components = list(components.prefetch_related("monitors"))
    maintained = in_maintenance([c.pk for c in components])
    changed = []
    for component in components:
        new = target_status(component, now, component.pk in maintained)
        old = component.status
        if component.set_status(new, now, source="monitors"):
            changed.append((component, old))
    return changed


def refresh(components: QuerySet[Component], now: datetime) -> Changes:
    """Recompute at once (an operator set or cleared an override) and let incident automation react."""
    changed = recompute(components, now)
    components_changed(changed, now)
    return changed


def expire_overrides(now: datetime) -> Changes:
    """Clear operator overrides whose time is up and show what the monitors say again."""
    expired = list(
        Component.objects.select_for_update(skip_locked=True)
        .exclude(override_status="")
        .filter(override_until__lte=now)
    )
    for component in expired:
        component.override_status, component.override_until = "", None
        component.save(update_fields=["override_status", "override_until", "updated_at"])
    return recompute(Component.objects.filter(pk__in=[c.pk for c in expired]), now) if expired else []

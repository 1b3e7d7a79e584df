"""Make the database match a configuration in one transaction, and say what that took (the plan)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from monitors import cost, pausing
from monitors.models import Monitor, Provider
from monitors.tasks import ring_status_doorbell
from statuspage.components.models import Component, ComponentGroup
from statuspage.config.desired import Desired, MonitorRow, desired
from statuspage.config.models import ManagedObject
from statuspage.config.schema import Config

PROVIDER_FIELDS = ("name", "base_url", "api_key_env", "upstream_status_url")


@dataclass
class Step:
    action: str  # create, change, pause, resume
    what: str
    details: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"  {self.action:<7} {self.what}" + "".join(f"\n            {d}" for d in self.details)


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    costs: list[cost.MonitorCost] = field(default_factory=list)
    budget_usd_monthly: float | None = None

    @property
    def total_usd(self) -> float:
        return sum(c.usd for c in self.costs)

    @property
    def over_budget(self) -> bool:
        return bool(self.budget_usd_monthly) and self.total_usd > (self.budget_usd_monthly or 0)

    def text(self, *, applied: bool) -> str:
        lines = ["Plan:" if self.steps else "Plan: nothing to change.", *map(str, self.steps)]
        if self.costs:
            lines.append("Probe cost per month (tokens per probe x probes per month x catalog price):")
            for c in sorted(self.costs, key=lambda c: -c.usd):
                how = "measured" if c.tokens.measured else "estimated"
                lines.append(
                    f"  ${c.usd:8.4f}  {c.monitor.provider.name} / {c.monitor.name}: "
                    f"{c.tokens.input:g} in + {c.tokens.output:g} out tokens ({how}) x {c.probes:,.0f} probes"
                )
            lines.append(f"  ${self.total_usd:8.4f}  total")
        if self.over_budget:
            lines.append(
                f"WARNING: probes would cost ${self.total_usd:.2f} a month, over the "
                f"${self.budget_usd_monthly:.2f} budget"
            )
        if self.steps:
            lines.append("Applied." if applied else "Dry run: nothing was changed.")
        return "\n".join(lines)


def apply(config: Config, *, prune: bool = False, dry_run: bool = False) -> Plan:
    """One transaction: every change or none; a dry run makes the same changes and rolls them back,
    so the plan it prints is exactly what applying would do."""
    with transaction.atomic():
        plan = _Applier(config, prune).run()
        if dry_run:
            transaction.set_rollback(True)
    return plan


class _Applier:
    def __init__(self, config: Config, prune: bool) -> None:
        self.config, self.prune, self.now = config, prune, timezone.now()
        self.want: Desired = desired(config)
        self.plan = Plan(
            budget_usd_monthly=config.budget_usd_monthly or settings.PROBE_BUDGET_USD_MONTHLY or None
        )
        self.providers: dict[str, Provider] = {}
        self.monitors: dict[tuple[str, str], Monitor] = {}

    def run(self) -> Plan:
        for row in self.want.providers.values():
            self.provider(row)
        for row in self.want.monitors.values():
            self.monitor(row)
        groups = {name: self.group(name) for name in self.want.groups}
        for (group, name), monitor_keys in self.want.components.items():
            self.component(groups.get(group), group, name, monitor_keys)
        if self.prune:
            self.pause_unnamed()
        monitors = Monitor.objects.filter(pk__in=[m.pk for m in self.monitors.values()])
        self.plan.costs = cost.costs(monitors.select_related("provider"), self.now)
        return self.plan

    def mark(self, kind: str, object_id: int) -> None:
        if not self.config.source:  # added in admin from the catalog: the operator's, not a file's
            return
        ManagedObject.objects.update_or_create(
            kind=kind, object_id=object_id, defaults={"source": self.config.source, "applied_at": self.now}
        )

    def provider(self, row: Any) -> None:
        values = {f: getattr(row, f) for f in PROVIDER_FIELDS}
        provider = Provider.objects.filter(slug=row.slug).first()
        if provider is None:
            provider = Provider.objects.create(slug=row.slug, **values)
            self.plan.steps.append(Step("create", f"provider {row.name}", [f"key from ${row.api_key_env}"]))
        else:
            changed = _differences(provider, values)
            if changed:
                Provider.objects.filter(pk=provider.pk).update(**values)
                self.plan.steps.append(Step("change", f"provider {row.name}", changed))
        self.providers[row.slug] = provider
        self.mark(ManagedObject.Kind.PROVIDER, provider.pk)

    def monitor(self, row: MonitorRow) -> None:
        provider = self.providers[row.provider]
        values = {"kind": row.kind, "url": row.url, **row.values}
        enabled = values.pop("enabled")
        monitor = Monitor.objects.filter(provider=provider, name=row.name).first()
        label = f"monitor {provider.name} / {row.name}"
        if monitor is None:
            monitor = Monitor.objects.create(provider=provider, name=row.name, enabled=enabled, **values)
            self.plan.steps.append(
                Step("create", label, [f"{row.kind} {row.url} every {row.values['interval_s']} s"])
            )
        else:
            changed = _differences(monitor, values)
            if changed:
                Monitor.objects.filter(pk=monitor.pk).update(**values)
                self.plan.steps.append(Step("change", label, changed))
            if monitor.enabled != enabled:
                switch = pausing.resume if enabled else pausing.pause
                reason = f"{'resumed' if enabled else 'paused'} by {self.config.source}"
                switch(
                    Monitor.objects.filter(pk=monitor.pk),
                    reason=reason,
                    now=self.now,
                    on_change=ring_status_doorbell,
                )
                self.plan.steps.append(Step("resume" if enabled else "pause", label))
        self.monitors[row.key] = monitor
        self.mark(ManagedObject.Kind.MONITOR, monitor.pk)

    def group(self, name: str) -> ComponentGroup:
        group = ComponentGroup.objects.filter(name=name).order_by("pk").first()
        if group is None:
            position = (ComponentGroup.objects.aggregate(last=Max("position"))["last"] or 0) + 1
            group = ComponentGroup.objects.create(name=name, position=position)
            self.plan.steps.append(Step("create", f"component group {name}"))
        self.mark(ManagedObject.Kind.GROUP, group.pk)
        return group

    def component(
        self, group: ComponentGroup | None, group_name: str, name: str, monitor_keys: list[tuple[str, str]]
    ) -> None:
        label = f"component {group_name + ' · ' if group_name else ''}{name}"
        component = Component.objects.filter(group=group, name=name).order_by("pk").first()
        wanted = {self.monitors[key].pk for key in monitor_keys}
        if component is None:
            position = (
                Component.objects.filter(group=group).aggregate(last=Max("position"))["last"] or 0
            ) + 1
            component = Component.objects.create(group=group, name=name, position=position)
            self.plan.steps.append(Step("create", label, [f"fed by {len(wanted)} monitor(s)"]))
        else:
            have = set(component.monitors.values_list("pk", flat=True))
            if have != wanted:
                self.plan.steps.append(
                    Step("change", label, [f"monitors: {sorted(have)} -> {sorted(wanted)}"])
                )
        component.monitors.set(wanted)
        self.mark(ManagedObject.Kind.COMPONENT, component.pk)

    def pause_unnamed(self) -> None:
        """Managed monitors the file no longer names are paused, never deleted: history stays."""
        named = {m.pk for m in self.monitors.values()}
        managed = ManagedObject.objects.filter(kind=ManagedObject.Kind.MONITOR).values_list(
            "object_id", flat=True
        )
        gone = (
            Monitor.objects.filter(pk__in=managed, enabled=True)
            .exclude(pk__in=named)
            .select_related("provider")
        )
        for monitor in gone.order_by("pk"):
            self.plan.steps.append(
                Step("pause", f"monitor {monitor.provider.name} / {monitor.name}", ["no longer in the file"])
            )
        pausing.pause(
            gone, reason=f"no longer in {self.config.source}", now=self.now, on_change=ring_status_doorbell
        )


def _differences(row: Any, values: dict[str, Any]) -> list[str]:
    return [
        f"{name}: {getattr(row, name)!r} -> {value!r}"
        for name, value in values.items()
        if getattr(row, name) != value
    ]

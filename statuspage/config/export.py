"""The current providers, monitors and their components written as a configuration file."""

from __future__ import annotations

from typing import Any

import yaml

from monitors.models import Monitor, Provider
from statuspage.components.models import Component
from statuspage.config.desired import MONITOR_DEFAULTS

# File field -> Monitor attribute, where they differ.
_RENAMED = {"interval_s": "interval"}


def export() -> str:
    """Everything in the explicit form (no catalog shorthands), so applying it changes nothing."""
    memberships: dict[int, list[dict[str, str]]] = {}
    for component in Component.objects.select_related("group").prefetch_related("monitors").order_by("pk"):
        for monitor in component.monitors.all():
            where = {"group": component.group.name if component.group_id else "", "name": component.name}
            memberships.setdefault(monitor.pk, []).append(where)
    providers = [
        _without_empty(
            {
                "name": p.name,
                "slug": p.slug,
                "base_url": p.base_url,
                "key_env": p.api_key_env,
                "upstream_url": p.upstream_status_url,
            }
        )
        for p in Provider.objects.order_by("slug")
    ]
    monitors = [
        _monitor(m, memberships.get(m.pk, []))
        for m in Monitor.objects.select_related("provider").order_by("pk")
    ]
    document = {"providers": providers, "monitors": monitors}
    header = "# Written by `manage.py export`; `manage.py apply` on this file changes nothing.\n"
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)


def _monitor(monitor: Monitor, components: list[dict[str, str]]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "provider": monitor.provider.slug,
        "name": monitor.name,
        "kind": monitor.kind,
        "url": monitor.url,
    }
    for name, default in MONITOR_DEFAULTS.items():
        value = getattr(monitor, name)
        if value != default:
            item[_RENAMED.get(name, name)] = value
    if components:
        item["components"] = [_without_empty(c) for c in components]
    return item


def _without_empty(item: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in item.items() if v}

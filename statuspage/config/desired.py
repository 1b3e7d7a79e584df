"""What a configuration asks for, row by row, keyed the way rows are found again (slug, name)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from monitors.catalog.drafts import drafts
from statuspage.config.schema import Config, provider_slug

# Monitor fields a file sets; anything else on the row (its state, its history) is never touched.
MONITOR_DEFAULTS: dict[str, Any] = {
    "model": "",
    "stream": False,
    "interval_s": 60,
    "timeout_s": 30.0,
    "ttft_timeout_s": 20.0,
    "stall_timeout_s": 10.0,
    "slow_ttft_ms": None,
    "slow_total_ms": None,
    "expect_text": "",
    "options": {},
    "regions": [],
    "enabled": True,
}
# What a catalog role's monitor feeds: (component name, shown on the page).
ROLE_COMPONENTS = {"chat": "Chat", "models": "Models API", "health": "Health"}


@dataclass
class ProviderRow:
    slug: str
    name: str
    base_url: str
    api_key_env: str
    upstream_status_url: str


@dataclass
class MonitorRow:
    provider: str  # slug
    name: str
    kind: str
    url: str
    values: dict[str, Any]  # every field of MONITOR_DEFAULTS
    components: list[tuple[str, str]] = field(default_factory=list)  # (group, component)

    @property
    def key(self) -> tuple[str, str]:
        return (self.provider, self.name)


@dataclass
class Desired:
    providers: dict[str, ProviderRow] = field(default_factory=dict)
    monitors: dict[tuple[str, str], MonitorRow] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)
    components: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)  # -> monitors


def desired(config: Config) -> Desired:
    want = Desired()
    for use in config.catalog:
        entry, slug = use.choice.entry, provider_slug(use)
        readable = entry.upstream.readable and "upstream" in (use.choice.probes or entry.probes)
        want.providers[slug] = ProviderRow(
            slug=slug,
            name=use.choice.provider_name,
            base_url=use.choice.api_root,
            api_key_env=use.key_env,
            upstream_status_url=entry.upstream.url if readable else "",
        )
        for draft in drafts(use.choice):
            values = {
                **MONITOR_DEFAULTS,
                "model": draft.model,
                "stream": draft.stream,
                "interval_s": draft.interval_s,
                "regions": draft.regions,
                "slow_ttft_ms": draft.slow_ttft_ms,
                "options": {**draft.options, **use.thresholds},
            }
            component = use.components.get(draft.role, ROLE_COMPONENTS.get(draft.role))
            row = MonitorRow(slug, draft.name, draft.kind, draft.url, values)
            if component:
                row.components.append((use.group, component))
            _add_monitor(want, row)
    for provider in config.providers:
        want.providers[provider.slug] = ProviderRow(
            provider.slug, provider.name, provider.base_url, provider.key_env, provider.upstream_url
        )
    for monitor in config.monitors:
        row = MonitorRow(
            monitor.provider, monitor.name, monitor.kind, monitor.url, {**MONITOR_DEFAULTS, **monitor.fields}
        )
        row.components.extend(monitor.components)
        _add_monitor(want, row)
    return want


def _add_monitor(want: Desired, row: MonitorRow) -> None:
    want.monitors[row.key] = row
    for group, component in row.components:
        if group and group not in want.groups:
            want.groups.append(group)
        want.components.setdefault((group, component), []).append(row.key)

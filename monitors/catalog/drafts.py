"""A catalog entry turned into the monitors that watch it: what `apply` and the admin flow create."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from monitors.catalog import Entry

CHAT_TTFT_TIMEOUT_S = 20.0  # the probe gives up on a first token after this (slow_ttft_ms says "slow")


@dataclass
class MonitorDraft:
    """One monitor as it should be; `role` says which of the entry's probes it is."""

    role: str  # chat, models, upstream, health
    name: str
    kind: str
    url: str
    model: str = ""
    stream: bool = False
    interval_s: int = 60
    regions: list[str] = field(default_factory=list)
    slow_ttft_ms: float | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Choice:
    """What the operator picked: the defaults come from the entry."""

    entry: Entry
    name: str = ""
    models: tuple[str, ...] = ()
    probes: tuple[str, ...] = ()
    interval_s: int = 60
    regions: tuple[str, ...] = ()
    base_url: str = ""
    values: dict[str, str] = field(default_factory=dict)  # template placeholders
    slow_ttft_ms: float | None = None

    @property
    def provider_name(self) -> str:
        return self.name or self.entry.name

    @property
    def api_root(self) -> str:
        return self.entry.fill(self.base_url or self.entry.base_url, self.values)

    @property
    def chosen_models(self) -> tuple[str, ...]:
        return tuple(self.entry.fill(m, self.values) for m in (self.models or (self.entry.model,)))


def drafts(choice: Choice) -> list[MonitorDraft]:
    """The monitors for a choice: a streamed chat probe per model, then models, health, upstream."""
    entry, root, name = choice.entry, choice.api_root, choice.provider_name
    common: dict[str, Any] = {"interval_s": choice.interval_s, "regions": list(choice.regions)}
    auth = {"auth": entry.auth} if entry.auth else {}
    found: list[MonitorDraft] = []
    for probe in choice.probes or entry.probes:
        if probe == "chat":
            for model in choice.chosen_models:
                price = entry.price(model)
                priced = {"price_per_mtok": {"input": price.input, "output": price.output}} if price else {}
                found.append(
                    MonitorDraft(
                        "chat", f"{name} chat {model}", entry.dialect, root, model, stream=True,
                        slow_ttft_ms=choice.slow_ttft_ms or entry.slow_ttft_ms, options={**auth, **priced},
                        **common,
                    )
                )  # fmt: skip
        elif probe == "models":
            options = {"flavour": entry.dialect, **auth}
            found.append(MonitorDraft("models", f"{name} models", "models", root, options=options, **common))
        elif probe == "health":
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(root))
            found.append(
                MonitorDraft("health", f"{name} health", "http", origin + entry.health_path, **common)
            )
        elif probe == "upstream" and entry.upstream.readable:
            options: dict[str, Any] = {"format": "feed"} if entry.upstream.format == "feed" else {}
            if entry.upstream.components:
                options["component_map"] = dict(entry.upstream.components)
            upstream_common = {**common, "interval_s": max(choice.interval_s, 60)}
            found.append(
                MonitorDraft(
                    "upstream", f"{name} upstream status", "upstream", entry.upstream.url,
                    options=options, **upstream_common,
                )
            )  # fmt: skip
    return found

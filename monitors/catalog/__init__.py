"""The provider catalog: one YAML data file per AI provider under providers/, read into entries."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

DIRECTORY = Path(__file__).parent / "providers"
PROBES = ("chat", "models", "upstream", "health")
UPSTREAM_FORMATS = ("statuspage", "incident.io", "feed", "none")
DIALECTS = ("openai", "anthropic", "gemini")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class CatalogError(ValueError):
    """A catalog file (ours) or a use of it (the operator's) that cannot work."""


@dataclass(frozen=True)
class Price:
    """US dollars per million tokens, as the provider's price list said on `taken`."""

    input: float
    output: float


@dataclass(frozen=True)
class Upstream:
    format: str  # one of UPSTREAM_FORMATS; only JSON formats become an upstream monitor
    url: str = ""
    components: dict[str, str] = field(default_factory=dict)  # our component name -> theirs

    @property
    def readable(self) -> bool:
        return self.format in ("statuspage", "incident.io", "feed") and bool(self.url)


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    base_url: str
    key_env: str
    dialect: str  # the chat probe kind (and models flavour)
    model: str  # the cheap default model to probe
    models: tuple[str, ...]
    slow_ttft_ms: float
    probes: tuple[str, ...]
    upstream: Upstream
    prices: dict[str, Price]
    prices_taken: date | None
    unverified: tuple[str, ...]
    template: tuple[str, ...] = ()  # placeholders the operator must fill, e.g. resource, deployment
    key_optional: bool = False
    self_hosted: bool = False
    auth: str = ""  # "api-key": the key goes in an api-key header (Azure) instead of the dialect's own
    health_path: str = ""
    fake: str = ""  # the fake fleet kind that speaks this provider's dialect, when not `dialect`

    @property
    def fake_kind(self) -> str:
        return self.fake or self.dialect

    def is_unverified(self, fact: str) -> bool:
        """Whether the reference leaves this fact (e.g. "prices", "models.gpt-4.1-mini") unconfirmed."""
        return "all" in self.unverified or fact in self.unverified or fact.split(".")[0] in self.unverified

    def price(self, model: str) -> Price | None:
        return self.prices.get(model)

    def fill(self, text: str, values: dict[str, str]) -> str:
        """Put the operator's values into a template string; a missing one is a CatalogError."""

        def put(match: re.Match[str]) -> str:
            name = match.group(1)
            if not values.get(name):
                raise CatalogError(f"{self.id} needs {name!r} (the catalog entry is a template)")
            return values[name]

        return _PLACEHOLDER.sub(put, text)


def _entry(data: dict[str, Any], source: str) -> Entry:
    try:
        upstream = data.get("upstream") or {"format": "none"}
        prices = data.get("prices") or {}
        entry = Entry(
            id=str(data["id"]),
            name=str(data["name"]),
            base_url=str(data["base_url"]),
            key_env=str(data["key_env"]),
            dialect=str(data["dialect"]),
            model=str(data["model"]),
            models=tuple(str(m) for m in data["models"]),
            slow_ttft_ms=float(data["slow_ttft_ms"]),
            probes=tuple(data["probes"]),
            upstream=Upstream(
                format=str(upstream["format"]),
                url=str(upstream.get("url") or ""),
                components={str(k): str(v) for k, v in (upstream.get("components") or {}).items()},
            ),
            prices={
                str(m): Price(float(p["input"]), float(p["output"]))
                for m, p in (prices.get("per_mtok") or {}).items()
            },
            prices_taken=prices.get("taken"),
            unverified=tuple(str(u) for u in data.get("unverified") or ()),
            template=tuple(data.get("template") or ()),
            key_optional=bool(data.get("key_optional", False)),
            self_hosted=bool(data.get("self_hosted", False)),
            auth=str(data.get("auth") or ""),
            health_path=str(data.get("health_path") or ""),
            fake=str(data.get("fake") or ""),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"{source}: {exc!r}") from None
    checks = [
        (all(p in PROBES for p in entry.probes), f"unknown probe in {entry.probes}"),
        (entry.dialect in DIALECTS, f"unknown dialect {entry.dialect!r}"),
        (entry.upstream.format in UPSTREAM_FORMATS, f"unknown upstream format {entry.upstream.format!r}"),
        ("upstream" not in entry.probes or entry.upstream.readable, "upstream probe without a readable page"),
        ("health" not in entry.probes or bool(entry.health_path), "health probe without health_path"),
        (entry.id == Path(source).stem, f"id {entry.id!r} differs from the file name"),
    ]
    problems = [message for ok, message in checks if not ok]
    if problems:
        raise CatalogError(f"{source}: {'; '.join(problems)}")
    return entry


@functools.cache
def entries() -> dict[str, Entry]:
    """Every catalog entry by id, in name order."""
    found = [_entry(yaml.safe_load(path.read_text()), path.name) for path in sorted(DIRECTORY.glob("*.yaml"))]
    return {e.id: e for e in sorted(found, key=lambda e: e.name.lower())}


def get(entry_id: str) -> Entry:
    try:
        return entries()[entry_id]
    except KeyError:
        raise CatalogError(f"unknown provider {entry_id!r}; the catalog has {', '.join(entries())}") from None

"""Read a configuration file: YAML in, typed entries out, every error naming its line and field."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import yaml

from monitors import catalog, conditions, keys
from monitors.catalog.drafts import Choice
from monitors.models import THRESHOLD_OPTIONS
from monitors.probes import KINDS

Path = tuple[str | int, ...]

TOP = {"providers", "monitors", "budget_usd_monthly"}
CATALOG_FIELDS = {
    "catalog", "name", "models", "probes", "interval", "regions", "base_url", "values", "slow_ttft_ms",
    "group", "key_env", "thresholds", "components",
}  # fmt: skip
ROLES = ("chat", "models", "health")  # the catalog probes that feed a component (upstream is a claim)
PROVIDER_FIELDS = {"name", "slug", "base_url", "key_env", "upstream_url"}
MONITOR_FIELDS = {
    "provider", "name", "kind", "url", "model", "stream", "interval", "regions", "timeout_s",
    "ttft_timeout_s", "stall_timeout_s", "slow_ttft_ms", "slow_total_ms", "expect_text", "options",
    "components", "enabled",
}  # fmt: skip


class ConfigError(ValueError):
    """Everything wrong with a file, one line per problem: `FILE:LINE: field: what is wrong`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class CatalogUse:
    choice: Choice
    key_env: str
    group: str
    thresholds: dict[str, Any] = field(default_factory=dict)  # state-machine options for every monitor
    components: dict[str, str] = field(default_factory=dict)  # probe role -> component name ("": none)


@dataclass
class CustomProvider:
    name: str
    slug: str
    base_url: str
    key_env: str = ""
    upstream_url: str = ""


@dataclass
class CustomMonitor:
    provider: str  # a provider's slug: from the catalog (its id) or custom
    name: str
    kind: str
    url: str
    fields: dict[str, Any]  # Monitor fields beyond the above
    components: list[tuple[str, str]]  # (group name, component name); group "" for none


@dataclass
class Config:
    source: str
    catalog: list[CatalogUse] = field(default_factory=list)
    providers: list[CustomProvider] = field(default_factory=list)
    monitors: list[CustomMonitor] = field(default_factory=list)
    budget_usd_monthly: float | None = None


def load(text: str, source: str) -> Config:
    """Parse and validate; raises ConfigError listing every problem found."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise ConfigError([f"{source}:{line}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from None
    reader = _Reader(source, _lines(root))
    config = reader.config(data if data is not None else {})
    if reader.problems:
        raise ConfigError(reader.problems)
    return config


def _lines(node: yaml.Node | None, path: Path = (), out: dict[Path, int] | None = None) -> dict[Path, int]:
    """Each field's line (1-based), keyed by its path, e.g. ("providers", 0, "models") -> 3."""
    out = {} if out is None else out
    if node is None:
        return out
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            out[(*path, key.value)] = key.start_mark.line + 1
            _lines(value, (*path, key.value), out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _lines(item, (*path, index), out)
    return out


def _dotted(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class _Reader:
    def __init__(self, source: str, lines: dict[Path, int]) -> None:
        self.source, self.lines, self.problems = source, lines, []

    def fail(self, path: Path, message: str) -> None:
        line = next((self.lines[path[:n]] for n in range(len(path), -1, -1) if path[:n] in self.lines), 0)
        self.problems.append(f"{self.source}:{line}: {_dotted(path) or '(file)'}: {message}")

    def mapping(self, value: Any, path: Path, known: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping of {', '.join(sorted(known))}")
            return {}
        for key in value:
            if key not in known:
                self.fail((*path, key), f"unknown field {key!r}; known: {', '.join(sorted(known))}")
        return value

    def typed(self, value: Any, path: Path, kind: type | tuple[type, ...], what: str) -> Any:
        if value is not None and (
            not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool)
        ):
            self.fail(path, f"expected {what}, got {value!r}")
            return None
        return value

    def strings(self, value: Any, path: Path) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(path, f"expected a list of names, got {value!r}")
            return ()
        return tuple(value)

    def key_env(self, name: Any, path: Path, *, optional: bool) -> str:
        if not name:
            return ""
        if not isinstance(name, str):
            self.fail(path, f"expected a variable name, got {name!r}")
            return ""
        if why := keys.refusal(name):
            self.fail(path, why)
        elif name not in os.environ and not optional:
            self.fail(path, f"unknown key variable {name}: it is not set in this environment")
        return name

    def config(self, data: Any) -> Config:
        data = self.mapping(data, (), TOP)
        config = Config(source=self.source)
        budget = self.typed(data.get("budget_usd_monthly"), ("budget_usd_monthly",), (int, float), "dollars")
        config.budget_usd_monthly = float(budget) if budget is not None else None
        for index, item in enumerate(self.typed(data.get("providers"), ("providers",), list, "a list") or []):
            path: Path = ("providers", index)
            if isinstance(item, str):
                item = {"catalog": item}
            item = self.mapping(item, path, CATALOG_FIELDS | PROVIDER_FIELDS)
            if "catalog" in item:
                use = self.catalog_use(item, path)
                if use is not None:
                    config.catalog.append(use)
            elif item:
                config.providers.append(self.custom_provider(item, path))
        for index, item in enumerate(self.typed(data.get("monitors"), ("monitors",), list, "a list") or []):
            monitor = self.custom_monitor(self.mapping(item, ("monitors", index), MONITOR_FIELDS), index)
            if monitor is not None:
                config.monitors.append(monitor)
        self.check_references(config)
        return config

    def catalog_use(self, item: dict[str, Any], path: Path) -> CatalogUse | None:
        extra = set(item) - CATALOG_FIELDS
        for key in extra:
            self.fail((*path, key), f"{key!r} is for custom providers, not catalog ones")
        try:
            entry = catalog.get(str(item["catalog"]))
        except catalog.CatalogError as exc:
            self.fail((*path, "catalog"), str(exc))
            return None
        probes = self.strings(item.get("probes"), (*path, "probes"))
        for probe in probes:
            if probe not in entry.probes:
                self.fail(
                    (*path, "probes"), f"{entry.id} has no {probe!r} probe; it has {', '.join(entry.probes)}"
                )
        interval = self.typed(item.get("interval", 60), (*path, "interval"), int, "seconds (a whole number)")
        if interval is not None and interval < 5:
            self.fail((*path, "interval"), f"at least 5 seconds, got {interval}")
        values = self.typed(item.get("values", {}), (*path, "values"), dict, "a mapping") or {}
        choice = Choice(
            entry,
            name=self.typed(item.get("name"), (*path, "name"), str, "a name") or "",
            models=self.strings(item.get("models"), (*path, "models")),
            probes=probes,
            interval_s=interval or 60,
            regions=self.strings(item.get("regions"), (*path, "regions")),
            base_url=self.typed(item.get("base_url"), (*path, "base_url"), str, "a URL") or "",
            values={str(k): str(v) for k, v in values.items()},
            slow_ttft_ms=self.typed(item.get("slow_ttft_ms"), (*path, "slow_ttft_ms"), (int, float), "ms"),
        )
        try:
            choice.api_root, choice.chosen_models  # noqa: B018 (templates filled, or the error named)
        except catalog.CatalogError as exc:
            self.fail((*path, "values"), str(exc))
        key_env = self.key_env(
            item.get("key_env", entry.key_env), (*path, "key_env"), optional=entry.key_optional
        )
        group = self.typed(item.get("group"), (*path, "group"), str, "a group name") or choice.provider_name
        thresholds = self.thresholds(item.get("thresholds"), (*path, "thresholds"))
        components = self.typed(item.get("components", {}), (*path, "components"), dict, "a mapping") or {}
        for role, name in components.items():
            if role not in ROLES:
                self.fail(
                    (*path, "components", role), f"unknown probe role {role!r}; roles: {', '.join(ROLES)}"
                )
            elif name is not None and not isinstance(name, str):
                self.fail(
                    (*path, "components", role), f"expected a component name (or null for none), got {name!r}"
                )
        components = {str(role): str(name or "") for role, name in components.items()}
        return CatalogUse(choice, key_env, group, thresholds, components)

    def thresholds(self, value: Any, path: Path) -> dict[str, Any]:
        known = set(THRESHOLD_OPTIONS)
        found = {}
        for key, number in self.mapping(value or {}, path, known).items():
            if key in known and self.typed(number, (*path, key), (int, float), "a number") is not None:
                found[key] = number
        return found

    def custom_provider(self, item: dict[str, Any], path: Path) -> CustomProvider:
        for key in ("name", "slug", "base_url"):
            if not isinstance(item.get(key), str) or not item[key]:
                self.fail((*path, key), f"{key} is required for a custom provider (or name a catalog one)")
        return CustomProvider(
            name=str(item.get("name", "")),
            slug=str(item.get("slug", "")),
            base_url=str(item.get("base_url", "")),
            key_env=self.key_env(item.get("key_env"), (*path, "key_env"), optional=False),
            upstream_url=str(item.get("upstream_url") or ""),
        )

    def custom_monitor(self, item: dict[str, Any], index: int) -> CustomMonitor | None:
        path: Path = ("monitors", index)
        for key in ("provider", "name", "kind", "url"):
            if not isinstance(item.get(key), str) or not item[key]:
                self.fail((*path, key), f"{key} is required")
        if item.get("kind") and item["kind"] not in KINDS:
            self.fail((*path, "kind"), f"unknown probe kind {item['kind']!r}; known: {', '.join(KINDS)}")
        fields: dict[str, Any] = {}
        types: dict[str, tuple[str, type | tuple[type, ...], str]] = {
            "model": ("model", str, "a model name"),
            "stream": ("stream", bool, "true or false"),
            "interval": ("interval_s", int, "seconds (a whole number)"),
            "timeout_s": ("timeout_s", (int, float), "seconds"),
            "ttft_timeout_s": ("ttft_timeout_s", (int, float), "seconds"),
            "stall_timeout_s": ("stall_timeout_s", (int, float), "seconds"),
            "slow_ttft_ms": ("slow_ttft_ms", (int, float), "ms"),
            "slow_total_ms": ("slow_total_ms", (int, float), "ms"),
            "expect_text": ("expect_text", str, "text"),
            "options": ("options", dict, "a mapping"),
            "enabled": ("enabled", bool, "true or false"),
        }
        for key, (attribute, kind, what) in types.items():
            if key in item:
                value = self.typed(item[key], (*path, key), kind, what)
                if value is not None:
                    fields[attribute] = value
        if "regions" in item:
            fields["regions"] = list(self.strings(item["regions"], (*path, "regions")))
        options = fields.get("options", {})
        if "conditions" in options:
            try:
                conditions.parse(options["conditions"])
            except ValueError as exc:
                self.fail((*path, "options", "conditions"), str(exc))
        if options.get("api_key_env"):
            self.key_env(options["api_key_env"], (*path, "options", "api_key_env"), optional=False)
        components = []
        for n, component in enumerate(item.get("components") or []):
            where = (*path, "components", n)
            component = self.mapping(component, where, {"group", "name"})
            if not isinstance(component.get("name"), str) or not component["name"]:
                self.fail(where, "a component needs a name")
                continue
            components.append((str(component.get("group") or ""), component["name"]))
        return CustomMonitor(
            provider=str(item.get("provider", "")),
            name=str(item.get("name", "")),
            kind=str(item.get("kind", "")),
            url=str(item.get("url", "")),
            fields=fields,
            components=components,
        )

    def check_references(self, config: Config) -> None:
        slugs = [provider_slug(u) for u in config.catalog]
        slugs += [p.slug for p in config.providers]
        for index, slug in enumerate(slugs):
            if slug in slugs[:index]:
                self.fail(("providers", index), f"provider {slug!r} is named twice")
        for index, monitor in enumerate(config.monitors):
            if monitor.provider and monitor.provider not in slugs:
                self.fail(
                    ("monitors", index, "provider"),
                    f"unknown provider {monitor.provider!r}; this file names {', '.join(slugs) or 'none'}",
                )


def _slug(name: str) -> str:
    from django.utils.text import slugify

    return slugify(name)


def provider_slug(use: CatalogUse) -> str:
    """A catalog provider's slug: the catalog id, or its own name's when renamed (two Azure resources)."""
    return _slug(use.choice.name) if use.choice.name else use.choice.entry.id

"""An incident's detection record (how and when we noticed it) in words, for readers and operators.

Automation writes {"method": "probes", "detected_at", "first_failure_at", "confirmed_at", "monitors":
[{"id", "name", "status", "since"}], "upstream_acknowledged_at", "lead_s"} (times as ISO 8601 strings);
an operator's incident carries {"method": "operator"}. Internal ids are never shown, and a structured
value nobody worded here is left out rather than shown as Python data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.utils.dateparse import parse_datetime

from monitors.models import MonitorStatus

METHODS = {
    "probes": "Automatically, by our probes",
    "automatic": "Automatically",
    "operator": "Reported by our team",
}
MOMENTS = {
    "first_failure_at": "First failure at",
    "confirmed_at": "Confirmed at",
    "detected_at": "Detected at",
    "upstream_acknowledged_at": "Provider acknowledged at",
}
LEAD_KEYS = ("lead_s", "lead_seconds")  # lead_seconds: the name records had before automation's lead_s
# How we noticed, what failed, then the moments in the order they happen.
ORDER = ("method", "source", "monitors", *MOMENTS, *LEAD_KEYS)
MONITOR_WORDS = {status.value: status.label.lower() for status in MonitorStatus}


@dataclass(frozen=True)
class Item:
    """One value: words, then a moment formatted by whoever shows it (the page and the admin differ)."""

    text: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class Fact:
    label: str
    items: tuple[Item, ...]


def facts(details: object, now: Mapping[int, str] | None = None) -> list[Fact]:
    """The record as labelled facts, the known ones first and in order; empty values are left out.
    `now` maps monitor ids to their status now, so the monitors line says whether they still fail."""
    if not isinstance(details, dict):
        return []
    keys = [k for k in ORDER if k in details] + [k for k in details if k not in ORDER]
    found = (_fact(key, details[key], now or {}) for key in keys if details[key] not in (None, "", [], {}))
    return [fact for fact in found if fact is not None]


def text(fact: Fact, moment: Callable[[datetime], str]) -> str:
    """A fact's items as one line of plain text, each moment written by `moment`."""
    return "; ".join(" ".join(filter(None, (item.text, item.at and moment(item.at)))) for item in fact.items)


def _fact(key: str, value: object, now: Mapping[int, str]) -> Fact | None:
    if key == "method" and isinstance(value, str):
        return Fact("How we detected it", (Item(METHODS.get(value, _words(value))),))
    if key == "monitors" and isinstance(value, list):
        items = tuple(item for item in (_monitor(v, now) for v in value) if item is not None)
        return Fact("Monitors", items) if items else None
    if key in MOMENTS and (at := _parse(value)):
        return Fact(MOMENTS[key], (Item(at=at),))
    if key in LEAD_KEYS:
        return _lead(value) if _is_number(value) else None
    if key in ("id", "title") or key.endswith("_id"):
        return None  # internal, or shown as the incident's own name
    label = MOMENTS.get(key) or ("Detected by" if key == "source" else _words(key))
    items = tuple(Item(_scalar(v)) for v in (value if isinstance(value, list) else [value]) if _is_scalar(v))
    return Fact(label, items) if items else None


def _monitor(value: object, now: Mapping[int, str]) -> Item | None:
    """ "deepseek-sim chat (stream): down since <time>" from automation's record of a failing monitor,
    or "...: up now; down from <time>" once it has recovered."""
    if _is_scalar(value):
        return Item(_scalar(value))
    name = value.get("name") if isinstance(value, dict) else None
    if not name or not _is_scalar(name):
        return None
    status = MONITOR_WORDS.get(str(value.get("status")), "")
    since = _parse(value.get("since"))
    current = now.get(value.get("id")) if isinstance(value.get("id"), int) else None
    if current and current != value.get("status") and status:
        words = f"{_scalar(name)}: {MONITOR_WORDS.get(current, current)} now; {status}"
        return Item(f"{words} from", since) if since else Item(words + " earlier")
    words = f"{_scalar(name)}: {status}" if status else _scalar(name)
    return Item(f"{words} since", since) if since else Item(words)


def _lead(seconds: float) -> Fact:
    """Our lead over the provider's own status page; negative when the provider's page was first."""
    if seconds >= 0:
        return Fact("Seen before the provider's own page by", (Item(_span(seconds)),))
    return Fact("The provider's own page reported it first, by", (Item(_span(-seconds)),))


def _span(seconds: float) -> str:
    """ "45 seconds", "1 minute", "6.5 minutes"."""
    count, unit = (round(seconds), "second") if seconds < 60 else (round(seconds / 60, 1), "minute")
    return f"{count:g} {unit}" + ("" if count == 1 else "s")


def _parse(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:  # well formed but impossible, e.g. a 30th of February
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _words(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _is_number(value: object) -> bool:
    # JSON from Python may hold NaN or Infinity: no span to word there.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float | bool)


def _scalar(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)

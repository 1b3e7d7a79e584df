"""Conditions on an HTTP response, as data ({field, op, value}), that fail readably: `status (500) == 200`."""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

ORDER_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
OPS = frozenset({"==", "!=", "contains", "not_contains", "matches", *ORDER_OPS})
MISSING: Any = object()
SHOWN = 60  # characters of an actual value quoted in a failure


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any

    def __str__(self) -> str:
        return f"{self.field} {self.op} {_show(self.value)}"


@dataclass(frozen=True)
class Failure:
    condition: Condition
    text: str  # e.g. `status (500) == 200`


@dataclass
class Response:
    """What conditions are evaluated against."""

    status: int
    latency_ms: float
    headers: Mapping[str, str]
    body: str

    @cached_property
    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return MISSING


def parse(raw: Any) -> list[Condition]:
    """Validate conditions as stored (a list of {field, op, value}); ValueError says what is wrong.

    Fields: `status`, `latency` (ms, whole response), `body` (text), `headers.<name>` (any case),
    `json` or `json.<path>` (dots between keys and list indices: `json.data.0.id`).
    Ops: == != < <= > >= contains not_contains matches (a regular expression, searched).
    A field that is absent shows as `(missing)` and fails every op but `!=` and `not_contains`.
    """
    if not isinstance(raw, list):
        raise ValueError("conditions must be a list of {field, op, value} objects")
    conditions = []
    for number, item in enumerate(raw, 1):
        if not isinstance(item, dict) or set(item) != {"field", "op", "value"}:
            raise ValueError(f"condition {number}: expected exactly the keys field, op, value")
        field, op, value = item["field"], item["op"], item["value"]
        if not isinstance(field, str) or not (
            field in ("status", "latency", "body", "json") or field.startswith(("headers.", "json."))
        ):
            raise ValueError(
                f"condition {number}: unknown field {field!r}; "
                "fields: status, latency, body, headers.<name>, json[.<path>]"
            )
        if op not in OPS:
            raise ValueError(f"condition {number}: unknown op {op!r}; ops: {', '.join(sorted(OPS))}")
        if op in ORDER_OPS and _number(value) is None:
            raise ValueError(f"condition {number}: {op} needs a number, got {value!r}")
        if op == "matches":
            try:
                re.compile(str(value))
            except re.error as exc:
                raise ValueError(f"condition {number}: bad pattern {value!r}: {exc}") from None
        conditions.append(Condition(field, op, value))
    return conditions


def evaluate(conditions: list[Condition], response: Response) -> list[Failure]:
    failures = []
    for condition in conditions:
        actual = resolve(condition.field, response)
        if not _holds(condition.op, actual, condition.value):
            shown = f"{condition.field} ({_show(actual)}) {condition.op} {_show(condition.value)}"
            failures.append(Failure(condition, shown))
    return failures


def resolve(field: str, response: Response) -> Any:
    if field == "status":
        return response.status
    if field == "latency":
        return round(response.latency_ms)
    if field == "body":
        return response.body
    if field.startswith("headers."):
        name = field.removeprefix("headers.").lower()
        return next((v for k, v in response.headers.items() if k.lower() == name), MISSING)
    value = response.json
    for key in field.split(".")[1:]:
        if isinstance(value, dict):
            value = value.get(key, MISSING)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return MISSING
    return value


def _holds(op: str, actual: Any, expected: Any) -> bool:
    if actual is MISSING:
        return op in ("!=", "not_contains")
    if op in ORDER_OPS:
        a, b = _number(actual), _number(expected)
        return a is not None and b is not None and ORDER_OPS[op](a, b)
    if op in ("==", "!="):
        a, b = _number(actual), _number(expected)
        equal = a == b if a is not None and b is not None else _text(actual) == _text(expected)
        return equal if op == "==" else not equal
    if op in ("contains", "not_contains"):
        if isinstance(actual, list | dict):
            found = expected in actual or any(_text(item) == _text(expected) for item in actual)
        else:
            found = _text(expected) in _text(actual)
        return found if op == "contains" else not found
    return re.search(str(expected), _text(actual)) is not None  # matches


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _show(value: Any) -> str:
    """A value as a failure shows it: strings quoted (not escaped, for reading), long ones cut."""
    if value is MISSING:
        return "missing"
    if isinstance(value, str):
        return f'"{value if len(value) <= SHOWN else value[: SHOWN - 1] + "…"}"'
    if isinstance(value, float):
        return f"{value:g}"
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= SHOWN else shown[: SHOWN - 1] + "…"

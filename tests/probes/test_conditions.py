"""Conditions are data and fail readably, as gatus does: `status (500) == 200`."""

from __future__ import annotations

import pytest

from monitors.conditions import Condition, Response, evaluate, parse

RESPONSE = Response(
    status=500,
    latency_ms=812.4,
    headers={"Content-Type": "application/json", "X-Count": "7"},
    body='{"status": "down", "data": [{"id": "gpt-4o"}, {"id": "o3"}], "ok": false, "n": 3}',
)


def check(field: str, op: str, value: object) -> list[str]:
    return [f.text for f in evaluate([Condition(field, op, value)], RESPONSE)]


@pytest.mark.parametrize(
    ("field", "op", "value", "failure"),
    [
        ("status", "==", 200, "status (500) == 200"),
        ("status", "<", 400, "status (500) < 400"),
        ("status", ">=", 500, None),
        ("status", "!=", 200, None),
        ("latency", "<", 500, "latency (812) < 500"),
        ("latency", "<=", 1000, None),
        ("json.status", "==", "up", 'json.status ("down") == "up"'),
        ("json.data.1.id", "==", "o3", None),
        ("json.data.9.id", "==", "o3", 'json.data.9.id (missing) == "o3"'),
        ("json.ok", "==", False, None),
        ("json.ok", "==", "false", None),
        ("json.n", ">", 2, None),
        ("json.n", "==", "3", None),
        ("json.data", "contains", {"id": "o3"}, None),
        ("json", "contains", "status", None),
        ("headers.content-type", "contains", "json", None),
        ("headers.x-count", ">", 10, 'headers.x-count ("7") > 10'),
        ("headers.x-missing", "contains", "x", 'headers.x-missing (missing) contains "x"'),
        ("headers.x-missing", "!=", "x", None),
        ("body", "contains", "gpt-4o", None),
        (
            "body",
            "not_contains",
            "down",
            'body ("{"status": "down", "data": [{"id": "gpt-4o"}, {"id": "o3"}]…") not_contains "down"',
        ),
        ("body", "matches", r'"status":\s*"(up|down)"', None),
        ("json.status", "matches", "^up$", 'json.status ("down") matches "^up$"'),
        ("json.status", "<", 5, 'json.status ("down") < 5'),
    ],
)
def test_condition(field: str, op: str, value: object, failure: str | None) -> None:
    assert check(field, op, value) == ([failure] if failure else [])


def test_json_of_a_non_json_body_is_missing() -> None:
    plain = Response(200, 1.0, {}, "OK")
    assert [f.text for f in evaluate([Condition("json.status", "==", "ok")], plain)] == [
        'json.status (missing) == "ok"'
    ]


def test_parse_accepts_stored_conditions() -> None:
    raw = [
        {"field": "status", "op": "==", "value": 200},
        {"field": "json.a.0", "op": "matches", "value": "x+"},
    ]
    assert parse(raw) == [Condition("status", "==", 200), Condition("json.a.0", "matches", "x+")]


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ({"field": "status"}, "must be a list"),
        ([{"field": "status", "op": "=="}], "condition 1: expected exactly the keys field, op, value"),
        ([{"field": "code", "op": "==", "value": 1}], "condition 1: unknown field 'code'"),
        ([{"field": "status", "op": "=~", "value": 1}], "condition 1: unknown op '=~'"),
        ([{"field": "latency", "op": "<", "value": "fast"}], "condition 1: < needs a number"),
        ([{"field": "body", "op": "matches", "value": "("}], "condition 1: bad pattern '('"),
    ],
)
def test_parse_refuses_junk_readably(raw: object, error: str) -> None:
    with pytest.raises(ValueError, match=error.replace("(", r"\(").replace("'", "'")):
        parse(raw)

"""The monitor form in admin: typed fields for options and regions instead of raw JSON text areas."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from monitors import conditions, keys
from monitors.models import Monitor

# Option keys the typed fields own; any other key (a catalog price, a component map) is kept as is.
THRESHOLD_FIELDS = {
    "confirm_down": "Failing results in a row before down",
    "confirm_degraded": "Results in a row before degraded",
    "confirm_up": "Good results in a row before up again",
    "quorum": "Regions that must agree (empty: a strict majority)",
}
FLAVOURS = [("", "—"), ("openai", "OpenAI-compatible"), ("anthropic", "Anthropic"), ("gemini", "Gemini")]
TYPED_OPTIONS = {*THRESHOLD_FIELDS, "headers", "conditions", "api_key_env", "flavour", "expect_model"}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def condition_line(condition: dict[str, Any]) -> str:
    """A stored condition as the line an operator reads and edits: `status == 200`, `body contains "ok"`."""
    return f"{condition['field']} {condition['op']} {json.dumps(condition['value'], ensure_ascii=False)}"


def parse_condition_line(line: str) -> dict[str, Any]:
    """`FIELD OP VALUE`; VALUE is JSON (200, "ok", true) or else taken as text."""
    field, _, rest = line.partition(" ")
    op, _, raw = rest.strip().partition(" ")
    if not field or not op or not raw.strip():
        raise ValidationError(f"not a condition: {line!r} (expected FIELD OP VALUE, e.g. status == 200)")
    try:
        value = json.loads(raw.strip())
    except ValueError:
        value = raw.strip()
    return {"field": field, "op": op, "value": value}


class MonitorForm(forms.ModelForm):
    regions_text = forms.CharField(
        label="Regions", required=False, help_text="Comma-separated, e.g. eu, us. Empty: the default region."
    )
    api_key_env = forms.CharField(
        label="Key variable", required=False, max_length=100,
        help_text="Overrides the provider's, e.g. OPENAI_API_KEY: a name ending in _API_KEY, _KEY or _TOKEN.",
    )  # fmt: skip
    headers_text = forms.CharField(
        label="Extra headers", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: Name: value. Never a key: keys come from the key variable.",
    )  # fmt: skip
    conditions_text = forms.CharField(
        label="Conditions", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="HTTP monitors, one per line, e.g. status == 200 or body contains ok.",
    )  # fmt: skip
    flavour = forms.ChoiceField(label="Model list flavour", choices=FLAVOURS, required=False)
    confirm_down = forms.IntegerField(label=THRESHOLD_FIELDS["confirm_down"], required=False, min_value=1)
    confirm_degraded = forms.IntegerField(
        label=THRESHOLD_FIELDS["confirm_degraded"], required=False, min_value=1
    )
    confirm_up = forms.IntegerField(label=THRESHOLD_FIELDS["confirm_up"], required=False, min_value=1)
    quorum = forms.IntegerField(label=THRESHOLD_FIELDS["quorum"], required=False, min_value=1)

    class Meta:
        model = Monitor
        fields = (
            "provider", "name", "kind", "url", "model", "stream", "interval_s", "timeout_s", "ttft_timeout_s",
            "stall_timeout_s", "slow_ttft_ms", "slow_total_ms", "expect_text", "enabled",
        )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = dict(self.instance.options or {})
        self.initial.setdefault("regions_text", ", ".join(self.instance.regions or []))
        self.initial.setdefault("api_key_env", options.get("api_key_env", ""))
        self.initial.setdefault(
            "headers_text", "\n".join(f"{k}: {v}" for k, v in options.get("headers", {}).items())
        )
        self.initial.setdefault(
            "conditions_text", "\n".join(condition_line(c) for c in options.get("conditions", []))
        )
        self.initial.setdefault("flavour", options.get("flavour", ""))
        for name in THRESHOLD_FIELDS:
            self.initial.setdefault(name, options.get(name))

    def clean_regions_text(self) -> list[str]:
        regions = [r.strip() for r in self.cleaned_data["regions_text"].split(",") if r.strip()]
        bad = [r for r in regions if not r.replace("-", "").replace("_", "").isalnum()]
        if bad:
            raise ValidationError(f"not a region name: {', '.join(bad)} (letters, digits, - and _)")
        return regions

    def clean_api_key_env(self) -> str:
        name = self.cleaned_data["api_key_env"].strip()
        if why := keys.refusal(name):
            raise ValidationError(why)
        return name

    def clean_headers_text(self) -> dict[str, str]:
        headers = {}
        for line in _lines(self.cleaned_data["headers_text"]):
            name, colon, value = line.partition(":")
            if not colon or not name.strip() or " " in name.strip():
                raise ValidationError(f"not a header line: {line!r} (expected Name: value)")
            if name.strip().lower() in {"authorization", "x-api-key", "api-key", "x-goog-api-key"}:
                raise ValidationError(f"{name.strip()} carries a key: name the key variable instead")
            headers[name.strip()] = value.strip()
        return headers

    def clean_conditions_text(self) -> list[Any]:
        found = [parse_condition_line(line) for line in _lines(self.cleaned_data["conditions_text"])]
        try:
            conditions.parse(found)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        return found

    def save(self, commit: bool = True) -> Monitor:
        monitor = super().save(commit=False)
        data = self.cleaned_data
        options = {k: v for k, v in (self.instance.options or {}).items() if k not in TYPED_OPTIONS}
        typed = {
            "api_key_env": data["api_key_env"],
            "headers": data["headers_text"],
            "conditions": data["conditions_text"],
            "flavour": data["flavour"],
            **{name: data[name] for name in THRESHOLD_FIELDS},
        }
        options.update({k: v for k, v in typed.items() if v not in ("", None, [], {})})
        if "expect_model" in (self.instance.options or {}):
            options["expect_model"] = self.instance.options["expect_model"]
        monitor.options, monitor.regions = options, data["regions_text"]
        if commit:
            monitor.save()
            self.save_m2m()
        return monitor

"""Run one probe now, of a stored monitor or of a URL, and print its measurements and outcome."""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitors import engine, probes
from monitors.models import Monitor
from monitors.outcomes import Outcome
from monitors.probes.base import Observation, ProbeSpec

HEALTHY = frozenset({Outcome.OK, Outcome.SLOW})
MEASUREMENTS = (  # (label, Observation field, unit)
    ("connect", "connect_ms", "ms"),
    ("ttfb", "ttfb_ms", "ms"),
    ("ttft", "ttft_ms", "ms"),
    ("total", "total_ms", "ms"),
    ("itl max", "itl_max_ms", "ms"),
    ("tokens/s", "tokens_per_s", ""),
)


class Command(BaseCommand):
    help = (
        "Run one probe now and print what it measured. The result is not stored and moves no status. "
        "Exit status 1 when the outcome is neither ok nor slow."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", help="a monitor id, or an http(s) URL to probe with the options below")
        url = parser.add_argument_group("probing a URL")
        url.add_argument("--kind", choices=sorted(probes.KINDS), default="http", help="probe kind (http)")
        url.add_argument("--model", default="", help="model to ask (chat kinds) or to expect (models)")
        url.add_argument("--stream", action="store_true", help="stream the reply (chat kinds)")
        url.add_argument(
            "--api-key-env", default="", metavar="NAME", help="environment variable holding the API key"
        )
        url.add_argument(
            "--header", action="append", default=[], metavar="'NAME: VALUE'", help="extra request header"
        )
        url.add_argument("--timeout", type=float, default=30.0, help="seconds for the whole probe (30)")
        checks = parser.add_argument_group("checks (also override a stored monitor's)")
        checks.add_argument(
            "--slow-ttft-ms", type=float, metavar="MS",
            help="a success whose first token (or whole unstreamed reply) takes longer is `slow`",
        )  # fmt: skip
        checks.add_argument(
            "--expect-text", metavar="TEXT", help="the reply (or body) must contain this, ignoring case"
        )
        parser.add_argument("--json", action="store_true", help="print the observation as one JSON object")

    def handle(self, *args: Any, target: str, **options: Any) -> None:
        spec = self._monitor_spec(int(target)) if target.isdigit() else self._url_spec(target, options)
        spec = _with_checks(spec, options)
        observation = engine.run_batch_sync([spec], concurrency=1, region=settings.PROBE_REGION)[0]
        if options["json"]:
            self.stdout.write(json.dumps(observation.as_dict()))
        else:
            self._print(spec, observation)
        if observation.outcome not in HEALTHY:
            raise SystemExit(1)

    def _monitor_spec(self, monitor_id: int) -> ProbeSpec:
        monitor = Monitor.objects.select_related("provider").filter(pk=monitor_id).first()
        if monitor is None:
            raise CommandError(f"no monitor with id {monitor_id}")
        return monitor.to_spec()

    def _url_spec(self, url: str, options: dict[str, Any]) -> ProbeSpec:
        if not url.startswith(("http://", "https://")):
            raise CommandError(f"expected a monitor id or an http(s) URL, got {url!r}")
        if options["timeout"] <= 0:
            raise CommandError("--timeout must be a positive number of seconds")
        api_key = ""
        if options["api_key_env"]:
            api_key = os.environ.get(options["api_key_env"], "")
            if not api_key:
                raise CommandError(f"environment variable {options['api_key_env']} is not set")
        timeout = options["timeout"]
        return ProbeSpec(
            monitor_id=0,
            kind=options["kind"],
            url=url,
            model=options["model"],
            stream=options["stream"],
            api_key=api_key,
            timeout_s=timeout,
            connect_timeout_s=min(5.0, timeout),
            ttft_timeout_s=min(20.0, timeout),
            stall_timeout_s=min(10.0, timeout),
            headers=dict(_header(text) for text in options["header"]),
        )

    def _print(self, spec: ProbeSpec, o: Observation) -> None:
        what = f"monitor {spec.monitor_id}" if spec.monitor_id else "url"
        model = f", model {spec.model}" if spec.model else ""
        stream = ", streamed" if spec.stream else ""
        self.stdout.write(f"{what}: {spec.kind} {spec.url}{model}{stream}")
        style = self.style.SUCCESS if o.outcome in HEALTHY else self.style.ERROR
        lines = [("outcome", style(str(o.outcome)))]
        if o.http_status is not None:
            lines.append(("http", str(o.http_status)))
        if o.error_type:
            lines.append(("error", o.error_type))
        if o.message:
            lines.append(("message", o.message))
        for label, name, unit in MEASUREMENTS:
            value = getattr(o, name)
            if value is not None:
                lines.append((label, f"{value:.3f} {unit}".rstrip()))
        if o.tokens_out is not None:
            lines.append(("tokens", f"{o.tokens_out} ({'counted' if o.tokens_estimated else 'from usage'})"))
        if o.details:
            lines.append(("details", json.dumps(o.details, sort_keys=True)))
        lines.append(("region", o.region))
        for label, value in lines:
            self.stdout.write(f"  {label:<9} {value}")


def _with_checks(spec: ProbeSpec, options: dict[str, Any]) -> ProbeSpec:
    slow, expect = options.get("slow_ttft_ms"), options.get("expect_text")
    if slow is not None and slow <= 0:
        raise CommandError("--slow-ttft-ms must be a positive number of milliseconds")
    changes = {"slow_ttft_ms": slow, "expect_text": expect}
    return dataclasses.replace(spec, **{k: v for k, v in changes.items() if v is not None})


def _header(text: str) -> tuple[str, str]:
    name, colon, value = text.partition(":")
    if not colon or not name.strip():
        raise CommandError(f"--header takes 'Name: value', got {text!r}")
    return name.strip(), value.strip()

"""Providers, monitors, probe results and the state-change outbox that hands off to the status side."""

from __future__ import annotations

import os
from dataclasses import fields
from datetime import timedelta

from django.contrib.postgres.indexes import BrinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from monitors import keys, state
from monitors.outcomes import Outcome
from monitors.probes.base import ProbeSpec

# Monitor.options keys that tune the state machine, e.g. {"confirm_down": 3, "quorum": 2}.
THRESHOLD_OPTIONS = frozenset(f.name for f in fields(state.Thresholds)) - {
    "slow_ttft_ms",
    "slow_total_ms",
    "claims",
}


class MonitorStatus(models.TextChoices):
    """The state machine's statuses (monitors/state.py spells them), as the model's choices."""

    UP = state.UP, "Up"
    DEGRADED = state.DEGRADED, "Degraded"
    DOWN = state.DOWN, "Down"
    UNKNOWN = state.UNKNOWN, "Unknown"
    PAUSED = state.PAUSED, "Paused"


class Provider(models.Model):
    """An AI provider (or self-hosted endpoint) whose API we probe."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    base_url = models.URLField(max_length=500)
    # Name of the environment variable holding the API key; the key itself is never stored.
    api_key_env = models.CharField(
        max_length=100,
        blank=True,
        help_text="Environment variable that holds the API key, e.g. OPENAI_API_KEY.",
    )
    upstream_status_url = models.URLField(
        max_length=500, blank=True, help_text="The provider's own Statuspage v2 summary.json, if any."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if why := keys.refusal(self.api_key_env):
            raise ValidationError({"api_key_env": why})


class Monitor(models.Model):
    """One probe target: a kind, an endpoint, an interval, thresholds, and its confirmed state."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="monitors")
    name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=30, help_text="Probe kind: openai, anthropic, gemini, models, http, upstream."
    )
    url = models.URLField(max_length=500)
    model = models.CharField(max_length=200, blank=True)
    stream = models.BooleanField(default=True)
    interval_s = models.PositiveIntegerField(default=60)
    timeout_s = models.FloatField(default=30.0)
    ttft_timeout_s = models.FloatField(default=20.0)
    stall_timeout_s = models.FloatField(default=10.0)
    slow_ttft_ms = models.FloatField(null=True, blank=True)
    slow_total_ms = models.FloatField(null=True, blank=True)
    expect_text = models.CharField(max_length=200, blank=True)
    # Kind-specific options (conditions, extra headers, flavour...). Never holds secrets.
    options = models.JSONField(default=dict, blank=True)
    regions = models.JSONField(
        default=list, blank=True, help_text='Regions that probe this monitor, e.g. ["eu"].'
    )
    enabled = models.BooleanField(default=True)

    # Confirmed state, and per region the counters and recent results that confirm a change
    # (hysteresis lives on the row: monitors/state.py).
    status = models.CharField(max_length=10, choices=MonitorStatus.choices, default=MonitorStatus.UNKNOWN)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    region_states = models.JSONField(default=dict, blank=True)
    last_outcome = models.CharField(max_length=30, blank=True)
    last_probe_at = models.DateTimeField(null=True, blank=True)
    misconfigured = models.CharField(
        max_length=300, blank=True, help_text="Why probes fail on our side, if they do."
    )
    next_probe_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Confirmation probes recorded, all time (monitors/confirmation.py): requests beyond the schedule.
    confirmation_probes = models.PositiveBigIntegerField(default=0, db_default=0)

    class Meta:
        ordering = ["provider__name", "name"]
        indexes = [
            models.Index(fields=["next_probe_at"], name="monitor_due", condition=models.Q(enabled=True))
        ]

    def __str__(self) -> str:
        return f"{self.provider.name} / {self.name}"

    @property
    def interval(self) -> timedelta:
        return timedelta(seconds=self.interval_s)

    def thresholds(self) -> state.Thresholds:
        tuned = {k: v for k, v in self.options.items() if k in THRESHOLD_OPTIONS}
        return state.Thresholds(
            slow_ttft_ms=self.slow_ttft_ms,
            slow_total_ms=self.slow_total_ms,
            claims=self.kind == "upstream",
            **tuned,
        )

    @property
    def machine_state(self) -> state.MonitorState:
        regions = {name: state.RegionState.from_json(r) for name, r in self.region_states.items()}
        return state.MonitorState(self.status, regions, self.misconfigured)

    @machine_state.setter
    def machine_state(self, value: state.MonitorState) -> None:
        self.status = value.status
        self.region_states = {name: r.as_json() for name, r in value.regions.items()}
        self.misconfigured = value.misconfigured

    def outvoted_regions(self) -> dict[str, str]:
        """Regions failing while the quorum says otherwise: shown to readers, not acted on."""
        return self.machine_state.outvoted()

    def clean(self) -> None:
        if why := keys.refusal(str(self.options.get("api_key_env") or "")):
            raise ValidationError({"options": why})

    def to_spec(self) -> ProbeSpec:
        """Resolve this row into what a probe needs; the key comes from the environment only, and
        only from a variable that looks like a key (monitors/keys.py): anything else is never read."""
        key_env = self.options.get("api_key_env") or self.provider.api_key_env
        refused = keys.refusal(key_env)
        if refused:
            key_env = ""
        return ProbeSpec(
            monitor_id=self.pk,
            kind=self.kind,
            url=self.url,
            model=self.model,
            stream=self.stream,
            api_key=os.environ.get(key_env, "") if key_env else "",
            timeout_s=self.timeout_s,
            ttft_timeout_s=self.ttft_timeout_s,
            stall_timeout_s=self.stall_timeout_s,
            slow_ttft_ms=self.slow_ttft_ms,
            slow_total_ms=self.slow_total_ms,
            expect_text=self.expect_text,
            headers=dict(self.options.get("headers", {})),
            options=self.options,
            refused=refused,
        )


class ProbeResult(models.Model):
    """One probe's measurements and its single outcome.

    The table is partitioned by day of `started_at` (monitors/history/partitions.py), so its database key is
    (id, started_at); (monitor, started_at, region) is unique, which is how a replayed batch is caught.
    The public side reads it only past the rollup feed's watermark (minutes of results) and for the
    last hour of a component page: history comes from the rollups below.
    """

    # No foreign key in the database: its per-row check would slow every insert, and dropping a day's
    # partition would have to lock the monitors table. Deleting a monitor still cascades here (Django).
    monitor = models.ForeignKey(
        Monitor, on_delete=models.CASCADE, related_name="results", db_constraint=False, db_index=False
    )
    started_at = models.DateTimeField()
    region = models.CharField(max_length=40)
    outcome = models.CharField(max_length=30, choices=[(o.value, o.value) for o in Outcome])
    http_status = models.PositiveSmallIntegerField(null=True)
    error_type = models.CharField(max_length=100, blank=True)
    message = models.CharField(max_length=300, blank=True)
    connect_ms = models.FloatField(null=True)
    ttfb_ms = models.FloatField(null=True)
    ttft_ms = models.FloatField(null=True)
    total_ms = models.FloatField(null=True)
    tokens_out = models.PositiveIntegerField(null=True)
    # True when the provider sent no usage and tokens_out counts content chunks instead.
    tokens_estimated = models.BooleanField(default=False, db_default=False)
    tokens_per_s = models.FloatField(null=True)
    itl_max_ms = models.FloatField(null=True)  # the longest gap between real tokens: a stream's stall
    details = models.JSONField(default=dict, blank=True)
    # The time since the monitor's previous result (capped at the staleness limit) and the confirmed
    # status that held over it: what the rollups' time-in-status sums, stored so a rebuild agrees.
    span_ms = models.PositiveIntegerField(default=0)
    span_status = models.CharField(max_length=10, choices=MonitorStatus.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["monitor", "started_at", "region"], name="proberesult_key")
        ]
        # Rows arrive in time order, so a tiny BRIN finds the latest minutes for the rollup feed;
        # summarised as each range fills, so the feed never scans a long unsummarised tail.
        indexes = [BrinIndex(fields=["started_at"], name="proberesult_started", autosummarize=True)]

    def __str__(self) -> str:
        return f"{self.monitor_id} {self.started_at:%Y-%m-%d %H:%M:%S} {self.outcome}"


class Rollup(models.Model):
    """Sums over one monitor's results in one region and period; rows add up exactly across all three.

    `outcomes` counts results by outcome; `*_ms` is time in each confirmed status (from the results'
    spans); `ttft`, `total` and `tps` are histograms of successful probes in the fixed buckets of
    monitors/histogram.py, stored as {bucket index: count}.
    """

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="+", db_index=False)
    region = models.CharField(max_length=40)
    probes = models.PositiveIntegerField(default=0)
    outcomes = models.JSONField(default=dict)
    up_ms = models.BigIntegerField(default=0)
    degraded_ms = models.BigIntegerField(default=0)
    down_ms = models.BigIntegerField(default=0)
    unknown_ms = models.BigIntegerField(default=0)
    ttft = models.JSONField(default=dict)
    total = models.JSONField(default=dict)
    tps = models.JSONField(default=dict)

    class Meta:
        abstract = True


class HourlyRollup(Rollup):
    """Kept for HOURLY_ROLLUP_RETENTION_DAYS; feeds hourly charts and the current day."""

    hour = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["monitor", "region", "hour"], name="hourlyrollup_key")]
        indexes = [models.Index(fields=["hour"], name="hourlyrollup_hour")]  # retention deletes by hour

    def __str__(self) -> str:
        return f"{self.monitor_id} {self.region} {self.hour:%Y-%m-%d %H:00}"


class RollupProgress(models.Model):
    """The rollups' watermarks, one row: every stored result that started before `through` is in them,
    and the daily rollups hold exactly the hourly ones of the hours before `folded` (null: daily
    rollups are written with the hourly ones). monitors/history/aggregator.py moves both on."""

    through = models.DateTimeField(null=True)
    folded = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"rollups through {self.through}"


class DailyRollup(Rollup):
    """Kept forever; one row per monitor, region and UTC day."""

    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["monitor", "region", "day"], name="dailyrollup_key")]

    def __str__(self) -> str:
        return f"{self.monitor_id} {self.region} {self.day}"


class RollupTotal(models.Model):
    """Daily rollups of the days before `through` added up per monitor and region (monitors/history/upkeep.py
    folds in each day once no rebuild can change it): /metrics adds only the daily rows since."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="+", db_index=False)
    region = models.CharField(max_length=40)
    through = models.DateField()
    outcomes = models.JSONField(default=dict)
    ttft = models.JSONField(default=dict)
    total = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["monitor", "region"], name="rolluptotal_key")]

    def __str__(self) -> str:
        return f"{self.monitor_id} {self.region} before {self.through}"


class Confirmation(models.Model):
    """A confirmation probe planned for one monitor in one region (monitors/confirmation.py).

    Planned (sent_at null, at most one per monitor and region) when a result is recorded, claimed by
    the scheduler's tick (sent_at set), then kept for the provider's budget window and deleted.
    """

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="+")
    region = models.CharField(max_length=40)
    due_at = models.DateTimeField()
    votes = models.PositiveSmallIntegerField()  # the votes the pending change had when this was planned
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["monitor", "region"], condition=models.Q(sent_at=None), name="confirmation_planned"
            )
        ]
        indexes = [
            models.Index(fields=["due_at"], name="confirmation_due", condition=models.Q(sent_at=None)),
            models.Index(fields=["sent_at"], name="confirmation_sent", condition=~models.Q(sent_at=None)),
        ]

    def __str__(self) -> str:
        return f"{self.monitor_id} in {self.region} at {self.due_at:%H:%M:%S}"


class StateChange(models.Model):
    """Outbox row: a monitor changed confirmed status; the status side claims it (processed_at)."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="state_changes")
    created_at = models.DateTimeField(default=timezone.now)
    # Set when one region moved and the monitor did not (an out-voted region); blank for the monitor.
    region = models.CharField(max_length=40, blank=True)
    old_status = models.CharField(max_length=10, choices=MonitorStatus.choices)
    new_status = models.CharField(max_length=10, choices=MonitorStatus.choices)
    reason = models.CharField(max_length=300, blank=True)
    # The first result of the streak that confirmed the change (created_at is the confirming one).
    since = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["created_at"], name="statechange_pending", condition=models.Q(processed_at=None)
            )
        ]

    def __str__(self) -> str:
        where = f" in {self.region}" if self.region else ""
        return f"{self.monitor_id}{where}: {self.old_status} -> {self.new_status}"

"""Synthetic probe history for demos and benchmarks, generated inside Postgres (millions of rows a minute).

Each monitor gets its own typical TTFT and throughput, log-normal noise, a trickle of slow, throttled
and failed probes, and on some days an outage of a few minutes to an hour and a half. Rollups come
from the same SQL rebuild that repairs real ones, so synthetic history goes through one code path.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db import connection, transaction

from monitors.history import aggregator, partitions, rebuild, upkeep
from monitors.models import Monitor, MonitorStatus, Provider

log = logging.getLogger(__name__)

SCRATCH = "synthetic_results"  # a temporary table for days whose raw results are not kept

_COLUMNS = (
    "monitor_id, started_at, region, outcome, http_status, error_type, message, connect_ms, ttfb_ms, "
    "ttft_ms, total_ms, tokens_out, tokens_per_s, details, span_ms, span_status"
)

# Box-Muller gives the normal draws (random_normal() arrives only in Postgres 16).
_GENERATE = f"""
WITH outage AS (
    SELECT m.id, m.interval_s,
           CASE WHEN random() < %(outage_rate)s THEN %(low)s + random() * interval '1 day' END AS starts,
           (5 + random() * 85) * interval '1 minute' AS lasts
    FROM monitors_monitor m WHERE m.id = ANY(%(ids)s)
), probe AS (
    SELECT o.id, o.interval_s, g.t,
           coalesce(g.t >= o.starts AND g.t < o.starts + o.lasts, false) AS down,
           random() AS u,
           sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z1,
           sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z2
    FROM outage o,
         generate_series(%(low)s + (o.id %% o.interval_s) * interval '1 second',
                         %(high)s - interval '1 microsecond', o.interval_s * interval '1 second') AS g(t)
    WHERE g.t < %(until)s
), shaped AS (
    SELECT id, interval_s, t, down,
           CASE WHEN down THEN (CASE WHEN u < 0.7 THEN 'server_error' ELSE 'timeout_ttft' END)
                WHEN u < 0.004 THEN 'rate_limited' WHEN u < 0.006 THEN 'server_error'
                WHEN u < 0.008 THEN 'timeout_ttft' WHEN u < 0.03 THEN 'slow' ELSE 'ok' END AS outcome,
           (250 + (id * 7919) %% 600) * exp(0.35 * z1)
             * CASE WHEN u >= 0.008 AND u < 0.03 THEN 4 ELSE 1 END AS ttft,
           (30 + (id * 104729) %% 90) * exp(0.25 * z2) AS tps
    FROM probe
)
INSERT INTO {{target}} ({_COLUMNS})
SELECT id, t, %(region)s, outcome,
       CASE outcome WHEN 'ok' THEN 200 WHEN 'slow' THEN 200 WHEN 'rate_limited' THEN 429
                    WHEN 'server_error' THEN 500 END,
       '', '', 20, CASE WHEN outcome IN ('ok', 'slow') THEN ttft * 0.8 END,
       CASE WHEN outcome IN ('ok', 'slow') THEN ttft END,
       CASE WHEN outcome IN ('ok', 'slow') THEN ttft + 32000 / tps END,
       CASE WHEN outcome IN ('ok', 'slow') THEN 33 END,
       CASE WHEN outcome IN ('ok', 'slow') THEN tps END,
       '{{}}', interval_s * 1000, CASE WHEN down THEN 'down' ELSE 'up' END
FROM shaped
ON CONFLICT DO NOTHING
"""  # noqa: S608 - names are constants


def generate(
    monitor_ids: Sequence[int],
    first: date,
    until: datetime,
    *,
    raw_since: date,
    region: str = "default",
    outage_rate: float = 0.08,
    seed: float = 0.42,
) -> dict[str, int]:
    """Results for days first.. (up to `until`), stored raw from `raw_since` on (and on any day that
    has a partition already) and only rolled up before it; then rollups rebuilt for every generated
    day. `until` must not pass the rollup watermark: the feed owns what comes after it."""
    ids = sorted(monitor_ids)
    watermark = _watermark()
    if watermark is None or until > watermark:
        raise ValueError("catch the rollup feed up past `until` first (aggregator.catch_up)")
    rows = days = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed])
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {SCRATCH} (LIKE {partitions.PARENT} INCLUDING DEFAULTS)"
        )
        cursor.execute(f"TRUNCATE {SCRATCH}")
    # Newest first, keeping the day after in place: its first results close spans reaching back.
    day = partitions.utc_day(until)
    have = partitions.existing()
    while day >= first:
        # A day with a partition keeps its raw results whatever `raw_since` says: rebuilds read them.
        raw = day >= raw_since or day in have
        if raw:
            partitions.ensure(day, day)
        target = partitions.PARENT if raw else SCRATCH
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {SCRATCH} WHERE started_at >= %s",  # noqa: S608 - a constant name
                    [partitions.day_start(day + _TWO)],
                )
                cursor.execute(
                    _GENERATE.replace("{target}", target), _params(ids, day, until, region, outage_rate)
                )
                rows += cursor.rowcount
                # Fresh statistics, or the rollup query below plans for an empty table.
                cursor.execute(f'ANALYZE "{partitions.name(day) if raw else SCRATCH}"')
            aggregator.share()
            for chunk in rebuild.chunks(ids, rebuild.CHUNK):
                rebuild.replace_day(day, chunk, watermark, target)
        days += 1
        day -= timedelta(days=1)
    upkeep.retotal(first)  # a backfill behind /metrics' running totals must be counted in them
    log.info("generated %d results over %d days for %d monitors", rows, days, len(ids))
    return {"results": rows, "days": days, "monitors": len(ids)}


_TWO = timedelta(days=2)


def _params(ids, day, until, region, outage_rate) -> dict:
    return {
        "ids": ids,
        "low": partitions.day_start(day),
        "high": partitions.day_start(day + timedelta(days=1)),
        "until": until,
        "region": region,
        "outage_rate": outage_rate,
    }


def _watermark() -> datetime | None:
    with transaction.atomic():
        return aggregator.share()


def monitors_for(count: int) -> list[int]:
    """`count` synthetic monitors (made if missing, disabled so nothing probes them), 30 s apart."""
    provider, _ = Provider.objects.get_or_create(
        slug="synthetic", defaults={"name": "Synthetic", "base_url": "http://127.0.0.1:9"}
    )
    have = list(Monitor.objects.filter(provider=provider).order_by("pk").values_list("pk", flat=True))
    for n in range(len(have), count):
        monitor = Monitor.objects.create(
            provider=provider,
            name=f"synthetic-{n + 1}",
            kind="openai",
            url="http://127.0.0.1:9/v1",
            model="synthetic",
            interval_s=30,
            enabled=False,
            status=MonitorStatus.UP,
        )
        have.append(monitor.pk)
    return have[:count]

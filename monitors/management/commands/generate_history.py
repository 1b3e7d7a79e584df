"""manage.py generate_history: synthetic probe history and its rollups, for demos and benchmarks."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from monitors.history import aggregator, partitions, synthetic
from monitors.models import Monitor


class Command(BaseCommand):
    help = (
        "Fill the past with synthetic probe results and their rollups: raw results for the last "
        "--raw-days (what retention keeps), rollups for all --days. Never overlaps stored results."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="days of history, today included")
        parser.add_argument(
            "--raw-days",
            type=int,
            default=None,
            help="recent days that keep raw results (default RAW_RESULT_RETENTION_DAYS); older: rollups only",
        )
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--monitor", type=int, action="append", dest="monitor_ids", help="a monitor id")
        target.add_argument(
            "--synthetic", type=int, metavar="N", dest="count", help="make or reuse N monitors"
        )
        parser.add_argument("--region", default="default")
        parser.add_argument("--outage-rate", type=float, default=0.08, help="chance of an outage per day")
        parser.add_argument("--seed", type=float, default=0.42, help="random seed, in [-1, 1]")

    def handle(self, *args, **options):
        days = options["days"]
        raw_days = options["raw_days"]
        raw_days = settings.RAW_RESULT_RETENTION_DAYS if raw_days is None else raw_days
        if days < 1 or raw_days < 0:
            raise CommandError("--days must be at least 1 and --raw-days at least 0")
        if not -1 <= options["seed"] <= 1:
            raise CommandError("--seed must be between -1 and 1")
        if not 0 <= options["outage_rate"] <= 1:
            raise CommandError("--outage-rate must be between 0 and 1")
        ids = _monitors(options["monitor_ids"], options["count"])
        now = timezone.now()
        aggregator.catch_up(now, timedelta(0))  # the feed owns what comes after its watermark
        today = partitions.utc_day(now)
        summary = synthetic.generate(
            ids,
            today - timedelta(days=days - 1),
            min(now, _oldest_result(ids) or now),
            raw_since=today - timedelta(days=raw_days - 1) if raw_days else today + timedelta(days=1),
            region=options["region"],
            outage_rate=options["outage_rate"],
            seed=options["seed"],
        )
        self.stdout.write(
            f"generated {summary['results']} results over {summary['days']} days for "
            f"{summary['monitors']} monitors (raw results kept for the last {raw_days} days)"
        )


def _monitors(monitor_ids: list[int] | None, count: int | None) -> list[int]:
    if count is not None:
        if count < 1:
            raise CommandError("--synthetic must be at least 1")
        return synthetic.monitors_for(count)
    if monitor_ids:
        ids = sorted(set(monitor_ids))
        missing = set(ids) - set(Monitor.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if missing:
            raise CommandError(f"no monitor with id {', '.join(map(str, sorted(missing)))}")
        return ids
    ids = list(Monitor.objects.order_by("pk").values_list("pk", flat=True))
    if not ids:
        raise CommandError("no monitors yet: add some, or pass --synthetic N")
    return ids


def _oldest_result(ids: list[int]):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT min(started_at) FROM {partitions.PARENT} WHERE monitor_id = ANY(%s)",  # noqa: S608
            [ids],
        )
        return cursor.fetchone()[0]

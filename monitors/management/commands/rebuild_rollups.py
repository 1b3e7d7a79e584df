"""manage.py rebuild_rollups: replace rollups with sums over the raw results still stored."""

from __future__ import annotations

import argparse
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from monitors.history import partitions, rebuild
from monitors.models import Monitor


class Command(BaseCommand):
    help = (
        "Rebuild hourly and daily rollups from raw results, for days that still have them "
        "(older days keep their rollups: they are all the history left)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="first", type=_day, help="first day, YYYY-MM-DD (default: oldest kept)"
        )
        parser.add_argument("--to", dest="last", type=_day, help="last day, YYYY-MM-DD (default: today)")
        parser.add_argument("--monitor", type=int, action="append", dest="monitor_ids", help="a monitor id")

    def handle(self, *args, first: date | None, last: date | None, monitor_ids: list[int] | None, **options):
        kept = sorted(partitions.existing())
        if not kept:
            raise CommandError("no raw results are stored: nothing to rebuild from")
        today = partitions.utc_day(timezone.now())
        first = first or kept[0]
        last = last or today
        if last < first:
            raise CommandError(f"--to {last} is before --from {first}")
        if monitor_ids:
            missing = set(monitor_ids) - set(
                Monitor.objects.filter(pk__in=monitor_ids).values_list("pk", flat=True)
            )
            if missing:
                raise CommandError(f"no monitor with id {', '.join(map(str, sorted(missing)))}")
        days = rebuild.rebuild(first, last, monitor_ids)
        skipped = (last - first).days + 1 - len(days)
        self.stdout.write(
            f"rebuilt {len(days)} days"
            + (f"; {skipped} days had no raw results and kept their rollups" if skipped else "")
        )


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date; use YYYY-MM-DD") from None

"""Make providers, monitors, components and groups match a configuration file; print the plan."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from statuspage.config import schema
from statuspage.config.apply import apply


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="a YAML file: see README, 'Watch real providers'")
        parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
        parser.add_argument(
            "--prune", action="store_true", help="pause managed monitors the file no longer names"
        )

    def handle(self, *args, file: str, dry_run: bool, prune: bool, **options) -> None:
        path = Path(file)
        try:
            config = schema.load(path.read_text(), str(path))
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        except schema.ConfigError as exc:
            raise CommandError(f"{file} is not valid; nothing was changed:\n{exc}") from None
        plan = apply(config, prune=prune, dry_run=dry_run)
        self.stdout.write(plan.text(applied=not dry_run))

"""Write the current providers, monitors and components as a configuration file (stdout or FILE)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from statuspage.config.export import export


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", help="where to write it (default: standard output)")

    def handle(self, *args, file: str | None, **options) -> None:
        text = export()
        if file:
            Path(file).write_text(text)
        else:
            self.stdout.write(text, ending="")

#!/usr/bin/env python
"""Django's command-line utility; configuration errors print one line instead of a traceback."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statuspage.settings")
    from django.core.management import execute_from_command_line

    from statuspage.lib.env import ConfigError

    try:
        execute_from_command_line(sys.argv)
    except ConfigError as exc:
        sys.exit(f"statuspage: configuration error: {exc}")


if __name__ == "__main__":
    main()

"""This installation's page id: generated once by a migration, stored in Postgres, read once per process."""

from __future__ import annotations

from django.db import connection

_page_id: str | None = None


def page_id() -> str:
    """Statuspage's `page.id`: distinct per installation (a constant would tie every install together)."""
    global _page_id
    if _page_id is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT page_id FROM statuspage_installation WHERE id = 1")
            _page_id = cursor.fetchone()[0]
    return _page_id

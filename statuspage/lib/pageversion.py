"""The page version: a Postgres sequence bumped after each visible change; readers poll it cheaply.

A sequence (not a Redis key) so a Redis outage loses no bump, and a flushed Redis can never hand out
a number that an older snapshot already used. `nextval` is not transactional, so callers bump only
after commit (on_commit); bumping earlier could let a reader render the old rows under the new number.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection

log = logging.getLogger(__name__)

SEQUENCE = "statuspage_page_version"
_BUMP = "SELECT nextval('statuspage_page_version')"
_READ = "SELECT last_value FROM statuspage_page_version"


def bump() -> None:
    """Call after commit of anything readers can see (component status, incidents, maintenance)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(_BUMP)
    except DatabaseError:  # the write already committed; the page catches up on its refresh period
        log.warning("could not bump the page version", exc_info=True)


def read() -> int:
    """The current version; raises DatabaseError when Postgres cannot be reached."""
    with connection.cursor() as cursor:
        cursor.execute(_READ)
        return cursor.fetchone()[0]

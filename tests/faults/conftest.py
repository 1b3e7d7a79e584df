"""Fault tests inject faults into real processes of their own (never the shared Postgres or Redis)."""

from tests.public.test_outage import postgres  # noqa: F401 - a fixture: our own migrated Postgres

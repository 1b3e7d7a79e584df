"""The public side answers from the snapshot: each test starts from a fresh one."""

from tests.snapshots import fresh_snapshot, live_settings, publish  # noqa: F401 - fixtures

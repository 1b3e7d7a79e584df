"""Pytest fixtures for suites that read the public side (imported by their conftest.py files)."""

from __future__ import annotations

import pytest

from statuspage.lib import pageversion
from statuspage.serving.snapshot import store


@pytest.fixture(autouse=True)
def live_settings(settings):
    settings.PAGE_VERSION_TTL = 0  # every request reads the version: a change shows at once
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]


@pytest.fixture(autouse=True)
def fresh_snapshot(db):
    """A new version number per test, so no snapshot of an earlier test (here or in Redis) matches."""
    store.reset()
    pageversion.bump()
    yield
    store.reset()


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (the version bump) of the writes in `change`, as a commit would."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run

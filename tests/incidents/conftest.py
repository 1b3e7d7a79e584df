"""A provider with two components (chat, models) in one group, each watched by its own monitor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from monitors.models import StateChange
from monitors.state import RegionState
from statuspage.components.models import ComponentGroup
from statuspage.components.propagation import propagate


@pytest.fixture
def world(make_monitor, make_component):
    class World:
        now = timezone.now()
        group = ComponentGroup.objects.create(name="Acme AI")
        chat_monitor = make_monitor(name="chat", status="up")
        models_monitor = make_monitor(name="models", status="up")
        chat = make_component("Chat", group=group, monitors=[chat_monitor])
        models = make_component("Models", group=group, monitors=[models_monitor])

        def at(self, seconds: float):
            return self.now + timedelta(seconds=seconds)

        def monitor_moves(self, monitor, status: str, seconds: float = 0, since: float | None = None):
            """What recording does on a confirmed transition (first seen at `since`), then propagation."""
            at = self.at(seconds)
            first = self.at(seconds if since is None else since)
            old = monitor.status
            monitor.status, monitor.status_changed_at = status, at
            monitor.region_states = {"default": RegionState(status, last_at=at, since=first).as_json()}
            monitor.save(update_fields=["status", "status_changed_at", "region_states"])
            StateChange.objects.create(
                monitor=monitor, old_status=old, new_status=status, created_at=at, since=first
            )
            return propagate(at)

        def refresh(self):
            for name in ("chat", "models", "chat_monitor", "models_monitor"):
                getattr(self, name).refresh_from_db()

    return World()

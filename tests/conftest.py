"""Shared fixtures: personas and factories used across the suite."""

from __future__ import annotations

import pytest
from django.utils import timezone

from monitors.models import Monitor, Provider
from statuspage.components.models import Component, ComponentGroup


@pytest.fixture
def provider(db) -> Provider:
    return Provider.objects.create(name="Acme AI", slug="acme-ai", base_url="http://127.0.0.1:9")


@pytest.fixture
def make_monitor(provider):
    def make(**fields) -> Monitor:
        defaults = {
            "provider": provider,
            "name": f"chat-{Monitor.objects.count() + 1}",
            "kind": "openai",
            "url": "http://127.0.0.1:9/v1",
            "model": "gpt-sim",
            "interval_s": 60,
            "next_probe_at": timezone.now(),
        }
        return Monitor.objects.create(**{**defaults, **fields})

    return make


@pytest.fixture
def make_component(db):
    def make(
        name: str = "Chat API", *, group: ComponentGroup | None = None, monitors=(), **fields
    ) -> Component:
        component = Component.objects.create(name=name, group=group, **fields)
        component.monitors.set(monitors)
        return component

    return make

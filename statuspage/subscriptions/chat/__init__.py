"""Chat apps' incoming webhooks: one module per app formats an incident update natively, one line here."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

APPS = {
    "slack": "statuspage.subscriptions.chat.slack",
    "discord": "statuspage.subscriptions.chat.discord",
    "teams": "statuspage.subscriptions.chat.teams",
    "googlechat": "statuspage.subscriptions.chat.googlechat",
}


def get(app: str) -> ModuleType:
    """The module for an app: `payload(notice) -> dict` and `MIN_INTERVAL_S`, its pace per webhook."""
    return import_module(APPS[app])

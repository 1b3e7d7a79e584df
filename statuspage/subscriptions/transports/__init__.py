"""Transports by channel: one module per kind, one line here to add one (imported when first used)."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

TRANSPORTS = {
    "email": "statuspage.subscriptions.transports.email",
    "webhook": "statuspage.subscriptions.transports.webhook",
    "chat": "statuspage.subscriptions.transports.chat",
    "operator": "statuspage.subscriptions.transports.operator",
}


def get(channel: str) -> ModuleType:
    """The module for a channel; it has `session()`, a context manager yielding a `base.Session`."""
    return import_module(TRANSPORTS[channel])

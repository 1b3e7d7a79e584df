"""Bump the page version after commit whenever a row readers can see is saved or deleted.

Services bump explicitly too; these signals also catch the admin and any other writer, so no change
waits for the refresh period. (QuerySet.update() sends no signal: such writers must call bump.)
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from statuspage.components.models import Component, ComponentGroup
from statuspage.incidents.models import Incident, IncidentUpdate
from statuspage.lib import pageversion

WATCHED = (Component, ComponentGroup, Incident, IncidentUpdate)


def _changed(**kwargs) -> None:
    transaction.on_commit(pageversion.bump)


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_changed, sender=model, dispatch_uid=f"pageversion-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"pageversion-delete-{model.__name__}")
    m2m_changed.connect(_changed, sender=Incident.components.through, dispatch_uid="pageversion-m2m")

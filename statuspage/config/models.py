"""Which rows a configuration file manages: admin marks them and warns before a hand edit."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ManagedObject(models.Model):
    """One provider, monitor, component group or component that `manage.py apply` owns."""

    class Kind(models.TextChoices):
        PROVIDER = "provider"
        MONITOR = "monitor"
        GROUP = "group"
        COMPONENT = "component"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.PositiveIntegerField()
    source = models.CharField(max_length=500, help_text="The file that last applied it.")
    applied_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="managedobject_key")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} from {self.source}"


def managed_source(kind: str, object_id: int | None) -> str:
    """The file that manages this row, or empty."""
    if object_id is None:
        return ""
    found = ManagedObject.objects.filter(kind=kind, object_id=object_id).values_list("source", flat=True)
    return next(iter(found), "")

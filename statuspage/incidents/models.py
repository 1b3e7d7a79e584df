"""Incidents and scheduled maintenances (one model, as Statuspage's API treats them) and their updates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from statuspage.lib.ids import public_id


class Impact(models.TextChoices):
    NONE = "none", "None"
    MINOR = "minor", "Minor"
    MAJOR = "major", "Major"
    CRITICAL = "critical", "Critical"
    MAINTENANCE = "maintenance", "Maintenance"


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", "Investigating"
    IDENTIFIED = "identified", "Identified"
    MONITORING = "monitoring", "Monitoring"
    RESOLVED = "resolved", "Resolved"
    POSTMORTEM = "postmortem", "Postmortem"
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    VERIFYING = "verifying", "Verifying"
    COMPLETED = "completed", "Completed"


OPEN_INCIDENT = (IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED, IncidentStatus.MONITORING)
CLOSED = (IncidentStatus.RESOLVED, IncidentStatus.POSTMORTEM, IncidentStatus.COMPLETED)
MAINTENANCE_ACTIVE = (IncidentStatus.IN_PROGRESS, IncidentStatus.VERIFYING)


class IncidentQuerySet(models.QuerySet):
    def open_incidents(self) -> IncidentQuerySet:
        return self.filter(kind=Incident.Kind.INCIDENT, status__in=OPEN_INCIDENT)

    def active_maintenance(self) -> IncidentQuerySet:
        return self.filter(kind=Incident.Kind.MAINTENANCE, status__in=MAINTENANCE_ACTIVE)

    def components_in_maintenance(self, component_ids) -> set[int]:
        """Which of these components an in-progress maintenance window covers."""
        through = Incident.components.through.objects.filter(
            component_id__in=component_ids, incident__in=self.active_maintenance()
        )
        return set(through.values_list("component_id", flat=True))


class Incident(models.Model):
    class Kind(models.TextChoices):
        INCIDENT = "incident", "Incident"
        MAINTENANCE = "maintenance", "Scheduled maintenance"

    public_id = models.CharField(max_length=12, unique=True, default=public_id, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INCIDENT)
    name = models.CharField(max_length=300)
    status = models.CharField(
        max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.INVESTIGATING
    )
    impact = models.CharField(max_length=12, choices=Impact.choices, default=Impact.MINOR)
    components = models.ManyToManyField("components.Component", blank=True, related_name="incidents")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(default=timezone.now)
    monitoring_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    scheduled_until = models.DateTimeField(null=True, blank=True)
    # Maintenance: when subscribers are reminded of the window (statuspage/incidents/reminders.py).
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    # Automation: how it was detected, and whether it awaits an operator's approval before publishing.
    automatic = models.BooleanField(default=False)
    published = models.BooleanField(default=True)
    detection = models.JSONField(default=dict, blank=True)

    postmortem_body = models.TextField(blank=True)
    postmortem_published_at = models.DateTimeField(null=True, blank=True)
    # Work in progress, never shown to readers or sent (postmortem_body is the published text).
    postmortem_draft = models.TextField(blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"], name="incident_status_created")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED

    def component_display_names(self) -> dict[str, str]:
        """Its components' display names (with their group) by public id; prefetch "components__group"
        where several updates or incidents are shown."""
        return {c.public_id: c.display_name for c in self.components.all()}


class IncidentUpdate(models.Model):
    public_id = models.CharField(max_length=12, unique=True, default=public_id, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=16, choices=IncidentStatus.choices)
    body = models.TextField(help_text="Markdown; sanitised when rendered.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    display_at = models.DateTimeField(default=timezone.now)
    # [{code, name, old_status, new_status}], as in the v2 API.
    affected_components = models.JSONField(default=list, blank=True)
    deliver_notifications = models.BooleanField(default=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # The operator form's one-time key: a double-clicked submit posts (and notifies) once.
    request_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-display_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request_key"], condition=~models.Q(request_key=""), name="incidentupdate_request_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident}: {self.status}"

    def component_changes(self) -> list[dict[str, str]]:
        """Its affected components, each named with its group as the incident's components are now.

        The stored name stays the bare one the v2 API serves; a component deleted since keeps it.
        """
        names = self.incident.component_display_names()
        return [
            {**change, "name": names.get(change.get("code", ""), change.get("name", ""))}
            for change in self.affected_components or []
        ]


class UpdateRevision(models.Model):
    """An update's text as it was before an edit: what readers saw and subscribers were sent then."""

    update = models.ForeignKey(IncidentUpdate, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_at = models.DateTimeField(default=timezone.now)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notified = models.BooleanField(default=False, help_text="Subscribers were told of the correction.")

    class Meta:
        ordering = ["-edited_at", "-id"]

    def __str__(self) -> str:
        return f"{self.update} before {self.edited_at:%Y-%m-%d %H:%M}"


class UpdateTemplate(models.Model):
    """A reusable update text, picked in the operator's form to fill its status and message."""

    name = models.CharField(max_length=100, unique=True)
    status = models.CharField(
        max_length=16, choices=IncidentStatus.choices, blank=True, help_text="Also sets the status, if given."
    )
    body = models.TextField(help_text="Markdown.")
    position = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

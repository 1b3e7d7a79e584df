"""Admin for incidents, maintenances and their updates; approval of automatic incidents held for review."""

from django.contrib import admin, messages

from statuspage.incidents import services
from statuspage.incidents.models import Incident, IncidentUpdate


class IncidentUpdateInline(admin.StackedInline):
    model = IncidentUpdate
    fields = ("status", "body", "display_at", "deliver_notifications")
    extra = 1


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = (
        "name", "kind", "status", "impact", "published", "automatic", "detection_lead", "created_at",
    )  # fmt: skip
    list_filter = ("kind", "status", "impact", "published", "automatic")
    filter_horizontal = ("components",)
    search_fields = ("name",)
    readonly_fields = ("automatic", "detection")
    inlines = [IncidentUpdateInline]
    actions = ["approve"]

    @admin.display(description="ahead of upstream")
    def detection_lead(self, incident: Incident) -> str:
        lead = incident.detection.get("lead_s")
        return "" if lead is None else f"{lead:+.0f} s"

    @admin.action(description="Approve and publish (notifies subscribers)")
    def approve(self, request, queryset) -> None:
        held = list(queryset.filter(published=False))
        for incident in held:
            services.publish(incident)
        self.message_user(request, f"Published {len(held)} incident(s).", messages.SUCCESS)

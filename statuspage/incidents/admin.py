"""Admin for incidents, maintenances and their updates."""

from django.contrib import admin

from statuspage.incidents.models import Incident, IncidentUpdate


class IncidentUpdateInline(admin.StackedInline):
    model = IncidentUpdate
    fields = ("status", "body", "display_at", "deliver_notifications")
    extra = 1


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "status", "impact", "published", "automatic", "created_at")
    list_filter = ("kind", "status", "impact", "published", "automatic")
    filter_horizontal = ("components",)
    search_fields = ("name",)
    inlines = [IncidentUpdateInline]

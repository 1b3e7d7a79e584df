"""Admin for incidents and maintenance: awaiting approval first, one form per operator action."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib import admin, messages
from django.db.models import Case, IntegerField, QuerySet, Value, When, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from statuspage.incidents import audit, delivery_overview, detection, services
from statuspage.incidents.admin_views import OperatorViews
from statuspage.incidents.models import OPEN_INCIDENT, Incident, UpdateTemplate


def awaiting_approval() -> QuerySet[Incident]:
    """Automatic incidents held for an operator's review."""
    return Incident.objects.filter(published=False, status__in=OPEN_INCIDENT)


@admin.register(Incident)
class IncidentAdmin(OperatorViews, admin.ModelAdmin):
    list_display = (
        "name", "kind", "status", "impact", "review", "automatic", "detection_lead", "created_at",
    )  # fmt: skip
    list_filter = ("kind", "status", "impact", "published", "automatic")
    search_fields = ("name",)
    # Only the title and impact are edited in place; everything else changes through an update.
    fields = ("name", "impact", "kind", "status", "published", "automatic", "components_list", "started_at",
              "resolved_at", "scheduled_for", "scheduled_until", "detection_facts")  # fmt: skip
    readonly_fields = ("kind", "status", "published", "automatic", "components_list", "started_at",
                       "resolved_at", "scheduled_for", "scheduled_until", "detection_facts")  # fmt: skip
    actions = ["approve", "discard"]
    change_form_template = "admin/incidents/incident/change_form.html"
    change_list_template = "admin/incidents/incident/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Incident]:
        held = When(published=False, status__in=OPEN_INCIDENT, then=Value(0))
        incidents = Incident.objects.annotate(
            held_first=Case(held, default=Value(1), output_field=IntegerField())
        )
        return incidents.order_by(*self.get_ordering(request))

    def get_ordering(self, request: HttpRequest) -> list[str]:
        return ["held_first", "-created_at"]

    def get_urls(self):
        def route(pattern: str, view, name: str) -> object:
            return path(pattern, self.admin_site.admin_view(view), name=f"incidents_incident_{name}")

        one = "<int:object_id>/"
        return [
            route("open/", self.open_incident_view, "open"),
            route("schedule-maintenance/", self.maintenance_view, "maintenance"),
            route(one + "post-update/", self.post_update_view, "update"),
            route(one + "updates/<int:update_id>/edit/", self.edit_update_view, "edit_update"),
            route(one + "updates/<int:update_id>/retry/", require_POST(self.retry_view), "retry"),
            route(one + "postmortem/", self.postmortem_view, "postmortem"),
            route(one + "approve/", require_POST(self.approve_view), "approve"),
            route(one + "discard/", require_POST(self.discard_view), "discard"),
            *super().get_urls(),
        ]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None) -> HttpResponse:
        """Incidents are opened with their first update, in the operator's form."""
        return HttpResponseRedirect(reverse("admin:incidents_incident_open"))

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        held = awaiting_approval().order_by("-created_at") if self.has_change_permission(request) else []
        return super().changelist_view(request, {**(extra_context or {}), "awaiting": held})

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        incident = self.get_object(request, object_id)
        if incident is None:
            return super().change_view(request, object_id, form_url, extra_context)
        prefetch_related_objects([incident], "components__group")  # named with their group, once each
        updates = list(incident.updates.select_related("author").prefetch_related("revisions__edited_by"))
        counts = delivery_overview.for_updates([u.pk for u in updates])
        context = {
            "timeline": [(u, counts.get(u.pk)) for u in updates],
            "activity": audit.for_incident(incident),
            "can_postmortem": incident.kind == Incident.Kind.INCIDENT and not incident.is_open,
            "held": not incident.published and incident.is_open,
            "show_save_and_add_another": False,  # incidents are opened in the operator's form
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **context})

    @admin.display(description="components")
    def components_list(self, incident: Incident) -> str:
        return ", ".join(incident.component_display_names().values()) or "None"

    @admin.display(description="detection")
    def detection_facts(self, incident: Incident) -> str:
        """The detection record in words, as readers see it but with exact times; never raw JSON."""
        facts = detection.facts(incident.detection)
        lines = ((fact.label, detection.text(fact, _exact_time)) for fact in facts)
        return format_html_join(mark_safe("<br>"), "{}: {}", lines) or "None recorded"

    @admin.display(description="review", ordering="held_first")
    def review(self, incident: Incident) -> str:
        if incident.published:
            return "Published"
        return "Awaiting approval" if incident.is_open else "Discarded"

    @admin.display(description="ahead of upstream")
    def detection_lead(self, incident: Incident) -> str:
        lead = incident.detection.get("lead_s")
        return "" if lead is None else f"{lead:+.0f} s"

    @admin.action(description="Approve and publish (notifies subscribers)", permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Incident]) -> None:
        held = list(queryset.filter(pk__in=awaiting_approval()))
        for incident in held:
            services.publish(incident, notify=True)
            self.log_change(request, incident, "Approved and published; subscribers notified.")
        self.message_user(request, f"Published {len(held)} incident(s).", messages.SUCCESS)

    @admin.action(description="Discard (never shown or sent)", permissions=["change"])
    def discard(self, request: HttpRequest, queryset: QuerySet[Incident]) -> None:
        held = list(queryset.filter(pk__in=awaiting_approval()))
        for incident in held:
            services.discard(incident)
            self.log_change(request, incident, "Discarded without publishing.")
        self.message_user(request, f"Discarded {len(held)} incident(s).", messages.SUCCESS)


def _exact_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%d %b %Y, %H:%M:%S UTC")


@admin.register(UpdateTemplate)
class UpdateTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "position")
    list_editable = ("position",)
    search_fields = ("name", "body")

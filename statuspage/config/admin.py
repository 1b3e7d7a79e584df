"""Admin: rows a file manages are marked and warn before a hand edit; probe cost; the catalog flow.

The monitors app may not import the status side, so the marks are added here by extending its
admin classes (and the components') and registering the extensions in their place.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from types import MappingProxyType

from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from monitors import cost
from monitors.admin import MonitorAdmin, ProviderAdmin
from monitors.models import Monitor, Provider
from statuspage.components.admin import ComponentAdmin, ComponentGroupAdmin
from statuspage.components.models import Component, ComponentGroup
from statuspage.config.apply import apply
from statuspage.config.catalog_form import CatalogForm
from statuspage.config.models import ManagedObject

# Per request (a ModelAdmin is shared by every thread): what the list's columns read.
_sources: ContextVar[Mapping[int, str]] = ContextVar("managed_sources", default=MappingProxyType({}))
_costs: ContextVar[Mapping[int, cost.MonitorCost]] = ContextVar("monitor_costs", default=MappingProxyType({}))


class ManagedMixin:
    """Shows which file manages a row, and warns on its change page before anything is edited."""

    managed_kind: str

    @admin.display(description="managed by")
    def managed_by(self, obj) -> str:
        return _sources.get().get(obj.pk, "")

    def get_list_display(self, request: HttpRequest):
        rows = ManagedObject.objects.filter(kind=self.managed_kind).values_list("object_id", "source")
        _sources.set(dict(rows))
        return (*super().get_list_display(request), "managed_by")

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        if request.method == "GET" and object_id.isdigit():
            found = ManagedObject.objects.filter(kind=self.managed_kind, object_id=int(object_id)).first()
            if found:
                messages.warning(
                    request,
                    f"Managed by {found.source}: a hand edit here is undone by the next "
                    f"`manage.py apply {found.source}`. Change the file instead.",
                )
        return super().change_view(request, object_id, form_url, extra_context)


class ManagedProviderAdmin(ManagedMixin, ProviderAdmin):
    managed_kind = ManagedObject.Kind.PROVIDER
    change_list_template = "admin/config/provider_change_list.html"

    def get_urls(self):
        catalog = path("catalog/", self.admin_site.admin_view(self.catalog_view), name="config_catalog")
        return [catalog, *super().get_urls()]

    def catalog_view(self, request: HttpRequest) -> HttpResponse:
        """Pick providers and models; "Preview" shows the plan and its cost, "Add" applies it."""
        if not (self.has_add_permission(request) and request.user.has_perm("monitors.add_monitor")):
            return HttpResponseRedirect(reverse("admin:index"))
        form = CatalogForm(request.POST or None)
        plan = None
        if request.method == "POST" and form.is_valid():
            config = form.cleaned_data["config"]
            if "_add" in request.POST:
                plan = apply(config)
                created = sum(1 for s in plan.steps if s.action == "create" and s.what.startswith("monitor"))
                messages.success(request, f"Added from the catalog: {created} monitor(s). {_cost_line(plan)}")
                return HttpResponseRedirect(reverse("admin:monitors_monitor_changelist"))
            plan = apply(config, dry_run=True)
        context = {
            **self.admin_site.each_context(request),
            "title": "Add providers from the catalog",
            "opts": self.model._meta,
            "form": form,
            "plan": plan,
        }
        return TemplateResponse(request, "admin/config/catalog.html", context)


class CostedMonitorAdmin(ManagedMixin, MonitorAdmin):
    managed_kind = ManagedObject.Kind.MONITOR
    change_list_template = "admin/config/monitor_change_list.html"

    @admin.display(description="cost / month")
    def monthly_cost(self, obj: Monitor) -> str:
        found = _costs.get().get(obj.pk)
        return f"${found.usd:.2f}" if found else "—"

    def get_list_display(self, request: HttpRequest):
        return (*super().get_list_display(request), "monthly_cost")

    def changelist_view(self, request: HttpRequest, extra_context=None):
        costs = cost.costs(Monitor.objects.select_related("provider"), timezone.now())
        _costs.set({c.monitor.pk: c for c in costs})
        total = sum(c.usd for c in costs)
        budget = settings.PROBE_BUDGET_USD_MONTHLY
        if budget and total > budget:
            messages.warning(request, f"Probes cost ${total:.2f} a month, over the ${budget:.2f} budget.")
        context = {"probe_cost_total": total, "probe_cost_count": len(costs), "probe_budget": budget}
        return super().changelist_view(request, {**(extra_context or {}), **context})


class ManagedComponentAdmin(ManagedMixin, ComponentAdmin):
    managed_kind = ManagedObject.Kind.COMPONENT


class ManagedGroupAdmin(ManagedMixin, ComponentGroupAdmin):
    managed_kind = ManagedObject.Kind.GROUP


def _cost_line(plan) -> str:
    return f"Probes cost ${plan.total_usd:.2f} a month." if plan.costs else ""


for model, model_admin in (
    (Provider, ManagedProviderAdmin),
    (Monitor, CostedMonitorAdmin),
    (Component, ManagedComponentAdmin),
    (ComponentGroup, ManagedGroupAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)

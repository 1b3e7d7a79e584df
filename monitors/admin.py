"""Admin for providers and monitors: pause, resume and "probe now" for operators; results read-only."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from monitors import pausing
from monitors.admin_forms import MonitorForm
from monitors.models import Monitor, ProbeResult, Provider
from monitors.recording import record
from monitors.tasks import ring_status_doorbell

RECENT_RESULTS = 10


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "base_url", "api_key_env", "upstream_status_url")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Monitor)
class MonitorAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "provider",
        "kind",
        "status",
        "last_outcome",
        "last_probe_at",
        "interval_s",
        "enabled",
    )
    list_filter = ("status", "kind", "provider", "enabled")
    search_fields = ("name", "url", "model")
    readonly_fields = (
        "status", "status_changed_at", "region_states", "last_outcome",
        "last_probe_at", "misconfigured", "next_probe_at", "confirmation_probes",
    )  # fmt: skip
    actions = ["pause", "resume"]
    form = MonitorForm
    change_form_template = "admin/monitors/monitor/change_form.html"

    def get_urls(self):
        def post(name: str, view) -> object:
            return path(f"<int:object_id>/{name}/", self.admin_site.admin_view(require_POST(view)),
                        name=f"monitors_monitor_{name}")  # fmt: skip

        return [
            post("probe", self.probe_view),
            post("pause", self.pause_view),
            post("resume", self.resume_view),
            *super().get_urls(),
        ]

    def has_operate_permission(self, request: HttpRequest) -> bool:
        """Pause, resume, probe: what an operator may do to a monitor without changing its settings."""
        return request.user.has_perm("monitors.operate_monitor")

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        context = {"may_operate": self.has_operate_permission(request)}
        if object_id.isdigit():
            recent = ProbeResult.objects.filter(monitor_id=int(object_id)).order_by("-started_at")
            context["recent_results"] = recent[:RECENT_RESULTS]
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **context})

    @admin.action(description="Pause the selected monitors", permissions=["operate"])
    def pause(self, request: HttpRequest, queryset: QuerySet[Monitor]) -> None:
        for monitor in queryset.filter(enabled=True):
            self.log_change(request, monitor, "Paused.")
        reason = f"paused by {request.user.get_username()}"
        count = pausing.pause(queryset, reason=reason, now=timezone.now(), on_change=ring_status_doorbell)
        self.message_user(request, f"Paused {count} monitor(s).", messages.SUCCESS)

    @admin.action(description="Resume the selected monitors", permissions=["operate"])
    def resume(self, request: HttpRequest, queryset: QuerySet[Monitor]) -> None:
        for monitor in queryset.filter(enabled=False):
            self.log_change(request, monitor, "Resumed.")
        reason = f"resumed by {request.user.get_username()}"
        count = pausing.resume(queryset, reason=reason, now=timezone.now(), on_change=ring_status_doorbell)
        self.message_user(request, f"Resumed {count} monitor(s); they are probed at once.", messages.SUCCESS)

    def pause_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        self.pause(request, Monitor.objects.filter(pk=self._operable(request, object_id).pk))
        return HttpResponseRedirect(reverse("admin:monitors_monitor_change", args=[object_id]))

    def resume_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        self.resume(request, Monitor.objects.filter(pk=self._operable(request, object_id).pk))
        return HttpResponseRedirect(reverse("admin:monitors_monitor_change", args=[object_id]))

    def probe_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Probe once, now, as the workers do; store the result and show what was measured."""
        from monitors import engine  # only here: the web process otherwise never loads the probe stack

        monitor = self._operable(request, object_id)
        spec = monitor.to_spec()
        observation = engine.run_batch_sync([spec], concurrency=1, region=settings.PROBE_REGION)[0]
        changes = record([observation], on_change=ring_status_doorbell)
        monitor.refresh_from_db()
        self.log_change(request, monitor, f"Probed now: {observation.outcome}.")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Probe of {monitor}",
            "opts": self.model._meta,
            "monitor": monitor,
            "observation": observation,
            "changed": bool(changes),
        }
        return TemplateResponse(request, "admin/monitors/monitor/probe.html", context)

    def _operable(self, request: HttpRequest, object_id: int) -> Monitor:
        if not self.has_operate_permission(request):
            raise PermissionDenied
        return get_object_or_404(Monitor.objects.select_related("provider"), pk=object_id)


@admin.register(ProbeResult)
class ProbeResultAdmin(admin.ModelAdmin):
    list_display = ("monitor", "started_at", "region", "outcome", "http_status", "ttft_ms", "total_ms")
    list_filter = ("outcome", "region")
    list_select_related = ("monitor__provider",)
    show_full_result_count = False  # COUNT(*) over millions of rows is what slows peers' dashboards

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

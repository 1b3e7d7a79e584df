"""Admin for providers and monitors; probe results are read-only."""

from django.contrib import admin, messages
from django.utils import timezone

from monitors.models import Monitor, ProbeResult, Provider
from monitors.recording import pause, resume


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
    actions = ["pause_monitors", "resume_monitors"]
    readonly_fields = (
        "status", "status_changed_at", "region_states", "last_outcome",
        "last_probe_at", "misconfigured", "next_probe_at",
    )  # fmt: skip

    @admin.action(description="Pause (no probes, no status, excluded from components)")
    def pause_monitors(self, request, queryset) -> None:
        count = sum(pause(m, timezone.now()) for m in queryset)
        self.message_user(request, f"Paused {count} monitor(s).", messages.SUCCESS)

    @admin.action(description="Resume (unknown until the first result)")
    def resume_monitors(self, request, queryset) -> None:
        count = sum(resume(m, timezone.now()) for m in queryset)
        self.message_user(request, f"Resumed {count} monitor(s).", messages.SUCCESS)


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

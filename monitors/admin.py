"""Admin for providers and monitors; probe results are read-only."""

from django.contrib import admin

from monitors.models import Monitor, ProbeResult, Provider


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
        "last_probe_at", "misconfigured", "next_probe_at",
    )  # fmt: skip


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

"""Admin for component groups and components."""

from django.contrib import admin

from statuspage.components.models import Component, ComponentGroup


class ComponentInline(admin.TabularInline):
    model = Component
    fields = ("name", "position", "status")
    readonly_fields = ("status",)
    extra = 0


@admin.register(ComponentGroup)
class ComponentGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "position")
    inlines = [ComponentInline]


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = ("name", "group", "status", "override_status", "override_until", "position")
    list_filter = ("status", "group")
    filter_horizontal = ("monitors",)
    readonly_fields = ("status", "status_changed_at")

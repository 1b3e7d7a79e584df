"""Admin for component groups and components; saving an override applies it at once."""

from django.contrib import admin
from django.db import transaction
from django.utils import timezone

from statuspage.components.models import Component, ComponentGroup
from statuspage.components.propagation import recompute


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

    def save_related(self, request, form, formsets, change) -> None:
        """After the monitors are saved too: show the override (or the monitors again) right away."""
        from statuspage.incidents import automation

        super().save_related(request, form, formsets, change)
        now = timezone.now()
        with transaction.atomic():
            changed = recompute(Component.objects.filter(pk=form.instance.pk), now)
            automation.on_component_changes(changed, now)

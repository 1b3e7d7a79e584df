"""Admin for component groups and components; operators may only set or clear a status override."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from statuspage.components.models import Component, ComponentGroup
from statuspage.components.propagation import refresh

CONFIGURATION = (
    "name", "group", "description", "position", "showcase", "only_show_if_degraded", "start_date", "monitors",
)  # fmt: skip
STATUS = ("status", "status_changed_at")
OVERRIDE_FIELDS = ("override_status", "override_for", "override_until")
OVERRIDE_FOR = [("", "Choose…"), ("30", "30 minutes"), ("60", "1 hour"), ("240", "4 hours"),
                ("1440", "24 hours")]  # fmt: skip


class ComponentInline(admin.TabularInline):
    model = Component
    fields = ("name", "position", "status")
    readonly_fields = ("status",)
    extra = 0


@admin.register(ComponentGroup)
class ComponentGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "position")
    inlines = [ComponentInline]


class ComponentForm(forms.ModelForm):
    override_for = forms.TypedChoiceField(
        choices=OVERRIDE_FOR, coerce=int, empty_value=None, required=False, label="Override for",
        help_text="Sets “override until” from now. Leave both empty to keep the override until cleared.",
    )  # fmt: skip

    class Meta:
        model = Component
        fields = ("override_status", "override_until")  # the admin adds the rest for who may configure
        help_texts = {
            "override_status": "Shown instead of what the monitors say. Empty: no override.",
            "override_until": "UTC. When it passes, the monitors decide again.",
        }

    def clean(self) -> dict:
        data = super().clean()
        minutes = data.get("override_for")
        if minutes:
            data["override_until"] = timezone.now() + timedelta(minutes=minutes)
        until = data.get("override_until")
        if not data.get("override_status"):
            data["override_until"] = None  # clearing the status clears its expiry
        elif until is not None and until <= timezone.now() and "override_until" in self.changed_data:
            self.add_error("override_until", "This time has passed: the override would end at once.")
        return data


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    form = ComponentForm
    list_display = ("name", "group", "status", "override_status", "override_until", "position")
    list_filter = ("status", "group")
    filter_horizontal = ("monitors",)
    actions = ["clear_override"]

    def has_change_permission(self, request: HttpRequest, obj: Component | None = None) -> bool:
        return super().has_change_permission(request, obj) or self._may_override(request)

    fields = (*CONFIGURATION, *STATUS, *OVERRIDE_FIELDS)

    def get_readonly_fields(self, request: HttpRequest, obj: Component | None = None):
        if super().has_change_permission(request, obj):
            return STATUS
        return (*CONFIGURATION, *STATUS)  # an operator sets the override, and configures nothing

    def save_model(self, request: HttpRequest, obj: Component, form, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if {"override_status", "override_until", "override_for"} & set(form.changed_data):
                refresh(Component.objects.filter(pk=obj.pk), timezone.now())  # shown at once

    @admin.action(description="Clear the status override", permissions=["override"])
    def clear_override(self, request: HttpRequest, queryset: QuerySet[Component]) -> None:
        with transaction.atomic():
            overridden = list(queryset.exclude(override_status=""))
            for component in overridden:
                component.override_status, component.override_until = "", None
                component.save(update_fields=["override_status", "override_until", "updated_at"])
                self.log_change(request, component, "Cleared the status override.")
            refresh(Component.objects.filter(pk__in=[c.pk for c in overridden]), timezone.now())
        self.message_user(request, f"Cleared {len(overridden)} override(s).", messages.SUCCESS)

    def has_override_permission(self, request: HttpRequest) -> bool:
        return self._may_override(request)

    def _may_override(self, request: HttpRequest) -> bool:
        return request.user.has_perm("components.override_component")

"""Admin: subscribers, operator alerts, and deliveries (dead ones show their error and can be retried)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from statuspage.incidents.admin_forms import ComponentsField
from statuspage.subscriptions import outbox
from statuspage.subscriptions.models import Delivery, OperatorAlert, Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "kind", "chat_app", "webhook_host", "all_components", "confirmed_at", "ended_at",
                    "created_at")  # fmt: skip
    list_filter = ("kind", "chat_app", "all_components", ("confirmed_at", admin.EmptyFieldListFilter))
    search_fields = ("email", "webhook_url")
    filter_horizontal = ("components",)
    readonly_fields = ("public_id", "created_at", "confirmed_at", "ended_at", "ended_reason")

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "components":
            kwargs["form_class"] = ComponentsField  # "deepseek-sim · Chat", not one "Chat" per provider
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(OperatorAlert)
class OperatorAlertAdmin(admin.ModelAdmin):
    list_display = ("subject", "kind", "key", "created_at")
    list_filter = ("kind",)
    search_fields = ("subject", "key")
    readonly_fields = ("kind", "key", "subject", "body", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "purpose",
        "about",
        "channel",
        "address",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "error",
    )
    list_filter = ("state", "channel", "purpose")
    list_select_related = ("subscriber", "update__incident", "alert", "component_change__component__group")
    search_fields = (
        "subscriber__email", "subscriber__webhook_url", "recipient", "last_error",
        "update__incident__name", "component_change__component__name",
    )  # fmt: skip
    date_hierarchy = "created_at"
    actions = ["retry"]
    fields = readonly_fields = (
        "purpose", "about", "channel", "state", "address", "subscriber", "update", "component_change",
        "alert", "attempts", "next_attempt_at", "created_at", "sent_at", "last_error",
    )  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="about")
    def about(self, delivery: Delivery) -> str:
        """What the message tells, in words: the ids of its target say little in a list."""
        if delivery.update_id:
            return f"{delivery.update.incident.name}: {delivery.update.get_status_display()}"
        if delivery.component_change_id:
            change = delivery.component_change
            return (
                f"{change.component.display_name}: {change.get_old_status_display()} → "
                f"{change.get_new_status_display()}"
            )
        if delivery.alert_id:
            return delivery.alert.subject
        return ""  # a confirmation or manage link: the purpose says it all

    @admin.display(description="last error")
    def error(self, delivery: Delivery) -> str:
        return delivery.last_error[:120]

    @admin.action(description="Retry the selected deliveries now (fresh attempt budget)")
    def retry(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        # Not sent ones, nor ones a worker holds right now (it would send them a second time).
        retryable = queryset.filter(
            Q(state=Delivery.State.DEAD) | Q(state=Delivery.State.PENDING, lease=None)
        )
        retried = retryable.update(
            state=Delivery.State.PENDING, attempts=0, next_attempt_at=timezone.now(), lease=None
        )
        outbox.ring_on_commit(set(queryset.values_list("channel", flat=True)))
        self.message_user(
            request,
            f"{retried} deliveries queued again; sent ones and ones being sent were left alone.",
            messages.SUCCESS,
        )

"""Subscribers, operator alerts, and Delivery: the outbox row each notification is sent from."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from statuspage.lib.ids import public_id


class Subscriber(models.Model):
    """Someone told about incidents: by email, or by webhook or chat app with an email that confirms it."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook"
        CHAT = "chat", "Chat app"

    class ChatApp(models.TextChoices):
        SLACK = "slack", "Slack"
        DISCORD = "discord", "Discord"
        TEAMS = "teams", "Microsoft Teams"
        GOOGLE_CHAT = "googlechat", "Google Chat"

    public_id = models.CharField(max_length=12, unique=True, default=public_id, editable=False)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.EMAIL)
    email = models.EmailField(max_length=254)
    webhook_url = models.URLField(max_length=500, blank=True)  # a chat app's incoming webhook too
    chat_app = models.CharField(max_length=12, choices=ChatApp.choices, blank=True)
    all_components = models.BooleanField(
        default=True, help_text="Told about every incident, including components added later."
    )
    components = models.ManyToManyField("components.Component", blank=True, related_name="subscribers")
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Set when the destination told us it is gone (a deleted chat webhook): no longer confirmed, kept
    # until the subscriber has been told why.
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=models.Q(kind="email"), name="subscriber_unique_email"
            ),
            models.UniqueConstraint(
                Lower("email"),
                "webhook_url",
                condition=models.Q(kind="webhook"),
                name="subscriber_unique_hook",
            ),
            models.UniqueConstraint(
                Lower("email"), "webhook_url", condition=models.Q(kind="chat"), name="subscriber_unique_chat"
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.CHAT:
            return f"{self.get_chat_app_display()} {self.webhook_host}"
        return self.webhook_url if self.kind == self.Kind.WEBHOOK else self.email

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def webhook_host(self) -> str:
        return urlsplit(self.webhook_url).hostname or ""


class OperatorAlert(models.Model):
    """Something operators must hear of (an automatic incident, a misconfigured monitor...), once per key."""

    kind = models.CharField(max_length=32, default="alert", help_text="What happened (alerts.EventKind).")
    key = models.CharField(max_length=200, unique=True, help_text="One alert per key, however often raised.")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject


def _only_target(purposes: list[str], target: str | None) -> models.Q:
    """`purposes` point at `target` and at nothing else (no target at all when None)."""
    return models.Q(
        purpose__in=purposes,
        **{f"{field}__isnull": field != target for field in ("update", "component_change", "alert")},
    )


# Each delivery is about exactly one thing, the one its purpose names (and the messages about the
# subscription itself about none), so the exactly-once constraints above cover every notification.
_TARGET_MATCHES_PURPOSE = (
    _only_target(["update"], "update")
    | _only_target(["component"], "component_change")
    | _only_target(["alert"], "alert")
    | _only_target(["confirm", "manage_link", "ended"], None)
)


class Delivery(models.Model):
    """One message to one recipient. Claimed with a lease, sent, then marked sent, retried or dead.

    While claimed, `lease` identifies the claim and `next_attempt_at` is when the lease expires,
    so rows of a worker that died become due again by themselves.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook"
        CHAT = "chat", "Chat app"
        OPERATOR = "operator", "Operator notification (Apprise)"

    class Purpose(models.TextChoices):
        UPDATE = "update", "Incident update"
        COMPONENT = "component", "Component status"
        CONFIRM = "confirm", "Subscription confirmation"
        MANAGE_LINK = "manage_link", "Manage link"
        ENDED = "ended", "Subscription ended"
        ALERT = "alert", "Operator alert"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        DEAD = "dead", "Dead"

    channel = models.CharField(max_length=8, choices=Channel.choices)
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    subscriber = models.ForeignKey(
        Subscriber, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    update = models.ForeignKey(
        "incidents.IncidentUpdate", null=True, blank=True, on_delete=models.CASCADE,
        related_name="deliveries",
        db_index=False,  # delivery_update_channel_state leads with it: one index less to write per fan-out
    )  # fmt: skip
    component_change = models.ForeignKey(
        "components.ComponentStatusChange", null=True, blank=True, on_delete=models.CASCADE,
        related_name="deliveries",
    )  # fmt: skip
    alert = models.ForeignKey(
        OperatorAlert, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    # Operator alerts only: an email address, or for the operator channel the label of one of
    # OPERATOR_NOTIFY_URLS (never the URL: it carries tokens). A subscriber's address is read at send time.
    recipient = models.EmailField(max_length=254, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "update"], condition=models.Q(update__isnull=False),
                name="delivery_once_per_update",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "component_change"], condition=models.Q(component_change__isnull=False),
                name="delivery_once_per_component_change",
            ),
            models.UniqueConstraint(
                fields=["alert", "recipient"], condition=models.Q(alert__isnull=False),
                name="delivery_once_per_alert",
            ),
            models.CheckConstraint(condition=_TARGET_MATCHES_PURPOSE, name="delivery_target_matches_purpose"),
        ]  # fmt: skip
        indexes = [
            models.Index(
                fields=["channel", "next_attempt_at"],
                condition=models.Q(state="pending"),
                name="delivery_due",
            ),
            models.Index(fields=["state", "-created_at"], name="delivery_state_created"),
            # The incident admin's counts per update, channel and state, read by an index-only scan, and its
            # latest dead rows per update, newest first: neither reads the table once per delivery.
            models.Index(
                fields=["update", "channel", "state"],
                condition=models.Q(update__isnull=False),
                name="delivery_update_channel_state",
            ),
            models.Index(
                fields=["update", "id"], condition=models.Q(state="dead"), name="delivery_dead_by_update"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} to {self.address}"

    @property
    def address(self) -> str:
        if self.subscriber_id is None:
            return self.recipient
        if self.channel == self.Channel.CHAT:
            return str(self.subscriber)  # app and host: the URL itself is the channel's password
        return self.subscriber.webhook_url if self.channel == self.Channel.WEBHOOK else self.subscriber.email

    @property
    def key(self) -> str:
        """Stable across retries; one per (subscriber, update or component change) so receivers can drop
        a re-send."""
        if self.purpose == self.Purpose.UPDATE:
            return f"update.{self.update.public_id}.{self.subscriber.public_id}"
        if self.purpose == self.Purpose.COMPONENT:
            return f"component.{self.component_change.public_id}.{self.subscriber.public_id}"
        return f"{self.purpose}.{self.pk}"

    @property
    def message_id(self) -> str:
        return f"<{self.key}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>"

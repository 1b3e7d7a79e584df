"""Subscriptions app: subscribers, the delivery outbox, and the email and webhook transports."""

from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "statuspage.subscriptions"
    label = "subscriptions"
    verbose_name = "Subscriptions and deliveries"

"""Monitors app: providers, monitors, probing and the results it stores."""

from django.apps import AppConfig


class MonitorsConfig(AppConfig):
    name = "monitors"
    verbose_name = "Monitoring"

"""The monitors-as-code app."""

from django.apps import AppConfig


class ConfigConfig(AppConfig):
    name = "statuspage.config"
    label = "config"
    verbose_name = "Monitors as code"

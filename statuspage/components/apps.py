"""Components app: what readers see a status for, derived from monitors."""

from django.apps import AppConfig


class ComponentsConfig(AppConfig):
    name = "statuspage.components"
    label = "components"

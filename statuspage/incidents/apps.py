"""Incidents app: incidents, maintenances, their updates and postmortems."""

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "statuspage.incidents"
    label = "incidents"

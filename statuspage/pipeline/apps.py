"""Connects the status chain's links once every room's models are loaded."""

from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "statuspage.pipeline"
    label = "pipeline"

    def ready(self) -> None:
        from statuspage.pipeline import chain  # the stages import models: not before apps are ready

        chain.connect()

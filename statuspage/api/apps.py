"""The API: Statuspage v2-compatible JSON, the failover ranking, OpenAPI and /metrics."""

from django.apps import AppConfig

from statuspage.serving import snapshot


class ApiConfig(AppConfig):
    name = "statuspage.api"
    label = "api"

    def ready(self) -> None:
        from statuspage.api import build  # it imports models: not before apps are ready

        snapshot.register(build.build)

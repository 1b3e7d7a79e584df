"""The public side: pages, feeds and badges served from one snapshot per page version."""

from django.apps import AppConfig

from statuspage.serving import snapshot


class PublicConfig(AppConfig):
    name = "statuspage.public"
    label = "public"

    def ready(self) -> None:
        from statuspage.public import build, invalidation  # they import models: not before apps are ready

        invalidation.connect()
        snapshot.register(build.build)

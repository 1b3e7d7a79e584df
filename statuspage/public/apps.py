"""The public side: pages, feeds and badges served from one snapshot per page version."""

from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "statuspage.public"
    label = "public"

    def ready(self) -> None:
        from statuspage.public import build, invalidation  # they import models: not before apps are ready
        from statuspage.serving import snapshot

        invalidation.connect()
        snapshot.register(build.build)

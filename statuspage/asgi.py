"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statuspage.settings")
application = get_asgi_application()

from django.conf import settings  # noqa: E402 - needs Django set up first

from statuspage.lib import webdb  # noqa: E402

webdb.install(settings.DATABASES, settings.WEB_QUERY_TIMEOUT, settings.WEB_DB_CONNECT_TIMEOUT)

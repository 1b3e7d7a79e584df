"""WSGI entry point: snapshot paths are answered from memory before Django (serving/fastpath.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statuspage.settings")
django_application = get_wsgi_application()

from django.conf import settings  # noqa: E402 - needs Django set up first

from statuspage.lib import webdb  # noqa: E402
from statuspage.serving.fastpath import SnapshotFastPath  # noqa: E402

# Readers never wait long on the database: a failed query serves the last snapshot, marked stale.
webdb.install(settings.DATABASES, settings.WEB_QUERY_TIMEOUT, settings.WEB_DB_CONNECT_TIMEOUT)

application = SnapshotFastPath(django_application)

"""WSGI entry point: snapshot paths are answered from memory before Django (serving/fastpath.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statuspage.settings")
django_application = get_wsgi_application()

from statuspage.serving.fastpath import SnapshotFastPath  # noqa: E402 - needs Django set up first

application = SnapshotFastPath(django_application)

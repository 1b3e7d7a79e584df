"""The demo seed behind `make run`: components to look at, monitors on the fleet, a working admin login."""

import io
import re

from django.core.management import call_command

from monitors.models import Monitor
from statuspage.components.models import Component


def seed(settings, tmp_path) -> str:
    settings.BASE_DIR = tmp_path
    out = io.StringIO()
    call_command("seed_demo", fleet_base_port=9101, stdout=out)
    return out.getvalue()


def test_seed_creates_components_monitors_and_prints_a_working_admin_login(db, client, settings, tmp_path):
    output = seed(settings, tmp_path)

    assert Component.objects.count() >= 3
    assert Monitor.objects.filter(url__startswith="http://127.0.0.1:910").count() == Monitor.objects.count()
    assert all(c.monitors.exists() for c in Component.objects.all())
    user, password = re.search(r"user (\S+)\s+password (\S+)", output).groups()
    login = f"/{settings.ADMIN_URL}login/"
    response = client.post(login, {"username": user, "password": password, "next": f"/{settings.ADMIN_URL}"})
    assert response.status_code == 302 and response["Location"] == f"/{settings.ADMIN_URL}"
    assert client.get(f"/{settings.ADMIN_URL}").status_code == 200


def test_seed_is_idempotent_and_keeps_the_password(db, settings, tmp_path):
    first = seed(settings, tmp_path)
    counts = (Component.objects.count(), Monitor.objects.count())
    second = seed(settings, tmp_path)
    assert (Component.objects.count(), Monitor.objects.count()) == counts
    assert first.splitlines()[-1] == second.splitlines()[-1]


def test_demo_chat_monitors_stream_at_a_models_pace(db, settings, tmp_path):
    seed(settings, tmp_path)
    for monitor in Monitor.objects.exclude(kind__in=["models", "upstream"]):
        headers = monitor.to_spec().headers
        assert int(headers["X-Fake-Tokens"]) > 1 and int(headers["X-Fake-ITL-Ms"]) > 0  # tokens/s to measure
        assert int(headers["X-Fake-TTFT-Ms"]) > 0

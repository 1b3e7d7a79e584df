"""An operator in real Chromium opens an incident on two components, posts identified and resolved;
the public page, the API and a real SMTP server (fed by a real Celery worker) see each update once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from statuspage.components.models import Component, ComponentGroup
from statuspage.incidents.models import Incident
from statuspage.operators.roles import GROUP
from statuspage.subscriptions.models import Delivery, Subscriber
from tests.admin.smtp import SmtpServer
from tests.processes import stop

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "operator-e2e-password"
UPDATES = {
    "investigating": "We see **elevated errors** on chat and embeddings.",
    "identified": "A bad configuration push; rolling it back.",
    "resolved": "Error rates are back to normal.",
}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def worker(transactional_db, smtp, tmp_path) -> Iterator[subprocess.Popen]:
    """A real Celery worker sending the deliveries, on the test database, to the test SMTP server."""
    db = connection.settings_dict
    database = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # no task left over from another run
    env = {
        **os.environ,
        "STATUSPAGE_ENV": "test",
        "DATABASE_URL": database,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
    }
    queues = f"default,{settings.DELIVERY_QUEUE}"  # the status side's doorbells, then the deliveries
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "statuspage", "worker", "-Q", queues, "--concurrency", "1",
         "--pool", "solo", "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "worker.log").open("wb"),
    )  # fmt: skip
    try:
        yield process
    finally:
        stop(process)
        connection.close()  # the worker's connections are gone before the database is flushed


@pytest.fixture
def world(settings, django_user_model):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests only: speed
    operator = django_user_model.objects.create_user("olga", "olga@example.com", PASSWORD, is_staff=True)
    operator.groups.add(Group.objects.get(name=GROUP))
    group = ComponentGroup.objects.create(name="OpenAI", position=1)
    chat = Component.objects.create(name="Chat completions", group=group, position=1)
    embeddings = Component.objects.create(name="Embeddings", group=group, position=2)
    website = Component.objects.create(name="Website", position=2)
    Subscriber.objects.create(email="reader@example.com", confirmed_at=timezone.now())
    bystander = Subscriber.objects.create(email="bystander@example.com", all_components=False,
                                          confirmed_at=timezone.now())  # fmt: skip
    bystander.components.set([website])
    return {"chat": chat, "embeddings": embeddings}


def post(page, status: str) -> None:
    page.select_option("#id_status", status)
    page.fill("#id_body", UPDATES[status])


def test_an_operator_runs_an_incident_end_to_end(page, live_server, world, worker, smtp, artifacts):
    chat, embeddings = world["chat"], world["embeddings"]
    page.goto(f"{live_server.url}/admin/incidents/incident/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    page.click("text=Open an incident")
    page.fill("#id_name", "Elevated errors on chat and embeddings")
    page.select_option("#id_impact", "major")
    post(page, "investigating")
    page.select_option(f"#id_component_{chat.pk}", "major_outage")
    page.select_option(f"#id_component_{embeddings.pk}", "partial_outage")
    assert page.is_checked("#id_notify")
    page.click("button[name=_preview]")
    preview = page.locator(".preview")
    assert preview.locator(".body strong").inner_text() == "elevated errors"  # Markdown, rendered
    assert "[AI Status] Elevated errors on chat and embeddings: Investigating" in preview.inner_text()
    email = page.frame_locator(".preview iframe").locator("body")  # the HTML email, in a sandbox
    assert "Chat completions: Major outage" in email.inner_text()
    page.screenshot(path=str(artifacts / "operator-preview.png"), full_page=True)
    page.click("button[name=_post]")
    page.get_by_text("Incident opened.").wait_for()

    incident = Incident.objects.get()
    page.click("text=Post an update")
    post(page, "identified")
    page.click("button[name=_post]")
    page.get_by_text("Update posted.").wait_for()

    page.click("text=Post an update")
    post(page, "resolved")  # choosing "resolved" offers operational for the incident's components
    assert page.input_value(f"#id_component_{chat.pk}") == "operational"
    assert page.input_value(f"#id_component_{embeddings.pk}") == "operational"
    page.click("button[name=_post]")
    page.get_by_text("Update posted.").wait_for()
    page.screenshot(path=str(artifacts / "operator-incident.png"), full_page=True)

    # The public page: each update once, Markdown rendered.
    page.goto(f"{live_server.url}/incidents/{incident.public_id}")
    timeline = page.locator(".timeline")
    for status, body in UPDATES.items():
        text = body.replace("**", "")
        assert timeline.inner_text().count(text) == 1, status
    assert timeline.locator("strong", has_text="elevated errors").count() == 1

    # The API: each update once, newest first, and the components back to operational.
    api = httpx.get(f"{live_server.url}/api/v2/incidents.json", timeout=10).json()["incidents"]
    assert [i["id"] for i in api] == [incident.public_id]
    assert [(u["status"], u["body"]) for u in api[0]["incident_updates"]] == list(reversed(UPDATES.items()))
    assert {c["name"]: c["status"] for c in api[0]["components"]} == {
        "Chat completions": "operational", "Embeddings": "operational",
    }  # fmt: skip

    # The real SMTP server: each update once to the subscriber, nothing to the other component's.
    deadline = time.monotonic() + 60
    while len(smtp.mailbox.to("reader@example.com")) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)  # anything sent twice would arrive now
    received = smtp.mailbox.to("reader@example.com")
    statuses = sorted(m["Subject"].rsplit(": ", 1)[1] for m in received)
    assert statuses == ["Identified", "Investigating", "Resolved"]
    assert len({m["Message-ID"] for m in received}) == 3
    for message in received:
        status = message["Subject"].rsplit(": ", 1)[1].lower()
        assert UPDATES[status] in message.get_body(("plain",)).get_content()
    assert smtp.mailbox.to("bystander@example.com") == []
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}

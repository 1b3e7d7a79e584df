"""Every public page and form state is valid HTML by the Nu HTML Checker (vnu), the W3C's validator.

The pages are fetched through Django's test client, written to files, and checked by one run of
vnu.jar (the npm package vnu-jar, installed with the browser tests' helpers; Java 17 runs it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from monitors.outcomes import Outcome
from monitors.probes.base import Observation
from monitors.recording import record
from statuspage.components.models import ComponentGroup
from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft, MaintenanceDraft
from statuspage.incidents.maintenance import schedule
from statuspage.subscriptions import tokens
from statuspage.subscriptions.models import Subscriber

pytestmark = pytest.mark.django_db

VNU = Path(__file__).parents[1] / "e2e" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_errors(pages: dict[str, str], folder: Path) -> dict[str, list[str]]:
    if not VNU.exists():
        pytest.fail(f"vnu.jar is missing: run `npm ci` in {VNU.parents[3]}")
    java = shutil.which("java")
    if java is None:
        pytest.fail("Java is missing (apt-get install default-jre-headless)")
    files = {}
    for n, (name, html) in enumerate(pages.items()):
        path = folder / f"page{n}.html"
        path.write_text(html, encoding="utf-8")
        files[path.resolve().as_uri()] = name
        files[f"file:{path.resolve()}"] = name
    run = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--errors-only", *[str(folder / f"page{n}.html")
                                                                        for n in range(len(pages))]],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    found: dict[str, list[str]] = {}
    for message in json.loads(run.stderr or "{}").get("messages", []):
        name = files.get(message.get("url"), message.get("url"))
        found.setdefault(name, []).append(f"line {message.get('lastLine')}: {message['message']}")
    return found


@pytest.fixture
def site(make_component, make_monitor):
    group = ComponentGroup.objects.create(name="OpenAI", position=1)
    monitor = make_monitor(regions=["eu", "us"])
    chat = make_component("Chat", group=group, monitors=[monitor], showcase=True,
                          created_at=timezone.now() - timedelta(days=3))  # fmt: skip
    quiet = make_component("Embeddings", group=group, created_at=timezone.now())
    now = timezone.now()
    ok = {"ttft_ms": 300.0, "total_ms": 900.0, "tokens_per_s": 60.0, "http_status": 200}
    record([Observation(monitor_id=monitor.pk, outcome=Outcome.OK, started_at=now - timedelta(minutes=m),
                        region=r, **ok) for m in (3, 2) for r in ("eu", "us")])  # fmt: skip
    record([Observation(monitor_id=monitor.pk, outcome=Outcome.OVERLOADED, region="eu", http_status=503,
                        started_at=now - timedelta(minutes=1))])  # fmt: skip
    incident = services.open_incident(
        IncidentDraft(
            name="Elevated errors on Chat",
            impact="major",
            body="We see **503s**.",
            component_statuses={chat: "partial_outage"},
        ),
        now=now - timedelta(minutes=30),
    )
    maintenance = schedule(
        MaintenanceDraft(
            name="Database upgrade", body="Planned.", components=[quiet],
            starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=1),
        ),
        now=now,
    )  # fmt: skip
    return chat, quiet, incident, maintenance


def test_every_public_page_and_form_state_is_valid_html(client, site, tmp_path):
    chat, quiet, incident, maintenance = site
    subscriber = Subscriber.objects.create(email="ada@example.com", all_components=True)
    confirmed = Subscriber.objects.create(
        email="bo@example.com", all_components=True, confirmed_at=timezone.now()
    )
    confirm = tokens.make(tokens.Purpose.CONFIRM, subscriber.public_id)
    manage = tokens.make(tokens.Purpose.MANAGE, confirmed.public_id)
    unsubscribe = tokens.make(tokens.Purpose.UNSUBSCRIBE, confirmed.public_id)
    pages = {path: client.get(path).content.decode() for path in [
        "/", "/history", "/history?page=2", "/models", f"/incidents/{incident.public_id}",
        f"/incidents/{maintenance.public_id}", *[f"/components/{chat.public_id}?range={r}"
                                                for r in ("1h", "24h", "7d", "30d", "90d")],
        f"/components/{quiet.public_id}", "/subscribe", f"/subscribe?component={chat.public_id}",
        f"/subscriptions/confirm/{confirm}", f"/subscriptions/manage/{manage}",
        f"/subscriptions/unsubscribe/{unsubscribe}", "/subscriptions/confirm/not-a-token", "/no-such-page",
        "/history?page=x",
    ]}  # fmt: skip
    pages["subscribe: errors"] = client.post(
        "/subscribe", {"email": "nope", "scope": "some"}
    ).content.decode()
    pages["subscribe: sent"] = client.post(
        "/subscribe", {"email": "cy@example.com", "scope": "all"}
    ).content.decode()
    pages["manage: saved"] = client.post(f"/subscriptions/manage/{manage}", {"scope": "all"}).content.decode()
    pages["manage: error"] = client.post(
        f"/subscriptions/manage/{manage}", {"scope": "some"}
    ).content.decode()
    pages["unsubscribed"] = client.post(f"/subscriptions/unsubscribe/{unsubscribe}").content.decode()
    errors = vnu_errors(pages, tmp_path)
    assert errors == {}, json.dumps(errors, indent=1, ensure_ascii=False)


def test_the_checker_does_catch_an_error(tmp_path):
    page = '<!doctype html><html lang="en"><title>t</title><p hx-get="/x">a</p></html>'
    assert list(vnu_errors({"bad": page}, tmp_path)) == ["bad"]

"""Operators override a component's status with an expiry, pause and resume monitors, probe now."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from monitors.models import MonitorStatus, ProbeResult, StateChange
from tests.admin.conftest import ADMIN

COMPONENTS = ADMIN + "components/component/"
MONITORS = ADMIN + "monitors/monitor/"


def override(client, component, **fields):
    data = {"override_status": "", "override_for": "", "override_until_0": "", "override_until_1": ""}
    return client.post(f"{COMPONENTS}{component.pk}/change/", {**data, **fields})


def test_an_operator_overrides_a_component_for_an_hour_and_it_shows_at_once(operator_client, components):
    chat = components["chat"]
    response = override(
        operator_client, chat, override_status="major_outage", override_for="60", name="Renamed"
    )

    assert response.status_code == 302
    chat.refresh_from_db()
    assert chat.status == "major_outage" and chat.override_status == "major_outage"
    assert timedelta(minutes=59) < chat.override_until - timezone.now() <= timedelta(minutes=60)
    assert chat.name == "Chat completions"  # configuration is not the operator's to change


def test_clearing_the_override_lets_the_monitors_decide_again(operator_client, components, make_monitor):
    chat = components["chat"]
    chat.monitors.set([make_monitor(status="up")])
    override(operator_client, chat, override_status="major_outage")

    override(operator_client, chat)  # both fields emptied

    chat.refresh_from_db()
    assert (chat.override_status, chat.override_until, chat.status) == ("", None, "operational")


def test_the_clear_action_clears_several_at_once(operator_client, components, make_monitor):
    for component in components.values():
        component.monitors.set([make_monitor(status="up")])
        override(operator_client, component, override_status="partial_outage")

    operator_client.post(COMPONENTS, {"action": "clear_override",
                                      "_selected_action": [c.pk for c in components.values()]})  # fmt: skip

    for component in components.values():
        component.refresh_from_db()
        assert (component.override_status, component.status) == ("", "operational")


def test_an_expiry_in_the_past_is_refused_with_a_message(operator_client, components):
    past = timezone.now() - timedelta(hours=1)
    until = {"override_until_0": past.strftime("%Y-%m-%d"), "override_until_1": past.strftime("%H:%M:%S")}
    response = override(operator_client, components["chat"], override_status="major_outage", **until)

    assert response.status_code == 200 and "This time has passed" in response.content.decode()
    components["chat"].refresh_from_db()
    assert components["chat"].override_status == ""


def test_a_superuser_still_configures_components(superuser_client, components):
    chat = components["chat"]
    page = superuser_client.get(f"{COMPONENTS}{chat.pk}/change/").content.decode()
    assert 'name="name"' in page and 'name="override_status"' in page


def test_pause_and_resume_record_state_changes_for_the_status_side(operator_client, make_monitor):
    monitor = make_monitor(status="down")

    operator_client.post(MONITORS, {"action": "pause", "_selected_action": [monitor.pk]})
    monitor.refresh_from_db()
    assert (monitor.enabled, monitor.status) == (False, MonitorStatus.PAUSED)

    operator_client.post(f"{MONITORS}{monitor.pk}/resume/")
    monitor.refresh_from_db()
    assert (monitor.enabled, monitor.status) == (True, MonitorStatus.UNKNOWN)  # never assumed up
    assert monitor.next_probe_at <= timezone.now()
    changes = list(
        StateChange.objects.filter(monitor=monitor).values_list("old_status", "new_status", "reason")
    )
    assert changes == [("down", "paused", "paused by olga"), ("paused", "unknown", "resumed by olga")]


def test_pausing_twice_changes_nothing_more(operator_client, make_monitor):
    monitor = make_monitor(status="up")
    operator_client.post(f"{MONITORS}{monitor.pk}/pause/")
    operator_client.post(f"{MONITORS}{monitor.pk}/pause/")
    assert StateChange.objects.filter(monitor=monitor).count() == 1


class _Endpoint(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        body = b'{"ok": true}'
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    server.status = 200
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("status", "outcome", "shown"),
    [(200, "ok", "Outcome: <strong>ok</strong>"), (500, "server_error", "status (500) &lt; 400")],
)
def test_probe_now_measures_stores_and_shows_the_result(operator_client, make_monitor, endpoint, status,
                                                        outcome, shown):  # fmt: skip
    endpoint.status = status
    monitor = make_monitor(kind="http", url=f"http://127.0.0.1:{endpoint.server_port}/health", status="up")

    response = operator_client.post(f"{MONITORS}{monitor.pk}/probe/")

    page = response.content.decode()
    assert response.status_code == 200 and shown in page
    assert f'<tr><th scope="row">HTTP status</th><td>{status}</td></tr>' in page
    assert "ms</td>" in page  # timings measured
    result = ProbeResult.objects.get(monitor=monitor)
    assert (result.outcome, result.http_status) == (outcome, status)
    monitor.refresh_from_db()
    assert monitor.last_outcome == outcome
    assert (
        outcome in operator_client.get(f"{MONITORS}{monitor.pk}/change/").content.decode()
    )  # latest results


def test_probe_now_is_post_only(operator_client, make_monitor):
    monitor = make_monitor()
    assert operator_client.get(f"{MONITORS}{monitor.pk}/probe/").status_code == 405

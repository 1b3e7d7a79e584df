"""SVG badges and the embeddable widget."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

SVG = "{http://www.w3.org/2000/svg}"


def parse(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 - our own output, not untrusted input


@pytest.fixture
def chat(make_component):
    return make_component("Chat", status="partial_outage")


def test_overall_badge_says_the_status_in_words(client, chat):
    response = client.get("/badge.svg")
    assert response["Content-Type"] == "image/svg+xml"
    svg = parse(response.content)
    assert svg.get("aria-label") == "AI Status: partial system outage"
    assert svg.find(f"{SVG}title").text == "AI Status: partial system outage"


def test_component_status_and_uptime_badges(client, chat):
    status = parse(client.get(f"/badge/{chat.public_id}.svg").content)
    assert status.get("aria-label") == "Chat: partial outage"
    uptime = parse(client.get(f"/badge/{chat.public_id}/uptime.svg").content)
    # In partial outage all its (short) life: weighted 0.3, as on the page (docs/uptime.md).
    assert uptime.get("aria-label") == "uptime 90d: 70.00%"
    week = parse(client.get(f"/badge/{chat.public_id}/uptime.svg?days=7").content)
    assert week.get("aria-label") == "uptime 7d: 70.00%"


def test_badges_refuse_unknown_components_and_windows(client, chat):
    assert client.get("/badge/doesnotexist.svg").status_code == 404
    assert client.get("/badge/doesnotexist/uptime.svg").status_code == 404
    for bad in ("5", "abc", "", "90; drop"):
        response = client.get(f"/badge/{chat.public_id}/uptime.svg", {"days": bad})
        assert response.status_code == 400, bad


def test_the_widget_script_reads_the_summary_from_its_own_origin(client, db):
    response = client.get("/embed.js")
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    script = response.content.decode()
    assert "/api/v2/summary.json" in script and "currentScript" in script
    assert "innerHTML" not in script  # text only: nothing from the API is parsed as HTML


def test_a_control_character_in_a_component_name_does_not_break_its_badge(client, make_component):
    odd = make_component("Chat\x0b\x1b", status="operational")
    svg = parse(client.get(f"/badge/{odd.public_id}.svg").content)  # not well-formed would raise
    assert svg.find(f"{SVG}title").text.startswith("Chat: ")

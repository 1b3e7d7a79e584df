"""Incident-update emails render the operator's Markdown as the page does (sanitised HTML), and keep
the text part plain: the Markdown source, no HTML."""

from __future__ import annotations

import re

from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft
from tests.admin.hostile import HOSTILE, hostile
from tests.subscriptions.helpers import send_emails

BODY = "The **router** was rolled back.\n\nDetails: [our report](https://example.com/report)"
TAG = re.compile(r"<\s*/?\s*[a-z][a-z0-9]*[\s>/]", re.IGNORECASE)


def _parts(smtp) -> tuple[str, str]:
    send_emails()
    (message,) = smtp.mailbox.messages
    return message.get_body(("html",)).get_content(), message.get_body(("plain",)).get_content()


def test_the_html_part_renders_the_markdown_and_the_text_part_keeps_its_source(smtp, make_subscriber):
    make_subscriber("reader@example.com")
    incident = services.open_incident(
        IncidentDraft(name="Slow chat", impact="minor", body=BODY, component_statuses={})
    )

    page, text = _parts(smtp)

    assert "<strong>router</strong> was rolled back." in page
    assert '<a href="https://example.com/report" rel="noopener noreferrer nofollow">our report</a>' in page
    assert "**router**" not in page and "&lt;strong&gt;" not in page
    assert "The **router** was rolled back." in text and "[our report](https://example.com/report)" in text
    assert not TAG.search(text), text
    assert incident.name in text


def test_hostile_markdown_is_harmless_in_the_email(smtp, make_subscriber):
    make_subscriber("reader@example.com")
    services.open_incident(IncidentDraft(name="Hostile", impact="minor", body=HOSTILE, component_statuses={}))

    page, text = _parts(smtp)

    assert "pwned" in page and hostile(page) == []  # shown as text, never run
    assert "<script" not in page.lower()
    assert "<script>alert('pwned-1')</script>" in text  # the source as text, in a text/plain part

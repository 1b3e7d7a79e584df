"""Email wording: subjects are plain text (never HTML-escaped, always one line), the HTML part escapes
once, components are named with their group, and the site's name reads well whatever it is."""

from __future__ import annotations

import pytest

from statuspage.components.models import ComponentGroup
from statuspage.subscriptions import services
from statuspage.subscriptions.alerts import alert_operators
from statuspage.subscriptions.emails import subject_line
from statuspage.subscriptions.models import Subscriber
from tests.subscriptions.helpers import send_emails

TITLE = 'Elevated errors on <b>chat</b> & "stuff"'
ESCAPED_ONCE = "Elevated errors on &lt;b&gt;chat&lt;/b&gt; &amp; &quot;stuff&quot;"


def _only_message(smtp):
    send_emails()
    [message] = smtp.mailbox.messages
    return message, message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_an_update_subject_is_the_title_as_typed_and_the_html_escapes_it_once(
    smtp, components, make_subscriber, publish, settings
):
    make_subscriber("ada@example.com")
    publish(components["Chat"], name=TITLE)

    message, text, html = _only_message(smtp)

    assert message["Subject"] == f"[{settings.SITE_NAME}] {TITLE}: Investigating"
    assert f"<title>{ESCAPED_ONCE}</title>" in html and f">{ESCAPED_ONCE}</a></h1>" in html
    assert "&amp;lt;" not in html and "&amp;amp;" not in html and "<b>chat</b>" not in html
    assert text.splitlines()[0] == TITLE


def test_a_title_with_line_breaks_stays_one_subject_line(smtp, components, make_subscriber, publish):
    make_subscriber("ada@example.com")
    publish(components["Chat"], name="Outage & more\r\nBcc: victim@example.com\nX-Evil: 1")

    message, _, _ = _only_message(smtp)

    assert message["Bcc"] is None and message["X-Evil"] is None
    assert message["Subject"].endswith("Outage & more Bcc: victim@example.com X-Evil: 1: Investigating")


def test_a_site_name_is_never_escaped_in_subjects(smtp, components, make_subscriber, publish, settings):
    settings.SITE_NAME = 'Bob & "Co"'
    settings.OPERATOR_EMAILS = ["oncall@example.com"]
    make_subscriber("ada@example.com")
    publish(components["Chat"], name="Errors")
    alert_operators("Monitor <chat> & co misconfigured", "details", key="wording:1")
    services.request_subscription(email="new@example.com", components=None)

    send_emails()

    subjects = sorted(m["Subject"] for m in smtp.mailbox.messages)
    assert subjects == [
        'Confirm your subscription to updates from Bob & "Co"',
        '[Bob & "Co" operators] Monitor <chat> & co misconfigured',
        '[Bob & "Co"] Errors: Investigating',
    ]


def test_update_emails_name_each_component_with_its_group(smtp, make_component, make_subscriber, publish):
    group = ComponentGroup.objects.create(name="deepseek-sim")
    chat = make_component("Chat", group=group)
    website = make_component("Website")
    make_subscriber("ada@example.com")
    publish(chat, website, name="Errors")

    _, text, html = _only_message(smtp)

    for line in ("deepseek-sim · Chat: Partial outage", "Website: Partial outage"):  # no group: bare name
        assert f"  - {line}" in text.splitlines() and f"<li>{line}</li>" in html


@pytest.mark.parametrize("site_name", ["AI Status", "Acme"])
def test_confirmation_and_manage_link_emails_read_well_for_any_site_name(
    smtp, make_subscriber, settings, site_name
):
    settings.SITE_NAME = site_name
    services.request_subscription(email="new@example.com", components=None)
    make_subscriber("old@example.com")
    services.request_subscription(email="old@example.com", components=None)

    send_emails()

    [confirm], [manage] = smtp.mailbox.to("new@example.com"), smtp.mailbox.to("old@example.com")
    assert confirm["Subject"] == f"Confirm your subscription to updates from {site_name}"
    assert manage["Subject"] == f"Your subscription to updates from {site_name}"
    for message, says in ((confirm, "asked for updates from"), (manage, "to updates from")):
        for part in ("plain", "html"):
            body = " ".join(message.get_body((part,)).get_content().split())
            assert f"{says} {site_name}" in body and f"{site_name} status" not in body


def test_a_webhook_confirmation_subject_says_webhook():
    webhook = Subscriber(kind=Subscriber.Kind.WEBHOOK, webhook_url="https://hooks.example/x")

    subject = subject_line("confirm", {"site_name": "AI Status", "subscriber": webhook})

    assert subject == "Confirm your webhook for updates from AI Status"

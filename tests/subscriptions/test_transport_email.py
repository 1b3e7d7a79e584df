"""Update emails as a real SMTP server receives them: multipart, headers, links, one connection per batch."""

from statuspage.subscriptions.models import Delivery
from tests.subscriptions.helpers import link_in, send_emails


def test_update_email_is_multipart_with_the_incident_its_status_components_and_link(
    smtp, components, make_subscriber, publish, settings
):
    make_subscriber("ada@example.com")
    update = publish(components["Chat"], name="Elevated errors on Chat")

    send_emails()

    [message] = smtp.mailbox.to("ada@example.com")
    assert message["Subject"] == f"[{settings.SITE_NAME}] Elevated errors on Chat: Investigating"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL and message["To"] == "ada@example.com"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    incident_url = f"{settings.SITE_URL}/incidents/{update.incident.public_id}"
    for body in (text, html):
        assert "Elevated errors on Chat" in body and "Investigating" in body
        assert "We are looking into elevated error rates." in body
        assert "Chat: Partial outage" in body
        assert incident_url in body
        assert "/subscriptions/unsubscribe/" in body and "/subscriptions/manage/" in body


def test_update_email_carries_one_click_unsubscribe_and_a_stable_message_id(
    smtp, components, make_subscriber, publish, settings
):
    subscriber = make_subscriber("ada@example.com")
    update = publish(components["Chat"])

    send_emails()

    [message] = smtp.mailbox.messages
    unsubscribe = message["List-Unsubscribe"].strip()  # a long header is folded onto its next line
    assert unsubscribe.startswith(
        f"<{settings.SITE_URL}/subscriptions/unsubscribe/"
    ) and unsubscribe.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] == f"<update.{update.public_id}.{subscriber.public_id}@127.0.0.1>"


def test_operator_text_cannot_inject_headers_or_markup(smtp, components, make_subscriber, publish):
    make_subscriber("ada@example.com")
    publish(components["Chat"], name="Outage\r\nBcc: victim@example.com <script>alert(1)</script>")

    send_emails()

    [message] = smtp.mailbox.messages
    assert message["Bcc"] is None and message["X-Envelope-To"] == "ada@example.com"
    assert "<script>" not in message.get_body(("html",)).get_content()


def test_a_batch_goes_over_one_smtp_connection(smtp, components, make_subscriber, publish):
    for _ in range(25):
        make_subscriber()
    publish(components["Chat"])

    send_emails()

    assert len(smtp.mailbox.messages) == 25
    assert smtp.mailbox.connections == 1
    assert set(Delivery.objects.values_list("state", "attempts")) == {("sent", 1)}


def test_each_subscriber_gets_their_own_links(smtp, components, make_subscriber, publish):
    make_subscriber("ada@example.com")
    make_subscriber("bob@example.com")
    publish(components["Chat"])

    send_emails()

    [ada] = smtp.mailbox.to("ada@example.com")
    [bob] = smtp.mailbox.to("bob@example.com")
    assert ada["List-Unsubscribe"] != bob["List-Unsubscribe"]
    assert ada["Message-ID"] != bob["Message-ID"]


def test_a_line_too_long_for_8bit_still_gets_each_recipient_their_own_links(
    smtp, components, make_subscriber, publish
):
    from statuspage.incidents import services as incidents
    from statuspage.incidents.drafts import UpdateDraft

    ada, bob = make_subscriber("ada@example.com"), make_subscriber("bob@example.com")
    incident = publish(components["Chat"]).incident
    long_line = UpdateDraft(status="identified", body="x" * 2000)  # quoted-printable from here on
    incidents.post_update(incident, long_line)

    send_emails()

    for subscriber in (ada, bob):
        latest = smtp.mailbox.to(subscriber.email)[-1]
        assert "x" * 2000 in latest.get_body(("plain",)).get_content()
        assert link_in(latest, "unsubscribe").split("/")[-1].startswith(subscriber.public_id)
        assert subscriber.public_id in latest["Message-ID"]


def test_an_internationalised_domain_is_sent_in_its_ascii_form(smtp, components, make_subscriber, publish):
    make_subscriber("ada@bücher.example")
    publish(components["Chat"])

    send_emails()

    [message] = smtp.mailbox.messages
    assert (
        message["X-Envelope-To"] == "ada@xn--bcher-kva.example"
        and message["To"] == "ada@xn--bcher-kva.example"
    )


def test_updates_of_one_incident_thread_under_its_first_email(
    smtp, components, make_subscriber, publish, settings
):
    from statuspage.incidents import services as incidents
    from statuspage.incidents.drafts import UpdateDraft

    make_subscriber("ada@example.com")
    incident = publish(components["Chat"], name="Elevated errors").incident
    incidents.post_update(incident, UpdateDraft(status="identified", body="Found it."))
    incidents.post_update(incident, UpdateDraft(status="resolved", body="Fixed."))

    send_emails()

    first, *replies = smtp.mailbox.to("ada@example.com")
    assert first["In-Reply-To"] is None and first["References"] is None
    assert len(replies) == 2
    for reply in replies:
        assert reply["In-Reply-To"] == reply["References"] == first["Message-ID"]
    prefix = f"[{settings.SITE_NAME}] Elevated errors: "
    assert all(message["Subject"].startswith(prefix) for message in (first, *replies))
    assert {message["List-Id"] for message in (first, *replies)} == {
        f'"{settings.SITE_NAME}" <updates.127.0.0.1>'
    }


def test_message_ids_never_repeat_after_a_database_reset_nor_count_rows(
    smtp, components, make_subscriber, client
):
    from statuspage.subscriptions.emails import message_id

    client.post("/subscribe", {"email": "ada@example.com", "scope": "all"})
    send_emails()
    [confirm] = smtp.mailbox.to("ada@example.com")
    delivery = Delivery.objects.get(purpose="confirm")

    assert confirm["Message-ID"] == message_id(delivery)
    assert str(delivery.pk) not in confirm["Message-ID"].split("@")[0].split(".")
    # The same row number after a reset (another creation time) gets another id.
    reset = Delivery(pk=delivery.pk, purpose="confirm", created_at=delivery.created_at.replace(year=2030))
    assert message_id(reset) != confirm["Message-ID"]

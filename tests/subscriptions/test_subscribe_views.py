"""Subscribing from the public page: double opt-in, a choice of components, throttled, hostile-proof."""

import socket

import pytest

from statuspage.subscriptions.models import Delivery, Subscriber
from tests.subscriptions.helpers import link_in, path_of, send_emails


def subscribe(client, email="ada@example.com", **fields):
    return client.post("/subscribe", {"email": email, "scope": "all", **fields})


def test_the_form_lists_components_under_their_groups(client, components, make_component):
    from statuspage.components.models import ComponentGroup

    make_component("Batch API", group=ComponentGroup.objects.create(name="OpenAI"))

    page = client.get("/subscribe").content.decode()

    assert 'name="email"' in page and 'name="webhook_url"' in page
    assert "<legend>OpenAI</legend>" in page and "Batch API" in page and "Embeddings" in page


def test_double_opt_in_then_updates_arrive(client, smtp, components, publish):
    response = subscribe(client)
    assert response.status_code == 200 and "Check your inbox" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert not subscriber.confirmed

    send_emails()
    [confirmation] = smtp.mailbox.to("ada@example.com")
    assert "Confirm" in confirmation["Subject"] and confirmation["List-Unsubscribe"] is None
    confirm_path = path_of(link_in(confirmation, "confirm"))

    # Opening the link (or a mail scanner following it) only shows a button.
    page = client.get(confirm_path)
    assert page.status_code == 200 and "<form" in page.content.decode()
    publish(components["Chat"])
    send_emails()
    assert len(smtp.mailbox.to("ada@example.com")) == 1  # nothing before confirmation

    confirmed = client.post(confirm_path)
    assert confirmed.status_code == 302 and "/subscriptions/manage/" in confirmed["Location"]
    subscriber.refresh_from_db()
    assert subscriber.confirmed

    publish(components["Embeddings"], name="Slow embeddings")
    send_emails()
    assert [m["Subject"].split("] ")[1] for m in smtp.mailbox.to("ada@example.com")[1:]] == [
        "Slow embeddings: Investigating"
    ]


def test_a_choice_of_components_filters_what_is_sent(client, smtp, components, publish):
    subscribe(client, scope="some", components=[components["Chat"].public_id])
    send_emails()
    client.post(path_of(link_in(smtp.mailbox.messages[0], "confirm")))

    publish(components["Images"], name="Images down")
    publish(components["Chat"], name="Chat down")
    send_emails()

    assert [m["Subject"].split("] ")[1] for m in smtp.mailbox.messages[1:]] == ["Chat down: Investigating"]


def test_choosing_some_components_but_ticking_none_is_explained(client, components):
    response = subscribe(client, scope="some")

    assert "Tick at least one component" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_the_manage_page_changes_the_choice(client, smtp, components, make_subscriber, publish):
    make_subscriber("ada@example.com")
    publish(components["Chat"])
    send_emails()
    manage_path = path_of(link_in(smtp.mailbox.messages[0], "manage"))

    page = client.get(manage_path)
    assert page.status_code == 200 and "ada@example.com" in page.content.decode()
    saved = client.post(manage_path, {"scope": "some", "components": [components["Images"].public_id]})
    assert "Saved." in saved.content.decode()

    subscriber = Subscriber.objects.get()
    assert not subscriber.all_components
    assert list(subscriber.components.values_list("name", flat=True)) == ["Images"]


def test_subscribing_a_confirmed_address_again_changes_nothing_and_mails_its_manage_link(
    client, smtp, components, make_subscriber
):
    make_subscriber("ada@example.com", components=[components["Chat"]])

    response = subscribe(client, "ADA@Example.com")

    assert "Check your inbox" in response.content.decode()  # the same answer as for a stranger
    subscriber = Subscriber.objects.get()
    assert not subscriber.all_components  # a stranger cannot change someone's choice
    send_emails()
    [message] = smtp.mailbox.to("ada@example.com")
    assert "/subscriptions/manage/" in message.get_body(("plain",)).get_content()


def test_htmx_gets_the_partial_only(client, components):
    response = client.post(
        "/subscribe", {"email": "ada@example.com", "scope": "all"}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert "Check your inbox" in body and "<html" not in body


def test_a_plain_form_post_gets_a_whole_page(client, components):
    response = subscribe(client)  # no HX-Request: JavaScript was off, the browser shows what comes back

    body = response.content.decode()
    assert "Check your inbox" in body
    assert "<html" in body and 'aria-label="Site"' in body and "status.css" in body


def test_a_refusal_is_a_whole_page_without_htmx_and_a_fragment_with_it(client, components, settings):
    settings.SUBSCRIBE_RATE_PER_CLIENT = "1/h"
    subscribe(client)

    plain = subscribe(client, "bob@example.com")
    htmx = client.post(
        "/subscribe", {"email": "cy@example.com", "scope": "all"}, headers={"HX-Request": "true"}
    )

    assert plain.status_code == 429
    assert "Too many subscription requests" in plain.content.decode() and "<html" in plain.content.decode()
    assert htmx.status_code == 200  # htmx swaps only 2xx answers in
    assert "Too many subscription requests" in htmx.content.decode() and "<html" not in htmx.content.decode()


def test_token_pages_and_the_confirm_redirect_keep_tokens_out_of_referers(client, make_subscriber):
    from statuspage.subscriptions import tokens

    subscriber = make_subscriber(confirmed=False)
    confirm_path = f"/subscriptions/confirm/{tokens.make(tokens.Purpose.CONFIRM, subscriber.public_id)}"

    page, redirect = client.get(confirm_path), client.post(confirm_path)

    # strict-origin, not no-referrer: with no-referrer browsers post the forms with "Origin: null",
    # which the CSRF check refuses (tests/e2e/test_subscription_browser.py shows it in Chromium).
    assert redirect.status_code == 302
    assert page["Referrer-Policy"] == redirect["Referrer-Policy"] == "strict-origin"
    assert page["Cache-Control"] == redirect["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "address",
    [
        "not-an-email",
        "ada@example.com\r\nBcc: victim@example.com",
        "ada@example.com\nBcc: victim@example.com",
        "ada@example.com, victim@example.com",
        "ada@example.com%0d%0aBcc:victim@example.com",
        '"ada"@example.com>\r\nBcc: victim@example.com',
        "<script>alert(1)</script>@example.com",
        "x" * 250 + "@example.com",
        "",
    ],
)
def test_hostile_addresses_get_a_clear_message_and_nothing_is_stored_or_sent(
    client, smtp, components, address
):
    response = subscribe(client, address)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter one email address" in body or "longer than any email address" in body or "required" in body
    assert "<script>alert" not in body
    assert not Subscriber.objects.exists() and not Delivery.objects.exists()


def test_an_unknown_component_is_explained(client, components):
    response = subscribe(client, scope="some", components=["nosuchthing1"])

    assert "does not exist" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_a_huge_submission_is_refused_with_a_message(client, components):
    response = client.post("/subscribe", {"email": "a@example.com", "scope": "all", "filler": "x" * 100_000})

    assert response.status_code == 413
    assert "far too large" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_repeated_submissions_for_one_address_send_at_most_the_allowed_emails(
    client, smtp, components, settings
):
    settings.SUBSCRIBE_RATE_PER_ADDRESS = "3/h"

    responses = [subscribe(client, "ada@example.com") for _ in range(6)]

    assert [("Check your inbox" in r.content.decode()) for r in responses] == [True] * 3 + [False] * 3
    assert all(r.status_code == 429 for r in responses[3:])
    assert "already emailed ada@example.com several times" in responses[3].content.decode()
    send_emails()
    assert len(smtp.mailbox.to("ada@example.com")) == 3


def test_the_address_throttle_ignores_letter_case(client, components, settings):
    settings.SUBSCRIBE_RATE_PER_ADDRESS = "1/h"

    subscribe(client, "ada@example.com")
    response = subscribe(client, "ADA@EXAMPLE.COM")

    assert response.status_code == 429


def test_one_client_cannot_flood_many_addresses(client, components, settings):
    settings.SUBSCRIBE_RATE_PER_CLIENT = "5/h"

    responses = [subscribe(client, f"victim{i}@example.com") for i in range(8)]

    assert [r.status_code for r in responses] == [200] * 5 + [429] * 3
    assert "Too many subscription requests" in responses[5].content.decode()
    assert Subscriber.objects.count() == 5 and Delivery.objects.count() == 5


def test_a_trusted_proxy_header_names_the_client(client, components, settings):
    settings.SUBSCRIBE_RATE_PER_CLIENT, settings.SUBSCRIBE_CLIENT_IP_HEADER = "1/h", "HTTP_X_REAL_IP"

    first = client.post(
        "/subscribe", {"email": "a@example.com", "scope": "all"}, headers={"X-Real-IP": "203.0.113.5"}
    )
    other = client.post(
        "/subscribe", {"email": "b@example.com", "scope": "all"}, headers={"X-Real-IP": "203.0.113.6"}
    )
    again = client.post(
        "/subscribe", {"email": "c@example.com", "scope": "all"}, headers={"X-Real-IP": "203.0.113.5"}
    )

    assert [first.status_code, other.status_code, again.status_code] == [200, 200, 429]


def test_when_the_throttle_store_is_down_the_form_refuses_politely(client, components, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }

    response = subscribe(client)

    assert response.status_code == 503 and "try again shortly" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_webhook_subscription_is_confirmed_by_email_and_shows_its_secret(client, smtp, components, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True
    subscribe(client, webhook_url="http://127.0.0.1:9/hooks")
    send_emails()
    [confirmation] = smtp.mailbox.to("ada@example.com")
    assert "http://127.0.0.1:9/hooks" in confirmation.get_body(("plain",)).get_content()

    manage = client.post(path_of(link_in(confirmation, "confirm")), follow=True)

    subscriber = Subscriber.objects.get()
    assert subscriber.kind == "webhook" and subscriber.confirmed
    assert "whsec_" in manage.content.decode()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8080/hook", "resolves to 127.0.0.1, a private or reserved address"),
        ("http://localhost/hook", "a private or reserved address"),
        ("http://169.254.169.254/latest/meta-data", "a private or reserved address"),
        # IPv6 forms that reach an IPv4 address inside: IPv4-compatible, NAT64, 6to4, Teredo
        ("http://[::127.0.0.1]/hook", "a private or reserved address"),
        ("http://[64:ff9b::a9fe:a9fe]/hook", "a private or reserved address"),
        ("http://[2002:7f00:1::]/hook", "a private or reserved address"),
        ("http://[2002:a9fe:a9fe::]/hook", "a private or reserved address"),
        ("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook", "a private or reserved address"),
        ("http://user:pw@hooks.example.com/x", "must not contain a user name or password"),
        ("ftp://hooks.example.com/x", "the URL must start with http:// or https://"),
        ("javascript:alert(1)", "Enter a valid URL"),
    ],
)
def test_webhook_urls_we_must_not_call_are_refused_when_subscribing(client, components, url, reason):
    response = subscribe(client, webhook_url=url)

    assert reason in response.content.decode()
    assert not Subscriber.objects.exists()


def test_a_webhook_host_that_does_not_resolve_is_explained(client, components, monkeypatch):
    def no_such_name(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)

    response = subscribe(client, webhook_url="https://hooks.example.com/x")

    assert "the host name hooks.example.com does not resolve" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_the_status_page_slot_loads_the_form_with_its_csrf_token(client, components):
    from django.template.loader import render_to_string

    slot = render_to_string(
        "subscriptions/_subscribe_slot.html"
    )  # the shared page renders it without a request
    assert 'data-hx-get="/subscribe"' in slot and 'href="/subscribe"' in slot

    form = client.get("/subscribe", headers={"HX-Request": "true"}).content.decode()
    assert (
        "<html" not in form and 'name="csrfmiddlewaretoken"' in form and 'data-hx-post="/subscribe"' in form
    )

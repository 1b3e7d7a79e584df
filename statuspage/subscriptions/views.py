"""Subscribe, confirm, manage and unsubscribe pages; the signed link in each URL is the only credential."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from statuspage.lib.methods import answers
from statuspage.subscriptions import hooksign, services, throttle, tokens
from statuspage.subscriptions.forms import ComponentChoiceForm, SubscribeForm
from statuspage.subscriptions.models import Subscriber

log = logging.getLogger(__name__)

# A genuine submission is well under 4 KB even with every component ticked.
MAX_BODY_BYTES = 16_384
RETRY_AFTER_SECONDS = "5"  # as the public pages' 503


def database_outage_is_503(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view reads or writes Postgres on every request: while it is down, a 503 that says when to
    retry (as the public pages without a snapshot do), never a 500."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DatabaseError as exc:
            log.warning("%s answered 503, database unreachable: %s", request.path, exc)
            return _refuse(request, "Subscribing is unavailable for a moment; please try again shortly.", 503)

    return guarded


@answers("GET", "POST")
@database_outage_is_503
def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method in ("GET", "HEAD"):
        # "Follow this incident" links name its components (?component=<id>...): ticked for the reader.
        follow = request.GET.getlist("component")[:100]
        initial = {"scope": "some", "components": follow} if follow else {}
        return _subscribe_page(request, SubscribeForm(initial=initial))
    if _body_size(request) > MAX_BODY_BYTES:
        return _refuse(request, "That form submission is far too large; nothing was sent.", 413)
    try:
        if throttle.client_exceeded(request):
            return _refuse(request, "Too many subscription requests from your network; try again in an hour.")
        form = SubscribeForm(request.POST)
        if not form.is_valid():
            return _subscribe_page(request, form)
        email = form.cleaned_data["email"]
        if throttle.address_exceeded(request, email):
            return _refuse(
                request,
                f"We already emailed {email} several times recently. Check that inbox (and its spam folder) "
                "for our link, or try again in an hour.",
            )
    except throttle.ThrottleUnavailable:
        return _refuse(request, "Subscribing is unavailable for a moment; please try again shortly.", 503)
    services.request_subscription(email=email, components=form.chosen_components(), **form.destination())
    return _page_or_fragment(request, "subscriptions/sent.html", "subscriptions/_sent.html", {"email": email})


@answers("GET", "POST")
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = _subscriber(request, tokens.Purpose.CONFIRM, token)
    if isinstance(subscriber, HttpResponse):
        return subscriber
    # GET only shows a button: mail scanners that open links must not confirm on the owner's behalf.
    if request.method == "POST" or subscriber.confirmed:
        services.confirm(subscriber)
        manage_token = tokens.make(tokens.Purpose.MANAGE, subscriber.public_id)
        return _private(redirect(reverse("subscriptions-manage", args=[manage_token]) + "?welcome=1"))
    return _render(request, "subscriptions/confirm.html", {"subscriber": subscriber})


@answers("GET", "POST")
def manage(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = _subscriber(request, tokens.Purpose.MANAGE, token)
    if isinstance(subscriber, HttpResponse):
        return subscriber
    saved = False
    if request.method == "POST":
        form = ComponentChoiceForm(request.POST)
        if form.is_valid():
            services.set_components(subscriber, form.chosen_components())
            saved = True
    else:
        form = ComponentChoiceForm(
            initial={
                "scope": "all" if subscriber.all_components else "some",
                "components": list(subscriber.components.values_list("public_id", flat=True)),
            }
        )
    context = {
        "subscriber": subscriber,
        "form": form,
        "saved": saved,
        "just_confirmed": request.method == "GET" and request.GET.get("welcome") == "1",
        "groups": _grouped(form),
        "secret": hooksign.secret(subscriber.public_id) if subscriber.kind == Subscriber.Kind.WEBHOOK else "",
        "unsubscribe_token": tokens.make(tokens.Purpose.UNSUBSCRIBE, subscriber.public_id),
    }
    return _render(request, "subscriptions/manage.html", context)


# RFC 8058: mail providers POST "List-Unsubscribe=One-Click" with no cookie; the token is the proof.
@csrf_exempt
@answers("GET", "POST")
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        public_id = tokens.read(tokens.Purpose.UNSUBSCRIBE, token)
    except tokens.BadToken as exc:
        return _bad_link(request, exc)
    if request.method == "POST":
        services.unsubscribe(public_id)
        return _render(request, "subscriptions/unsubscribed.html", {})
    # GET asks first, so a link scanner following the URL unsubscribes no one.
    exists = Subscriber.objects.filter(public_id=public_id).exists()
    return _render(request, "subscriptions/unsubscribe.html", {"exists": exists, "token": token})


def _subscriber(request: HttpRequest, purpose: tokens.Purpose, token: str) -> Subscriber | HttpResponse:
    try:
        public_id = tokens.read(purpose, token)
    except tokens.BadToken as exc:
        return _bad_link(request, exc)
    subscriber = Subscriber.objects.filter(public_id=public_id).first()
    if subscriber is None or (purpose == tokens.Purpose.MANAGE and not subscriber.confirmed):
        return _render(request, "subscriptions/gone.html", {}, status=404)
    return subscriber


def _bad_link(request: HttpRequest, exc: tokens.BadToken) -> HttpResponse:
    return _render(
        request, "subscriptions/bad_link.html", {"expired": exc.expired}, status=410 if exc.expired else 400
    )


def _subscribe_page(request: HttpRequest, form: SubscribeForm) -> HttpResponse:
    context = {"form": form, "groups": _grouped(form), "webhook_timeout": settings.WEBHOOK_TIMEOUT}
    return _page_or_fragment(request, "subscriptions/subscribe.html", "subscriptions/_form.html", context)


def _refuse(request: HttpRequest, message: str, status: int = 429) -> HttpResponse:
    # htmx does not swap error responses into the page, so it gets the message with a 200.
    response = _page_or_fragment(
        request,
        "subscriptions/refused.html",
        "subscriptions/_refused.html",
        {"message": message},
        status=200 if request.htmx else status,
    )
    if status == 503:
        response["Retry-After"] = RETRY_AFTER_SECONDS
    return response


def _page_or_fragment(
    request: HttpRequest, page: str, fragment: str, context: dict, status: int = 200
) -> HttpResponse:
    """htmx swaps the fragment into the page it came from; a plain form post (no JavaScript) needs a page."""
    return _render(request, fragment if request.htmx else page, context, status=status)


def _render(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return _private(render(request, template, {"site_name": settings.SITE_NAME, **context}, status=status))


def _private(response: HttpResponse) -> HttpResponse:
    """Headers for a response whose URL, links or redirect target carry a subscriber's token."""
    response["Cache-Control"] = "no-store"
    # A Referer from these pages, to any page (ours too), names our origin only, never the tokened path.
    # Not "no-referrer": browsers then send "Origin: null" on the page's own form posts (Fetch standard,
    # "append a request Origin header"), which Django's CSRF check refuses.
    response["Referrer-Policy"] = "strict-origin"
    return response


def _body_size(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return MAX_BODY_BYTES + 1  # a length we cannot read is not one we trust


def _grouped(form: ComponentChoiceForm) -> list[tuple[str, list]]:
    """The component checkboxes under their group's name (blank for ungrouped ones), in page order."""
    groups: dict[str, list] = {}
    for checkbox in form["components"]:
        group = checkbox.data["value"].instance.group
        groups.setdefault(group.name if group else "", []).append(checkbox)
    return list(groups.items())

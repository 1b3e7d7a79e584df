"""The emails we send, composed from templates/email/ as text and HTML alternatives with their headers."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timeuntil

from statuspage.components.models import ComponentStatus
from statuspage.incidents.models import IncidentStatus, IncidentUpdate
from statuspage.subscriptions import tokens
from statuspage.subscriptions.models import Delivery, Subscriber


@dataclass(frozen=True)
class Envelope:
    sender: str
    recipients: list[str]
    data: bytes  # the whole message, CRLF line ends, ready for SMTP DATA


@dataclass(frozen=True)
class _Stencil:
    """An update's message built once, with unguessable marks where each recipient's details go."""

    data: bytes
    marks: dict[str, str]  # mark -> which recipient detail replaces it


class Composer:
    """Builds each delivery's message for one batch.

    An update's message is the same for all its recipients but for the address, Message-ID and
    links, so it is rendered and MIME-encoded once and then stamped per recipient: that is what makes
    a large fan-out cost little more than the SMTP exchange itself.
    """

    def __init__(self) -> None:
        self._stencils: dict[int, _Stencil | None] = {}
        self._links = {purpose: tokens.link_prefix(purpose) for purpose in tokens.Purpose}
        self._first_updates: dict[int, IncidentUpdate] = {}  # incident id -> its first update

    def envelope(self, delivery: Delivery) -> Envelope:
        if delivery.purpose == Delivery.Purpose.UPDATE:
            if delivery.update_id not in self._stencils:
                self._stencils[delivery.update_id] = self._stencil(delivery.update)
            stencil = self._stencils[delivery.update_id]
            if stencil is not None:
                stamped = _stamp(stencil, self._details(delivery))
                if stamped is not None:
                    return stamped
        return _envelope(self.message(delivery))

    def message(self, delivery: Delivery) -> EmailMultiAlternatives:
        """The message built in full from the templates (what stencils are checked against)."""
        if delivery.purpose == Delivery.Purpose.ALERT:
            context = {"alert": delivery.alert, "admin_url": f"{settings.SITE_URL}/{settings.ADMIN_URL}"}
            return _build("operator_alert", context, delivery.recipient, message_id(delivery))
        details = self._details(delivery)
        context: dict[str, Any] = {"subscriber": delivery.subscriber, **details}
        if delivery.purpose == Delivery.Purpose.UPDATE:
            return _build(
                "incident_update", context | _update_context(delivery.update), **_update_args(details)
            )
        if delivery.purpose == Delivery.Purpose.ENDED:
            context["subscribe_url"] = settings.SITE_URL + reverse("subscriptions-subscribe")
        if delivery.purpose == Delivery.Purpose.CONFIRM:
            context["confirm_url"] = self._link(tokens.Purpose.CONFIRM, delivery.subscriber.public_id)
            context["valid_for"] = _duration(settings.SUBSCRIPTION_CONFIRM_MAX_AGE)
        return _build(delivery.purpose, context, delivery.subscriber.email, message_id(delivery))

    def _details(self, delivery: Delivery) -> dict[str, str]:
        """What differs between two recipients of the same message."""
        subscriber = delivery.subscriber
        details = {
            "to": subscriber.email,
            "message_id": message_id(delivery),
            "manage_url": self._link(tokens.Purpose.MANAGE, subscriber.public_id),
            "unsubscribe_url": self._link(tokens.Purpose.UNSUBSCRIBE, subscriber.public_id),
        }
        if delivery.purpose == Delivery.Purpose.UPDATE:
            first = self._first_update(delivery.update)
            if first.pk != delivery.update_id:  # a reply in the thread the incident's first email began
                details["thread"] = _update_message_id(first.public_id, subscriber.public_id)
        return details

    def _first_update(self, update: IncidentUpdate) -> IncidentUpdate:
        if update.incident_id not in self._first_updates:
            self._first_updates[update.incident_id] = (
                IncidentUpdate.objects.filter(incident_id=update.incident_id)
                .order_by("created_at", "id")
                .first()
            )
        return self._first_updates[update.incident_id]

    def _link(self, purpose: tokens.Purpose, subscriber_public_id: str) -> str:
        return self._links[purpose] + tokens.make(purpose, subscriber_public_id)

    def _stencil(self, update: IncidentUpdate) -> _Stencil | None:
        nonce = secrets.token_hex(8)
        marks = {
            "to": f"to-{nonce}@stencil.invalid",
            "message_id": f"<message-{nonce}@stencil.invalid>",
            "manage_url": f"https://stencil.invalid/manage-{nonce}",
            "unsubscribe_url": f"https://stencil.invalid/unsubscribe-{nonce}",
        }
        if self._first_update(update).pk != update.pk:
            marks["thread"] = f"<thread-{nonce}@stencil.invalid>"
        context = {"subscriber": Subscriber(email=marks["to"]), **marks, **_update_context(update)}
        message = _build("incident_update", context, **_update_args(marks))
        data = message.message().as_bytes(linesep="\r\n")
        # Every mark must come through the encoding intact, as often as it went in (a line over 998
        # characters is quoted-printable encoded and may split one); if not, each message is built in full.
        source = "\n".join(
            [message.body, message.alternatives[0].content, *message.to, *message.extra_headers.values()]
        )
        if any(data.count(mark.encode()) != source.count(mark) for mark in marks.values()):
            return None
        return _Stencil(data=data, marks={value: key for key, value in marks.items()})


def _stamp(stencil: _Stencil, details: dict[str, str]) -> Envelope | None:
    values = dict(details, to=_address(details["to"]))
    data = stencil.data
    try:
        for mark, key in stencil.marks.items():
            data = data.replace(mark.encode(), values[key].encode("ascii"))
    except UnicodeEncodeError:  # e.g. an address with non-ASCII letters: the full build encodes it
        return None
    return Envelope(_address(settings.DEFAULT_FROM_EMAIL), [values["to"]], data)


# A plain dot-atom address is already what sanitize_address would return; it is costly for the others only.
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-@")


def _address(address: str) -> str:
    if address.count("@") == 1 and _PLAIN.issuperset(address):
        return address
    return sanitize_address(address, "utf-8")


def _envelope(message: EmailMultiAlternatives) -> Envelope:
    return Envelope(
        sanitize_address(message.from_email, message.encoding or "utf-8"),
        [sanitize_address(address, message.encoding or "utf-8") for address in message.recipients()],
        message.message().as_bytes(linesep="\r\n"),
    )


def _update_args(details: dict[str, str]) -> dict[str, Any]:
    headers = {
        # RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to this URL.
        "List-Unsubscribe": f"<{details['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": list_id(),
    }
    if "thread" in details:  # RFC 5322 §3.6.4: mail clients thread an incident's updates together
        headers["In-Reply-To"] = headers["References"] = details["thread"]
    return {"to": details["to"], "message_id": details["message_id"], "headers": headers}


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def list_id() -> str:
    """RFC 2919: one list per installation, so filters and clients can tell our updates apart."""
    name = settings.SITE_NAME.replace('"', "").replace("\\", "")
    return f'"{name}" <updates.{_host()}>'


def _update_message_id(update_public_id: str, subscriber_public_id: str) -> str:
    return f"<update.{update_public_id}.{subscriber_public_id}@{_host()}>"


def message_id(delivery: Delivery) -> str:
    """Stable across a delivery's retries, so a receiver can drop a re-send; never the same after a
    database reset and never a count: updates name their random public ids, other mail a keyed hash of
    its row (its id and creation time) rather than the id itself."""
    if delivery.purpose == Delivery.Purpose.UPDATE:
        return _update_message_id(delivery.update.public_id, delivery.subscriber.public_id)
    row = f"{delivery.pk}.{delivery.created_at.isoformat()}".encode()
    digest = hashlib.blake2b(row, key=settings.SECRET_KEY.encode()[:64], digest_size=12).hexdigest()
    return f"<{delivery.purpose}.{digest}@{_host()}>"


def _build(
    template: str, context: dict[str, Any], to: str, message_id: str, headers: dict[str, str] | None = None
) -> EmailMultiAlternatives:
    context = {"site_name": settings.SITE_NAME, **context}
    # Notifications, not conversation: RFC 3834 asks responders not to auto-reply to these.
    headers = {**(headers or {}), "Message-ID": message_id, "Auto-Submitted": "auto-generated"}
    message = EmailMultiAlternatives(
        subject=subject_line(template, context),
        body=render_to_string(f"email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    message.attach_alternative(render_to_string(f"email/{template}.html", context), "text/html")
    return message


def subject_line(template: str, context: dict[str, Any]) -> str:
    """The subject: plain text, so its template turns autoescape off (an "&" stays "&"), and one line
    (a line break in a title would start a header of its own)."""
    return " ".join(render_to_string(f"email/{template}_subject.txt", context).split())


def _update_context(update: IncidentUpdate) -> dict[str, Any]:
    incident = update.incident
    return {
        "incident": incident,
        "update": update,
        "status_label": IncidentStatus(update.status).label,
        "components": affected_components(update),
        "incident_url": f"{settings.SITE_URL}/incidents/{incident.public_id}",
    }


def affected_components(update: IncidentUpdate) -> list[dict[str, str]]:
    """The update's components and their new status, or the incident's components as they are now;
    each named with its group ("deepseek-sim · Chat"), as every provider has a "Chat"."""
    prefetch_related_objects([update.incident], "components__group")  # the names in two queries
    if update.affected_components:
        return [
            {"name": c["name"], "status": _status_label(c.get("new_status", ""))}
            for c in update.component_changes()
        ]
    components = update.incident.components.all()
    return [{"name": c.display_name, "status": c.get_status_display()} for c in components]


def _status_label(status: str) -> str:
    return ComponentStatus(status).label if status in ComponentStatus.values else status


def _duration(seconds: int) -> str:
    now = timezone.now()
    return timeuntil(now + timedelta(seconds=seconds), now)

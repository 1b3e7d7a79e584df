"""Email over SMTP: one connection per batch, each message sent and judged on its own."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from django.conf import settings
from django.core.mail import BadHeaderError
from django.core.mail.backends.smtp import EmailBackend

from statuspage.subscriptions.emails import Composer
from statuspage.subscriptions.models import Delivery
from statuspage.subscriptions.transports.base import DeliveryFailed, TransportUnavailable

# Failures of the server or the connection rather than of one message: the batch waits and retries.
_UNAVAILABLE = (smtplib.SMTPHeloError, smtplib.SMTPSenderRefused, OSError)


class SmtpSession:
    """Sends each message on the batch's connection. A connection lost mid-message (a reply held past
    EMAIL_TIMEOUT, the socket's limit per read, ends as one) fails that message alone, its fate unknown,
    and the next message reconnects: one stalled message must not send the rest of the batch to backoff.
    A server that closed the connection itself (a 421) is down: the rest of the batch waits."""

    def __init__(self, backend: EmailBackend) -> None:
        self._backend = backend
        self._composer = Composer()
        self.timeout = float(settings.EMAIL_TIMEOUT)
        self._lost = False

    def send(self, delivery: Delivery) -> None:
        try:
            envelope = self._composer.envelope(delivery)
        except (BadHeaderError, ValueError) as exc:
            raise DeliveryFailed(f"could not build the message: {exc}", permanent=True) from exc
        if self._backend.connection.sock is None:
            if not self._lost:
                raise TransportUnavailable("the SMTP server closed the connection")
            self._lost = False
            _open(self._backend)
        try:
            self._backend.connection.sendmail(envelope.sender, envelope.recipients, envelope.data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            raise DeliveryFailed(_reply("recipient refused", code, reply), permanent=code >= 500) from exc
        except smtplib.SMTPDataError as exc:
            raise DeliveryFailed(
                _reply("message refused", exc.smtp_code, exc.smtp_error), permanent=exc.smtp_code >= 500
            ) from exc
        except smtplib.SMTPServerDisconnected as exc:
            self._lost = True
            raise DeliveryFailed(f"SMTP connection lost mid-message: {_describe(exc)}") from exc
        except _UNAVAILABLE as exc:
            raise TransportUnavailable(f"SMTP connection lost: {_describe(exc)}") from exc


@contextmanager
def session() -> Iterator[SmtpSession]:
    # Django's backend knows the connection settings (TLS, login); we drive the connection ourselves to
    # learn the fate of each message. Built explicitly: the test runner swaps EMAIL_BACKEND for locmem.
    backend = EmailBackend(fail_silently=False)
    _open(backend)
    try:
        yield SmtpSession(backend)
    finally:
        with suppress(Exception):  # closing a connection that already broke tells us nothing
            backend.close()


def _open(backend: EmailBackend) -> None:
    backend.connection = None  # one that broke is closed already; open() keeps a connection it has
    try:
        backend.open()
    except (smtplib.SMTPException, OSError) as exc:
        raise TransportUnavailable(
            f"cannot connect to SMTP {settings.EMAIL_HOST}:{settings.EMAIL_PORT}: {_describe(exc)}"
        ) from exc


def _reply(what: str, code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{what}: {code} {text}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(type(exc).__name__, exc.smtp_code, exc.smtp_error)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__

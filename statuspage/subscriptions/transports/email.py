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
_UNAVAILABLE = (smtplib.SMTPServerDisconnected, smtplib.SMTPHeloError, smtplib.SMTPSenderRefused, OSError)


class SmtpSession:
    def __init__(self, backend: EmailBackend) -> None:
        self._backend = backend
        self._composer = Composer()
        self.timeout = float(settings.EMAIL_TIMEOUT)

    def send(self, delivery: Delivery) -> None:
        try:
            envelope = self._composer.envelope(delivery)
        except (BadHeaderError, ValueError) as exc:
            raise DeliveryFailed(f"could not build the message: {exc}", permanent=True) from exc
        try:
            self._backend.connection.sendmail(envelope.sender, envelope.recipients, envelope.data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            raise DeliveryFailed(_reply("recipient refused", code, reply), permanent=code >= 500) from exc
        except smtplib.SMTPDataError as exc:
            raise DeliveryFailed(
                _reply("message refused", exc.smtp_code, exc.smtp_error), permanent=exc.smtp_code >= 500
            ) from exc
        except _UNAVAILABLE as exc:
            raise TransportUnavailable(f"SMTP connection lost: {_describe(exc)}") from exc


@contextmanager
def session() -> Iterator[SmtpSession]:
    # Django's backend knows the connection settings (TLS, login); we drive the connection ourselves to
    # learn the fate of each message. Built explicitly: the test runner swaps EMAIL_BACKEND for locmem.
    backend = EmailBackend(fail_silently=False)
    try:
        backend.open()
    except (smtplib.SMTPException, OSError) as exc:
        raise TransportUnavailable(
            f"cannot connect to SMTP {settings.EMAIL_HOST}:{settings.EMAIL_PORT}: {_describe(exc)}"
        ) from exc
    try:
        yield SmtpSession(backend)
    finally:
        with suppress(Exception):  # closing a connection that already broke tells us nothing
            backend.close()


def _reply(what: str, code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{what}: {code} {text}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(type(exc).__name__, exc.smtp_code, exc.smtp_error)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__

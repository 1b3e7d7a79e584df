"""The local mail catcher `make run` starts when no SMTP server is configured: SMTP on 127.0.0.1 that
delivers nothing. Each message is kept whole under var/mail/ (any mail client opens a .eml file) and
summarised in the run log, From, To, Subject and the links in its body, so a confirmation link is a
click away.

    python -m statuspage.run.mailcatcher --port 1025 --directory var/mail
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import html
import re
import secrets
import signal
import sys
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import TextIO

from aiosmtpd.smtp import SMTP, Envelope, Session

LINK = re.compile(r"https?://[^\s<>\"'()\[\]]+")


class Catcher:
    """An aiosmtpd handler: keeps each message in `directory` and writes its summary to `out`."""

    def __init__(self, directory: Path, out: TextIO) -> None:
        self.directory = directory
        self.out = out

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        path = self._keep(raw)
        try:
            text = summary(email.message_from_bytes(raw, policy=email.policy.default), envelope, path)
        except Exception as exc:  # kept whole already; a message we cannot read must not be refused
            text = f"message kept in {path} (its summary failed: {exc})\n"
        self.out.write(text)
        self.out.flush()
        return "250 Message accepted for delivery"

    def _keep(self, raw: bytes) -> Path:
        # Time first, so the files sort in arrival order; the random part keeps two in one second apart.
        path = self.directory / f"{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.eml"
        with path.open("xb") as file:
            file.write(raw)
        return path


def summary(message: EmailMessage, envelope: Envelope, path: Path) -> str:
    lines = [
        f"message kept in {path}",
        f"  From:    {printable(str(message['From'] or envelope.mail_from))}",
        f"  To:      {printable(', '.join(envelope.rcpt_tos))}",
        f"  Subject: {printable(str(message['Subject'] or ''))}",
        *(f"  Link:    {printable(link)}" for link in links(message)),
    ]
    return "\n".join(lines) + "\n"


def links(message: EmailMessage) -> list[str]:
    """The links in the text body (the HTML one when there is no text), in order, each once."""
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return []
    text = body.get_content()
    if body.get_content_type() == "text/html":
        text = html.unescape(text)
    return list(dict.fromkeys(match.group().rstrip(".,;:!?") for match in LINK.finditer(text)))


def printable(value: str) -> str:
    """Message text goes to a terminal: no control characters, so no escape sequences from a sender."""
    return "".join(char if char.isprintable() else "?" for char in value)


async def serve(host: str, port: int, directory: Path) -> None:
    """Catch mail until SIGINT or SIGTERM."""
    loop = asyncio.get_running_loop()
    catcher = Catcher(directory, sys.stdout)
    # An explicit hostname: the default looks up this machine's FQDN, which can stall on a bad resolver.
    server = await loop.create_server(
        lambda: SMTP(catcher, hostname="localhost", enable_SMTPUTF8=True), host, port
    )
    print(f"mail catcher listening on {host}:{port}; messages are kept in {directory}", flush=True)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    server.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m statuspage.run.mailcatcher", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--directory", type=Path, default=Path("var/mail"))
    args = parser.parse_args(argv)
    args.directory.mkdir(parents=True, exist_ok=True)
    try:
        asyncio.run(serve(args.host, args.port, args.directory))
    except OSError as exc:
        print(f"mail catcher: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

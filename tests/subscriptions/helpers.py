"""Small steps the subscription tests share: run the email sender, find links in a received message."""

import re
from email.message import EmailMessage

from statuspage.subscriptions import delivery


def send_emails() -> None:
    """What the email worker task does, run here in the test's own process."""
    delivery.send_due("email", budget_s=10)


def link_in(message: EmailMessage, kind: str) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(rf"https?://\S+/subscriptions/{kind}/\S+", text)[0]


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]

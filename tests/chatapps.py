"""Real HTTP servers playing Slack, Discord, Microsoft Teams and Google Chat incoming webhooks.

Each checks a payload against its app's documented schema and limits and answers as the app does: its
success status, 400 with the app's error body for a bad payload, 404 for a deleted webhook, 429 with
the app's rate-limit headers. Only the network is played; what is checked is written from the docs:
- Slack: api.slack.com/reference/block-kit/blocks (50 blocks; header 150, section 3,000, field 2,000
  characters, 10 fields; 25 actions; 10 context elements; button text 75), one message a second.
- Discord: discord.com/developers/docs/resources/message#embed-object-embed-limits (10 embeds, 6,000
  characters in all; title 256, description 4,096, 25 fields of 256/1,024, footer 2,048).
- Teams: learn.microsoft.com, "Send messages using incoming webhooks" (a message of Adaptive Card
  attachments, 28 KB at most).
- Google Chat: developers.google.com/workspace/chat/api/reference/rest/v1/cards (cardsV2; a message
  of 32,000 bytes at most).
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def slack_problems(payload: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if not any(payload.get(k) for k in ("text", "blocks", "attachments")):
        problems.append("no text, blocks or attachments")
    block_lists = [payload.get("blocks", [])] + [a.get("blocks", []) for a in payload.get("attachments", [])]
    for attachment in payload.get("attachments", []):
        colour = attachment.get("color", "#000000")
        if not (HEX_COLOUR.fullmatch(colour) or colour in ("good", "warning", "danger")):
            problems.append(f"attachment color {colour!r}")
    for blocks in block_lists:
        if len(blocks) > 50:
            problems.append(f"{len(blocks)} blocks, over 50")
        for block in blocks:
            problems += _slack_block(block)
    return problems


def _slack_text(obj: Any, limit: int, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        return [f"text object {obj!r}"]
    if plain_only and obj["type"] != "plain_text":
        return ["must be plain_text"]
    text = obj.get("text", "")
    return [] if 1 <= len(text) <= limit else [f"text of {len(text)} characters, limit {limit}"]


def _slack_block(block: dict[str, Any]) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        return _slack_text(block.get("text"), 150, plain_only=True)
    if kind == "section":
        if "text" not in block and "fields" not in block:
            return ["section without text or fields"]
        problems = _slack_text(block["text"], 3000) if "text" in block else []
        fields = block.get("fields", [])
        if len(fields) > 10:
            problems.append(f"{len(fields)} fields, over 10")
        return problems + [p for f in fields for p in _slack_text(f, 2000)]
    if kind == "actions":
        elements = block.get("elements", [])
        problems = [] if 1 <= len(elements) <= 25 else [f"{len(elements)} action elements"]
        for element in elements:
            if element.get("type") != "button":
                problems.append(f"action element {element.get('type')!r}")
                continue
            problems += _slack_text(element.get("text"), 75, plain_only=True)
            if (
                not str(element.get("url", "")).startswith(("http://", "https://"))
                or len(element["url"]) > 3000
            ):
                problems.append("button url")
        return problems
    if kind == "context":
        elements = block.get("elements", [])
        problems = [] if 1 <= len(elements) <= 10 else [f"{len(elements)} context elements"]
        return problems + [p for e in elements for p in _slack_text(e, 3000)]
    if kind == "divider":
        return []
    return [f"unknown block type {kind!r}"]


def discord_problems(payload: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    embeds = payload.get("embeds", [])
    if not payload.get("content") and not embeds:
        problems.append("no content and no embeds")
    if len(payload.get("content", "")) > 2000:
        problems.append("content over 2,000 characters")
    if len(embeds) > 10:
        problems.append(f"{len(embeds)} embeds, over 10")
    total = 0
    for embed in embeds:
        limits = {"title": 256, "description": 4096}
        for key, limit in limits.items():
            if len(embed.get(key, "")) > limit:
                problems.append(f"embed {key} over {limit}")
            total += len(embed.get(key, ""))
        fields = embed.get("fields", [])
        if len(fields) > 25:
            problems.append(f"{len(fields)} fields, over 25")
        for f in fields:
            if not 1 <= len(f.get("name", "")) <= 256 or not 1 <= len(f.get("value", "")) <= 1024:
                problems.append(f"field {f.get('name', '')[:20]!r} out of bounds")
            total += len(f.get("name", "")) + len(f.get("value", ""))
        footer = embed.get("footer", {}).get("text", "")
        if len(footer) > 2048:
            problems.append("footer over 2,048")
        total += len(footer) + len(embed.get("author", {}).get("name", ""))
        colour = embed.get("color", 0)
        if not isinstance(colour, int) or not 0 <= colour <= 0xFFFFFF:
            problems.append(f"color {colour!r}")
        if "url" in embed and not str(embed["url"]).startswith(("http://", "https://")):
            problems.append("embed url")
    if total > 6000:
        problems.append(f"{total} characters in embeds, over 6,000")
    if not set(payload.get("allowed_mentions", {}).get("parse", [])) <= {"roles", "users", "everyone"}:
        problems.append("allowed_mentions")
    return problems


TEAMS_MAX_BYTES = 28 * 1024
CARD_ELEMENTS = {"TextBlock": "text", "FactSet": "facts", "Container": "items"}
CARD_STYLES = {"default", "emphasis", "good", "attention", "warning", "accent"}


def teams_problems(payload: dict[str, Any], size: int) -> list[str]:
    problems = [] if size <= TEAMS_MAX_BYTES else [f"{size} bytes, over Teams' 28 KB"]
    if payload.get("type") != "message":
        problems.append("type is not message")
    attachments = payload.get("attachments") or []
    if not attachments:
        problems.append("no attachments")
    for attachment in attachments:
        if attachment.get("contentType") != "application/vnd.microsoft.card.adaptive":
            problems.append(f"contentType {attachment.get('contentType')!r}")
        card = attachment.get("content", {})
        if card.get("type") != "AdaptiveCard" or card.get("version") not in (
            "1.0",
            "1.2",
            "1.3",
            "1.4",
            "1.5",
        ):
            problems.append("not an Adaptive Card of a version Teams renders")
        problems += _card_elements(card.get("body", []))
        for action in card.get("actions", []):
            if action.get("type") != "Action.OpenUrl" or not str(action.get("url", "")).startswith("http"):
                problems.append(f"action {action!r}")
    return problems


def _card_elements(elements: list[dict[str, Any]]) -> list[str]:
    problems = []
    for element in elements:
        kind = element.get("type")
        required = CARD_ELEMENTS.get(kind)
        if required is None or not element.get(required):
            problems.append(f"card element {kind!r} without {required}")
            continue
        if kind == "Container":
            if element.get("style", "default") not in CARD_STYLES:
                problems.append(f"container style {element.get('style')!r}")
            problems += _card_elements(element["items"])
        if kind == "FactSet" and not all(isinstance(f.get("title"), str) and isinstance(f.get("value"), str)
                                         for f in element["facts"]):  # fmt: skip
            problems.append("a fact without title or value")
    return problems


GOOGLE_CHAT_MAX_BYTES = 32_000
WIDGETS = {"decoratedText": "text", "textParagraph": "text", "buttonList": "buttons"}


def googlechat_problems(payload: dict[str, Any], size: int) -> list[str]:
    problems = [] if size <= GOOGLE_CHAT_MAX_BYTES else [f"{size} bytes, over 32,000"]
    if not payload.get("text") and not payload.get("cardsV2"):
        problems.append("no text and no cardsV2")
    for entry in payload.get("cardsV2", []):
        card = entry.get("card", {})
        if not entry.get("cardId") or not card:
            problems.append("cardsV2 entry without cardId or card")
        if "header" in card and not card["header"].get("title"):
            problems.append("card header without title")
        for section in card.get("sections", []):
            for widget in section.get("widgets", []):
                [(kind, body)] = widget.items()
                if kind not in WIDGETS or not body.get(WIDGETS[kind]):
                    problems.append(f"widget {kind!r}")
                for button in body.get("buttons", []) if kind == "buttonList" else []:
                    if not button.get("text") or not button.get("onClick", {}).get("openLink", {}).get("url"):
                        problems.append("button without text or link")
    return problems


@dataclass
class Post:
    path: str
    payload: dict[str, Any]
    at: float  # time.monotonic() when it arrived
    status: int  # what we answered


# Each app's path shape (as chat.hosts admits) and answers.
PATHS = {
    "slack": "/services/T0000/B0000/{hook}",
    "discord": "/api/webhooks/1234567890/{hook}",
    "teams": "/workflows/{hook}/triggers/manual/paths/invoke",
    "googlechat": "/v1/spaces/{hook}/messages",
}


class FakeChatApp:
    """One app's incoming webhooks on a loopback port. `posts` has every request, answered or refused."""

    def __init__(self, app: str) -> None:
        self.app = app
        self.posts: list[Post] = []
        self.deleted: set[str] = set()  # paths that answer 404, as a deleted webhook does
        self.throttle_next: dict[str, float] = {}  # path -> retry-after seconds for its next post
        self.discord_bucket = 5  # Discord: posts per hook before X-RateLimit-Remaining reaches 0
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, headers, body = fake.answer(self.path.split("?")[0], raw)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, hook: str = "hook1") -> str:
        query = "?key=k&token=t" if self.app == "googlechat" else ""
        return f"http://{self.host}{PATHS[self.app].format(hook=hook)}{query}"

    def path(self, hook: str = "hook1") -> str:
        return PATHS[self.app].format(hook=hook)

    def accepted(self, hook: str | None = None) -> list[Post]:
        return [p for p in self.posts if p.status < 300 and (hook is None or p.path == self.path(hook))]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def problems(self, payload: dict[str, Any], size: int) -> list[str]:
        if self.app == "slack":
            return slack_problems(payload)
        if self.app == "discord":
            return discord_problems(payload)
        if self.app == "teams":
            return teams_problems(payload, size)
        return googlechat_problems(payload, size)

    def answer(self, path: str, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            now = time.monotonic()
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = {}
            earlier = [p for p in self.posts if p.path == path and p.status < 300]
            if path in self.deleted:
                status, headers, body = self._gone()
            elif path in self.throttle_next:
                status, headers, body = self._rate_limited(self.throttle_next.pop(path))
            elif self.app == "slack" and earlier and now - earlier[-1].at < 1.0:
                status, headers, body = self._rate_limited(1.0)  # Slack: one message a second
            elif problems := self.problems(payload, len(raw)):
                status, headers, body = self._bad(problems)
            else:
                status, headers, body = self._ok(len(earlier) + 1)
            self.posts.append(Post(path, payload, now, status))
            return status, headers, body

    def _ok(self, count: int) -> tuple[int, dict[str, str], bytes]:
        if self.app == "slack":
            return 200, {"Content-Type": "text/plain"}, b"ok"
        if self.app == "discord":
            remaining = max(0, self.discord_bucket - count)
            headers = {"X-RateLimit-Limit": str(self.discord_bucket), "X-RateLimit-Remaining": str(remaining),
                       "X-RateLimit-Reset-After": "0.5", "X-RateLimit-Bucket": "fake"}  # fmt: skip
            return 204, headers, b""
        if self.app == "teams":
            return 202, {}, b""
        return 200, {"Content-Type": "application/json"}, json.dumps({"name": "spaces/x/messages/y"}).encode()

    def _bad(self, problems: list[str]) -> tuple[int, dict[str, str], bytes]:
        if self.app == "slack":
            return 400, {"Content-Type": "text/plain"}, b"invalid_blocks"
        if self.app == "discord":
            body = {"code": 50035, "message": "Invalid Form Body", "errors": problems}
        elif self.app == "teams":
            body = {"error": {"code": "InvalidRequestContent", "message": "; ".join(problems)}}
        else:
            body = {"error": {"code": 400, "message": "; ".join(problems), "status": "INVALID_ARGUMENT"}}
        return 400, {"Content-Type": "application/json"}, json.dumps(body).encode()

    def _gone(self) -> tuple[int, dict[str, str], bytes]:
        if self.app == "slack":
            return 404, {"Content-Type": "text/plain"}, b"no_service"
        if self.app == "discord":
            return 404, {"Content-Type": "application/json"}, b'{"message": "Unknown Webhook", "code": 10015}'
        if self.app == "teams":
            return 404, {"Content-Type": "application/json"}, b'{"error": {"code": "WorkflowNotFound"}}'
        return 404, {"Content-Type": "application/json"}, b'{"error": {"code": 404, "status": "NOT_FOUND"}}'

    def _rate_limited(self, seconds: float) -> tuple[int, dict[str, str], bytes]:
        if self.app == "discord":
            body = {"message": "You are being rate limited.", "retry_after": seconds, "global": False}
            headers = {"Retry-After": str(math.ceil(seconds)), "X-RateLimit-Remaining": "0",
                       "X-RateLimit-Reset-After": str(seconds)}  # fmt: skip
            return 429, headers, json.dumps(body).encode()
        if self.app == "googlechat":  # Google says RESOURCE_EXHAUSTED and no Retry-After
            return (
                429,
                {"Content-Type": "application/json"},
                b'{"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}}',
            )
        return 429, {"Retry-After": str(math.ceil(seconds)), "Content-Type": "text/plain"}, b"rate_limited"


@pytest.fixture
def chat_apps(settings) -> Iterator[Callable[[str], FakeChatApp]]:
    """Start a fake chat app ("slack", "discord", "teams", "googlechat") admitted as that app."""
    started: list[FakeChatApp] = []
    settings.CHAT_TEST_HOSTS = {}
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True  # loopback; the send-time guard still runs

    def start(app: str) -> FakeChatApp:
        fake = FakeChatApp(app)
        settings.CHAT_TEST_HOSTS = {**settings.CHAT_TEST_HOSTS, fake.host: app}
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.close()

"""What every provider kind implements: its routes, auth, error bodies and reply wire format."""

from __future__ import annotations

import json
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from aiohttp import web

from monitors.fakeprovider.faults import Fault
from monitors.fakeprovider.text import Reply


@dataclass(frozen=True, slots=True)
class Generation:
    """One parsed generation request, plus the ids its reply carries."""

    rid: str
    model: str
    stream: bool
    prompt_tokens: int
    max_tokens: int | None
    include_usage: bool = False
    created: int = field(default_factory=lambda: int(time.time()))


@dataclass(frozen=True, slots=True)
class ErrorReply:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


class Dialect(ABC):
    """One provider kind. Builders return wire bytes; the engine decides when and how to send them."""

    kind: ClassVar[str]
    host: ClassVar[str]  # the public API host, named on CDN error pages
    api_prefix: ClassVar[str]  # appended to the origin, this is the base URL the kind's SDK expects
    generate_paths: ClassVar[tuple[str, ...]]  # POST
    models_paths: ClassVar[tuple[str, ...]]  # GET
    keepalive: ClassVar[bytes] = b": keep-alive\n\n"

    @abstractmethod
    def headers(self, rid: str) -> dict[str, str]:
        """Headers on every API response of this kind, errors included."""

    @abstractmethod
    def authenticate(self, request: web.Request, api_key: str, rid: str) -> ErrorReply | None: ...

    @abstractmethod
    def error(self, fault: Fault, rid: str) -> ErrorReply:
        """The error status and body this kind sends for one of faults.STATUS."""

    @abstractmethod
    def invalid_request(self, message: str, rid: str) -> ErrorReply: ...

    @abstractmethod
    def parse(self, request: web.Request, body: Any, rid: str) -> Generation | ErrorReply: ...

    @abstractmethod
    def completion(self, gen: Generation, reply: Reply) -> bytes: ...

    @abstractmethod
    def stream_head(self, gen: Generation, reply: Reply) -> bytes:
        """Frames sent with the headers, before any content (role delta, message_start...)."""

    @abstractmethod
    def stream_piece(self, gen: Generation, text: str) -> bytes: ...

    @abstractmethod
    def stream_tail(self, gen: Generation, reply: Reply) -> bytes:
        """Frames after the last piece: finish reason, usage, terminator."""

    @abstractmethod
    def error_event(self, gen: Generation) -> bytes:
        """An error frame inside a 200 stream."""

    @abstractmethod
    def error_body(self, gen: Generation) -> bytes:
        """The same error as a whole 200 body, for non-streaming requests."""

    @abstractmethod
    def models(self) -> bytes: ...


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def sse(data: Any, event: str | None = None) -> bytes:
    frame = b"data: " + dumps(data) + b"\n\n"
    return b"event: " + event.encode() + b"\n" + frame if event else frame


def new_rid() -> str:
    return secrets.token_hex(12)


def prompt_text(value: Any) -> str:
    """Text of a message `content`: a string, or a list of text blocks/parts."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(prompt_text(item.get("text", "")) for item in value if isinstance(item, dict))
    return ""

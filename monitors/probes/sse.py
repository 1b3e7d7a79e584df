"""Incremental Server-Sent Events parsing: bytes in as they arrive, complete events out."""

from __future__ import annotations

from dataclasses import dataclass


class SseError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Event:
    name: str  # the `event:` field; "" when absent (OpenAI, Gemini)
    data: str


class SseParser:
    """Accepts LF and CRLF line endings (Google sends CRLF); counts comments such as `: keep-alive`."""

    def __init__(self, max_line: int) -> None:
        self.max_line = max_line
        self.comments = 0
        self._pending = b""
        self._name = ""
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[Event]:
        lines = (self._pending + chunk).split(b"\n")
        self._pending = lines.pop()
        if len(self._pending) > self.max_line:
            raise SseError(f"an SSE line longer than {self.max_line} bytes")
        events: list[Event] = []
        for line in lines:
            self._line(line[:-1] if line.endswith(b"\r") else line, events)
        return events

    def close(self) -> list[Event]:
        """At EOF: a last event without its blank line still counts (lenient, unlike the SSE spec)."""
        events: list[Event] = []
        if self._pending:
            self._line(self._pending.rstrip(b"\r"), events)
            self._pending = b""
        self._line(b"", events)
        return events

    def _line(self, line: bytes, events: list[Event]) -> None:
        if not line:
            if self._data:
                events.append(Event(self._name, "\n".join(self._data)))
            self._name, self._data = "", []
        elif line.startswith(b":"):
            self.comments += 1
        else:
            field, _, value = line.partition(b":")
            if value.startswith(b" "):
                value = value[1:]
            if field == b"data":
                self._data.append(value.decode(errors="replace"))
            elif field == b"event":
                self._name = value.decode(errors="replace")

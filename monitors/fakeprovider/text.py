"""Deterministic generated text and token counts: same request, same reply, byte for byte."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import cycle, islice

# One list item is one token. A reply to "ping" starts with "pong", so content checks have a target.
_ANSWER = ("pong", " lorem", " ipsum", " dolor", " sit", " amet", " consectetur", " adipiscing", " elit")
# Plausible text that fails a content check.
_WRONG = ("I", " cannot", " help", " with", " that", " request", " today")
NATURAL_LENGTH = 12  # tokens in an unconstrained reply
HUGE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Reply:
    """The generated content: `pieces` are streamed one per frame; `tokens` is what usage reports."""

    pieces: tuple[str, ...]
    tokens: int
    finished: bool  # False when cut off by the token limit
    hollow: bool = False  # nothing at all: `choices: []`, `content: []`, a candidate without parts

    @property
    def text(self) -> str:
        return "".join(self.pieces)


def reply(max_tokens: int | None, forced: int | None, *, wrong: bool = False) -> Reply:
    """`forced` (X-Fake-Tokens) sets the length outright; otherwise the natural reply, cut at max_tokens."""
    if forced is not None:
        return Reply(_pieces(forced, wrong), forced, finished=True)
    count = NATURAL_LENGTH if max_tokens is None else min(NATURAL_LENGTH, max_tokens)
    return Reply(_pieces(count, wrong), count, finished=count == NATURAL_LENGTH)


EMPTY = Reply((), 0, finished=True, hollow=True)


@lru_cache(maxsize=1)
def huge() -> Reply:
    word = " lorem"
    count = HUGE_BYTES // len(word)
    return Reply((word * count,), count, finished=True)


@lru_cache(maxsize=256)
def _pieces(count: int, wrong: bool) -> tuple[str, ...]:
    words = _WRONG if wrong else _ANSWER
    return (words[0], *islice(cycle(words[1:]), count - 1)) if count else ()


def count_tokens(text: str) -> int:
    """A rough tokenizer (about four characters a token), enough for consistent usage numbers."""
    return max(1, (len(text) + 3) // 4) if text else 0

"""Scrub secrets (API keys, bearer tokens, key= parameters) from text we store or show."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MASK = "[redacted]"
MAX_MESSAGE = 300

# Shapes of provider keys and credentials, so a key we were not told about is caught too.
_KEYS = re.compile(
    "|".join(
        (
            r"\bsk-[\w*.-]{6,}",  # OpenAI, Anthropic (sk-ant-), OpenRouter (sk-or-), DeepSeek
            r"\bgsk_\w{8,}",  # Groq
            r"\bAIza[\w-]{20,}",  # Google
            r"\b[Bb]earer\s+[\w.~+/=-]{6,}",
        )
    )
)
# name=value and "name": "value" where the name says credential: ?key=..., x-api-key: ..., token=...
_NAMED = re.compile(
    r"(?P<name>\b[\w-]*(?:[Kk]ey|KEY|[Tt]oken|TOKEN|[Ss]ecret|SECRET|[Pp]assword|PASSWORD)[\"']?\s*[=:]\s*[\"']?)"
    r"(?P<value>[^\s&\"',;}]{4,})"
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace each known secret, then anything shaped like one."""
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, MASK)
    return _NAMED.sub(lambda m: m["name"] + MASK, _KEYS.sub(MASK, text))


def redact_data(value: Any, secrets: Iterable[str] = ()) -> Any:
    """`redact` applied to every string inside JSON-like data (dict keys included)."""
    secrets = tuple(secrets)
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {redact_data(k, secrets): redact_data(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_data(v, secrets) for v in value]
    return value


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    """One line, at most `limit` characters, marked with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

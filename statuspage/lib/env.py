"""Typed readers for environment variables that refuse junk values with one clear sentence."""

from __future__ import annotations

import os
import re
from typing import TypeVar
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

N = TypeVar("N", int, float)


class ConfigError(ImproperlyConfigured):
    """A setting read from the environment is missing or malformed."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str, default: str | None) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = _raw(name, default)
    if value is None:
        if required:
            raise ConfigError(f"{name} must be set")
        return ""
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name, None)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name}={value!r} is not a boolean; use true or false")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(name, None)
    if value is None:
        number = default
    else:
        try:
            number = int(value)
        except ValueError:
            raise ConfigError(f"{name}={value!r} is not a whole number") from None
    return _in_range(name, number, minimum, maximum)


def env_float(
    name: str, default: float, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    value = _raw(name, None)
    if value is None:
        number = default
    else:
        try:
            number = float(value)
        except ValueError:
            raise ConfigError(f"{name}={value!r} is not a number") from None
    return _in_range(name, number, minimum, maximum)


def _in_range(name: str, number: N, minimum: N | None, maximum: N | None) -> N:
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name}={number} is below the minimum of {minimum}")
    if maximum is not None and number > maximum:
        raise ConfigError(f"{name}={number} is above the maximum of {maximum}")
    return number


def env_list(name: str, default: str) -> list[str]:
    value = _raw(name, default) or ""
    return [item.strip() for item in value.split(",") if item.strip()]


def env_urls(name: str, default: str) -> list[str]:
    """Space-separated URLs of any scheme (a comma may belong inside one, as in Apprise's mailto://)."""
    urls = (_raw(name, default) or "").split()
    for number, url in enumerate(urls, 1):
        if not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*://.", url):  # not echoed: it may be a secret
            raise ConfigError(f"{name} has an entry that is not a URL (scheme://...): entry {number}")
    return urls


def env_floats(
    name: str, default: str, *, minimum: float | None = None, maximum: float | None = None
) -> tuple[float, ...]:
    """Comma-separated numbers, e.g. "5,10"."""
    numbers = []
    for item in env_list(name, default):
        try:
            numbers.append(_in_range(name, float(item), minimum, maximum))
        except ValueError:
            raise ConfigError(f"{name}={item!r} is not a number; use numbers separated by commas") from None
    return tuple(numbers)


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _raw(name, default) or default
    if value not in choices:
        raise ConfigError(f"{name}={value!r} must be one of: {', '.join(choices)}")
    return value


def env_url(name: str, default: str, *, schemes: tuple[str, ...]) -> str:
    value = _raw(name, default) or default
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a non-numeric port
    except ValueError as exc:
        raise ConfigError(f"{name} is not a valid URL ({exc})") from None
    if parts.scheme not in schemes:
        raise ConfigError(f"{name} must start with {' or '.join(s + '://' for s in schemes)}")
    if not parts.hostname and "host=" not in parts.query:
        raise ConfigError(f"{name} has no host")
    return value


def env_rate(name: str, default: str) -> str:
    """A rate as "count/period", e.g. "5/h" or "20/10m" (periods s, m, h, d), as django-ratelimit reads it."""
    value = _raw(name, default) or default
    match = re.fullmatch(r"(\d+)/(\d*)([smhd])", value)
    if not match or int(match[1]) < 1 or match[2] == "0":
        raise ConfigError(f"{name}={value!r} is not a rate; use count/period such as 5/h or 20/10m")
    return value


def env_emails(name: str, default: str) -> list[str]:
    """A comma-separated list of email addresses."""
    addresses = env_list(name, default)
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise ConfigError(f"{name} has {address!r}, which is not an email address") from None
    return addresses

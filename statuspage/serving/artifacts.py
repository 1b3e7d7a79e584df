"""A rendered response body with everything decided once: gzip, ETag, headers; served per request."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import lru_cache

import brotli
from django.utils.http import http_date, parse_http_date_safe

# Browsers and pollers may reuse a copy briefly, keep using it while we revalidate, and fall back to it
# for a day if we fail; proxies get X-Accel-Expires instead (a 1-second micro-cache in nginx).
PAGE_CACHE = "public, max-age=5, stale-while-revalidate=30, stale-if-error=86400"
API_CACHE = "public, max-age=10, stale-while-revalidate=30, stale-if-error=86400"
FEED_CACHE = "public, max-age=60, stale-while-revalidate=300, stale-if-error=86400"
REVALIDATE = "no-cache"

HTML = "text/html; charset=utf-8"
JSON = "application/json"
SVG = "image/svg+xml"
JS = "text/javascript; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"

STALE = b"<!--stale-->"  # where a stale snapshot's HTML says how old it is
AGE_HEADER = "X-Snapshot-Age"
_GZIP_MIN = 512
# Brotli quality 5: on bench/serve.py's 50-component snapshot, the page is 14% smaller than gzip -6 and the
# summary 14%, for ~3 ms per snapshot (render: ~290 ms); quality 11 saves 9% more but takes ~600 ms.
_BROTLI_QUALITY = 5
_COMMON = (
    ("Vary", "Accept-Encoding"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Accel-Expires", "1"),
)
# Browsers hide response headers from cross-origin scripts unless named here: the snapshot's age is the
# only staleness signal, ETag lets a poller revalidate, Retry-After paces it during an outage.
EXPOSED = f"ETag, {AGE_HEADER}, Retry-After"
_CORS = (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED))
_NO_FRAMES = (("X-Frame-Options", "DENY"),)


@dataclass(frozen=True)
class Artifact:
    body: bytes
    content_type: str
    cache_control: str
    etag: str
    gzipped: bytes | None
    headers: tuple[tuple[str, str], ...]
    gzip_headers: tuple[tuple[str, str], ...]
    brotli: bytes | None = None
    brotli_headers: tuple[tuple[str, str], ...] = ()
    stale_marker: bool = False  # HTML that carries a <!--stale--> slot for the age notice
    modified: float = (
        0.0  # Unix seconds when these bytes were first rendered (snapshot.stamp), for Last-Modified
    )


def make(
    body: str | bytes, content_type: str, cache_control: str, *, cors: bool = False, etag: str = ""
) -> Artifact:
    """`etag` overrides the content hash (the live region carries its own tag inside it)."""
    raw = body.encode() if isinstance(body, str) else body
    digest = etag or hashlib.blake2b(raw, digest_size=8).hexdigest()
    etag = f'"{digest}"'
    extra = _COMMON + (_CORS if cors else ()) + (_NO_FRAMES if content_type == HTML else ())
    base = (("Content-Type", content_type), ("Cache-Control", cache_control), *extra)
    headers = (*base, ("ETag", etag), ("Content-Length", str(len(raw))))
    if len(raw) < _GZIP_MIN:
        return Artifact(raw, content_type, cache_control, etag, None, headers, (), stale_marker=STALE in raw)
    zipped = gzip.compress(raw, compresslevel=6, mtime=0)
    squeezed = brotli.compress(raw, quality=_BROTLI_QUALITY)
    return Artifact(
        raw,
        content_type,
        cache_control,
        etag,
        zipped,
        headers,
        _encoded_headers(base, f'"{digest}-gz"', "gzip", zipped),
        squeezed,
        _encoded_headers(base, f'"{digest}-br"', "br", squeezed),
        STALE in raw,
    )


def _encoded_headers(
    base: tuple[tuple[str, str], ...], etag: str, coding: str, body: bytes
) -> tuple[tuple[str, str], ...]:
    """Each encoding has its own tag (RFC 9110 §8.8.3: a strong tag names one representation)."""
    return (*base, ("ETag", etag), ("Content-Encoding", coding), ("Content-Length", str(len(body))))


def not_modified(artifact: Artifact, if_none_match: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2): any encoding's tag, W/ or not, or *, matches."""
    if not if_none_match:
        return False
    return if_none_match.strip() == "*" or artifact.etag[:-1] in if_none_match


def coding_qualities(accept_encoding: str) -> dict[str, float]:
    """Accept-Encoding as coding -> q (RFC 9110 §12.5.3); a malformed q counts as refusal."""
    qualities: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        name, *params = (p.strip() for p in part.split(";"))
        if not name:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        qualities[name] = q
    return qualities


# Browsers send a handful of spellings: parsing one takes ~3 us, a cache hit ~0.2 us (bounded, so a client
# sending a new spelling each time only evicts).
@lru_cache(maxsize=256)
def choose_coding(accept_encoding: str) -> str:
    """The coding to send ("br", "gzip", or "" for identity): the accepted one with the highest q,
    brotli on a tie.

    A coding not listed takes the q of `*` if given; q=0 refuses it. Identity is the fallback even when
    refused: a 406 for a status page would help no one.
    """
    if not accept_encoding:
        return ""
    qualities = coding_qualities(accept_encoding)
    wildcard = qualities.get("*", 0.0)
    br, gz = qualities.get("br", wildcard), qualities.get("gzip", qualities.get("x-gzip", wildcard))
    if br > 0 and br >= gz:
        return "br"
    return "gzip" if gz > 0 else ""


def not_modified_since(artifact: Artifact, if_modified_since: str) -> bool:
    """RFC 9110 §13.1.3, for a request without If-None-Match: unchanged since the date it names."""
    since = parse_http_date_safe(if_modified_since) if if_modified_since else None
    return since is not None and artifact.modified > 0 and int(artifact.modified) <= since


def respond(
    artifact: Artifact,
    *,
    if_none_match: str,
    accept_encoding: str,
    age: int,
    stale_notice: bytes = b"",
    if_modified_since: str = "",
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body for one request: 304 on a matching tag (or, without one, when not
    modified since the date given), brotli or gzip as the client prefers.

    A stale snapshot (the data stores are unreachable) still answers 200; HTML gets a notice with
    its age, and every response carries the snapshot's age in seconds (not `Age`, which is a cache's).
    """
    if stale_notice and artifact.stale_marker:
        body = artifact.body.replace(STALE, stale_notice)
        headers = [h for h in artifact.headers if h[0] not in ("Content-Length", "ETag")]
        headers += [("Content-Length", str(len(body))), (AGE_HEADER, str(age))]
        return 200, headers, body
    coding = choose_coding(accept_encoding) if artifact.gzipped else ""
    if coding == "br" and artifact.brotli:
        headers, body = list(artifact.brotli_headers), artifact.brotli
    elif coding and artifact.gzipped:  # gzip, or br from a snapshot a previous release left in Redis
        headers, body = list(artifact.gzip_headers), artifact.gzipped
    else:
        headers, body = list(artifact.headers), artifact.body
    if age or stale_notice:  # a stale snapshot says its age even when that rounds to 0 s
        headers.append((AGE_HEADER, str(age)))
    if artifact.modified:
        headers.append(("Last-Modified", http_date(artifact.modified)))
    if not_modified(artifact, if_none_match) or (
        not if_none_match and not_modified_since(artifact, if_modified_since)
    ):
        kept = [h for h in headers if h[0] not in ("Content-Length", "Content-Encoding", "Content-Type")]
        return 304, kept, b""
    return 200, headers, body

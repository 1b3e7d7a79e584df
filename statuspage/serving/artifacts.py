"""A rendered response body with everything decided once: gzip, ETag, headers; served per request."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass

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
    stale_marker: bool = False  # HTML that carries a <!--stale--> slot for the age notice


def make(
    body: str | bytes, content_type: str, cache_control: str, *, cors: bool = False, etag: str = ""
) -> Artifact:
    """`etag` overrides the content hash (the live region carries its own tag inside it)."""
    raw = body.encode() if isinstance(body, str) else body
    digest = etag or hashlib.blake2b(raw, digest_size=8).hexdigest()
    etag = f'"{digest}"'
    zipped = gzip.compress(raw, compresslevel=6, mtime=0) if len(raw) >= _GZIP_MIN else None
    extra = _COMMON + (_CORS if cors else ()) + (_NO_FRAMES if content_type == HTML else ())
    base = (("Content-Type", content_type), ("Cache-Control", cache_control), *extra)
    headers = (*base, ("ETag", etag), ("Content-Length", str(len(raw))))
    gzip_headers = ()
    if zipped is not None:
        gzip_headers = (
            *base,
            ("ETag", f'"{digest}-gz"'),
            ("Content-Encoding", "gzip"),
            ("Content-Length", str(len(zipped))),
        )
    return Artifact(raw, content_type, cache_control, etag, zipped, headers, gzip_headers, STALE in raw)


def not_modified(artifact: Artifact, if_none_match: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2): either encoding's tag, W/ or not, or *, matches."""
    if not if_none_match:
        return False
    return if_none_match.strip() == "*" or artifact.etag[:-1] in if_none_match


def accepts_gzip(accept_encoding: str) -> bool:
    if "gzip" not in accept_encoding:
        return False
    for part in accept_encoding.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() == "gzip":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def respond(
    artifact: Artifact, *, if_none_match: str, accept_encoding: str, age: int, stale_notice: bytes = b""
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body for one request: 304 on a matching tag, gzip when accepted.

    A stale snapshot (the data stores are unreachable) still answers 200; HTML gets a notice with
    its age, and every response carries the snapshot's age in seconds (not `Age`, which is a cache's).
    """
    if stale_notice and artifact.stale_marker:
        body = artifact.body.replace(STALE, stale_notice)
        headers = [h for h in artifact.headers if h[0] not in ("Content-Length", "ETag")]
        headers += [("Content-Length", str(len(body))), (AGE_HEADER, str(age))]
        return 200, headers, body
    use_gzip = artifact.gzipped is not None and accepts_gzip(accept_encoding)
    headers = list(artifact.gzip_headers if use_gzip else artifact.headers)
    if age or stale_notice:  # a stale snapshot says its age even when that rounds to 0 s
        headers.append((AGE_HEADER, str(age)))
    if not_modified(artifact, if_none_match):
        kept = [h for h in headers if h[0] not in ("Content-Length", "Content-Encoding", "Content-Type")]
        return 304, kept, b""
    return 200, headers, artifact.gzipped if use_gzip else artifact.body

"""The probes' HTTP client: httpx's API on an aiohttp transport, with honest errors and wire timing."""

# Why aiohttp underneath (measured here, one core, 50 requests in flight to a local server): httpx's own
# pool did 207 req/s with one AsyncClient and 555 with ten (encode/httpx#3215), and a 50 ms injected TTFT
# was measured 300+ ms late; aiohttp did 1,360 req/s with per-chunk timing as good as raw aiohttp's.
# The transport is our own rather than httpx-aiohttp's: that one reports refused, DNS and TLS failures
# as ConnectTimeout, and cannot say when bytes reached the socket, which is what TTFT is measured at.
# bench/probes.py measures this whole path against a bare aiohttp loop.

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import selectors
import ssl
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import TYPE_CHECKING, Any

import aiohttp
import httpx
from aiohttp.client_proto import ResponseHandler

if TYPE_CHECKING:
    from httpx._client import UseClientDefault

USER_AGENT = "statuspage-probe/1.0"
# A pooled connection idle longer than this is closed rather than reused: servers drop idle connections
# after a few seconds (gunicorn after 2), and a request racing that close would fail for nothing.
IDLE_S = 1.0
READ_CHUNK = 64 * 1024


@dataclass
class WireTiming:
    """perf_counter() stamps of the current probe's connection and of the bytes it last received."""

    started: float | None = None  # a new connection was being opened (None: a pooled one was reused)
    ready: float | None = None  # the new connection is open (TCP and TLS)
    sent: float | None = None  # the request (headers with its body) is being written to the socket now
    received_at: float | None = None  # when the bytes just handed to the probe reached the socket


_current: contextvars.ContextVar[WireTiming | None] = contextvars.ContextVar("probe_wire", default=None)


def track() -> WireTiming:
    """Start recording wire timing for the calling task (each probe runs in its own task)."""
    timing = WireTiming()
    _current.set(timing)
    return timing


def _stamp(field: str) -> None:
    timing = _current.get()
    if timing is not None:
        setattr(timing, field, time.perf_counter())


# The stamps come from small overrides of aiohttp (pinned) rather than its TraceConfig signals, which
# cost a sixth of the prober's CPU per probe (a parameters object and an await for every event).


class PollStampingSelector(selectors.EpollSelector):
    """Notes when each poll that found work returned: bytes it reports were in the socket by then,
    however many callbacks the event loop runs before it reads them."""

    polled_at = 0.0

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        events = super().select(timeout)
        if events:
            self.polled_at = time.perf_counter()
        return events


def new_event_loop() -> asyncio.AbstractEventLoop:
    """The probes' event loop: asyncio's own, on a selector that stamps its polls."""
    return asyncio.SelectorEventLoop(PollStampingSelector())


class _StampingHandler(ResponseHandler):
    """aiohttp's connection protocol, noting when bytes arrive: when the poll that found them returned
    on our event loop (any other loop: when they are handed over). A token is timed here, not when the
    loop gets round to the probe's task: under load that comes milliseconds later."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        selector = getattr(loop, "_selector", None)
        self.polls = selector if isinstance(selector, PollStampingSelector) else None
        self.received_at: float | None = None

    def data_received(self, data: bytes) -> None:
        if data:  # aiohttp calls it empty too, to resume a paused read: that is no arrival
            self.received_at = self.polls.polled_at if self.polls is not None else time.perf_counter()
        super().data_received(data)


class _Connector(aiohttp.TCPConnector):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._factory = functools.partial(_StampingHandler, loop=self._loop)

    async def _create_connection(self, req: Any, traces: Any, timeout: Any) -> ResponseHandler:
        """Only for a new connection (DNS, TCP and TLS); a pooled one is taken without it."""
        _stamp("started")
        protocol = await super()._create_connection(req, traces, timeout)
        _stamp("ready")
        return protocol


class _Request(aiohttp.ClientRequest):
    async def send(self, conn: Any) -> aiohttp.ClientResponse:
        _stamp("sent")  # a request without a body is written in here
        return await super().send(conn)

    async def write_bytes(self, writer: Any, conn: Any, content_length: int | None = None) -> None:
        _stamp("sent")  # the body, and the headers buffered to go with it, are written next
        await super().write_bytes(writer, conn, content_length)


def _session(reuse: bool) -> aiohttp.ClientSession:
    # Reuse (the default) keeps a batch's connections open between its probes, which costs the prober
    # and the provider much less CPU per probe (bench/probes.py). The first probe on each connection
    # still proves TCP and TLS and reports connect_ms; the pool, like the DNS cache, dies with the
    # batch, so every batch resolves and connects afresh. Without reuse, every probe opens its own
    # connection and reports its own connect time.
    connector = _Connector(
        limit=0, force_close=not reuse, keepalive_timeout=IDLE_S if reuse else None, ssl=_ssl_context()
    )
    # No cookie jar: probes of different monitors share the session, and must not share cookies.
    return aiohttp.ClientSession(
        connector=connector, request_class=_Request, cookie_jar=aiohttp.DummyCookieJar()
    )


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()  # certifi's roots; loading them costs ~10 ms, so once per process


def _translate(exc: aiohttp.ClientError) -> httpx.TransportError:
    """The httpx exception an aiohttp failure stands for (httpx's own transport raises the same)."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(message)
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return httpx.ReadTimeout(message)
    if isinstance(exc, aiohttp.ClientConnectorError):  # refused, DNS, TLS
        return httpx.ConnectError(message)
    if isinstance(exc, aiohttp.ClientPayloadError):  # the body broke off
        return httpx.RemoteProtocolError(message)
    if isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        return httpx.UnsupportedProtocol(message)
    if isinstance(exc, aiohttp.ClientConnectionError):  # reset, or disconnected before a response
        return httpx.ReadError(message)
    return httpx.RemoteProtocolError(message)  # a response aiohttp could not parse


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except aiohttp.ClientError as exc:
        raise _translate(exc) from exc


class _Stream(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse, protocol: ResponseHandler | None) -> None:
        self._response = response
        self._protocol = protocol  # kept: aiohttp lets go of the connection once the body is in

    async def __aiter__(self) -> AsyncIterator[bytes]:
        timing = _current.get()
        with _translated():
            async for chunk in self._response.content.iter_chunked(READ_CHUNK):
                if timing is not None and isinstance(self._protocol, _StampingHandler):
                    timing.received_at = self._protocol.received_at
                yield chunk

    async def aclose(self) -> None:
        with _translated():
            # A body not read to its end closes the connection rather than returning it to the pool.
            await self._response.__aexit__(None, None, None)


class ProbeTransport(httpx.AsyncBaseTransport):
    """One aiohttp session per transport, opened on first use inside the running event loop."""

    def __init__(self, *, reuse_connections: bool) -> None:
        self._reuse = reuse_connections
        self._session: aiohttp.ClientSession | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._session is None:
            self._session = _session(self._reuse)
        await request.aread()
        with _translated():
            try:
                response = await self._send(request)
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
                if not _reused():
                    raise
                # The server closed a pooled connection as we sent on it: what a browser does, once,
                # on a new connection (aiohttp does so itself only for idempotent methods).
                response = await self._send(request)
        protocol = response.connection.protocol if response.connection is not None else None
        timing = _current.get()
        if timing is not None and isinstance(protocol, _StampingHandler):
            timing.received_at = protocol.received_at
        extensions = {"http_version": b"HTTP/1.1"}
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode()
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_Stream(response, protocol),
            request=request,
            extensions=extensions,
        )

    async def _send(self, request: httpx.Request) -> aiohttp.ClientResponse:
        assert self._session is not None
        timeout = request.extensions.get("timeout", {})
        return await self._session.request(
            request.method,
            str(request.url),
            headers=request.headers.multi_items(),
            data=request.content or None,
            allow_redirects=False,
            auto_decompress=False,  # httpx decodes
            timeout=aiohttp.ClientTimeout(
                sock_connect=timeout.get("connect"),
                sock_read=timeout.get("read"),
                connect=timeout.get("pool"),
            ),
            server_hostname=request.extensions.get("sni_hostname"),
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


def _reused() -> bool:
    """The request went out on a pooled connection (no new one was opened for it)."""
    timing = _current.get()
    return timing is not None and timing.sent is not None and timing.started is None


class ProbeClient(httpx.AsyncClient):
    """An AsyncClient whose `send` skips what probes never use: cookies (which would leak between the
    monitors sharing a batch's client), auth flows and event hooks. Redirects go the usual way."""

    def __init__(self, transport: ProbeTransport) -> None:
        super().__init__(
            transport=transport,
            headers={"user-agent": USER_AGENT},
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),  # when following redirects
            trust_env=False,
            follow_redirects=False,
        )
        self.probe_transport = transport

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: httpx.Auth | UseClientDefault | None = httpx.USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        if follow_redirects is True or auth not in (httpx.USE_CLIENT_DEFAULT, None):
            return await super().send(request, stream=stream, auth=auth, follow_redirects=follow_redirects)
        response = await self.probe_transport.handle_async_request(request)
        if not stream:
            try:
                await response.aread()
            except BaseException:
                await response.aclose()
                raise
        return response


def make_client(*, reuse_connections: bool = True) -> httpx.AsyncClient:
    """One client per batch; every request passes its own timeouts."""
    return ProbeClient(ProbeTransport(reuse_connections=reuse_connections))

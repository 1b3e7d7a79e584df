"""Sub-millisecond timers: injected delays must be accurate to well under a millisecond."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import select
import selectors
import sys
import time
from typing import NoReturn

from aiohttp import web

_PR_SET_TIMERSLACK = 29


class PreciseEpollSelector(selectors.EpollSelector):
    """epoll rounds its timeout up to whole milliseconds, making every timer up to 1 ms late.

    Waiting on the epoll fd itself with select() (microsecond timeout) and then harvesting with a
    zero-timeout epoll keeps epoll's scalability with select's resolution.

    It also notes, per socket, when a poll last found it readable, so that a request's delays start
    then rather than when its handler runs (see arrival()).
    """

    def __init__(self) -> None:
        super().__init__()
        self.readable_at: dict[int, float] = {}

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is not None and timeout > 0:
            select.select([self._selector.fileno()], [], [], timeout)
            timeout = 0
        events = super().select(timeout)
        if events:
            now = time.monotonic()  # the event loop's clock
            for key, mask in events:
                if mask & selectors.EVENT_READ:
                    self.readable_at[key.fd] = now
        return events

    def unregister(self, fileobj: selectors.FileDescriptorLike) -> selectors.SelectorKey:
        key = super().unregister(fileobj)
        self.readable_at.pop(key.fd, None)
        return key


def new_event_loop() -> asyncio.AbstractEventLoop:
    """An event loop whose call_at fires within tens of microseconds of its deadline on Linux."""
    if sys.platform != "linux":
        return asyncio.new_event_loop()
    _tighten_timer_slack()
    return asyncio.SelectorEventLoop(PreciseEpollSelector())


def _tighten_timer_slack() -> None:
    # The kernel may defer a wake-up by the thread's timer slack (50 µs by default); 1 ns asks for none.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(_PR_SET_TIMERSLACK, 1, 0, 0, 0)


def arrival(request: web.BaseRequest) -> float:
    """When a poll of the loop found the request's bytes, on the loop clock: delays count from there, not
    from when the loop got round to the handler (after the other callbacks of that poll, which under
    load take milliseconds). A client sends no next request on a connection before this one's reply,
    so the socket's last readable poll is this request's. Without a noting selector: now."""
    loop = asyncio.get_running_loop()
    now = loop.time()
    selector = getattr(loop, "_selector", None)
    sock = request.transport.get_extra_info("socket") if request.transport is not None else None
    if isinstance(selector, PreciseEpollSelector) and sock is not None:
        stamp = selector.readable_at.get(sock.fileno())
        if stamp is not None and stamp <= now:
            return stamp
    return now


async def sleep_until(deadline: float) -> None:
    """Sleep until the loop clock reads `deadline`; absolute deadlines keep request overhead out of delays."""
    loop = asyncio.get_running_loop()
    if deadline <= loop.time():
        return
    future = loop.create_future()
    handle = loop.call_at(deadline, _wake, future)
    try:
        await future
    finally:
        handle.cancel()


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def forever() -> NoReturn:
    """Wait until cancelled (the client hung up or the server is shutting down)."""
    await asyncio.get_running_loop().create_future()
    raise AssertionError("a future nobody resolves resolved")

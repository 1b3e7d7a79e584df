"""Sub-millisecond timers: injected delays must be accurate to well under a millisecond."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import select
import selectors
import sys
from typing import NoReturn

_PR_SET_TIMERSLACK = 29


class PreciseEpollSelector(selectors.EpollSelector):
    """epoll rounds its timeout up to whole milliseconds, making every timer up to 1 ms late.

    Waiting on the epoll fd itself with select() (microsecond timeout) and then harvesting with a
    zero-timeout epoll keeps epoll's scalability with select's resolution.
    """

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is not None and timeout > 0:
            select.select([self._selector.fileno()], [], [], timeout)
            timeout = 0
        return super().select(timeout)


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

"""A link of the status chain: where a stage hands its output to a room it must not import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Link(Generic[P, R]):
    """Called by the stage upstream; connected to the stage downstream by statuspage/pipeline/chain.py.

    Calling a link nobody connected raises: a status change must never be dropped silently.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._consumer: Callable[P, R] | None = None

    def connect(self, consumer: Callable[P, R]) -> None:
        self._consumer = consumer

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if self._consumer is None:
            raise RuntimeError(f"{self.name} is not connected (is statuspage.pipeline in INSTALLED_APPS?)")
        return self._consumer(*args, **kwargs)

"""One named fake provider: its kind, its own port, its standing behaviour, and its HTTP app."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from monitors.fakeprovider import engine, timing, upstream
from monitors.fakeprovider.anthropic import Anthropic
from monitors.fakeprovider.azure import Azure
from monitors.fakeprovider.deepseek import DeepSeek
from monitors.fakeprovider.dialect import Dialect, dumps
from monitors.fakeprovider.faults import Behaviour, Fault, Plan, resolve
from monitors.fakeprovider.gemini import Gemini
from monitors.fakeprovider.openai import OpenAI

KINDS: dict[str, type[Dialect]] = {
    "openai": OpenAI,
    "deepseek": DeepSeek,
    "anthropic": Anthropic,
    "gemini": Gemini,
    "azure": Azure,
}
DEFAULT_API_KEY = "sk-fake"
_HEALTH = dumps({"status": "ok"})
_UNHEALTHY = dumps({"status": "error"})


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    name: str
    kind: str
    port: int  # 0: any free port
    api_key: str = DEFAULT_API_KEY

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown provider kind {self.kind!r}; known: {', '.join(KINDS)}")
        if not self.name or "/" in self.name:
            raise ValueError(f"bad provider name {self.name!r}")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"bad port {self.port} for {self.name}")


class Provider:
    def __init__(self, spec: ProviderSpec, host: str, seed: int | None = None, beat_s: float = 1.0) -> None:
        self.spec = spec
        self.beat_s = beat_s
        self.host = host
        self.port = spec.port
        self.dialect = KINDS[spec.kind]()
        self.behaviour = Behaviour()
        self.rng = random.Random(seed)
        self.upstream_since = datetime.now(UTC)
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def api_key(self) -> str:
        return self.spec.api_key

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def listening(self) -> bool:
        return self._site is not None

    def plan(self, request: web.Request) -> Plan:
        return resolve(self.behaviour, self.rng, request.headers, timing.arrival(request), self.beat_s)

    def claim(self) -> upstream.Claim:
        return upstream.Claim(self.name, self.url, self.behaviour.upstream_status, self.upstream_since)

    async def start(self) -> None:
        # handler_cancellation: a client hanging up ends hang/stall handlers instead of leaking them.
        self._runner = web.AppRunner(
            self._app(), access_log=None, handler_cancellation=True, shutdown_timeout=0.1
        )
        await self._runner.setup()
        await self._listen()

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._site = None

    async def apply(self, behaviour: Behaviour, seed: int | None = None) -> None:
        if seed is not None:
            self.rng.seed(seed)
        if behaviour.upstream_status != self.behaviour.upstream_status:
            self.upstream_since = datetime.now(UTC)
        self.behaviour = behaviour
        if self._runner is None:
            return  # not started: there is no port to open or close yet
        if behaviour.fault is Fault.REFUSE and self.listening:
            await self._refuse()
        elif behaviour.fault is not Fault.REFUSE and not self.listening:
            await self._listen()

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.spec.kind,
            "url": self.url,
            "api_base": self.url + self.dialect.api_prefix,
            "port": self.port,
            "listening": self.listening,
            "behaviour": self.behaviour.as_json(),
        }

    async def _listen(self) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await self._site.start()
        self.port = self._runner.addresses[0][1]  # the real port when the spec said 0

    async def _refuse(self) -> None:
        """Stop listening and drop open connections, as a dead process would: pooled connections fail too."""
        assert self._runner is not None and self._site is not None
        await self._site.stop()
        self._site = None
        if self._runner.server is not None:
            for connection in self._runner.server.connections:
                connection.force_close()

    def _app(self) -> web.Application:
        app = web.Application()
        for path in self.dialect.generate_paths:
            app.router.add_post(path, self._generate)
        for path in self.dialect.models_paths:
            app.router.add_get(path, self._models)
        app.router.add_get("/health", self._health)
        app.router.add_get("/api/v2/{page}.json", self._upstream)
        return app

    async def _generate(self, request: web.Request) -> web.StreamResponse:
        return await engine.generate(request, self)

    async def _models(self, request: web.Request) -> web.StreamResponse:
        return await engine.static(request, self, self.dialect.models(), needs_auth=True)

    async def _health(self, request: web.Request) -> web.StreamResponse:
        return await engine.static(request, self, _HEALTH, needs_auth=False, wrong=_UNHEALTHY)

    async def _upstream(self, request: web.Request) -> web.Response:
        return upstream_page(self, request.match_info["page"])


def upstream_page(provider: Provider, page: str) -> web.Response:
    """Served on the provider's port and mirrored on the control port, which `refuse` leaves up."""
    render = upstream.PAGES.get(page)
    if render is None:
        raise web.HTTPNotFound()
    return web.Response(body=render(provider.claim()), content_type="application/json")

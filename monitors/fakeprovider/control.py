"""The control API: JSON over HTTP on its own port, setting each provider's standing behaviour."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from monitors.fakeprovider.faults import BadSetting, Behaviour, parse_seed
from monitors.fakeprovider.provider import Provider, upstream_page


def app(providers: Mapping[str, Provider]) -> web.Application:
    """Routes (bodies and answers are JSON):

    GET    /health                           {"status": "ok"}
    GET    /providers                        {name: description} for every provider
    GET    /providers/{name}                 one description: kind, url, port, listening, behaviour
    PUT    /providers/{name}                 replace the behaviour; absent fields take their defaults
    PATCH  /providers/{name}                 change only the fields given
    DELETE /providers/{name}/fault           heal: default behaviour, upstream claim kept
    POST   /reset                            every provider back to defaults, upstream claims included
    GET    /upstream/{name}/api/v2/{page}.json   the provider's status page, reachable even under `refuse`
    """
    control = web.Application()
    routes = web.RouteTableDef()

    def provider(request: web.Request) -> Provider:
        found = providers.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound(
                text=_error(f"no provider {request.match_info['name']!r}"), content_type="application/json"
            )
        return found

    @routes.get("/health")
    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    @routes.get("/providers")
    async def list_all(request: web.Request) -> web.Response:
        return web.json_response({name: p.describe() for name, p in providers.items()})

    @routes.get("/providers/{name}")
    async def show(request: web.Request) -> web.Response:
        return web.json_response(provider(request).describe())

    @routes.put("/providers/{name}")
    async def replace(request: web.Request) -> web.Response:
        return await _set(request, provider(request), merge=False)

    @routes.patch("/providers/{name}")
    async def update(request: web.Request) -> web.Response:
        return await _set(request, provider(request), merge=True)

    @routes.delete("/providers/{name}/fault")
    async def heal(request: web.Request) -> web.Response:
        target = provider(request)
        await target.apply(target.behaviour.healed())
        return web.json_response(target.describe())

    @routes.post("/reset")
    async def reset(request: web.Request) -> web.Response:
        for target in providers.values():
            await target.apply(Behaviour())
        return web.json_response({name: p.describe() for name, p in providers.items()})

    @routes.get("/upstream/{name}/api/v2/{page}.json")
    async def mirror(request: web.Request) -> web.Response:
        return upstream_page(provider(request), request.match_info["page"])

    control.add_routes(routes)
    return control


async def _set(request: web.Request, target: Provider, *, merge: bool) -> web.Response:
    try:
        data: Any = json.loads(await request.read() or b"{}")
        behaviour = Behaviour.from_json(data, target.behaviour if merge else None)
        seed = parse_seed(data)
    except (ValueError, BadSetting) as exc:
        return web.Response(status=400, text=_error(str(exc)), content_type="application/json")
    await target.apply(behaviour, seed)
    return web.json_response(target.describe())


def _error(message: str) -> str:
    return json.dumps({"error": message})

"""What the CDN or a dying server sends before a request reaches the provider's application."""

from __future__ import annotations

import asyncio
import secrets
import socket
import struct

from aiohttp import web

from monitors.fakeprovider.timing import forever

_CLOUDFLARE_PAGE = """<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<!--[if gt IE 8]><!--> <html class="no-js" lang="en-US"> <!--<![endif]-->
<head>
<title>{host} | {code}: {title}</title>
<meta charset="UTF-8" />
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<meta name="robots" content="noindex, nofollow" />
<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/cf.errors.css" />
</head>
<body>
<div id="cf-wrapper">
<div id="cf-error-details" class="cf-error-details-wrapper">
<div class="cf-wrapper cf-header cf-error-overview">
<h1><span class="cf-error-type" data-translate="error">Error</span>
<span class="cf-error-code">{code}</span></h1>
<h2 class="cf-subheadline" data-translate="error_desc">{title}</h2>
</div>
<div class="cf-section cf-wrapper"><p>The web server reported a bad gateway error.</p></div>
<div class="cf-error-footer cf-wrapper w-240 lg:w-full py-10 sm:py-4 sm:px-8 mx-auto text-center">
<p class="text-13"><span class="cf-footer-item sm:block sm:mb-1">
Cloudflare Ray ID: <strong>{ray}</strong></span>
</p></div>
</div>
</div>
</body>
</html>
"""


def cloudflare_headers() -> dict[str, str]:
    return {"Server": "cloudflare", "CF-RAY": f"{secrets.token_hex(8)}-SJC"}


def bad_gateway_html(host: str) -> web.Response:
    headers = cloudflare_headers()
    ray = headers["CF-RAY"].split("-")[0]
    page = _CLOUDFLARE_PAGE.format(host=host, code=502, title="Bad gateway", ray=ray)
    return web.Response(status=502, text=page, content_type="text/html", charset="UTF-8", headers=headers)


def cdn_520_empty() -> web.Response:
    return web.Response(status=520, headers=cloudflare_headers())


async def slowloris(request: web.Request, content_type: str, interval_s: float) -> web.StreamResponse:
    """A 200 that sends one byte per interval forever: every byte-idle timeout is satisfied."""
    response = web.StreamResponse(headers={"Content-Type": content_type})
    await response.prepare(request)
    while True:
        await asyncio.sleep(interval_s)
        await response.write(b" ")


async def reset(request: web.Request) -> web.StreamResponse:
    """Abort with a TCP RST (SO_LINGER 0), as a crashing process or a load balancer would."""
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    # Losing the connection cancels this handler (handler_cancellation), so nothing is ever sent.
    await forever()

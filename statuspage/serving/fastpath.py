"""A WSGI layer that answers GET/HEAD for snapshot paths straight from memory, before Django.

The page, the live partial, the v2 documents, feeds and badges are the same bytes for every reader,
so a request for them needs no middleware, URL resolving or response object: just the host check
Django would do, the ETag and encoding choice, and the bytes. Everything else goes to Django.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.http.request import split_domain_port, validate_host

from statuspage.serving import responses as serving
from statuspage.serving.artifacts import respond
from statuspage.serving.snapshot import Unavailable, store

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

REASONS = {200: "200 OK", 304: "304 Not Modified"}
_HOSTS_REMEMBERED = 64


class SnapshotFastPath:
    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self._hosts: dict[str, bool] = {}

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        if (method == "GET" or method == "HEAD") and not environ.get("QUERY_STRING"):
            snapshot = store.snapshot
            if snapshot is not None and environ.get("PATH_INFO", "") in snapshot.artifacts:
                return self._serve(environ, start_response, method)
        return self.app(environ, start_response)

    def _serve(self, environ: Environ, start_response: StartResponse, method: str) -> Iterable[bytes]:
        if not self._host_allowed(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")):
            return self.app(environ, start_response)  # Django answers 400, as it would anyway
        if store.due():
            close_old_connections()
        try:
            snapshot = store.current()
        except Unavailable:
            return self.app(environ, start_response)
        artifact = snapshot.artifacts.get(environ["PATH_INFO"])
        if artifact is None:
            return self.app(environ, start_response)
        age, notice = serving.age_and_notice(snapshot)
        status, headers, body = respond(
            artifact,
            if_none_match=environ.get("HTTP_IF_NONE_MATCH", ""),
            accept_encoding=environ.get("HTTP_ACCEPT_ENCODING", ""),
            age=age,
            stale_notice=notice,
        )
        start_response(REASONS[status], headers)
        return [b"" if method == "HEAD" else body]

    def _host_allowed(self, host: str) -> bool:
        known = self._hosts.get(host)
        if known is None:
            domain, _ = split_domain_port(host)
            known = bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)
            if len(self._hosts) < _HOSTS_REMEMBERED:
                self._hosts[host] = known
        return known

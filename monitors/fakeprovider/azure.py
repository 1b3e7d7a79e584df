"""Azure OpenAI (v1 API): OpenAI's wire format, the key in an `api-key` header (unverified: no reference)."""

from __future__ import annotations

from aiohttp import web

from monitors.fakeprovider.dialect import ErrorReply
from monitors.fakeprovider.openai import OpenAI


class Azure(OpenAI):
    kind = "azure"
    host = "example.openai.azure.com"
    model_ids = ("gpt-4o-mini",)  # deployment names: the operator's own
    owned_by = "system"

    def authenticate(self, request: web.Request, api_key: str, rid: str) -> ErrorReply | None:
        key = request.headers.get("api-key", "").strip()
        if not key:
            return ErrorReply(401, self.missing_key_body())
        if key != api_key:
            return ErrorReply(401, self.wrong_key_body(key))
        return None

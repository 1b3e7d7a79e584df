"""Model-list endpoints (no tokens spent): reachable, authorised, and listing the model we expect."""

from __future__ import annotations

import json
from typing import Any

import httpx

from monitors.classify import Verdict, classify_error_payload, has_error_payload
from monitors.outcomes import Outcome
from monitors.probes import chat
from monitors.probes.base import Observation, ProbeSpec, misconfigured
from monitors.probes.exchange import MAX_BODY_BYTES, MODEL_LIST, Call, Exchange, endpoint, perform

# flavour -> (path, list key, id key); the page sizes ask for everything so the expected model is seen.
_SHAPES = {
    "openai": ("/models", "data", "id"),
    "anthropic": ("/v1/models?limit=1000", "data", "id"),
    "gemini": ("/models?pageSize=1000", "models", "name"),
}


async def run(spec: ProbeSpec, client: httpx.AsyncClient) -> Observation:
    """spec.url: the API root, as for the chat kinds. spec.options: `flavour` ("openai", the default,
    "anthropic" or "gemini"), `expect_model` (default spec.model; empty: any non-empty list passes).
    """
    flavour = spec.options.get("flavour", "openai")
    if flavour not in _SHAPES:
        return misconfigured(spec, f"unknown models flavour {flavour!r}; known: {', '.join(_SHAPES)}")
    path, list_key, id_key = _SHAPES[flavour]
    headers = {**chat.auth_headers(spec.options.get("auth") or flavour, spec.api_key), **spec.headers}
    if flavour == "anthropic":
        headers.setdefault("anthropic-version", "2023-06-01")
    expected = spec.options.get("expect_model") or spec.model

    async def handle(ex: Exchange, response: httpx.Response) -> Verdict:
        if not response.is_success:
            return await ex.error_verdict(response)
        body = await ex.read_body(response)
        if ex.over_cap:
            return Verdict(Outcome.MALFORMED, "too_large", f"model list larger than {MAX_BODY_BYTES} bytes")
        if not body.strip():
            return Verdict(Outcome.EMPTY_RESPONSE, "empty", "empty body")
        try:
            data = json.loads(body)
            if has_error_payload(data):
                return classify_error_payload(data)
            ids = _model_ids(data, list_key, id_key)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            return Verdict(Outcome.MALFORMED, "unexpected_shape", f"not a {flavour} model list: {exc}")
        ex.obs.details["models"] = len(ids)
        if not ids:
            return Verdict(Outcome.EMPTY_RESPONSE, "empty", "the model list is empty")
        if expected and expected.removeprefix("models/") not in ids:
            return Verdict(
                Outcome.CONTENT_CHECK_FAILED,
                "model_missing",
                f"models ({len(ids)} listed) contains {json.dumps(expected)}",
            )
        return Verdict(Outcome.OK)

    call = Call("GET", endpoint(spec.url, path), headers=headers)
    return await perform(spec, client, call, handle, MODEL_LIST)


def _model_ids(data: Any, list_key: str, id_key: str) -> set[str]:
    items = data[list_key]
    if not isinstance(items, list):
        raise ValueError(f"{list_key} is not a list")
    return {str(item[id_key]).removeprefix("models/") for item in items}

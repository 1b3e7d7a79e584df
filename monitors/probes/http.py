"""Plain HTTP with conditions as data, failing readably like gatus: `status (500) == 200`."""

from __future__ import annotations

import httpx

from monitors import conditions
from monitors.classify import Verdict, classify_response
from monitors.outcomes import Outcome
from monitors.probes.base import Observation, ProbeSpec, misconfigured
from monitors.probes.exchange import DOCUMENT, Call, Exchange, perform

DEFAULT = [conditions.Condition("status", "<", 400)]


async def run(spec: ProbeSpec, client: httpx.AsyncClient) -> Observation:
    """spec.options: `conditions` (default: status < 400), `method` (GET), `body` (JSON to send),
    `follow_redirects` (false); spec.expect_text, when set, must appear in the body (any case).

    The outcome of failed conditions: a failed status condition on an error status takes that status's
    own class (500 -> server_error, 429 -> rate_limited...); latency alone -> slow; anything else ->
    content_check_failed. The message lists every failure, joined with "; ".
    """
    try:
        checks = conditions.parse(spec.options["conditions"]) if "conditions" in spec.options else DEFAULT
    except ValueError as exc:
        return misconfigured(spec, str(exc))

    async def handle(ex: Exchange, response: httpx.Response) -> Verdict:
        body = await ex.read_body(response)
        if ex.over_cap:
            ex.obs.details["body_truncated"] = True
        seen = conditions.Response(
            status=response.status_code,
            latency_ms=ex.ms(ex.done_at or ex.t_send),
            headers=response.headers,
            body=body.decode(errors="replace"),
        )
        found = conditions.evaluate(checks, seen)
        failures = [f.text for f in found]
        fields = {f.condition.field for f in found}
        if spec.expect_text and spec.expect_text.lower() not in seen.body.lower():
            failures.append(f'body contains "{spec.expect_text}"')
            fields.add("body")
        if not failures:
            return Verdict(Outcome.OK)
        message = "; ".join(failures)
        if "status" in fields and response.status_code >= 400:
            return classify_response(response.status_code, response.headers, body)._replace(message=message)
        if fields == {"latency"}:
            return Verdict(Outcome.SLOW, "", message)
        return Verdict(Outcome.CONTENT_CHECK_FAILED, "condition", message)

    call = Call(
        spec.options.get("method", "GET"),
        spec.url,
        headers=spec.headers,
        json=spec.options.get("body"),
        follow_redirects=bool(spec.options.get("follow_redirects", False)),
    )
    return await perform(spec, client, call, handle, DOCUMENT)

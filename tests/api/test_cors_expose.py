"""Cross-origin scripts may read the headers that matter to a poller: staleness, ETag, Retry-After."""

import pytest


def exposed(response) -> set[str]:
    return {name.strip().lower() for name in response["Access-Control-Expose-Headers"].split(",")}


PATHS = ["/api/v2/summary.json", "/api/failover.json?capability=chat", "/api/nothing"]


@pytest.mark.parametrize("path", PATHS)
def test_json_answers_expose_the_snapshot_age_etag_and_retry_after(client, path):
    response = client.get(path, headers={"Origin": "https://dashboard.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert {"x-snapshot-age", "etag", "retry-after"} <= exposed(response)

"""The JSON API is read-only: any other method is a JSON 405 naming the allowed ones, never a CSRF page."""

import pytest
from django.test import Client

WRITES = ["post", "put", "patch", "delete"]


@pytest.fixture
def browser_like() -> Client:
    # The CSRF check is on, as for a real client (the test client turns it off by default).
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize("method", WRITES)
@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/api/v2/summary.json", "GET, HEAD, OPTIONS"),
        ("/api/v2/incidents/unresolved.json", "GET, HEAD, OPTIONS"),
        ("/api/failover.json", "GET, HEAD, OPTIONS"),
        ("/api/openapi.json", "GET, HEAD"),
    ],
)
def test_writes_are_a_json_405_with_allow(browser_like, db, method, path, allow):
    response = getattr(browser_like, method)(path, data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == allow
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == {
        "status": 405,
        "message": f"This address is read-only: it answers {allow}.",
    }


def test_a_write_to_metrics_is_a_405_page(browser_like, db):
    response = browser_like.post("/metrics")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"


def test_a_write_to_an_unknown_api_path_is_a_json_404(browser_like, db):
    response = browser_like.post("/api/v2/nothing.json")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_reads_and_preflight_still_answer(browser_like, db):
    assert browser_like.get("/api/v2/summary.json").status_code == 200
    assert browser_like.head("/api/v2/summary.json").status_code == 200
    preflight = browser_like.options("/api/v2/summary.json")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"

"""Unknown paths and bad query strings get clean 4xx pages: never a 500, never a stack trace."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/nothing-here", 404),
        ("/incidents/UPPERCASE123", 404),
        ("/incidents/abcdefabcdef", 404),
        ("/incidents/%00%ff", 404),
        ("/history?page=0", 400),
        ("/history?page=-1", 400),
        ("/history?page=abc", 400),
        ("/history?page=99999999999999999999", 400),
        ("/history?page=%C2%B2", 400),
        ("/history?page=" + "9" * 5000, 400),
        ("/api/failover.json?capability=teleport", 400),
        ("/api/failover.json?family=%3Cscript%3E", 400),
        ("/static/../settings.py", 404),
    ],
)
def test_bad_requests_get_a_clean_page(client, db, path, status):
    response = client.get(path)
    assert response.status_code == status
    body = response.content.decode()
    assert "Traceback" not in body and 'File "' not in body


def test_html_errors_are_pages_and_api_errors_are_json(client, db):
    page = client.get("/nothing-here")
    assert page["Content-Type"].startswith("text/html") and "Page not found" in page.content.decode()
    api = client.get("/api/failover.json?capability=teleport")
    assert api.json()["error"]["status"] == 400 and "known: chat" in api.json()["error"]["message"]


def test_only_get_and_head_are_answered_on_pages(client, db):
    assert client.post("/").status_code == 405
    assert client.delete("/history").status_code == 405
    assert client.head("/").status_code == 200


def test_an_unknown_host_is_refused(client, db):
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400

"""The OpenAPI description covers every public JSON endpoint and resolves every reference."""

from __future__ import annotations

import json
import re

from openapi_spec_validator import OpenAPIV31SpecValidator

from statuspage.readmodel.v2 import PATHS


def test_every_endpoint_is_described(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        *PATHS,
        "/api/failover.json",
        "/api/components/{id}/performance.json",
        "/metrics",
    }


def test_every_reference_points_at_a_schema(client, db):
    document = client.get("/api/openapi.json").json()
    text = json.dumps(document)
    for name in re.findall(r'"#/components/schemas/([A-Za-z]+)"', text):
        assert name in document["components"]["schemas"], name


def test_the_document_is_valid_openapi_3_1_by_openapi_spec_validator(client, db):
    document = client.get("/api/openapi.json").json()
    OpenAPIV31SpecValidator(document).validate()  # raises OpenAPIValidationError naming the violation

"""The API describes itself: OpenAPI at /api/v1/openapi.json and interactive docs at /api/v1/docs."""

import pytest
from tests.api.conftest import registration


@pytest.mark.django_db
def test_the_openapi_document_lists_every_operation_with_bearer_auth_and_problem_errors(client):
    document = client.get("/api/v1/openapi.json").json()
    operations = {
        (path, method): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }
    assert set(operations) == {
        ("/api/v1/participants", "post"),
        ("/api/v1/participants/status", "post"),
        ("/api/v1/payments", "post"),
        ("/api/v1/deposits", "post"),
        ("/api/v1/batch", "post"),
        ("/api/v1/sync", "post"),
        ("/api/v1/statements/{day}", "get"),
        ("/api/v1/employers", "post"),
        ("/api/v1/claims", "post"),
        ("/api/v1/claims/{number}", "get"),
        ("/api/v1/claims/{number}/documents", "post"),
        ("/api/v1/channel/inquiry", "post"),
        ("/api/v1/channel/payments", "post"),
        ("/api/v1/channel/reversals", "post"),
    }
    schemes = document["components"]["securitySchemes"]
    assert schemes["ApiKeyAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["ChannelSignature"] == {"type": "apiKey", "in": "header", "name": "X-Jaring-Signature"}
    for (path, _method), operation in operations.items():
        scheme = "ChannelSignature" if path.startswith("/api/v1/channel/") else "ApiKeyAuth"
        assert operation["security"] == [{scheme: []}]
        for status, answer in operation["responses"].items():
            media_type = "application/problem+json" if int(status) >= 400 else "application/json"
            assert list(answer["content"]) == [media_type], (operation["operationId"], status)
    header = operations[("/api/v1/payments", "post")]["parameters"][0]
    assert header["in"] == "header" and header["name"] == "Idempotency-Key" and header["required"]


@pytest.mark.django_db
def test_the_interactive_docs_are_served_without_a_cdn(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    text = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in text
    assert "cdn." not in text


def test_control_characters_are_refused_per_field(api):
    response = api.post("participants", registration(name="Budi\x00Santoso"))
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["name"]

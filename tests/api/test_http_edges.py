"""Every answer under /api/ is the envelope, including those Django gives outside the views (a Host it
does not serve); API answers are never cached by browsers or proxies; the public schema is generated once."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from beel.api.views import SchemaView
from tests.envelope import assert_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/v1/customers", "/api/v1/customers/bulk?ids=a,b", "/api/nowhere"])
def test_a_host_not_in_allowed_hosts_gets_the_envelope(api, settings, debug, path):
    settings.DEBUG = debug
    response = api.get(path, HTTP_HOST="evil.example")
    error = assert_error(response, 400, "BAD_REQUEST")
    assert error["message"] == "Bad Request"
    assert response["Content-Type"] == "application/json"
    assert response.json()["meta"]["request_id"] == response["X-Request-ID"]


def test_outside_the_api_django_answers_a_bad_host_as_it_always_did(client):
    response = client.get("/admin/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert not response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/customers", 200),
        ("get", "/api/v1/customers/not-a-uuid", 400),
        ("get", "/api/v1/invoices", 200),
        ("get", "/api/nowhere", 404),
    ],
)
def test_api_answers_may_not_be_stored_by_any_cache(api, method, path, status):
    response = getattr(api, method)(path)
    assert response.status_code == status
    assert response["Cache-Control"] == "no-store"


def test_an_unauthenticated_answer_is_not_stored_either(anonymous_client):
    response = anonymous_client.get("/api/v1/customers")
    assert response.status_code == 401
    assert response["Cache-Control"] == "no-store"


def test_the_public_schema_is_generated_once_and_may_be_cached(anonymous_client, monkeypatch):
    SchemaView.rendered.clear()
    generated = []
    original = SchemaGenerator.get_schema

    def counting_get_schema(self, *args, **kwargs):
        generated.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting_get_schema)
    responses = [anonymous_client.get("/api/v1/schema?format=json") for _ in range(3)]
    assert [response.status_code for response in responses] == [200, 200, 200]
    assert len(generated) == 1
    assert responses[0].content == responses[2].content
    assert responses[2]["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert responses[2]["Cache-Control"] == "public, max-age=3600"
    yaml = anonymous_client.get("/api/v1/schema")
    assert yaml.status_code == 200 and yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert len(generated) == 2  # another format is rendered once too

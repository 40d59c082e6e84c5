"""Every response under /api/v1/ wears the documented envelope, errors included."""

import logging
import uuid

import pytest

from customers import views as customer_views
from tests.envelope import REQUEST_ID, assert_error, assert_success
from tests.factories import APIKeyFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_success_response_is_wrapped_with_data_and_meta(api, account):
    CustomerFactory(account=account)
    data = assert_success(api.get("/api/v1/customers"))
    assert len(data["customers"]) == 1


def test_missing_credentials_is_401_envelope(anonymous_client):
    error = assert_error(anonymous_client.get("/api/v1/customers"), 401, "UNAUTHORIZED")
    assert error["message"] == "Authentication required"


def test_missing_scope_is_403_envelope(client_for, account):
    key = APIKeyFactory(account=account, scopes=["invoices:read"])
    assert_error(client_for(key).get("/api/v1/customers"), 403, "INSUFFICIENT_SCOPE")


@pytest.mark.parametrize("method", ["get", "post", "delete", "patch", "put"])
def test_unknown_route_is_404_envelope_for_every_method(api, method):
    assert_error(getattr(api, method)("/api/v1/no-such-thing"), 404, "ENDPOINT_NOT_FOUND")


def test_unknown_route_is_404_envelope_without_credentials(anonymous_client):
    assert_error(anonymous_client.get("/api/v2/customers"), 404, "ENDPOINT_NOT_FOUND")


def test_unknown_customer_is_404_envelope(api):
    error = assert_error(api.get(f"/api/v1/customers/{uuid.uuid4()}"), 404, "CLIENT_NOT_FOUND")
    assert "details" not in error


def test_wrong_method_is_405_envelope(api):
    error = assert_error(api.put("/api/v1/customers"), 405, "METHOD_NOT_ALLOWED")
    assert "PUT" in error["message"]


def test_malformed_json_is_400_invalid_json_format_with_field_deserialization_details(api):
    response = api.post("/api/v1/customers", data='{"legal_name": ', content_type="application/json")
    error = assert_error(response, 400, "INVALID_JSON_FORMAT")
    assert error["details"] == {"field": "body", "invalid_value": '{"legal_name": ', "expected_format": "JSON"}


def test_a_body_that_is_not_json_is_invalid_json_format_on_every_write(api, account):
    customer = CustomerFactory(account=account)
    for method, path in (("post", "/api/v1/customers"), ("put", f"/api/v1/customers/{customer.pk}")):
        response = getattr(api, method)(path, data="legal_name=x", content_type="application/json")
        assert assert_error(response, 400, "INVALID_JSON_FORMAT")["details"]["field"] == "body"


def test_wrong_content_type_is_415_envelope(api):
    response = api.post("/api/v1/customers", data="legal_name=x", content_type="text/plain")
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_validation_error_carries_details_per_field(api):
    response = api.post("/api/v1/customers", data={"nif": "12345678Z"}, format="json")
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert error["message"] == "The provided data is not valid"
    assert error["details"] == {"legal_name": "This field is required."}


def test_unhandled_exception_is_500_envelope_logged_with_request_id(api, monkeypatch, caplog):
    def explode(**kwargs):
        raise RuntimeError("database on fire: secret detail")

    monkeypatch.setattr(customer_views.services, "get_customer", explode)
    with caplog.at_level(logging.ERROR, logger="beel.api"):
        response = api.get(f"/api/v1/customers/{uuid.uuid4()}")
    error = assert_error(response, 500, "INTERNAL_ERROR")
    assert error["message"] == "Internal server error"
    assert "secret detail" not in response.content.decode()
    request_id = response.json()["meta"]["request_id"]
    logged = [record for record in caplog.records if record.name == "beel.api"]
    assert logged and logged[-1].exc_info is not None
    assert getattr(logged[-1], "request_id", None) == request_id


def test_well_formed_incoming_request_id_is_reused(api):
    incoming = uuid.uuid4().hex
    response = api.get("/api/v1/customers", HTTP_X_REQUEST_ID=incoming.upper())
    assert response["X-Request-ID"] == incoming
    assert response.json()["meta"]["request_id"] == incoming


@pytest.mark.parametrize("incoming", ["not-an-id", "x" * 32, "'; DROP TABLE", "a" * 33])
def test_malformed_incoming_request_id_is_replaced(api, incoming):
    response = api.get("/api/v1/customers", HTTP_X_REQUEST_ID=incoming)
    assert REQUEST_ID.match(response["X-Request-ID"])
    assert response["X-Request-ID"] != incoming.lower()


def test_error_envelope_keeps_the_request_id_header(anonymous_client):
    incoming = uuid.uuid4().hex
    response = anonymous_client.get("/api/v1/customers", HTTP_X_REQUEST_ID=incoming)
    assert response.status_code == 401
    assert response["X-Request-ID"] == incoming
    assert response.json()["meta"]["request_id"] == incoming


def test_the_compact_body_says_what_the_standard_encoder_says(api, account):
    """Bodies are written by orjson; an `indent` asked for in Accept goes through DRF's encoder. Both must
    carry the same values: times as the API formats them, accents as UTF-8, nested objects, decimals."""
    metadata = {"crm": "42", "región": "Castilla", "nota": "línea\u2028párrafo\u2029fin"}
    CustomerFactory(account=account, legal_name="Ávila Núñez S.L.", metadata=metadata)
    compact = api.get("/api/v1/customers", HTTP_ACCEPT="application/json")
    indented = api.get("/api/v1/customers", HTTP_ACCEPT="application/json; indent=2")
    assert b"\n" not in compact.content and b"\n  " in indented.content
    assert "Ávila Núñez S.L.".encode() in compact.content  # not \u-escaped
    assert rb"l\u00ednea" not in compact.content and rb"\u2028p" in compact.content  # escaped as DRF does
    assert compact.json()["data"] == indented.json()["data"]
    customer = compact.json()["data"]["customers"][0]
    assert customer["created_at"].endswith("Z") and customer["metadata"] == metadata

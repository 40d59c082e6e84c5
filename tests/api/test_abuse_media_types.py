"""Abuse of the API through its media types: wrong Content-Type on writes, Accept headers without JSON, and
browser Accept headers that must still get the JSON envelope, never HTML.

Every test checks the status, the envelope and what the database holds afterwards."""

import json
import uuid
from urllib.parse import urlencode

import pytest
from django.test.client import encode_multipart

from customers import views as customer_views
from tests.api.abuse import (
    BULK,
    CUSTOMERS,
    INVOICES,
    customer_url,
    database_state,
    valid_customer_body,
)
from tests.envelope import assert_error, assert_success
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def wrong_content_type_request(content_type: str, body: dict) -> dict:
    """Keyword arguments for APIClient.generic sending `body` as `content_type`."""
    flat = {key: value for key, value in body.items() if not isinstance(value, dict)}
    if content_type == "multipart/form-data":
        boundary = "BoUnDaRy"
        data = encode_multipart(boundary, flat)
        return {"data": data, "content_type": f"multipart/form-data; boundary={boundary}"}
    if content_type == "application/x-www-form-urlencoded":
        return {"data": urlencode(flat), "content_type": content_type}
    if content_type == "application/xml":
        fields = "".join(f"<{key}>{value}</{key}>" for key, value in flat.items())
        return {"data": f"<request>{fields}</request>", "content_type": content_type}
    # text/plain, octet-stream or no type at all, with a perfectly good JSON document as the body.
    return {"data": json.dumps(body), "content_type": content_type}


WRONG_CONTENT_TYPES = [
    "text/plain",
    "application/xml",
    "multipart/form-data",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "",
]


@pytest.mark.parametrize("content_type", WRONG_CONTENT_TYPES)
@pytest.mark.parametrize("endpoint", ["create customer", "update customer", "create invoice"])
def test_wrong_content_type_on_a_write_is_unsupported_media_type_and_writes_nothing(
    api, account, content_type, endpoint
):
    customer = CustomerFactory(account=account)
    if endpoint == "create customer":
        method, path, body = "POST", CUSTOMERS, valid_customer_body()
    elif endpoint == "update customer":
        method, path, body = "PATCH", customer_url(customer.pk), {"legal_name": "Cambiado SL"}
    else:
        method, path, body = "POST", INVOICES, {"customer_id": str(customer.pk)}
    before = database_state()

    response = api.generic(method, path, **wrong_content_type_request(content_type, body))

    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert database_state() == before


@pytest.mark.parametrize(
    "accept",
    [
        "text/html",
        "application/xml",
        "text/html, application/xhtml+xml, application/xml;q=0.9",
        "image/png",
        # JSON refused by name, or everything refused: q=0 means "not acceptable" (RFC 9110, 12.4.2)
        "application/json;q=0",
        "application/json;q=0, */*",
        "image/*, */*;q=0",
    ],
)
@pytest.mark.parametrize(
    "request_kind",
    [
        "list",
        "detail",
        "create",
        "bulk",
        "invoices",
        "unknown route",
        "no credentials",
        "unknown customer",
        "schema",
    ],
)
def test_accept_without_json_gets_406_in_the_envelope_never_html_and_writes_nothing(
    api, anonymous_client, account, accept, request_kind
):
    if request_kind == "schema" and accept == "application/json;q=0, */*":
        pytest.skip("the document's own type is application/vnd.oai.openapi+json, which */* accepts")
    customer = CustomerFactory(account=account)
    calls = {
        "list": lambda: api.get(CUSTOMERS, HTTP_ACCEPT=accept),
        "detail": lambda: api.get(customer_url(customer.pk), HTTP_ACCEPT=accept),
        "create": lambda: api.post(CUSTOMERS, valid_customer_body(), format="json", HTTP_ACCEPT=accept),
        "bulk": lambda: api.delete(f"{BULK}?ids={customer.pk}", HTTP_ACCEPT=accept),
        "invoices": lambda: api.get(INVOICES, HTTP_ACCEPT=accept),
        "unknown route": lambda: api.get("/api/v1/no-such-thing", HTTP_ACCEPT=accept),
        "no credentials": lambda: anonymous_client.get(CUSTOMERS, HTTP_ACCEPT=accept),
        "unknown customer": lambda: api.get(customer_url(uuid.uuid4()), HTTP_ACCEPT=accept),
        "schema": lambda: anonymous_client.get("/api/v1/schema", HTTP_ACCEPT=accept),
    }
    before = database_state()

    response = calls[request_kind]()

    assert_error(response, 406, "NOT_ACCEPTABLE")
    assert database_state() == before


@pytest.mark.parametrize(
    "accept", ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "*/*", "application/*"]
)
def test_browser_accept_header_with_a_wildcard_gets_json(api, account, accept):
    CustomerFactory(account=account)

    data = assert_success(api.get(CUSTOMERS, HTTP_ACCEPT=accept))

    assert len(data["customers"]) == 1


@pytest.mark.parametrize("accept", ["", " ", ",,,", "application/json;q=0.001", "application/json;q=abc"])
def test_an_accept_naming_nothing_or_json_at_any_quality_gets_json(api, account, accept):
    CustomerFactory(account=account)

    data = assert_success(api.get(CUSTOMERS, HTTP_ACCEPT=accept))

    assert len(data["customers"]) == 1


def test_accept_html_on_a_refused_oversized_query_still_gets_json(api, account):
    response = api.get(f"{CUSTOMERS}?search={'a' * 9000}", HTTP_ACCEPT="text/html")

    assert_error(response, 414, "URI_TOO_LONG")


def test_accept_html_on_an_unhandled_error_still_gets_json_not_a_debug_page(api, account, monkeypatch, settings):
    settings.DEBUG = True

    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(customer_views.services, "get_customer", explode)
    response = api.get(customer_url(uuid.uuid4()), HTTP_ACCEPT="application/json, text/html")

    assert_error(response, 500, "INTERNAL_ERROR")

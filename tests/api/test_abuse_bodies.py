"""Abuse of the API through request bodies: bodies over the size limit and broken Content-Length headers.

Every test checks the status, the envelope and what the database holds afterwards."""

import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.models import Customer
from tests.api.abuse import (
    CUSTOMERS,
    INVOICES,
    assert_not_server_error,
    customer_url,
    database_state,
    valid_customer_body,
)
from tests.envelope import assert_error, assert_success
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_body_over_two_mebibytes_by_default_is_too_large_with_both_sizes_and_writes_nothing(api, account):
    # BeeL 1.9.0 takes bodies up to 2 MB: so does beel, and past it answers as BeeL does.
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2 * 1024 * 1024
    body = json.dumps(valid_customer_body(legal_name="x" * (2 * 1024 * 1024)))
    before = database_state()

    error = assert_error(api.post(CUSTOMERS, body, content_type="application/json"), 413, "REQUEST_BODY_TOO_LARGE")

    assert str(2 * 1024 * 1024) in error["message"]
    assert error["details"] == {"max_size_bytes": 2 * 1024 * 1024, "declared_size_bytes": len(body.encode())}
    assert database_state() == before


def test_a_body_between_one_and_two_mebibytes_is_read(api, account):
    body = json.dumps(valid_customer_body(notes="n" * (1024 * 1024 + 10)))

    response = api.post(CUSTOMERS, body, content_type="application/json")

    assert response.status_code != 413, response.content[:300]


@pytest.mark.parametrize("method", ["post", "patch"])
def test_body_over_a_lowered_limit_is_payload_too_large_on_every_write(api, account, settings, method):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 512
    customer = CustomerFactory(account=account)
    body = json.dumps(valid_customer_body(legal_name="y" * 600))
    before = database_state()

    path = CUSTOMERS if method == "post" else customer_url(customer.pk)
    response = getattr(api, method)(path, body, content_type="application/json")

    error = assert_error(response, 413, "REQUEST_BODY_TOO_LARGE")
    assert "512" in error["message"]
    assert database_state() == before


def test_invoice_body_over_the_limit_is_payload_too_large_and_numbers_nothing(api, account, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 256
    customer = CustomerFactory(account=account)
    body = json.dumps({"customer_id": str(customer.pk), "series": "A", "padding": " " * 300})
    before = database_state()

    assert_error(api.post(INVOICES, body, content_type="application/json"), 413, "REQUEST_BODY_TOO_LARGE")

    assert database_state() == before


def test_body_exactly_at_the_limit_is_read(api, account, settings):
    body = json.dumps(valid_customer_body())
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(body)

    assert_success(api.post(CUSTOMERS, body, content_type="application/json"), 201)
    assert Customer.objects.filter(account=account, nif="12345678Z").count() == 1


def test_payload_too_large_is_answered_before_authentication(anonymous_client, account, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64
    before = database_state()

    response = anonymous_client.post(CUSTOMERS, json.dumps({"legal_name": "z" * 100}), content_type="application/json")

    assert_error(response, 413, "REQUEST_BODY_TOO_LARGE")
    assert database_state() == before


@pytest.mark.parametrize("content_length", ["abc", "12abc", "1.5", "-1", "0x10", " ", "\uff11\uff12"])
def test_non_numeric_content_length_is_never_a_server_error_and_writes_nothing(api, account, content_length):
    before = database_state()
    body = json.dumps(valid_customer_body())

    response = api.post(CUSTOMERS, body, content_type="application/json", CONTENT_LENGTH=content_length)

    assert_not_server_error(response)
    assert response.status_code == 400
    assert database_state() == before


def test_content_length_beyond_any_integer_type_is_payload_too_large(api, account):
    before = database_state()

    response = api.post(CUSTOMERS, "{}", content_type="application/json", CONTENT_LENGTH="9" * 40)

    assert_error(response, 413, "REQUEST_BODY_TOO_LARGE")
    assert database_state() == before


def test_an_upload_of_two_files_is_a_bad_request_and_imports_nothing(api, account):
    """Every upload the service takes is one CSV: DATA_UPLOAD_MAX_NUMBER_FILES is 1, not Django's 100."""
    csv = "Razón social;NIF\r\nFerretería Núñez SL;A58818501\r\n".encode()
    files = {name: SimpleUploadedFile(f"{name}.csv", csv, content_type="text/csv") for name in ("file", "other")}
    before = database_state()

    error = assert_error(
        api.post("/api/v1/customers/import-csv-preview?dry_run=false", files, format="multipart"), 400, "BAD_REQUEST"
    )

    assert error["message"] == "An upload takes at most 1 file"
    assert database_state() == before


def test_an_admin_form_past_the_upload_limit_is_refused_before_it_is_parsed(client, settings):
    """Outside /api/ the CSRF check parses a form before anyone logs in: its size is bounded too."""
    body = b"x" * (settings.MAX_UPLOAD_BODY_SIZE + 1)

    response = client.post("/admin/login/", body, content_type="multipart/form-data; boundary=x")

    assert response.status_code == 413
    assert response.content == b"Request body too large"

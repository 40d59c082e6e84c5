"""Every documented answer of every shared flat route validates against its 1.9.0 response schema.

Each test drives beel through HTTP into one answer of one operation (F1..F11 of
../shared/spec/beel-customers-1.9.0.md) and validates the body, and the headers the contract names, against
the schema transcribed in tests/contract/schemas.py. The seed operations (list, DELETE one, DELETE bulk) are
held to their seed pages.
"""

import uuid

import pytest

from customers.models import Customer
from tests.clients import bearer
from tests.contract import schemas
from tests.contract.validation import assert_conforms
from tests.factories import APIKeyFactory, CustomerFactory, InvoiceFactory, valid_dni

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers"


def full_customer(n: int = 1) -> dict:
    """A CreateCustomerRequest with every field 1.9.0 defines, in 1.9.0's types and vocabulary."""
    return {
        "legal_name": f"Tech Solutions {n} SL",
        "trade_name": f"Tech {n}",
        "nif": valid_dni(900 + n),
        "address": {
            "street": "Calle Mayor",
            "number": "15",
            "floor": "3",
            "door": "B",
            "postal_code": "28013",
            "city": "Madrid",
            "province": "Madrid",
            "country_code": "ES",
        },
        "phone": "+34 912 345 678",
        "email": f"admin{n}@techsolutions.es",
        "website": "https://techsolutions.es",
        "billing_emails": [f"facturas{n}@techsolutions.es"],
        "contact_person": "María García",
        "notes": "Pays on the 5th",
        "preferred_payment_method": {
            "method": "BANK_TRANSFER",
            "iban": "ES9121000418450200051332",
            "swift": "CAIXESBBXXX",
            "payment_term_days": 30,
        },
        "general_discount": 12.5,
    }


def foreign_customer(n: int = 1) -> dict:
    """A customer identified by a passport, no NIF: 1.9.0 answers `nif` absent or null, never ""."""
    return {
        "legal_name": f"John Smith {n}",
        "alternative_id": {"type": "PASSPORT", "number": f"X{n:07d}", "country_code": "GB"},
        "address": {
            "street": "Baker Street",
            "number": "221",
            "postal_code": "NW1 6XE",
            "city": "London",
            "country_code": "GB",
        },
    }


def post_json(api, path, payload, **headers):
    return api.post(path, payload, format="json", **headers)


def post_raw(api, path, raw: str, method="post"):
    return getattr(api, method)(path, data=raw, content_type="application/json")


# --- F1 listCustomers (seed page: beel-list-customers.txt) ---


def test_list_answers_customers_and_pagination(api, account):
    CustomerFactory(account=account)
    CustomerFactory(account=account, active=False)
    post_json(api, CUSTOMERS, foreign_customer())
    body = assert_conforms(api.get(CUSTOMERS), 200, schemas.success(schemas.CUSTOMER_LIST))
    assert body["data"]["customers"]


def test_an_empty_list_conforms_too(api):
    assert_conforms(api.get(CUSTOMERS), 200, schemas.success(schemas.CUSTOMER_LIST))


def names(details: dict, parameter: str) -> bool:
    """`error.details` names the parameter: as a FieldDeserializationError's `field` or as a key of a map."""
    return details.get("field") == parameter or parameter in details


@pytest.mark.parametrize("query", ["limit=abc", "page=x", "active=perhaps", "sort_order=sideways"])
def test_a_query_parameter_that_does_not_parse_is_400_invalid_request_target(api, query):
    body = assert_conforms(api.get(f"{CUSTOMERS}?{query}"), 400, schemas.INVALID_REQUEST_TARGET)
    assert body["error"]["code"] == "VALIDATION_ERROR"
    assert names(body["error"]["details"], query.split("=")[0])


@pytest.mark.parametrize("query, name", [("limit=101", "limit"), ("limit=0", "limit"), ("page=0", "page")])
def test_a_parsed_but_inadmissible_query_parameter_is_422_unprocessable(api, query, name):
    body = assert_conforms(api.get(f"{CUSTOMERS}?{query}"), 422, schemas.UNPROCESSABLE_QUERY_PARAMETER)
    assert name in body["error"]["details"]


def test_the_seed_list_refuses_an_undeclared_query_parameter_naming_it(api):
    """1.9.0's flat aliases answer 400 since 2026-09-03 (see getCustomer below); the seed page says nothing of a
    parameter it does not declare, and a generated client's flattened `?plan=pro` must not list everything."""
    body = assert_conforms(api.get(f"{CUSTOMERS}?colour=blue"), 400, schemas.ERROR_RESPONSE)
    assert body["error"]["details"] == {"colour": "Unknown query parameter."}


# --- F2 createCustomer ---


def test_create_answers_201_customer_with_every_field_in_contract_types(api):
    payload = full_customer()
    body = assert_conforms(post_json(api, CUSTOMERS, payload), 201, schemas.success(schemas.CUSTOMER))
    data = body["data"]
    assert data["general_discount"] == 12.5
    assert data["website"] == payload["website"]
    assert data["preferred_payment_method"]["method"] == "BANK_TRANSFER"
    assert data["address"]["country"] == "España"


def test_create_with_an_alternative_id_answers_no_empty_nif(api):
    body = assert_conforms(post_json(api, CUSTOMERS, foreign_customer()), 201, schemas.success(schemas.CUSTOMER))
    assert body["data"].get("nif") is None
    assert body["data"]["alternative_id"]["type"] == "PASSPORT"


def test_create_with_a_numeric_alternative_id_type_still_answers_a_contract_type(api):
    payload = foreign_customer()
    payload["alternative_id"]["type"] = "03"
    assert_conforms(post_json(api, CUSTOMERS, payload), 201, schemas.success(schemas.CUSTOMER))


def test_create_minimal_answers_a_customer_with_nulls_not_empty_strings(api):
    payload = {"legal_name": "Mínima SL", "nif": valid_dni(77), "address": full_customer()["address"]}
    body = assert_conforms(post_json(api, CUSTOMERS, payload), 201, schemas.success(schemas.CUSTOMER))
    for field in ("email", "website", "contact_person", "notes", "phone"):
        assert body["data"].get(field) != "", field


def test_create_with_a_body_that_is_not_json_is_400_invalid_json_format(api, account):
    assert_conforms(post_raw(api, CUSTOMERS, '{"legal_name": '), 400, schemas.RESPONSE_INVALID_JSON_FORMAT)
    assert not Customer.objects.filter(account=account).exists()


@pytest.mark.parametrize(
    "field, value",
    [("general_discount", "a lot"), ("billing_emails", "facturas@example.es"), ("address", "Calle Mayor 15")],
)
def test_create_with_a_property_of_the_wrong_json_type_is_400_naming_it(api, field, value):
    payload = {**full_customer(), field: value}
    body = assert_conforms(post_json(api, CUSTOMERS, payload), 400, schemas.RESPONSE_INVALID_JSON_FORMAT)
    assert body["error"]["details"]["field"].split(".")[0] == field


def test_create_with_a_payment_method_outside_the_enum_is_422_with_allowed_values(api):
    payload = full_customer()
    payload["preferred_payment_method"]["method"] = "PAYPAL"
    body = assert_conforms(post_json(api, CUSTOMERS, payload), 422, schemas.VALIDATION_ERROR)
    assert "BANK_TRANSFER" in body["error"]["details"]["allowed_values"]


@pytest.mark.parametrize(
    "change",
    [{"legal_name": ""}, {"general_discount": 101}, {"email": "not-an-email"}, {"website": "ftp://example.es"}],
)
def test_create_with_content_that_parses_but_is_not_acceptable_is_422(api, change):
    assert_conforms(post_json(api, CUSTOMERS, {**full_customer(), **change}), 422, schemas.VALIDATION_ERROR)


def test_create_without_legal_name_is_422_naming_it(api):
    payload = full_customer()
    del payload["legal_name"]
    body = assert_conforms(post_json(api, CUSTOMERS, payload), 422, schemas.VALIDATION_ERROR)
    assert "legal_name" in body["error"]["details"]


def test_create_with_a_nif_of_a_wrong_control_digit_is_422_with_its_code(api):
    payload = {**full_customer(), "nif": "12345678A"}
    body = assert_conforms(post_json(api, CUSTOMERS, payload), 422, schemas.ERROR_RESPONSE)
    assert body["error"]["code"] in ("NIF_INVALID_CONTROL_DIGIT", "NIF_INVALID_FORMAT")


def test_create_of_a_duplicate_is_409_client_duplicate_without_echoing_the_identifier(api):
    payload = full_customer()
    post_json(api, CUSTOMERS, payload)
    assert_conforms(post_json(api, CUSTOMERS, payload), 409, schemas.CLIENT_DUPLICATE)


def test_create_retried_with_the_same_key_is_replayed_with_idempotency_replay(api, account):
    payload = full_customer()
    first = post_json(api, CUSTOMERS, payload, HTTP_IDEMPOTENCY_KEY="create-1")
    again = post_json(api, CUSTOMERS, payload, HTTP_IDEMPOTENCY_KEY="create-1")
    assert_conforms(first, 201, schemas.success(schemas.CUSTOMER))
    assert_conforms(again, 201, schemas.success(schemas.CUSTOMER))
    assert again["Idempotency-Replay"] == "true"
    assert "Idempotency-Replay" not in first
    assert Customer.objects.filter(account=account).count() == 1


def test_the_same_key_with_another_body_is_409_idempotency_key_mismatch(api):
    post_json(api, CUSTOMERS, full_customer(1), HTTP_IDEMPOTENCY_KEY="create-2")
    response = post_json(api, CUSTOMERS, full_customer(2), HTTP_IDEMPOTENCY_KEY="create-2")
    body = assert_conforms(response, 409, schemas.STATE_CONFLICT)
    assert body["error"]["code"] == "IDEMPOTENCY_KEY_MISMATCH"


def test_a_refused_request_does_not_hold_its_key(api):
    """1.9.0 stores only 2xx and 5xx: the corrected retry with the same key is served."""
    bad = {**full_customer(), "legal_name": ""}
    assert post_json(api, CUSTOMERS, bad, HTTP_IDEMPOTENCY_KEY="create-3").status_code == 422
    response = post_json(api, CUSTOMERS, full_customer(), HTTP_IDEMPOTENCY_KEY="create-3")
    assert_conforms(response, 201, schemas.success(schemas.CUSTOMER))


@pytest.mark.parametrize("key", ["not a key!", "clé", "k" * 256])
def test_a_malformed_idempotency_key_is_400_invalid_idempotency_key(api, account, key):
    response = post_json(api, CUSTOMERS, full_customer(), HTTP_IDEMPOTENCY_KEY=key)
    assert_conforms(response, 400, schemas.INVALID_IDEMPOTENCY_KEY)
    assert not Customer.objects.filter(account=account).exists()


def test_any_key_of_letters_digits_dashes_and_underscores_up_to_255_is_accepted(api):
    response = post_json(api, CUSTOMERS, full_customer(), HTTP_IDEMPOTENCY_KEY="Order_42-" + "k" * 246)
    assert_conforms(response, 201, schemas.success(schemas.CUSTOMER))


# --- F3 getCustomer ---


def test_get_answers_the_customer(api, customer):
    body = assert_conforms(api.get(f"{CUSTOMERS}/{customer.id}"), 200, schemas.success(schemas.CUSTOMER))
    assert body["data"]["id"] == str(customer.id)


def test_get_of_a_customer_created_through_the_api_answers_what_create_answered(api):
    created = post_json(api, CUSTOMERS, full_customer()).json()["data"]
    body = assert_conforms(api.get(f"{CUSTOMERS}/{created['id']}"), 200, schemas.success(schemas.CUSTOMER))
    shared = set(schemas.CUSTOMER["properties"]) - {"updated_at"}
    assert {k: v for k, v in body["data"].items() if k in shared} == {k: v for k, v in created.items() if k in shared}


def test_get_of_an_unknown_customer_is_404_client_not_found(api):
    assert_conforms(api.get(f"{CUSTOMERS}/{uuid.uuid4()}"), 404, schemas.CLIENT_NOT_FOUND)


def test_get_of_another_accounts_customer_is_404_client_not_found(api, other_account):
    other = CustomerFactory(account=other_account)
    assert_conforms(api.get(f"{CUSTOMERS}/{other.id}"), 404, schemas.CLIENT_NOT_FOUND)


def test_get_with_an_undeclared_query_parameter_is_400_naming_it(api, customer):
    """1.9.0: a flat alias ignored undeclared parameters (with a BeeL-Warning header) until 2026-09-03, and
    answers 400 naming them since."""
    body = assert_conforms(api.get(f"{CUSTOMERS}/{customer.id}?colour=blue"), 400, schemas.ERROR_RESPONSE)
    assert "colour" in str(body["error"])


def test_get_with_a_customer_id_that_is_not_a_uuid_is_400(api):
    body = assert_conforms(api.get(f"{CUSTOMERS}/not-a-uuid"), 400, schemas.INVALID_REQUEST_TARGET)
    assert names(body["error"]["details"], "customer_id")


# --- F4 updateCustomer (PUT) ---


def test_a_customer_read_with_get_is_put_back_unchanged(api):
    created = post_json(api, CUSTOMERS, full_customer()).json()["data"]
    path = f"{CUSTOMERS}/{created['id']}"
    read = api.get(path).json()["data"]
    body = assert_conforms(api.put(path, read, format="json"), 200, schemas.success(schemas.CUSTOMER))
    ignored = {"updated_at"}
    assert {k: v for k, v in body["data"].items() if k not in ignored} == {
        k: v for k, v in read.items() if k not in ignored
    }


def test_put_clears_the_fields_1_9_0_clears_when_absent(api):
    created = post_json(api, CUSTOMERS, full_customer()).json()["data"]
    payload = {"legal_name": created["legal_name"], "address": full_customer()["address"]}
    body = assert_conforms(
        api.put(f"{CUSTOMERS}/{created['id']}", payload, format="json"), 200, schemas.success(schemas.CUSTOMER)
    )
    data = body["data"]
    for field in ("trade_name", "email", "website", "billing_emails", "contact_person", "notes"):
        assert data.get(field) in (None, []), field
    assert data["nif"] == created["nif"]


def test_put_with_a_body_that_is_not_json_is_400_invalid_json_format(api, customer):
    response = post_raw(api, f"{CUSTOMERS}/{customer.id}", "{not json", method="put")
    assert_conforms(response, 400, schemas.RESPONSE_INVALID_JSON_FORMAT)


def test_put_with_a_wrong_json_type_is_400_invalid_json_format(api, customer):
    payload = {"legal_name": "Otra SL", "general_discount": "a lot"}
    response = api.put(f"{CUSTOMERS}/{customer.id}", payload, format="json")
    assert_conforms(response, 400, schemas.RESPONSE_INVALID_JSON_FORMAT)


def test_put_with_unacceptable_content_is_422(api, customer):
    response = api.put(f"{CUSTOMERS}/{customer.id}", {"legal_name": "", "general_discount": 200}, format="json")
    assert_conforms(response, 422, schemas.VALIDATION_ERROR)


# --- F5 patchCustomer ---


def test_patch_answers_the_customer_with_only_the_sent_fields_changed(api):
    created = post_json(api, CUSTOMERS, full_customer()).json()["data"]
    response = api.patch(f"{CUSTOMERS}/{created['id']}", {"notes": None, "general_discount": 3}, format="json")
    body = assert_conforms(response, 200, schemas.success(schemas.CUSTOMER))
    assert body["data"].get("notes") is None
    assert body["data"]["general_discount"] == 3
    assert body["data"]["email"] == created["email"]


def test_patch_active_false_answers_an_inactive_customer(api, customer):
    response = api.patch(f"{CUSTOMERS}/{customer.id}", {"active": False}, format="json")
    assert assert_conforms(response, 200, schemas.success(schemas.CUSTOMER))["data"]["active"] is False


def test_patch_with_a_non_boolean_active_is_400_invalid_json_format(api, customer):
    response = api.patch(f"{CUSTOMERS}/{customer.id}", {"active": "yes"}, format="json")
    body = assert_conforms(response, 400, schemas.RESPONSE_INVALID_JSON_FORMAT)
    assert body["error"]["details"]["field"] == "active"


def test_patch_with_a_body_that_is_not_json_is_400_invalid_json_format(api, customer):
    response = post_raw(api, f"{CUSTOMERS}/{customer.id}", "[1, 2", method="patch")
    assert_conforms(response, 400, schemas.RESPONSE_INVALID_JSON_FORMAT)


@pytest.mark.parametrize("change", [{"legal_name": None}, {"website": "not a url"}, {"general_discount": -1}])
def test_patch_with_unacceptable_content_is_422(api, customer, change):
    assert_conforms(api.patch(f"{CUSTOMERS}/{customer.id}", change, format="json"), 422, schemas.VALIDATION_ERROR)


def test_patch_with_a_payment_method_outside_the_enum_is_422_with_allowed_values(api, customer):
    change = {"preferred_payment_method": {"method": "transfer"}}
    response = api.patch(f"{CUSTOMERS}/{customer.id}", change, format="json")
    body = assert_conforms(response, 422, schemas.VALIDATION_ERROR)
    assert "BANK_TRANSFER" in body["error"]["details"]["allowed_values"]


# --- F4 and F5: what PUT and PATCH answer alike ---


@pytest.mark.parametrize("method", ["put", "patch"])
def test_put_or_patch_of_an_unknown_customer_is_404_client_not_found(api, method):
    response = getattr(api, method)(f"{CUSTOMERS}/{uuid.uuid4()}", full_customer(), format="json")
    assert_conforms(response, 404, schemas.CLIENT_NOT_FOUND)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_put_or_patch_taking_another_customers_nif_is_409_client_duplicate(api, account, customer, method):
    """1.9.0 lists 409 on PATCH; its PUT lists none, but replaces the identifier with the creation's duplicate
    check, whose answer is this StateConflict."""
    other = CustomerFactory(account=account)
    response = getattr(api, method)(f"{CUSTOMERS}/{customer.id}", {"nif": other.nif}, format="json")
    assert_conforms(response, 409, schemas.CLIENT_DUPLICATE)
    assert Customer.objects.get(pk=customer.pk).nif == customer.nif


# --- F6 deleteCustomer (seed page: beel-deactivate-customer.txt) ---


def test_delete_answers_the_seed_message(api, customer):
    body = assert_conforms(api.delete(f"{CUSTOMERS}/{customer.id}"), 200, schemas.success(schemas.DEACTIVATION_MESSAGE))
    assert body["data"]["message"] == "Customer deactivated successfully"


def test_delete_of_an_unknown_customer_is_the_seed_404(api):
    assert_conforms(api.delete(f"{CUSTOMERS}/{uuid.uuid4()}"), 404, schemas.SEED_NOT_FOUND)


def test_delete_of_a_customer_with_invoices_is_409_client_has_invoices(api, customer):
    InvoiceFactory(customer=customer)
    body = assert_conforms(api.delete(f"{CUSTOMERS}/{customer.id}"), 409, schemas.STATE_CONFLICT)
    assert body["error"]["code"] == "CLIENT_HAS_INVOICES"


# --- F7 createCustomersBulk ---

BULK = f"{CUSTOMERS}/bulk"
UNIFIED = schemas.success(schemas.CUSTOMER_VALIDATION_UNIFIED_RESULT)


def test_bulk_creation_is_201_with_the_unified_result_and_every_row_created(api, account):
    items = [full_customer(1), foreign_customer(2)]
    body = assert_conforms(post_json(api, BULK, {"customers": items}), 201, UNIFIED)
    result = body["data"]
    assert result["metadata"]["source_type"] == "BULK_JSON"
    assert result["metadata"]["is_dry_run"] is False
    assert [row["index"] for row in result["customers_validation"]] == [0, 1]
    created = {row["customer_id"] for row in result["customers_validation"]}
    assert created == {str(pk) for pk in Customer.objects.filter(account=account).values_list("id", flat=True)}
    assert result["statistics"]["imported"] == 2


def test_a_bulk_dry_run_is_200_writes_nothing_and_names_no_customer_id(api, account):
    response = post_json(api, f"{BULK}?dry_run=true", {"customers": [full_customer(1), full_customer(2)]})
    result = assert_conforms(response, 200, UNIFIED)["data"]
    assert result["metadata"]["is_dry_run"] is True
    assert all(row.get("customer_id") is None for row in result["customers_validation"])
    assert result["statistics"]["imported"] == 0
    assert not Customer.objects.filter(account=account).exists()


def test_a_bulk_dry_run_reports_errors_and_duplicates_per_row(api, account, customer):
    items = [{**full_customer(1), "legal_name": ""}, {**full_customer(2), "nif": customer.nif}, full_customer(3)]
    result = assert_conforms(post_json(api, f"{BULK}?dry_run=true", {"customers": items}), 200, UNIFIED)["data"]
    statuses = [row["status"] for row in result["customers_validation"]]
    assert statuses[0] == "ERROR"
    assert statuses[1] == "DUPLICATE"
    assert statuses[2] in ("VALID", "WARNING")


def test_a_bulk_creation_with_an_invalid_item_is_422_bulk_validation_error_and_writes_nothing(api, account):
    items = [full_customer(1), {**full_customer(2), "legal_name": ""}]
    body = assert_conforms(post_json(api, BULK, {"customers": items}), 422, schemas.BULK_VALIDATION_ERROR)
    assert [entry["index"] for entry in body["error"]["errors"]] == [1]
    assert not Customer.objects.filter(account=account).exists()


def test_a_bulk_body_that_is_not_json_is_400(api):
    assert_conforms(post_raw(api, BULK, '{"customers": ['), 400, schemas.ERROR_RESPONSE)


def test_a_bulk_creation_retried_with_the_same_key_is_replayed(api, account):
    payload = {"customers": [full_customer(1)]}
    first = post_json(api, BULK, payload, HTTP_IDEMPOTENCY_KEY="bulk-1")
    again = post_json(api, BULK, payload, HTTP_IDEMPOTENCY_KEY="bulk-1")
    assert assert_conforms(again, 201, UNIFIED)["data"] == assert_conforms(first, 201, UNIFIED)["data"]
    assert again["Idempotency-Replay"] == "true"
    assert Customer.objects.filter(account=account).count() == 1


# --- F8 deactivateCustomersBulk (seed page: beel-delete-customers-bulk.txt) ---


def test_bulk_deactivation_answers_the_seed_shape_with_per_id_errors(api, account):
    plain, invoiced = CustomerFactory(account=account), CustomerFactory(account=account)
    InvoiceFactory(customer=invoiced)
    response = api.delete(f"{BULK}?ids={plain.id},{invoiced.id}")
    data = assert_conforms(response, 200, schemas.success(schemas.BULK_DEACTIVATION))["data"]
    assert data["deactivated_ids"] == [str(plain.id)]
    assert [entry["error"]["code"] for entry in data["errors"]] == ["CLIENT_HAS_INVOICES"]


def test_bulk_deactivation_without_ids_is_the_seed_400(api):
    assert_conforms(api.delete(BULK), 400, schemas.SEED_BAD_REQUEST)


# --- F11 downloadCustomerTemplateCsv and F9 importCustomersCsvPreview ---

TEMPLATE = f"{CUSTOMERS}/templates/csv"
PREVIEW = f"{CUSTOMERS}/import-csv-preview"


def template_bytes(api) -> bytes:
    response = api.post(TEMPLATE)
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_template_is_beels_csv_file(api):
    response = api.post(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert schemas.TEMPLATE_CSV_FILENAME in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")
    content = template_bytes(api)
    assert content.startswith(b"\xef\xbb\xbf")
    assert content[3:].decode("utf-8").splitlines()[0] == schemas.TEMPLATE_CSV_HEADER


def upload(api, content: bytes, name="clientes.csv", **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api.post(PREVIEW, {"file": SimpleUploadedFile(name, content, "text/csv"), **fields}, format="multipart")


def test_the_preview_of_beels_own_template_is_200_unified_and_writes_nothing(api, account):
    result = assert_conforms(upload(api, template_bytes(api)), 200, UNIFIED)["data"]
    metadata = result["metadata"]
    assert metadata["source_type"] == "CSV_IMPORT"
    assert metadata["is_dry_run"] is True
    assert metadata["filename"] == "clientes.csv"
    assert isinstance(metadata["file_size_bytes"], int)
    assert result["statistics"]["with_errors"] == 0
    assert not Customer.objects.filter(account=account).exists()


def test_the_import_with_dry_run_false_creates_the_rows_and_names_them(api, account):
    result = assert_conforms(upload(api, template_bytes(api), dry_run="false"), 200, UNIFIED)["data"]
    assert result["metadata"]["is_dry_run"] is False
    assert result["statistics"]["imported"] == Customer.objects.filter(account=account).count() > 0
    created = {row["customer_id"] for row in result["customers_validation"] if row["status"] in ("VALID", "WARNING")}
    assert created == {str(pk) for pk in Customer.objects.filter(account=account).values_list("id", flat=True)}


def test_a_csv_without_the_required_headers_is_400_missing_headers(api):
    body = assert_conforms(upload(api, b"colour;size\nred;L\n"), 400, schemas.CSV_IMPORT_REJECTED)
    assert body["error"]["code"] == "MISSING_HEADERS"
    assert body["error"]["details"]["missing_headers"]


# --- 401, 403 and 429 on every operation ---

OPERATIONS = [
    ("get", CUSTOMERS),
    ("post", CUSTOMERS),
    ("get", f"{CUSTOMERS}/{{id}}"),
    ("put", f"{CUSTOMERS}/{{id}}"),
    ("patch", f"{CUSTOMERS}/{{id}}"),
    ("delete", f"{CUSTOMERS}/{{id}}"),
    ("post", BULK),
    ("delete", f"{BULK}?ids={{id}}"),
    ("post", PREVIEW),
    ("post", TEMPLATE),
]


@pytest.mark.parametrize("method, path", OPERATIONS)
def test_past_the_rate_limit_every_operation_is_429_rate_limit_exceeded(api, customer, settings, method, path):
    settings.RATE_LIMIT_PER_RESOURCE = "1/min"
    api.get(CUSTOMERS)
    response = getattr(api, method)(path.format(id=customer.id), {}, format="json")
    assert_conforms(response, 429, schemas.RATE_LIMIT_EXCEEDED)
    for header in schemas.RATE_LIMIT_HEADERS:
        assert response[header].isdigit(), header
    assert Customer.objects.get(pk=customer.pk).active


@pytest.mark.parametrize("method, path", OPERATIONS)
def test_without_a_key_every_operation_is_401_unauthorized(anonymous_client, customer, method, path):
    response = getattr(anonymous_client, method)(path.format(id=customer.id), {}, format="json")
    assert_conforms(response, 401, schemas.UNAUTHORIZED)


@pytest.mark.parametrize("method, path", OPERATIONS)
def test_a_key_without_the_scope_is_403_insufficient_scope(account, customer, method, path):
    client = bearer(APIKeyFactory(account=account, scopes=["invoices:read"]))
    response = getattr(client, method)(path.format(id=customer.id), {}, format="json")
    body = assert_conforms(response, 403, schemas.INSUFFICIENT_SCOPE)
    assert body["error"]["details"]["missing_scopes"].startswith("customers:")

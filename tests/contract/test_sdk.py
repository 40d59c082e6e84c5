"""BeeL's published Python SDK (`beel-sdk` 1.0.0 on PyPI) against a live beel.

The SDK is generated from an older BeeL document than 1.9.0. Its client serialises requests and parses
answers with pydantic models; here it makes the calls a BeeL integrator makes against beel served by
pytest-django's `live_server`, and every answer is parsed with the SDK's own models wherever those models
agree with 1.9.0.

How the SDK is used: its convenience wrapper is a top-level package named `beel`, which the project's own
`beel` package shadows (same name), so the tests use the generated client it wraps, `beel_generated`
(`Configuration(host=..., access_token=...)`, `ApiClient`, `CustomersApi`, `CustomerImportApi`,
`CustomerTemplatesApi`), exactly as the wrapper does. The wrapper's `Customers.delete` calls a
`delete_customer` the generated client does not have, so nothing is lost.

Where beel-sdk 1.0.0 disagrees with 1.9.0, and what is therefore not asserted through its models:
- `Customer.web` / `CreateCustomerRequest.web` / `UpdateCustomerRequest.web`: 1.9.0 names it `website`. The
  SDK drops `website` when it parses and would send `web`, which 1.9.0 does not define; the tests leave it
  unset and check `website` on the raw answer.
- `Customer.address` is the SDK's request `Address` (street, number, province and country required); 1.9.0
  answers an `AddressResponse` where no field is guaranteed. Customers are made with a complete address so
  that the SDK can parse them; an incomplete address is 1.9.0-conformant and is covered by
  test_flat_routes.py, not here.
- `Customer.phone` min length 9 and `PaymentInfo.payment_term_days` default 30: stricter than 1.9.0 / not in it.
- `PaymentMethod` lacks `BIZUM` (new in 1.9.0): not sent here.
- `AlternativeIdentifier.type` documents only the numeric codes; 1.9.0 prefers names. The SDK accepts any
  string, so names are used.
- No `patchCustomer` operation (PATCH is 1.9.0's partial update): covered by test_flat_routes.py.
- `UpdateCustomerRequest` has no `nif` / `alternative_id` (1.9.0 lets PUT replace the identifier).
- createCustomersBulk 201 is the old `{customers, total_created}` (`CreateCustomersBulk201Response`) and the
  200 `CustomerValidationItem.customer` is a `Customer` (id and created_at required); 1.9.0 answers the
  unified result for both, with `customer` an echo of the input and `customer_id` at row level. Their
  `metadata`, `statistics`, row `errors` and `warnings` models agree and are parsed; the items are not.
- importCustomersCsvPreview's 200 is typed as that same bulk response, with the same `customer` problem:
  metadata and statistics are parsed, the items are not.
- The 400 of createCustomer is typed `CreateInvoice400Response`; 1.9.0 has `ResponseInvalidJsonFormat`. Error
  bodies are parsed with the SDK's `ErrorResponse` (which agrees with 1.9.0's envelope) and
  `FieldDeserializationError` instead.
"""

import json

import pytest
from beel_generated import ApiClient, Configuration
from beel_generated.api.customer_import_api import CustomerImportApi
from beel_generated.api.customer_templates_api import CustomerTemplatesApi
from beel_generated.api.customers_api import CustomersApi
from beel_generated.exceptions import ApiException
from beel_generated.models import (
    Address,
    AlternativeIdentifier,
    CreateCustomer201Response,
    CreateCustomerRequest,
    CreateCustomersBulkRequest,
    CustomerValidationError,
    CustomerValidationMetadata,
    CustomerValidationStatistics,
    CustomerValidationWarning,
    DeactivateCustomer200Response,
    DeactivateCustomersBulk200Response,
    ErrorResponse,
    ListCustomers200Response,
    PaymentInfo,
    PaymentMethod,
    UpdateCustomerRequest,
)
from beel_generated.models import Customer as SdkCustomer

from customers.models import Customer
from tests.contract import schemas
from tests.contract.validation import violations
from tests.factories import APIKeyFactory, CustomerFactory, InvoiceFactory, valid_dni

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sdk(live_server, account):
    key = APIKeyFactory(account=account)
    client = ApiClient(Configuration(host=f"{live_server.url}/api", access_token=key.raw_key, retries=0))
    # retries=0: urllib3's default would wait out a 429's Retry-After (60 s) and retry.
    return CustomersApi(client), CustomerImportApi(client), CustomerTemplatesApi(client)


def madrid() -> Address:
    return Address(
        street="Calle Mayor", number="15", postal_code="28013", city="Madrid", province="Madrid", country="España"
    )


def request(n: int = 1, **overrides) -> CreateCustomerRequest:
    fields = {
        "legal_name": f"Tech Solutions {n} SL",
        "trade_name": f"Tech {n}",
        "nif": valid_dni(500 + n),
        "address": madrid(),
        "phone": "+34 912 345 678",
        "email": f"admin{n}@techsolutions.es",
        "billing_emails": [f"facturas{n}@techsolutions.es"],
        "contact_person": "María García",
        "notes": "Pays on the 5th",
        "preferred_payment_method": PaymentInfo(
            method=PaymentMethod.BANK_TRANSFER, iban="ES9121000418450200051332", swift="CAIXESBBXXX"
        ),
        "general_discount": 12.5,
    }
    return CreateCustomerRequest(**{**fields, **overrides})


def raw(response) -> dict:
    """The JSON of an answer fetched with a `*_without_preload_content` call."""
    return json.loads(response.data)


def error_of(excinfo) -> ErrorResponse:
    """The SDK raises on a non-2xx answer; its body parses as the SDK's ErrorResponse (1.9.0's envelope)."""
    body = excinfo.value.body
    assert not violations(json.loads(body), schemas.ERROR_RESPONSE)
    return ErrorResponse.from_json(body)


def test_create_and_get_parse_as_the_sdks_customer(sdk):
    customers, _, _ = sdk
    created = customers.create_customer(request())
    assert isinstance(created, CreateCustomer201Response)
    assert created.data.general_discount == 12.5
    assert created.data.preferred_payment_method.method == PaymentMethod.BANK_TRANSFER
    fetched = customers.get_customer(created.data.id)
    assert fetched.data.id == created.data.id
    assert fetched.data.nif == created.data.nif
    assert fetched.data.billing_emails == ["facturas1@techsolutions.es"]


def test_a_customer_identified_by_a_passport_answers_no_nif_and_the_type_by_name(sdk):
    """The SDK's AlternativeIdentifier only knows the deprecated numeric codes, on the way in and out: it
    sends `03`, and 1.9.0 answers the name (`PASSPORT`), which the SDK's model refuses. The rest of the
    customer parses."""
    customers, _, _ = sdk
    passport = AlternativeIdentifier(type="03", number="X1234567", country_code="GB")
    address = Address(
        street="Baker Street",
        number="221",
        postal_code="NW1 6XE",
        city="London",
        province="London",
        country="Reino Unido",
        country_code="GB",
    )
    response = customers.create_customer_without_preload_content(
        request(nif=None, alternative_id=passport, address=address)
    )
    assert response.status == 201
    data = raw(response)["data"]
    assert not violations(data, schemas.CUSTOMER)
    assert data["alternative_id"]["type"] == "PASSPORT"
    parsed = SdkCustomer.from_dict({**data, "alternative_id": None})
    assert parsed.nif is None


def test_list_parses_as_the_sdks_customer_list(sdk, account):
    customers, _, _ = sdk
    customers.create_customer(request(1))
    CustomerFactory(account=account)
    listed = customers.list_customers(page=1, limit=20, sort_by="legal_name", sort_order="asc")
    assert isinstance(listed, ListCustomers200Response)
    assert listed.data.pagination.total_items == 2
    assert len(listed.data.customers) == 2


def test_update_parses_and_replaces_the_customer(sdk):
    customers, _, _ = sdk
    created = customers.create_customer(request()).data
    update = UpdateCustomerRequest(
        legal_name=created.legal_name, address=madrid(), email="nuevo@techsolutions.es", general_discount=5
    )
    updated = customers.update_customer(created.id, update).data
    assert updated.email == "nuevo@techsolutions.es"
    assert updated.general_discount == 5
    assert updated.nif == created.nif
    assert updated.notes is None


def test_deactivate_parses_as_the_seed_message(sdk, account):
    customers, _, _ = sdk
    customer = CustomerFactory(account=account)
    answer = customers.deactivate_customer(str(customer.id))
    assert isinstance(answer, DeactivateCustomer200Response)
    assert answer.data.message == "Customer deactivated successfully"
    assert not Customer.objects.get(pk=customer.pk).active


def test_bulk_deactivation_parses_as_the_seed_report(sdk, account):
    _, imports, _ = sdk
    plain, invoiced = CustomerFactory(account=account), CustomerFactory(account=account)
    InvoiceFactory(customer=invoiced)
    answer = imports.deactivate_customers_bulk(f"{plain.id},{invoiced.id}")
    assert isinstance(answer, DeactivateCustomersBulk200Response)
    assert answer.data.deactivated_ids == [str(plain.id)]
    assert answer.data.errors[0].error.code == "CLIENT_HAS_INVOICES"


def parse_unified(data: dict) -> tuple[CustomerValidationMetadata, CustomerValidationStatistics]:
    """The parts of the unified result where the SDK's models agree with 1.9.0."""
    for row in data["customers_validation"]:
        for problem in row["errors"]:
            CustomerValidationError.from_dict(problem)
        for warning in row["warnings"]:
            CustomerValidationWarning.from_dict(warning)
    return (
        CustomerValidationMetadata.from_dict(data["metadata"]),
        CustomerValidationStatistics.from_dict(data["statistics"]),
    )


def test_bulk_creation_made_by_the_sdk_is_201_and_its_report_parses(sdk, account):
    _, imports, _ = sdk
    body = CreateCustomersBulkRequest(customers=[request(1), request(2)])
    response = imports.create_customers_bulk_without_preload_content(body)
    assert response.status == 201
    metadata, statistics = parse_unified(raw(response)["data"])
    assert (metadata.source_type, metadata.is_dry_run, statistics.imported) == ("BULK_JSON", False, 2)
    assert Customer.objects.filter(account=account).count() == 2


def test_a_bulk_dry_run_made_by_the_sdk_is_200_and_writes_nothing(sdk, account):
    _, imports, _ = sdk
    body = CreateCustomersBulkRequest(customers=[request(1)])
    response = imports.create_customers_bulk_without_preload_content(body, dry_run=True)
    assert response.status == 200
    metadata, statistics = parse_unified(raw(response)["data"])
    assert (metadata.is_dry_run, statistics.imported, statistics.valid + statistics.with_warnings) == (True, 0, 1)
    assert not Customer.objects.filter(account=account).exists()


def test_the_template_downloaded_by_the_sdk_previews_through_the_sdk(sdk, account):
    _, imports, templates = sdk
    template = templates.download_customer_template_csv()
    assert bytes(template).startswith(b"\xef\xbb\xbf")
    response = imports.import_customers_csv_preview_without_preload_content(
        ("template_clientes_beel.csv", bytes(template)), dry_run=True
    )
    assert response.status == 200
    metadata, statistics = parse_unified(raw(response)["data"])
    assert (metadata.source_type, statistics.with_errors, statistics.imported) == ("CSV_IMPORT", 0, 0)
    assert not Customer.objects.filter(account=account).exists()


def test_an_unknown_customer_raises_404_whose_body_parses(sdk):
    customers, _, _ = sdk
    with pytest.raises(ApiException) as excinfo:
        customers.get_customer("00000000-0000-4000-8000-000000000000")
    assert excinfo.value.status == 404
    assert error_of(excinfo).error.code == "CLIENT_NOT_FOUND"


def test_a_duplicate_raises_409_whose_body_parses(sdk):
    customers, _, _ = sdk
    customers.create_customer(request())
    with pytest.raises(ApiException) as excinfo:
        customers.create_customer(request())
    assert excinfo.value.status == 409
    assert error_of(excinfo).error.code == "CLIENT_DUPLICATE"


def test_a_nif_with_a_wrong_control_digit_raises_422_whose_body_parses(sdk):
    customers, _, _ = sdk
    with pytest.raises(ApiException) as excinfo:
        customers.create_customer(request(nif="12345678A"))
    assert excinfo.value.status == 422
    assert error_of(excinfo).error.code in ("NIF_INVALID_CONTROL_DIGIT", "NIF_INVALID_FORMAT")


def test_past_the_rate_limit_the_sdk_gets_429_whose_body_parses(sdk, settings):
    customers, _, _ = sdk
    settings.RATE_LIMIT_PER_RESOURCE = "1/min"
    customers.list_customers()
    with pytest.raises(ApiException) as excinfo:
        customers.list_customers()
    assert excinfo.value.status == 429
    assert error_of(excinfo).error.code == "RATE_LIMIT_EXCEEDED"
    assert excinfo.value.headers["Retry-After"].isdigit()

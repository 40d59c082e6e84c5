"""Invoices belong to a company: it is their issuer (its fiscal identity copied when issuing, as the customer's
is), it numbers its own series, and the flat routes act on the `BeeL-Active-Company` header's company while
BeeL 1.9.0's canonical routes (`/v1/companies/{company_id}/invoices...`) take it from the path."""

import pytest

from beel.events.models import Event
from companies.models import primary_company_of
from invoices.models import Invoice, InvoiceSeriesCounter, InvoiceStatus
from tests.envelope import assert_error, assert_success
from tests.factories import AccountFactory, APIKeyFactory, CompanyFactory, CustomerFactory
from tests.invoices.helpers import INVOICE_KEYS, URL, created, issue, issued, url_of

pytestmark = pytest.mark.django_db

HEADER = "BeeL-Active-Company"


def on(company) -> dict:
    """The header that makes a flat route act on `company`."""
    return {HEADER: str(company.pk)}


def canonical(company, rest: str = "") -> str:
    return f"/api/v1/companies/{company.pk}/invoices{rest}"


@pytest.fixture
def primary(account):
    return primary_company_of(account)


@pytest.fixture
def second(account):
    """A second company of the account, with a complete fiscal identity of its own."""
    return CompanyFactory(account=account)


def issuer_copy(company) -> dict:
    return {
        "legal_name": company.legal_name,
        "trade_name": company.trade_name or None,
        "nif": company.nif,
        "address": {
            "street": company.street,
            "number": company.number or None,
            "postal_code": company.postal_code,
            "city": company.city,
            "province": company.province or None,
            "country_code": company.country_code,
        },
    }


def test_an_issued_invoice_shows_issuer_and_recipient_and_neither_follows_later_edits(api, primary, customer):
    invoice = issued(api, customer)
    issuer_then, recipient_then = issuer_copy(primary), invoice["recipient"]
    assert set(invoice) == INVOICE_KEYS
    assert invoice["company_id"] == str(primary.pk)
    assert invoice["issuer"] == issuer_then
    assert recipient_then["legal_name"] == customer.legal_name and recipient_then["nif"] == customer.nif

    primary.legal_name, primary.trade_name, primary.street = "Emisora Renombrada SL", "Renombrada", "Calle Nueva"
    primary.save()
    patched = api.patch(f"/api/v1/customers/{customer.pk}", {"legal_name": "Cliente Renombrado SL"}, format="json")
    assert_success(patched)

    shown = assert_success(api.get(url_of(invoice["id"])))
    assert shown["issuer"] == issuer_then and shown["recipient"] == recipient_then
    [listed] = [row for row in assert_success(api.get(URL))["invoices"] if row["id"] == invoice["id"]]
    assert listed["issuer"] == issuer_then and listed["recipient"] == recipient_then
    stored = Invoice.objects.get(pk=invoice["id"])
    assert stored.issuer == issuer_then and stored.recipient == recipient_then
    # A draft has no copy yet: it shows what the company and the customer are now, until it is issued.
    draft = created(api, customer)
    assert draft["issuer"]["legal_name"] == "Emisora Renombrada SL" and draft["issuer"]["trade_name"] == "Renombrada"
    assert draft["recipient"]["legal_name"] == "Cliente Renombrado SL"
    assert Invoice.objects.get(pk=draft["id"]).issuer is None


def test_the_issue_event_carries_the_issuer_and_the_company(api, primary, customer):
    invoice = issued(api, customer)
    event = Event.objects.get(type="invoice.issued")
    assert event.company_id == primary.pk
    assert event.data == invoice
    assert event.envelope()["company_id"] == str(primary.pk)


def test_a_company_with_an_incomplete_fiscal_identity_cannot_issue_and_nothing_is_written(client_for):
    account = AccountFactory(fiscal_identity=False)
    api = client_for(APIKeyFactory(account=account))
    draft = created(api, CustomerFactory(account=account))

    error = assert_error(issue(api, draft["id"]), 422, "EMISSION_NOT_READY")

    missing = error["details"]["missing_fields"].split(", ")
    assert missing == ["nif", "legal_name", "street", "postal_code", "city", "province"]
    stored = Invoice.objects.get(pk=draft["id"])
    assert (stored.status, stored.number, stored.issuer, stored.recipient) == (InvoiceStatus.DRAFT, None, None, None)
    assert not InvoiceSeriesCounter.objects.exists()
    assert not Event.objects.filter(type="invoice.issued").exists()


def test_a_company_lacking_only_its_province_is_told_exactly_that(api, primary, customer):
    primary.province = ""
    primary.save()
    draft = created(api, customer)
    assert assert_error(issue(api, draft["id"]), 422, "EMISSION_NOT_READY")["details"] == {"missing_fields": "province"}
    primary.province = "Madrid"
    primary.save()
    assert assert_success(issue(api, draft["id"]))["full_number"] == "A-000001"


def test_each_company_numbers_its_own_series(api, primary, second):
    ours, theirs = CustomerFactory(account=primary.account), CustomerFactory(account=primary.account, company=second)

    first_of_primary = assert_success(api.post(f"{url_of(created_on(api, ours, primary))}/issue", headers=on(primary)))
    first_of_second = assert_success(api.post(canonical(second, f"/{created_on(api, theirs, second)}/issue")))
    second_of_primary = assert_success(api.post(canonical(primary, f"/{created_on(api, ours, primary)}/issue")))

    assert first_of_primary["full_number"] == first_of_second["full_number"] == "A-000001"
    assert second_of_primary["full_number"] == "A-000002"
    assert first_of_second["issuer"] == issuer_copy(second) and first_of_second["company_id"] == str(second.pk)
    counters = InvoiceSeriesCounter.objects.order_by("last_number")
    assert [(c.company_id, c.series, c.last_number) for c in counters] == [(second.pk, "A", 1), (primary.pk, "A", 2)]


def created_on(api, customer, company) -> str:
    response = api.post(URL, {"customer_id": str(customer.pk)}, format="json", headers=on(company))
    return assert_success(response, 201)["id"]


def test_flat_routes_act_on_the_header_company_and_need_it_with_several(api, primary, second):
    ours, theirs = CustomerFactory(account=primary.account), CustomerFactory(account=primary.account, company=second)
    our_invoice, their_invoice = created_on(api, ours, primary), created_on(api, theirs, second)
    assert Invoice.objects.get(pk=our_invoice).company == primary
    assert Invoice.objects.get(pk=their_invoice).company == second

    assert [row["id"] for row in assert_success(api.get(URL, headers=on(primary)))["invoices"]] == [our_invoice]
    assert [row["id"] for row in assert_success(api.get(URL, headers=on(second)))["invoices"]] == [their_invoice]
    assert_error(api.get(URL), 403, "ACTIVE_COMPANY_REQUIRED")
    assert_error(api.get(URL, headers={HEADER: "not-a-uuid"}), 400, "ACTIVE_COMPANY_HEADER_INVALID")
    # Another company's invoice and customer are not in this request's scope: 404, nothing written.
    assert_error(api.get(url_of(their_invoice), headers=on(primary)), 404)
    assert_error(api.post(f"{url_of(their_invoice)}/issue", headers=on(primary)), 404)
    before = Invoice.objects.count()
    assert_error(api.post(URL, {"customer_id": str(theirs.pk)}, format="json", headers=on(primary)), 404)
    assert Invoice.objects.count() == before
    assert Invoice.objects.get(pk=their_invoice).status == InvoiceStatus.DRAFT


def test_canonical_routes_list_get_create_issue_and_cancel_within_the_path_company(api, primary, second):
    theirs = CustomerFactory(account=primary.account, company=second)
    CustomerFactory.create_batch(2, account=primary.account)

    draft = assert_success(api.post(canonical(second), {"customer_id": str(theirs.pk)}, format="json"), 201)
    assert draft["company_id"] == str(second.pk) and draft["issuer"] == issuer_copy(second)
    # The header is not read on a canonical route, even when it names another company.
    listed = assert_success(api.get(canonical(second), headers=on(primary)))
    assert [row["id"] for row in listed["invoices"]] == [draft["id"]]
    assert assert_success(api.get(canonical(primary)))["invoices"] == []
    assert assert_success(api.get(canonical(second, f"/{draft['id']}")))["id"] == draft["id"]
    assert_error(api.get(canonical(primary, f"/{draft['id']}")), 404)
    assert assert_success(api.post(canonical(second, f"/{draft['id']}/issue")))["full_number"] == "A-000001"
    assert assert_success(api.post(canonical(second, f"/{draft['id']}/cancel")))["status"] == "cancelled"
    stored = Invoice.objects.get(pk=draft["id"])
    assert (stored.company, stored.status, stored.number) == (second, InvoiceStatus.CANCELLED, 1)


def test_canonical_routes_refuse_companies_the_key_cannot_reach(client_for, api, account, second, other_account):
    assert_error(api.get(canonical(primary_company_of(other_account))), 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")
    assert_error(api.get("/api/v1/companies/00000000-0000-4000-8000-000000000000/invoices"), 403)
    assert_error(api.get("/api/v1/companies/not-a-uuid/invoices"), 400, "VALIDATION_ERROR")
    restricted = client_for(APIKeyFactory(account=account, company_ids=[primary_company_of(account).pk]))
    theirs = CustomerFactory(account=account, company=second)
    response = restricted.post(canonical(second), {"customer_id": str(theirs.pk)}, format="json")
    assert_error(response, 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")
    assert_error(restricted.get(URL, headers=on(second)), 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")
    assert assert_success(restricted.get(URL))["invoices"] == []  # its only company needs no header
    assert not Invoice.objects.exists()


def test_the_schema_documents_the_canonical_invoice_operations(anonymous_client):
    paths = anonymous_client.get("/api/v1/schema?format=json").json()["paths"]
    prefix = "/api/v1/companies/{company_id}/invoices"
    operations = {
        (path, method): operation["operationId"]
        for path, item in paths.items()
        if path.startswith(prefix)
        for method, operation in item.items()
    }
    assert operations == {
        (prefix, "get"): "listCompanyInvoices",
        (prefix, "post"): "createCompanyInvoice",
        (f"{prefix}/{{invoice_id}}", "get"): "getCompanyInvoice",
        (f"{prefix}/{{invoice_id}}/issue", "post"): "issueCompanyInvoice",
        (f"{prefix}/{{invoice_id}}/cancel", "post"): "cancelCompanyInvoice",
        (f"{prefix}/{{invoice_id}}/mark-paid", "post"): "markCompanyInvoicePaid",
        (f"{prefix}/{{invoice_id}}/payments/{{payment_id}}", "delete"): "deleteCompanyInvoicePayment",
    }
    issuing = paths[f"{prefix}/{{invoice_id}}/issue"]["post"]
    assert {parameter["name"] for parameter in issuing["parameters"]} >= {"company_id", "invoice_id"}
    assert "EMISSION_NOT_READY" in issuing["responses"]["422"]["description"]
    assert (
        "EMISSION_NOT_READY" in paths["/api/v1/invoices/{invoice_id}/issue"]["post"]["responses"]["422"]["description"]
    )

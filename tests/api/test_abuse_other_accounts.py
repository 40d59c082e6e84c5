"""Abuse of the API through another account's ids: in paths, bulk bodies, invoice bodies and filters, they
are not found (404, never 403) and the other account's rows stay as they were.

Every test checks the status, the envelope and what the database holds afterwards."""

import uuid
from types import SimpleNamespace

import pytest
from django.utils import timezone

from customers.models import AuditEntry, Customer
from invoices.models import Invoice, InvoiceSeriesCounter
from tests.api.abuse import (
    BULK,
    INVOICES,
    customer_url,
    database_state,
    listed_names,
)
from tests.envelope import assert_error, assert_success
from tests.factories import AccountFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger(db):
    """Another account with an active customer, an inactive one and one with an invoice."""
    account = AccountFactory()
    return SimpleNamespace(
        account=account,
        active=CustomerFactory(account=account, legal_name="Ajena Activa SL"),
        inactive=CustomerFactory(
            account=account, legal_name="Ajena Inactiva SL", active=False, deactivated_at=timezone.now()
        ),
        invoice=InvoiceFactory(customer=CustomerFactory(account=account, legal_name="Ajena Facturada SL")),
    )


def rows_of(account) -> dict:
    return {
        "customers": sorted(Customer.objects.filter(account=account).values(), key=lambda row: str(row["id"])),
        "invoices": sorted(Invoice.objects.filter(account=account).values(), key=lambda row: str(row["id"])),
        "audit_entries": list(AuditEntry.objects.filter(customer__account=account).order_by("pk").values()),
        "counters": list(InvoiceSeriesCounter.objects.filter(company__account=account).values()),
    }


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/customers/{active}", None),
        ("get", "/api/v1/customers/{inactive}", None),
        ("patch", "/api/v1/customers/{active}", {"legal_name": "Secuestrada SL"}),
        ("patch", "/api/v1/customers/{inactive}", {"nif": "B12345674"}),
        ("delete", "/api/v1/customers/{active}", None),
        ("delete", "/api/v1/customers/{invoiced}", None),
        ("post", "/api/v1/customers/{inactive}/reactivate", None),
        ("post", "/api/v1/customers/{active}/reactivate", None),
        ("get", "/api/v1/invoices/{invoice}", None),
    ],
)
def test_another_accounts_id_is_not_found_and_its_rows_are_unchanged(api, account, stranger, method, path, body):
    ids = {
        "active": stranger.active.pk,
        "inactive": stranger.inactive.pk,
        "invoiced": stranger.invoice.customer_id,
        "invoice": stranger.invoice.pk,
    }
    theirs = rows_of(stranger.account)
    kwargs = {"format": "json"} if body is not None else {}

    response = getattr(api, method)(path.format(**ids), body, **kwargs)

    # BeeL's CLIENT_NOT_FOUND for a customer, but on the seed DELETE, whose page says NOT_FOUND.
    customer_code = "NOT_FOUND" if method == "delete" else "CLIENT_NOT_FOUND"
    error = assert_error(response, 404, customer_code if "/customers/" in path else "NOT_FOUND")
    assert "details" not in error
    assert rows_of(stranger.account) == theirs


def test_another_accounts_id_gets_the_same_404_as_an_id_that_does_not_exist(api, account, stranger):
    foreign = assert_error(api.get(customer_url(stranger.active.pk)), 404, "CLIENT_NOT_FOUND")
    missing = assert_error(api.get(customer_url(uuid.uuid4())), 404, "CLIENT_NOT_FOUND")
    assert foreign == missing

    foreign_invoice = assert_error(api.get(f"{INVOICES}/{stranger.invoice.pk}"), 404, "NOT_FOUND")
    missing_invoice = assert_error(api.get(f"{INVOICES}/{uuid.uuid4()}"), 404, "NOT_FOUND")
    assert foreign_invoice == missing_invoice


def test_bulk_deactivation_reports_another_accounts_ids_not_found_and_leaves_them_alone(api, account, stranger):
    own = CustomerFactory(account=account)
    theirs = rows_of(stranger.account)
    foreign_ids = [str(stranger.active.pk), str(stranger.invoice.customer_id), str(stranger.inactive.pk)]

    data = assert_success(api.delete(f"{BULK}?ids={','.join([*foreign_ids, str(own.pk)])}"))

    assert data["deactivated_ids"] == [str(own.pk)]
    assert [(entry["customer_id"], entry["error"]["code"]) for entry in data["errors"]] == [
        (customer_id, "NOT_FOUND") for customer_id in foreign_ids
    ]
    assert rows_of(stranger.account) == theirs
    assert Customer.objects.get(pk=own.pk).active is False


def test_invoice_for_another_accounts_customer_is_not_found_and_creates_nothing(api, account, stranger):
    theirs = rows_of(stranger.account)
    before = database_state()

    response = api.post(INVOICES, {"customer_id": str(stranger.active.pk)}, format="json")

    assert_error(response, 404, "NOT_FOUND")
    assert rows_of(stranger.account) == theirs
    assert database_state() == before
    assert not Invoice.objects.filter(account=account).exists()


def test_invoice_list_filtered_by_another_accounts_customer_is_empty(api, account, stranger):
    InvoiceFactory(customer=CustomerFactory(account=account))

    data = assert_success(api.get(INVOICES, {"customer_id": str(stranger.invoice.customer_id)}))

    assert data["invoices"] == []
    assert data["pagination"]["total_items"] == 0
    assert data["pagination"]["total_pages"] == 0


def test_customer_list_never_shows_another_accounts_customers_whatever_the_filter(api, account, stranger):
    CustomerFactory(account=account, legal_name="Propia SL")

    assert listed_names(api) == ["Propia SL"]
    assert listed_names(api, search="Ajena") == []
    assert listed_names(api, nif=stranger.active.nif) == []

"""The invoices scopes: `invoices:read` and `invoices:write` are needed, and enough, for the invoice endpoints."""

import pytest

from invoices.models import Invoice
from tests.envelope import assert_error
from tests.factories import APIKeyFactory
from tests.invoices.helpers import URL, create, created, get_list, invoice_for, url_of

pytestmark = pytest.mark.django_db


def test_read_only_invoices_key_cannot_create_and_writes_nothing(client_for, account, customer):
    client = client_for(APIKeyFactory(account=account, scopes=["invoices:read", "customers:read", "customers:write"]))
    error = assert_error(create(client, customer), 403, "INSUFFICIENT_SCOPE")
    assert "invoices:write" in error["message"]
    assert not Invoice.objects.exists()
    assert get_list(client)["invoices"] == []  # the same key may read


@pytest.mark.parametrize("path", ["list", "detail"])
def test_customers_only_key_cannot_read_invoices(client_for, account, path):
    invoice = invoice_for(account)
    client = client_for(APIKeyFactory(account=account, scopes=["customers:read", "customers:write"]))
    response = client.get(URL if path == "list" else url_of(invoice))
    error = assert_error(response, 403, "INSUFFICIENT_SCOPE")
    assert "invoices:read" in error["message"]
    assert str(invoice.pk) not in response.content.decode()


def test_write_only_invoices_key_can_create_but_not_read(client_for, account, customer):
    client = client_for(APIKeyFactory(account=account, scopes=["invoices:write"]))
    data = created(client, customer)
    error = assert_error(client.get(url_of(data["id"])), 403, "INSUFFICIENT_SCOPE")
    assert "invoices:read" in error["message"]

"""Reading one invoice through HTTP: `GET /api/v1/invoices/{id}`. Every test checks the response envelope."""

from decimal import Decimal

import pytest

from tests.envelope import assert_error, assert_success, assert_validation_error
from tests.invoices.helpers import INVOICE_KEYS, UNKNOWN_ID, get_list, invoice_for, url_of
from tests.spec import SPEC_ID_0

pytestmark = pytest.mark.django_db


def test_retrieve_returns_the_invoice_as_listed(api, account):
    invoice = invoice_for(account, subtotal=Decimal("80.50"), tax_total=Decimal("16.91"), total=Decimal("97.41"))
    data = assert_success(api.get(url_of(invoice)))
    assert set(data) == INVOICE_KEYS
    assert data["id"] == str(invoice.pk)
    assert data["total"] == "97.41"
    [listed] = get_list(api)["invoices"]
    assert data == listed


@pytest.mark.parametrize("value", ["abc", "123", SPEC_ID_0[:-4] + "zzzz"])
def test_retrieve_with_a_malformed_id_is_400_naming_invoice_id(api, account, value):
    invoice_for(account)
    assert_validation_error(api.get(url_of(value)), {"invoice_id"})


def test_retrieve_unknown_invoice_is_404(api, account):
    invoice_for(account)
    assert_error(api.get(url_of(UNKNOWN_ID)), 404, "NOT_FOUND")


def test_retrieve_another_accounts_invoice_is_404_not_403(api, other_api, other_account):
    foreign = invoice_for(other_account)
    assert_error(api.get(url_of(foreign)), 404, "NOT_FOUND")
    assert assert_success(other_api.get(url_of(foreign)))["id"] == str(foreign.pk)

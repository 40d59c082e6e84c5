"""A page whose offset the database cannot serve (past a 64-bit OFFSET) is a 422 naming `page` (it parses,
but is out of range: BeeL's UnprocessableQueryParameter), never a 500; the largest page that can be served
answers an empty page with the true totals."""

import pytest

from beel.api.params import MAX_PAGE
from tests.envelope import assert_error
from tests.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/customers", "/api/v1/customers?search=a", "/api/v1/invoices", "/api/v1/invoices?status=draft"]


@pytest.fixture
def some_rows(account):
    customer = CustomerFactory(account=account, legal_name="Alfa SL")
    InvoiceFactory(customer=customer)


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("page", ["999999999999999999", "99999999999999999", str(MAX_PAGE + 1), "9" * 26])
def test_a_page_past_what_the_database_can_offset_is_a_validation_error(api, some_rows, path, page):
    separator = "&" if "?" in path else "?"
    response = api.get(f"{path}{separator}limit=100&page={page}")
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert error["details"]["page"] == f"page must be less than or equal to {MAX_PAGE}."


@pytest.mark.parametrize("path", LISTS)
def test_the_largest_page_is_served_as_an_empty_page_with_the_true_totals(api, some_rows, path):
    separator = "&" if "?" in path else "?"
    response = api.get(f"{path}{separator}limit=100&page={MAX_PAGE}")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["pagination"]["current_page"] == MAX_PAGE
    assert data["pagination"]["total_items"] == 1
    assert data["pagination"]["has_next"] is False
    assert next(value for key, value in data.items() if key != "pagination") == []


def test_the_schema_states_the_largest_page(anonymous_client):
    schema = anonymous_client.get("/api/v1/schema?format=json").json()
    for path in ("/api/v1/customers", "/api/v1/invoices"):
        page = next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "page")
        assert page["schema"]["maximum"] == MAX_PAGE

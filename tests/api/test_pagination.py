"""Paging of the list endpoints, `GET /api/v1/customers` and `GET /api/v1/invoices` alike: `page` and `limit`,
their defaults and bounds, and the documented `pagination` object. Every test runs against both resources."""

import math
from dataclasses import dataclass
from unittest.mock import ANY

import pytest

from tests.envelope import assert_validation_error
from tests.factories import CustomerFactory, InvoiceFactory
from tests.listing import get_page

pytestmark = pytest.mark.django_db


@dataclass
class Listed:
    """A paginated resource: where it is listed, under which key, how to store `n` rows of it for the account,
    and a filter that matches none of those rows."""

    url: str
    key: str
    account: object
    matching_nothing: dict

    def create(self, n: int) -> None:
        if self.key == "customers":
            CustomerFactory.create_batch(n, account=self.account, city="Madrid", province="Madrid")
        else:
            # Series "F": never one the API numbers itself.
            InvoiceFactory.create_batch(n, customer=CustomerFactory(account=self.account), series="F")

    def list(self, client, **params) -> dict:
        return get_page(client, self.url, self.key, **params)


@pytest.fixture(params=["customers", "invoices"])
def listed(request, account) -> Listed:
    if request.param == "customers":
        return Listed("/api/v1/customers", "customers", account, matching_nothing={"city": "Lugo"})
    return Listed("/api/v1/invoices", "invoices", account, matching_nothing={"status": "cancelled"})


def test_defaults_to_first_page_of_twenty(api, listed):
    listed.create(25)
    data = listed.list(api)
    assert len(data[listed.key]) == 20
    assert data["pagination"] == {
        "current_page": 1,
        "items_per_page": 20,
        "total_items": 25,
        "total_pages": 2,
        "has_next": True,
        "has_previous": False,
        "next_cursor": ANY,
    }


def test_last_page_holds_the_remainder_and_has_no_next(api, listed):
    listed.create(25)
    data = listed.list(api, page=2)
    assert len(data[listed.key]) == 5
    assert data["pagination"] == {
        "current_page": 2,
        "items_per_page": 20,
        "total_items": 25,
        "total_pages": 2,
        "has_next": False,
        "has_previous": True,
        "next_cursor": None,
    }


def test_middle_and_last_pages_report_their_neighbours(api, listed):
    listed.create(7)
    middle = listed.list(api, page=2, limit=3)
    assert len(middle[listed.key]) == 3
    assert middle["pagination"] == {
        "current_page": 2,
        "items_per_page": 3,
        "total_items": 7,
        "total_pages": 3,
        "has_next": True,
        "has_previous": True,
        "next_cursor": ANY,
    }
    last = listed.list(api, page=3, limit=3)
    assert len(last[listed.key]) == 1
    assert last["pagination"]["has_next"] is False
    assert last["pagination"]["has_previous"] is True


@pytest.mark.parametrize("limit", [1, 2, 50, 99, 100])
def test_any_limit_from_1_to_100_is_honoured(api, listed, limit):
    listed.create(101)
    data = listed.list(api, limit=limit)
    assert len(data[listed.key]) == limit
    assert data["pagination"]["items_per_page"] == limit
    assert data["pagination"]["total_items"] == 101
    assert data["pagination"]["total_pages"] == math.ceil(101 / limit)
    assert data["pagination"]["has_next"] is True


def test_exact_multiple_of_limit_has_no_extra_page(api, listed):
    listed.create(6)
    data = listed.list(api, page=2, limit=3)
    assert len(data[listed.key]) == 3
    assert data["pagination"]["total_pages"] == 2
    assert data["pagination"]["has_next"] is False


@pytest.mark.parametrize("page", [3, 4, 5, 1000])
def test_page_past_the_end_is_an_empty_list_with_true_totals(api, listed, page):
    listed.create(3)
    data = listed.list(api, page=page, limit=2)
    assert data[listed.key] == []
    assert data["pagination"] == {
        "current_page": page,
        "items_per_page": 2,
        "total_items": 3,
        "total_pages": 2,
        "has_next": False,
        "has_previous": True,
        "next_cursor": None,
    }


def test_nothing_to_list_has_zero_total_pages(api, listed):
    data = listed.list(api)
    assert data[listed.key] == []
    assert data["pagination"] == {
        "current_page": 1,
        "items_per_page": 20,
        "total_items": 0,
        "total_pages": 0,
        "has_next": False,
        "has_previous": False,
        "next_cursor": None,
    }


def test_filter_matching_nothing_has_zero_totals(api, listed):
    listed.create(3)
    data = listed.list(api, **listed.matching_nothing)
    assert data[listed.key] == []
    assert data["pagination"]["total_items"] == 0
    assert data["pagination"]["total_pages"] == 0
    assert data["pagination"]["has_next"] is False


@pytest.mark.parametrize(
    ("parameter", "value"),
    [("page", "abc"), ("page", "1.5"), ("page", "1e3"), ("limit", "abc"), ("limit", "ten"), ("limit", "2.5")],
)
def test_paging_that_does_not_parse_is_400_naming_the_parameter(api, listed, parameter, value):
    listed.create(2)
    assert_validation_error(api.get(listed.url, {parameter: value}), {parameter})


@pytest.mark.parametrize(
    ("parameter", "value"),
    [("page", "0"), ("page", "-1"), ("limit", "0"), ("limit", "-5"), ("limit", "101"), ("limit", "1000")],
)
def test_paging_out_of_range_is_422_naming_the_parameter(api, listed, parameter, value):
    # BeeL 1.9.0's UnprocessableQueryParameter: the value parses, the operation does not admit it.
    listed.create(2)
    assert_validation_error(api.get(listed.url, {parameter: value}), {parameter}, status=422)


def test_paging_out_of_range_with_a_parameter_that_does_not_parse_is_400_naming_both(api, listed):
    listed.create(2)
    assert_validation_error(api.get(listed.url, {"limit": "101", "page": "one"}), {"limit", "page"})


def test_an_undeclared_query_parameter_is_400_naming_it_on_every_list(api, listed):
    listed.create(2)
    response = api.get(listed.url, {"per_page": "10", "limit": "5"})
    details = assert_validation_error(response, {"per_page"})
    assert details["per_page"] == "Unknown query parameter."


def test_beels_own_list_parameters_stay_declared(api, listed):
    listed.create(2)
    since = {"created_since": "2000-01-01T00:00:00Z"}
    assert api.get(listed.url, {"format": "json"}).status_code == 200
    first = api.get(listed.url, {"limit": "1", **since})
    assert first.status_code == 200, first.content
    cursor = first.json()["data"]["pagination"]["next_cursor"]
    assert api.get(listed.url, {"limit": "1", "cursor": cursor, **since}).status_code == 200


def test_absurdly_large_page_is_never_a_server_error(api, listed):
    listed.create(1)
    response = api.get(listed.url, {"page": "9" * 40})
    if response.status_code == 422:
        assert_validation_error(response, {"page"}, status=422)
    else:
        assert response.status_code == 200, response.content
        data = response.json()["data"]
        assert data[listed.key] == []
        assert data["pagination"]["total_items"] == 1

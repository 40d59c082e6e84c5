"""GET /customers/aging: what each customer owes as of a day, by aging bucket, per currency."""

import pytest

from tests.envelope import assert_error, assert_success
from tests.factories import APIKeyFactory, CompanyFactory, CustomerFactory
from tests.invoices.aging import URL, buckets_of, company_url, days_ago, owing, report, rows_by_customer
from tests.invoices.helpers import cancel
from tests.invoices.payments import issued_for, mark_paid, move_days

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("receivables_today")]


@pytest.mark.parametrize(
    ("days_past_due", "bucket"),
    [
        (-5, "current"),
        (0, "current"),  # due today: its last day to pay
        (1, "days_1_30"),
        (30, "days_1_30"),
        (31, "days_31_60"),
        (60, "days_31_60"),
        (61, "days_61_90"),
        (90, "days_61_90"),
        (91, "days_over_90"),
        (400, "days_over_90"),
    ],
)
def test_each_bucket_boundary(api, customer, days_past_due, bucket):
    owing(customer, "10.00", days_past_due=days_past_due)
    data = report(api)
    assert data["as_of"] == "2026-06-15"
    [row] = data["customers"]
    assert buckets_of(row) == {bucket: "10.00"}
    assert row["total"] == "10.00"


def test_a_row_adds_a_customers_invoices_and_counts_what_is_left_of_partly_paid_ones(api, customer):
    owing(customer, "121.00", days_past_due=0)
    owing(customer, "100.00", days_past_due=45, paid="40.50")
    owing(customer, "50.00", days_past_due=45)
    [row] = report(api)["customers"]
    assert row["customer_id"] == str(customer.pk)
    assert (row["legal_name"], row["nif"], row["currency"]) == (customer.legal_name, customer.nif, "EUR")
    assert buckets_of(row) == {"current": "121.00", "days_31_60": "109.50"}
    assert row["total"] == "230.50"


def test_paid_cancelled_and_draft_invoices_owe_nothing(api, account):
    settled = CustomerFactory(account=account)
    owing(settled, status="paid", paid="100.00")
    owing(settled, status="cancelled", days_past_due=100)
    owing(settled, status="draft", days_past_due=100)
    data = report(api)
    assert data["customers"] == []
    assert data["totals"] == []
    assert data["pagination"]["total_items"] == 0


def test_currencies_are_rows_and_totals_of_their_own(api, account):
    both, euros = CustomerFactory(account=account), CustomerFactory(account=account)
    owing(both, "10.00", days_past_due=3)
    owing(both, "7.25", days_past_due=100, currency="USD")
    owing(euros, "5.00")
    data = report(api)
    rows = rows_by_customer(data)
    assert set(rows) == {(str(both.pk), "EUR"), (str(both.pk), "USD"), (str(euros.pk), "EUR")}
    assert rows[(str(both.pk), "USD")]["total"] == "7.25"
    assert rows[(str(both.pk), "EUR")]["total"] == "10.00"
    assert data["totals"] == [
        {
            "currency": "EUR",
            "customers": 2,
            "current": "5.00",
            "days_1_30": "10.00",
            "days_31_60": "0.00",
            "days_61_90": "0.00",
            "days_over_90": "0.00",
            "total": "15.00",
        },
        {
            "currency": "USD",
            "customers": 1,
            "current": "0.00",
            "days_1_30": "0.00",
            "days_31_60": "0.00",
            "days_61_90": "0.00",
            "days_over_90": "7.25",
            "total": "7.25",
        },
    ]


def test_sorted_by_total_largest_first_by_default_and_both_ways(api, account):
    customers = [CustomerFactory(account=account, legal_name=name) for name in ("Beta", "alfa", "Gamma")]
    for customer, total in zip(customers, ("30.00", "10.00", "20.00"), strict=True):
        owing(customer, total, days_past_due=100)
    assert [row["total"] for row in report(api)["customers"]] == ["30.00", "20.00", "10.00"]
    ascending = report(api, sort_by="total", sort_order="asc")["customers"]
    assert [row["total"] for row in ascending] == ["10.00", "20.00", "30.00"]
    by_name = report(api, sort_by="legal_name")["customers"]
    assert [row["legal_name"] for row in by_name] == ["alfa", "Beta", "Gamma"]  # case ignored, as the list
    backwards = report(api, sort_by="legal_name", sort_order="desc")["customers"]
    assert [row["legal_name"] for row in backwards] == ["Gamma", "Beta", "alfa"]
    owing(customers[1], "500.00", days_past_due=0)  # alfa: the most, but none of it past 90 days
    over_90 = report(api, sort_by="days_over_90")["customers"]
    assert [row["days_over_90"] for row in over_90] == ["30.00", "20.00", "10.00"]


def test_pages_walk_every_row_once(api, account):
    for n in range(5):
        owing(CustomerFactory(account=account), f"{n + 1}.00")
    first = report(api, limit=2)
    assert first["pagination"] == {
        "current_page": 1,
        "items_per_page": 2,
        "total_items": 5,
        "total_pages": 3,
        "has_next": True,
        "has_previous": False,
        "next_cursor": None,
    }
    seen = [row["total"] for page in (1, 2, 3) for row in report(api, limit=2, page=page)["customers"]]
    assert seen == ["5.00", "4.00", "3.00", "2.00", "1.00"]
    past_the_end = report(api, limit=2, page=9)
    assert past_the_end["customers"] == [] and past_the_end["pagination"]["total_items"] == 5
    assert first["totals"][0]["total"] == "15.00"  # the whole report's, on every page


def test_as_of_a_past_day_counts_what_was_owed_then(api, customer):
    """Issued on the 15th, due the 20th; 21.00 paid on the 22nd, the rest on the 25th."""
    invoice = issued_for(api, customer, total="121.00", due_date="2026-06-20")
    move_days(10)  # the 25th
    assert_success(mark_paid(api, invoice["id"], amount="21.00", payment_date="2026-06-22"))
    assert_success(mark_paid(api, invoice["id"], payment_date="2026-06-25"))

    def owed(as_of):
        return {row["customer_id"]: buckets_of(row) for row in report(api, as_of=as_of)["customers"]}

    assert owed("2026-06-14") == {}  # not issued yet
    assert owed("2026-06-20") == {str(customer.pk): {"current": "121.00"}}
    assert owed("2026-06-21") == {str(customer.pk): {"days_1_30": "121.00"}}
    assert owed("2026-06-22") == {str(customer.pk): {"days_1_30": "100.00"}}
    assert owed("2026-06-24") == {str(customer.pk): {"days_1_30": "100.00"}}
    assert owed("2026-06-25") == {}
    assert report(api)["as_of"] == "2026-06-25"


def test_a_cancelled_invoice_is_out_of_past_days_too(api, customer):
    invoice = issued_for(api, customer, total="10.00", due_date="2026-06-15")
    move_days(3)
    assert_success(cancel(api, invoice["id"]))
    assert report(api, as_of="2026-06-16")["customers"] == []


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"as_of": "2026-06-16"}, "as_of"),  # tomorrow: its payments are unknown
        ({"as_of": "15/06/2026"}, "as_of"),
        ({"as_of": "2026-02-30"}, "as_of"),
        ({"as_of": ""}, "as_of"),
        ({"as_of": "+2026-06-01"}, "as_of"),
        ({"as_of": " 2026-06-01"}, "as_of"),
        ({"as_of": "2026-06-01\t"}, "as_of"),
        ({"sort_by": "created_at"}, "sort_by"),
        ({"sort_order": "up"}, "sort_order"),
        ({"limit": "101"}, "limit"),
        ({"page": "0"}, "page"),
    ],
)
def test_bad_values_are_422_naming_the_parameter(api, customer, params, named):
    owing(customer)
    error = assert_error(api.get(URL, params), 422, "VALIDATION_ERROR")
    assert named in error["details"]


def test_an_as_of_day_in_year_one_is_answered_not_a_500(api, customer):
    # Its buckets' bounds (90 days before) fall before the first day a date can hold.
    owing(customer)

    data = report(api, as_of="0001-01-01")
    exported = api.get(f"{URL}/export", {"as_of": "0001-01-01"})

    assert data["customers"] == [] and data["totals"] == []
    assert exported.status_code == 200
    assert b"".join(exported.streaming_content).decode("utf-8-sig").count("\n") == 1  # the headers alone


def test_an_unknown_parameter_is_400(api):
    error = assert_error(api.get(URL, {"cursor": "x"}), 400, "VALIDATION_ERROR")
    assert "cursor" in error["details"]


def test_another_accounts_invoices_are_never_shown(api, other_api, customer, other_account):
    owing(customer, "10.00")
    owing(CustomerFactory(account=other_account), "99.00")
    assert [row["total"] for row in report(api)["customers"]] == ["10.00"]
    assert [row["total"] for row in report(other_api)["customers"]] == ["99.00"]


def test_a_test_key_reads_test_mode_only(client_for, account, customer):
    owing(customer, "10.00")
    test_key = APIKeyFactory(account=account, mode="test")
    assert report(client_for(test_key))["customers"] == []


def test_the_flat_route_reads_every_company_the_key_reaches(client_for, api, account, customer):
    second = CompanyFactory(account=account)
    owing(customer, "10.00")
    owing(CustomerFactory(account=account, company=second), "20.00")
    assert [row["total"] for row in report(api)["customers"]] == ["20.00", "10.00"]
    restricted = client_for(APIKeyFactory(account=account, company_ids=[str(second.pk)]))
    assert [row["total"] for row in report(restricted)["customers"]] == ["20.00"]


def test_the_canonical_route_reads_its_company_only(api, account, customer, other_account):
    second = CompanyFactory(account=account)
    owing(customer, "10.00")
    owing(CustomerFactory(account=account, company=second), "20.00")
    data = report(api, company_url(second.pk))
    assert [row["total"] for row in data["customers"]] == ["20.00"]
    assert data["totals"][0]["total"] == "20.00"
    foreign = CompanyFactory(account=other_account)
    assert_error(api.get(company_url(foreign.pk)), 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")
    assert_error(api.get(company_url(foreign.pk, export=True)), 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")


def test_an_empty_canonical_report_has_one_page(api, account):
    data = report(api, company_url(CompanyFactory(account=account).pk))
    assert data["pagination"]["total_pages"] == 1


def test_it_needs_invoices_read(client_for, account):
    key = APIKeyFactory(account=account, scopes=["customers:read"])
    assert_error(client_for(key).get(URL), 403, "INSUFFICIENT_SCOPE")
    assert_error(client_for(key).get(f"{URL}/export"), 403, "INSUFFICIENT_SCOPE")
    allowed = APIKeyFactory(account=account, scopes=["invoices:read"])
    assert_success(client_for(allowed).get(URL))


def test_due_dates_move_with_the_clock(api, customer):
    owing(customer, "10.00", days_past_due=30)
    assert buckets_of(report(api)["customers"][0]) == {"days_1_30": "10.00"}
    move_days(1)
    assert buckets_of(report(api)["customers"][0]) == {"days_31_60": "10.00"}
    assert days_ago(0).isoformat() == "2026-06-16"


def test_the_schema_describes_both_routes(anonymous_client):
    schema = anonymous_client.get("/api/v1/schema?format=json").json()
    paths = schema["paths"]
    for path in (URL, "/api/v1/companies/{company_id}/customers/aging"):
        operation = paths[path]["get"]
        query = {parameter["name"] for parameter in operation["parameters"] if parameter["in"] == "query"}
        assert query == {"as_of", "sort_by", "sort_order", "page", "limit"}
        assert {"200", "400", "401", "403", "422"} <= set(operation["responses"])
        export = paths[f"{path}/export"]["get"]
        assert set(export["responses"]["200"]["content"]) == {"text/csv"}
        assert {p["name"] for p in export["parameters"] if p["in"] == "query"} == {"as_of", "sort_by", "sort_order"}

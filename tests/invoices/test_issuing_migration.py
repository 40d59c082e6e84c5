"""Migration invoices.0005 on existing rows: drafts lose the numbers they never legally had, issued invoices
keep theirs and get their recipient copy, and each series' counter goes back to its highest number held."""

import pytest

from tests.factories import AccountFactory
from tests.migrations import leaf_nodes as executor_leaf_nodes
from tests.migrations import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("invoices", "0004_field_labels_translated")]
AFTER = [("invoices", "0005_drafts_unnumbered_and_recipient_copy")]


def customers_leaf():
    # Customers' later migrations stay applied while invoices go back; the historical models must have
    # their columns too (a NOT NULL column the state does not know would refuse the inserts below).
    return [node for node in executor_leaf_nodes() if node[0] == "customers"]


def historical_customer(apps, account, **fields):
    """A customer of the account's primary company, written through the historical models."""
    company_id = apps.get_model("companies", "Company").objects.get(account_id=account.pk, is_primary=True).pk
    customers = apps.get_model("customers", "Customer").objects
    return customers.create(account_id=account.pk, company_id=company_id, **fields)


@pytest.fixture
def before_issuing():
    apps = migrate(BEFORE + customers_leaf())
    yield apps
    migrate(executor_leaf_nodes())


def test_drafts_lose_their_numbers_issued_invoices_keep_theirs_with_their_recipient(before_issuing):
    apps = before_issuing
    account = AccountFactory()
    Invoice = apps.get_model("invoices", "Invoice")
    Counter = apps.get_model("invoices", "InvoiceSeriesCounter")
    customer = historical_customer(
        apps,
        account,
        legal_name="Migrada SL",
        nif="B12345674",
        street="Calle Mayor",
        city="Madrid",
    )
    for number, status in [(1, "issued"), (2, "paid"), (3, "draft"), (4, "cancelled"), (5, "draft")]:
        Invoice.objects.create(account_id=account.pk, customer_id=customer.pk, series="A", number=number, status=status)
    Counter.objects.create(account_id=account.pk, series="A", last_number=5)

    apps = migrate(AFTER + customers_leaf())

    Invoice = apps.get_model("invoices", "Invoice")
    rows = sorted(Invoice.objects.values_list("status", "number"), key=lambda row: (row[1] is None, row[1] or 0))
    assert rows == [("issued", 1), ("paid", 2), ("cancelled", 4), ("draft", None), ("draft", None)]
    for invoice in Invoice.objects.exclude(status="draft"):
        assert invoice.recipient["legal_name"] == "Migrada SL"
        assert invoice.recipient["address"]["city"] == "Madrid"
    assert set(Invoice.objects.filter(status="draft").values_list("recipient", flat=True)) == {None}
    # The discarded draft number 5 is not left as a gap: the next issued invoice is number 5.
    assert apps.get_model("invoices", "InvoiceSeriesCounter").objects.get().last_number == 4


def test_recipient_copies_hold_floor_and_door_only_when_filled_for_every_series_and_mode(before_issuing):
    """The copy is written by set-based SQL on both databases: the same shape the first, row-by-row version
    wrote (floor and door only when filled), for each invoice from its own customer."""
    apps = before_issuing
    account = AccountFactory()
    Invoice = apps.get_model("invoices", "Invoice")
    Counter = apps.get_model("invoices", "InvoiceSeriesCounter")
    flat = historical_customer(
        apps,
        account,
        legal_name="Piso Alto SL",
        nif="B12345674",
        street="Calle Mayor",
        number="3",
        floor="2º",
        door="B",
        postal_code="28013",
        city="Madrid",
        province="Madrid",
    )
    house = historical_customer(apps, account, legal_name="Casa Baja SA", nif="A58818501", city="Lugo")
    Invoice.objects.create(account_id=account.pk, customer_id=flat.pk, series="A", number=7, status="issued")
    Invoice.objects.create(account_id=account.pk, customer_id=house.pk, series="B", number=2, status="paid")
    Invoice.objects.create(
        account_id=account.pk, customer_id=house.pk, series="A", number=9, status="issued", mode="test"
    )
    Counter.objects.create(account_id=account.pk, series="A", last_number=8)
    Counter.objects.create(account_id=account.pk, series="A", mode="test", last_number=12)
    Counter.objects.create(account_id=account.pk, series="C", last_number=3)  # no invoice holds a number

    apps = migrate(AFTER + customers_leaf())

    Invoice = apps.get_model("invoices", "Invoice")
    copies = {(row.mode, row.series): row.recipient for row in Invoice.objects.all()}
    assert copies[("live", "A")] == {
        "legal_name": "Piso Alto SL",
        "nif": "B12345674",
        "address": {
            "street": "Calle Mayor",
            "number": "3",
            "floor": "2º",
            "door": "B",
            "postal_code": "28013",
            "city": "Madrid",
            "province": "Madrid",
            "country": "España",
        },
    }
    house_copy = {
        "legal_name": "Casa Baja SA",
        "nif": "A58818501",
        "address": {"street": "", "number": "", "postal_code": "", "city": "Lugo", "province": "", "country": "España"},
    }
    assert copies[("live", "B")] == house_copy
    assert copies[("test", "A")] == house_copy
    counters = apps.get_model("invoices", "InvoiceSeriesCounter").objects.values_list("mode", "series", "last_number")
    assert sorted(counters) == [("live", "A", 7), ("live", "C", 0), ("test", "A", 9)]


def test_reversing_numbers_the_drafts_after_each_series_last_number_in_creation_order(before_issuing):
    apps = before_issuing
    account = AccountFactory()
    customer = historical_customer(apps, account, legal_name="Vuelta SL")
    apps = migrate(AFTER + customers_leaf())
    Invoice = apps.get_model("invoices", "Invoice")
    Counter = apps.get_model("invoices", "InvoiceSeriesCounter")
    Invoice.objects.create(account_id=account.pk, customer_id=customer.pk, series="A", number=4, status="issued")
    drafts = [
        Invoice.objects.create(account_id=account.pk, customer_id=customer.pk, series=series, status="draft")
        for series in ("A", "A", "N", "A")
    ]
    Counter.objects.create(account_id=account.pk, series="A", last_number=6)  # 5 and 6 were issued, then deleted

    apps = migrate(BEFORE + customers_leaf())

    numbers = dict(apps.get_model("invoices", "Invoice").objects.values_list("id", "number"))
    assert [numbers[draft.pk] for draft in drafts] == [7, 8, 1, 9]
    counters = apps.get_model("invoices", "InvoiceSeriesCounter").objects.values_list("series", "last_number")
    assert sorted(counters) == [("A", 9), ("N", 1)]

"""Issuing and cancelling invoices through HTTP: `POST /api/v1/invoices/{id}/issue` numbers a draft in its
series at that moment and keeps a copy of its recipient; `POST /api/v1/invoices/{id}/cancel` keeps an issued
invoice's number. Every test checks the envelope and the database."""

from datetime import UTC, date, datetime

import pytest

from beel.clock import clock
from beel.events.models import Event
from customers.models import Customer
from invoices.models import Invoice, InvoiceSeriesCounter
from tests.envelope import TIMESTAMP, assert_error, assert_success, assert_validation_error
from tests.factories import APIKeyFactory, CustomerFactory, InvoiceFactory
from tests.invoices.helpers import INVOICE_KEYS, UNKNOWN_ID, cancel, create, created, issue, issued, url_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    clock.freeze(datetime(2026, 6, 15, 10, 0, tzinfo=UTC).timestamp())
    yield
    clock.unfreeze()


def edit(api, customer, **fields):
    return assert_success(api.patch(f"/api/v1/customers/{customer.pk}", fields, format="json"))


def counter(account, series="A") -> int:
    return InvoiceSeriesCounter.objects.get(company__account=account, series=series).last_number


# --- issuing: the number ------------------------------------------------------------------------------------


def test_issuing_a_draft_numbers_it_dates_it_today_and_copies_its_recipient(api, account):
    customer = CustomerFactory(account=account, legal_name="Tech Solutions SL", nif="B12345674", city="Madrid")
    draft = created(api, customer, issue_date="2026-06-01")

    data = assert_success(issue(api, draft["id"]))

    assert set(data) == INVOICE_KEYS
    assert (data["id"], data["status"], data["number"], data["full_number"]) == (draft["id"], "issued", 1, "A-000001")
    assert data["issue_date"] == "2026-06-15"  # the day it is issued, so dates follow the numbers
    assert TIMESTAMP.match(data["issued_at"])
    assert data["recipient"]["legal_name"] == "Tech Solutions SL"
    assert data["recipient"]["nif"] == "B12345674"
    assert data["recipient"]["address"]["city"] == "Madrid"
    stored = Invoice.objects.get(pk=draft["id"])
    assert (stored.status, stored.number, stored.issue_date) == ("issued", 1, date(2026, 6, 15))
    assert stored.recipient == data["recipient"]
    assert stored.issued_at is not None
    assert counter(account) == 1
    assert assert_success(api.get(url_of(draft["id"]))) == data


def test_a_foreign_recipients_alternative_id_is_kept_as_issued(api, account):
    customer = CustomerFactory(
        account=account,
        legal_name="Müller GmbH",
        nif="",
        alternative_id_type="02",
        alternative_id_number="DE136695976",
        alternative_id_country="DE",
        country="Alemania",
        country_code="DE",
    )
    draft = created(api, customer)

    data = assert_success(issue(api, draft["id"]))
    edit(api, customer, alternative_id={"type": "04", "number": "X1234567", "country_code": "DE"})

    kept = {"type": "02", "number": "DE136695976", "country_code": "DE"}
    assert (data["recipient"]["nif"], data["recipient"]["alternative_id"]) == ("", kept)
    assert data["recipient"]["address"]["country_code"] == "DE"
    assert assert_success(api.get(url_of(draft["id"])))["recipient"]["alternative_id"] == kept
    assert Invoice.objects.get(pk=draft["id"]).recipient["alternative_id"] == kept


def test_numbers_follow_the_order_of_issue_not_of_creation(api, account, customer):
    first, second, third = (created(api, customer)["id"] for _ in range(3))
    assert assert_success(issue(api, third))["number"] == 1
    assert assert_success(issue(api, first))["number"] == 2
    assert assert_success(issue(api, second))["number"] == 3
    assert [Invoice.objects.get(pk=pk).number for pk in (first, second, third)] == [2, 3, 1]


def test_a_discarded_draft_leaves_no_gap_in_the_series(api, account, customer):
    discarded = created(api, customer)
    kept = created(api, customer)
    cancelled = assert_success(cancel(api, discarded["id"]))
    assert (cancelled["status"], cancelled["number"]) == ("cancelled", None)

    assert assert_success(issue(api, kept["id"]))["number"] == 1
    assert issued(api, customer)["number"] == 2
    assert sorted(Invoice.objects.exclude(number=None).values_list("number", flat=True)) == [1, 2]


def test_numbers_are_consecutive_within_the_accounts_series(api, account):
    first, second = CustomerFactory(account=account), CustomerFactory(account=account)
    numbers = [issued(api, customer)["number"] for customer in (first, second, first, second)]
    assert numbers == [1, 2, 3, 4]
    assert sorted(Invoice.objects.filter(account=account, series="A").values_list("number", flat=True)) == [1, 2, 3, 4]


def test_series_b_is_numbered_independently_of_series_a(api, account, customer):
    assert issued(api, customer)["number"] == 1
    assert issued(api, customer)["number"] == 2
    b1 = issued(api, customer, series="B")
    assert (b1["series"], b1["number"], b1["full_number"]) == ("B", 1, "B-000001")
    assert issued(api, customer, series="B")["number"] == 2
    assert issued(api, customer)["number"] == 3
    stored = sorted(Invoice.objects.filter(account=account).values_list("series", "number"))
    assert stored == [("A", 1), ("A", 2), ("A", 3), ("B", 1), ("B", 2)]


def test_another_accounts_series_a_starts_at_1_too(api, other_api, account, customer, other_account):
    issued(api, customer)
    issued(api, customer)
    theirs = issued(other_api, CustomerFactory(account=other_account))
    assert (theirs["series"], theirs["number"]) == ("A", 1)
    assert issued(api, customer)["number"] == 3
    assert Invoice.objects.get(pk=theirs["id"]).account_id == other_account.pk


def test_refused_issues_do_not_consume_numbers(api, other_api, account, customer, other_account):
    already = issued(api, customer)
    stranger_draft = created(other_api, CustomerFactory(account=other_account))
    assert_error(issue(api, already["id"]), 409, "INVOICE_NOT_DRAFT")
    assert_error(issue(api, UNKNOWN_ID), 404, "NOT_FOUND")
    assert_error(issue(api, stranger_draft["id"]), 404, "NOT_FOUND")
    assert_validation_error(issue(api, "not-a-uuid"), {"invoice_id"})
    assert issued(api, customer)["number"] == 2
    assert counter(account) == 2
    assert Invoice.objects.get(pk=stranger_draft["id"]).number is None


@pytest.mark.parametrize("status", ["issued", "paid", "cancelled"])
def test_only_a_draft_can_be_issued(api, account, customer, status):
    invoice = InvoiceFactory(customer=customer, series="A", number=7, status=status)
    before = Invoice.objects.filter(pk=invoice.pk).values().get()

    response = issue(api, invoice)

    assert_error(response, 409, "INVOICE_NOT_DRAFT")
    assert Invoice.objects.filter(pk=invoice.pk).values().get() == before
    assert not InvoiceSeriesCounter.objects.exists()


# --- issuing: the recipient ---------------------------------------------------------------------------------


def test_editing_a_customer_after_issuing_leaves_the_issued_invoice_unchanged(api, account):
    customer = CustomerFactory(account=account, legal_name="Antigua SL", street="Calle Mayor", city="Madrid")
    invoice = issued(api, customer)

    edit(api, customer, legal_name="Nueva SL", address={"street": "Gran Vía", "city": "Bilbao", "province": "Bizkaia"})

    shown = assert_success(api.get(url_of(invoice["id"])))
    assert shown["recipient"] == invoice["recipient"]
    assert (shown["recipient"]["legal_name"], shown["recipient"]["address"]["city"]) == ("Antigua SL", "Madrid")
    assert Invoice.objects.get(pk=invoice["id"]).recipient["legal_name"] == "Antigua SL"
    assert Customer.objects.get(pk=customer.pk).legal_name == "Nueva SL"


def test_a_draft_follows_its_customer_until_it_is_issued(api, account):
    customer = CustomerFactory(account=account, legal_name="Antigua SL")
    draft = created(api, customer)
    assert draft["recipient"]["legal_name"] == "Antigua SL"

    edit(api, customer, legal_name="Nueva SL")

    assert assert_success(api.get(url_of(draft["id"])))["recipient"]["legal_name"] == "Nueva SL"
    assert Invoice.objects.get(pk=draft["id"]).recipient is None
    assert assert_success(issue(api, draft["id"]))["recipient"]["legal_name"] == "Nueva SL"


def test_the_list_shows_each_invoice_with_its_own_recipient(api, account):
    customer = CustomerFactory(account=account, legal_name="Antigua SL")
    issued_one = issued(api, customer)
    draft = created(api, customer)
    edit(api, customer, legal_name="Nueva SL")

    listed = {item["id"]: item for item in assert_success(api.get("/api/v1/invoices"))["invoices"]}

    assert listed[issued_one["id"]]["recipient"]["legal_name"] == "Antigua SL"
    assert listed[draft["id"]]["recipient"]["legal_name"] == "Nueva SL"


# --- issuing: customers that can take no invoice ------------------------------------------------------------


def test_a_draft_of_a_customer_waiting_to_be_forgotten_cannot_be_issued(api, account, customer):
    InvoiceFactory(customer=customer, series="F", number=1, status="issued", issue_date=date(2026, 1, 5))
    draft = created(api, customer)
    assert_error(api.post(f"/api/v1/customers/{customer.pk}/anonymize"), 409, "RETENTION_ACTIVE")

    assert_error(issue(api, draft["id"]), 409, "CUSTOMER_ERASURE_PENDING")

    stored = Invoice.objects.get(pk=draft["id"])
    assert (stored.status, stored.number, stored.recipient) == ("draft", None, None)
    assert not InvoiceSeriesCounter.objects.filter(series="A").exists()


def test_a_draft_moved_by_a_merge_is_issued_to_the_survivor(api, account):
    duplicate = CustomerFactory(account=account, legal_name="Duplicada SL")
    survivor = CustomerFactory(account=account, legal_name="Superviviente SL")
    draft = created(api, duplicate)
    assert_success(api.post(f"/api/v1/customers/{duplicate.pk}/merge", {"into": str(survivor.pk)}, format="json"))

    data = assert_success(issue(api, draft["id"]))

    assert (data["customer_id"], data["recipient"]["legal_name"]) == (str(survivor.pk), "Superviviente SL")
    assert Invoice.objects.get(pk=draft["id"]).customer_id == survivor.pk


# --- cancelling -----------------------------------------------------------------------------------------------


def test_cancelling_an_issued_invoice_keeps_its_number_and_recipient(api, account, customer):
    invoice = issued(api, customer)

    data = assert_success(cancel(api, invoice["id"]))

    assert data["status"] == "cancelled"
    assert (data["number"], data["full_number"], data["recipient"]) == (1, "A-000001", invoice["recipient"])
    stored = Invoice.objects.get(pk=invoice["id"])
    assert (stored.status, stored.number, stored.recipient) == ("cancelled", 1, invoice["recipient"])
    # The next one follows it: a cancelled invoice's number is never given again.
    assert issued(api, customer)["number"] == 2


def test_cancelling_twice_answers_the_same(api, account, customer):
    invoice = issued(api, customer)
    first = assert_success(cancel(api, invoice["id"]))
    assert assert_success(cancel(api, invoice["id"])) == first
    assert Event.objects.filter(type="invoice.cancelled").count() == 1


def test_a_paid_invoice_cannot_be_cancelled(api, account, customer):
    paid = InvoiceFactory(customer=customer, series="F", number=3, status="paid")
    assert_error(cancel(api, paid), 409, "INVOICE_NOT_CANCELLABLE")
    assert Invoice.objects.get(pk=paid.pk).status == "paid"
    assert not Event.objects.filter(type="invoice.cancelled").exists()


def test_a_cancelled_draft_cannot_be_issued(api, account, customer):
    draft = created(api, customer)
    assert_success(cancel(api, draft["id"]))
    assert_error(issue(api, draft["id"]), 409, "INVOICE_NOT_DRAFT")
    assert Invoice.objects.get(pk=draft["id"]).number is None


# --- events and scopes ----------------------------------------------------------------------------------------


def test_issuing_records_invoice_issued_with_the_invoice_as_the_api_shows_it(api, account, customer):
    data = issued(api, customer)
    event = Event.objects.get(type="invoice.issued")
    assert event.data == data
    assert event.account_id == account.pk


def test_a_read_only_key_cannot_issue_nor_cancel(client_for, account, customer, api):
    draft = created(api, customer)
    reader = client_for(APIKeyFactory(account=account, scopes=["invoices:read"]))
    assert_error(issue(reader, draft["id"]), 403, "INSUFFICIENT_SCOPE")
    assert_error(cancel(reader, draft["id"]), 403, "INSUFFICIENT_SCOPE")
    assert Invoice.objects.get(pk=draft["id"]).status == "draft"


def test_creating_never_takes_a_number(api, account, customer):
    for _ in range(3):
        assert create(api, customer).status_code == 201
    assert set(Invoice.objects.values_list("number", flat=True)) == {None}
    assert not InvoiceSeriesCounter.objects.exists()

"""Operator commands, run with call_command: `deactivatecustomers` (per-id outcomes like
DELETE /api/v1/customers/bulk, --file, --dry-run, --user, exit status) and `seeddemo` (realistic Spanish
demo data, idempotent per account, a working API key on the last line).

Every test checks what the command printed and what the database holds afterwards."""

import re
import uuid
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from stdnum.es import nif as spanish_nif

from apikeys.models import APIKey
from customers.management.commands.deactivatecustomers import CHUNK_SIZE
from customers.models import AuditEntry, Customer
from customers.record import RECORD_DEFAULTS, clean_record
from customers.validators import fold, normalize_phone
from invoices.models import Invoice, InvoiceSeriesCounter
from tests.clients import bearer
from tests.factories import AccountFactory, APIKeyFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

OUTCOME = re.compile(r"^(?:ok\s+(?P<ok>\S+)|failed\s+(?P<failed>\S+)\s+(?P<code>[A-Z_]+): (?P<message>.+))$")
ACCENTED = set("áéíóúñÁÉÍÓÚÑ")


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args) -> tuple[CommandError, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command(*args, stdout=out, stderr=err)
    return excinfo.value, out.getvalue()


def outcomes(output: str) -> dict[str, str]:
    """{customer id as printed: "ok" or the error code} from the command's per-id lines."""
    found = {}
    for line in output.splitlines():
        match = OUTCOME.match(line)
        if match:
            customer_id = match["ok"] or match["failed"]
            assert customer_id not in found, f"{customer_id} reported twice"
            found[customer_id] = "ok" if match["ok"] else match["code"]
    return found


def summary(output: str) -> str:
    return output.strip().splitlines()[-1]


def all_rows() -> dict:
    return {row["id"]: row for row in Customer.objects.values()}


# --- deactivatecustomers ---------------------------------------------------------------------------------


@pytest.fixture
def mixed():
    """One customer of each kind the bulk endpoint reports on, all in one account."""
    account = AccountFactory()
    free = CustomerFactory(account=account)
    busy = CustomerFactory(account=account)
    InvoiceFactory.create_batch(2, customer=busy)
    already_inactive = CustomerFactory(account=account, active=False, deactivated_at=timezone.now() - timedelta(days=5))
    return {
        "account": account,
        "free": free,
        "busy": busy,
        "already_inactive": already_inactive,
        "unknown": str(uuid.uuid4()),
        "malformed": "not-a-uuid",
    }


def mixed_ids(mixed) -> list[str]:
    return [
        str(mixed["free"].pk),
        str(mixed["busy"].pk),
        mixed["unknown"],
        mixed["malformed"],
        str(mixed["already_inactive"].pk),
    ]


def expected_outcomes(mixed) -> dict[str, str]:
    return {
        str(mixed["free"].pk): "ok",
        str(mixed["already_inactive"].pk): "ok",
        str(mixed["busy"].pk): "CLIENT_HAS_INVOICES",
        mixed["unknown"]: "NOT_FOUND",
        mixed["malformed"]: "VALIDATION_ERROR",
    }


def test_deactivatecustomers_reports_each_id_and_exits_with_status_1_when_any_failed(mixed):
    rows_before = Customer.objects.count()
    inactive_since = mixed["already_inactive"].deactivated_at

    error, output = run_failing("deactivatecustomers", *mixed_ids(mixed))

    assert error.returncode == 1
    assert outcomes(output) == expected_outcomes(mixed)
    assert re.search(r"\b2 of 5\b.*\b3 failed\b", summary(output))
    assert Customer.objects.count() == rows_before
    free = Customer.objects.get(pk=mixed["free"].pk)
    assert free.active is False and free.deactivated_at is not None
    change = AuditEntry.objects.get(customer=free)
    assert (change.channel, change.actor, change.action) == ("command", "deactivatecustomers", "deactivated")
    busy = Customer.objects.get(pk=mixed["busy"].pk)
    assert busy.active is True and busy.deactivated_at is None
    still_inactive = Customer.objects.get(pk=mixed["already_inactive"].pk)
    assert still_inactive.active is False and still_inactive.deactivated_at == inactive_since
    assert AuditEntry.objects.count() == 1


def test_deactivatecustomers_gives_the_same_outcome_per_id_as_the_bulk_endpoint(mixed):
    _error, output = run_failing(
        "deactivatecustomers", "--dry-run", "--user", mixed["account"].username, *mixed_ids(mixed)
    )
    key = APIKeyFactory(account=mixed["account"])

    response = bearer(key.raw_key).delete("/api/v1/customers/bulk?ids=" + ",".join(mixed_ids(mixed)))

    assert response.status_code == 200, response.content
    data = response.json()["data"]
    from_api = {customer_id: "ok" for customer_id in data["deactivated_ids"]}
    from_api |= {entry["customer_id"]: entry["error"]["code"] for entry in data["errors"]}
    assert outcomes(output) == from_api
    messages_from_api = {entry["customer_id"]: entry["error"]["message"] for entry in data["errors"]}
    for line in output.splitlines():
        match = OUTCOME.match(line)
        if match and match["failed"]:
            assert match["message"] == messages_from_api[match["failed"]]


def test_deactivatecustomers_exits_normally_when_every_id_succeeded():
    customers = CustomerFactory.create_batch(3)

    output, _ = run("deactivatecustomers", *(str(customer.pk) for customer in customers))

    assert outcomes(output) == {str(customer.pk): "ok" for customer in customers}
    assert re.search(r"\b3 of 3\b.*\b0 failed\b", summary(output))
    assert not Customer.objects.filter(active=True).exists()
    assert Customer.objects.count() == 3


def test_deactivatecustomers_counts_an_id_given_twice_once():
    customer = CustomerFactory()

    output, _ = run("deactivatecustomers", str(customer.pk), str(customer.pk).upper(), str(customer.pk))

    assert outcomes(output) == {str(customer.pk): "ok"}
    assert re.search(r"\b1 of 1\b.*\b0 failed\b", summary(output))
    assert AuditEntry.objects.filter(customer=customer).count() == 1


def test_deactivatecustomers_handles_more_ids_than_one_chunk():
    first, last = CustomerFactory(), CustomerFactory()
    unknown = [str(uuid.uuid4()) for _ in range(CHUNK_SIZE - 1)]
    ids = [str(first.pk), *unknown, str(last.pk)]  # first and last end up in different chunks

    error, output = run_failing("deactivatecustomers", *ids)

    assert error.returncode == 1
    reported = outcomes(output)
    assert len(reported) == CHUNK_SIZE + 1
    assert reported[str(first.pk)] == reported[str(last.pk)] == "ok"
    assert Counter(reported.values()) == {"ok": 2, "NOT_FOUND": CHUNK_SIZE - 1}
    assert re.search(rf"\b2 of {CHUNK_SIZE + 1}\b.*\b{CHUNK_SIZE - 1} failed\b", summary(output))
    assert not Customer.objects.filter(active=True).exists()


def test_deactivatecustomers_reads_ids_from_a_file_skipping_blank_lines_and_comments(tmp_path):
    first, second, third = CustomerFactory.create_batch(3)
    spared = CustomerFactory()
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(
        "# customers to close, from ticket 123\n"
        f"{first.pk}\n"
        "\n"
        "   \n"
        f"  {second.pk}   # asked by phone\n"
        f"# {spared.pk}\n"
        f"{third.pk}",  # no final newline
        encoding="utf-8",
    )

    output, _ = run("deactivatecustomers", "--file", str(ids_file))

    assert outcomes(output) == {str(c.pk): "ok" for c in (first, second, third)}
    assert re.search(r"\b3 of 3\b", summary(output))
    assert set(Customer.objects.filter(active=False).values_list("pk", flat=True)) == {first.pk, second.pk, third.pk}
    assert Customer.objects.get(pk=spared.pk).active is True


def test_deactivatecustomers_combines_arguments_and_file(tmp_path):
    from_argument, from_file = CustomerFactory(), CustomerFactory()
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(f"{from_file.pk}\n{from_argument.pk}\n", encoding="utf-8")

    output, _ = run("deactivatecustomers", str(from_argument.pk), "--file", str(ids_file))

    assert outcomes(output) == {str(from_argument.pk): "ok", str(from_file.pk): "ok"}
    assert re.search(r"\b2 of 2\b", summary(output))


@pytest.mark.parametrize("kind", ["missing", "directory", "not utf-8"])
def test_deactivatecustomers_with_an_unreadable_file_is_an_error_and_changes_nothing(tmp_path, kind):
    customer = CustomerFactory()
    path = tmp_path / "ids.txt"
    if kind == "directory":
        path.mkdir()
    elif kind == "not utf-8":
        path.write_bytes(f"{customer.pk}\n".encode() + b"\xff\xfe\xfa\n")

    error, _ = run_failing("deactivatecustomers", str(customer.pk), "--file", str(path))

    assert str(path) in str(error)
    assert Customer.objects.get(pk=customer.pk).active is True
    assert not AuditEntry.objects.exists()


def test_deactivatecustomers_dry_run_reports_the_same_outcomes_and_writes_nothing(mixed):
    rows_before = all_rows()

    dry_error, dry_output = run_failing("deactivatecustomers", "--dry-run", *mixed_ids(mixed))

    assert dry_error.returncode == 1
    assert outcomes(dry_output) == expected_outcomes(mixed)
    assert re.search(r"\b2 of 5\b", summary(dry_output))
    assert "dry run" in summary(dry_output).lower()
    assert all_rows() == rows_before
    assert not AuditEntry.objects.exists()

    _error, real_output = run_failing("deactivatecustomers", *mixed_ids(mixed))
    assert outcomes(real_output) == outcomes(dry_output)
    assert Customer.objects.get(pk=mixed["free"].pk).active is False


def test_deactivatecustomers_dry_run_where_all_would_succeed_exits_normally():
    customer = CustomerFactory()
    rows_before = all_rows()

    output, _ = run("deactivatecustomers", "--dry-run", str(customer.pk))

    assert outcomes(output) == {str(customer.pk): "ok"}
    assert all_rows() == rows_before


def test_deactivatecustomers_with_user_only_touches_that_accounts_customers():
    mine, theirs = AccountFactory(), AccountFactory()
    my_customer = CustomerFactory(account=mine)
    their_customer = CustomerFactory(account=theirs)

    error, output = run_failing(
        "deactivatecustomers", "--user", mine.username, str(my_customer.pk), str(their_customer.pk)
    )

    assert error.returncode == 1
    assert outcomes(output) == {str(my_customer.pk): "ok", str(their_customer.pk): "NOT_FOUND"}
    assert Customer.objects.get(pk=my_customer.pk).active is False
    assert Customer.objects.get(pk=their_customer.pk).active is True


def test_deactivatecustomers_with_an_unknown_user_is_an_error_and_changes_nothing():
    customer = CustomerFactory()

    error, output = run_failing("deactivatecustomers", "--user", "nobody-by-that-name", str(customer.pk))

    assert "nobody-by-that-name" in str(error)
    assert outcomes(output) == {}
    assert Customer.objects.get(pk=customer.pk).active is True


def test_deactivatecustomers_without_ids_is_an_error():
    CustomerFactory()

    _error, output = run_failing("deactivatecustomers")

    assert outcomes(output) == {}
    assert Customer.objects.filter(active=True).count() == 1


def test_deactivatecustomers_with_a_file_of_only_comments_is_an_error(tmp_path):
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("# nothing to do today\n\n", encoding="utf-8")

    run_failing("deactivatecustomers", "--file", str(ids_file))


# --- seeddemo --------------------------------------------------------------------------------------------


def seed(*args) -> str:
    """Runs seeddemo and returns the raw key it printed last."""
    output, _ = run("seeddemo", *args)
    return output.strip().splitlines()[-1]


def demo_customers(username: str = "demo"):
    return Customer.objects.filter(account__username=username)


def assert_invoice_numbers_are_consecutive(username: str = "demo") -> None:
    numbers = defaultdict(list)
    invoices = Invoice.objects.filter(account__username=username)
    assert set(invoices.filter(status="draft").values_list("number", flat=True)) <= {None}
    for series, number in invoices.exclude(status="draft").values_list("series", "number"):
        numbers[series].append(number)
    assert numbers, "no invoices were seeded"
    for series, series_numbers in numbers.items():
        assert sorted(series_numbers) == list(range(1, len(series_numbers) + 1)), series
        counter = InvoiceSeriesCounter.objects.get(company__account__username=username, series=series)
        assert counter.last_number == len(series_numbers)


def test_seeddemo_creates_the_requested_customers_with_valid_spanish_nifs():
    seed("--customers", "50", "--user", "demo")

    customers = list(demo_customers())
    assert len(customers) == 50
    invalid = [customer.nif for customer in customers if customer.nif and not spanish_nif.is_valid(customer.nif)]
    assert invalid == []
    assert len({customer.tax_id for customer in customers}) == 50


def test_seeddemo_makes_some_foreign_customers_with_valid_alternative_ids_and_some_with_billing_details():
    seed("--customers", "50", "--user", "demo")

    foreign = list(demo_customers().exclude(alternative_id_type=""))
    assert foreign and all(customer.nif == "" and customer.country_code != "ES" for customer in foreign)
    for customer in foreign:
        # The API's rules accept them as they are stored.
        values = {name: getattr(customer, name) for name in RECORD_DEFAULTS if name.startswith("alternative_id_")}
        assert clean_record({**values, "nif": ""})["alternative_id_number"] == customer.alternative_id_number
    assert {customer.alternative_id_type for customer in foreign} >= {"02", "03"}
    billed = demo_customers().exclude(payment_method="")
    assert billed.exists() and all(customer.billing_emails for customer in billed)


def test_seeddemo_customers_are_realistic_and_searchable():
    seed("--customers", "50", "--user", "demo")

    customers = list(demo_customers())
    assert any(ACCENTED & set(customer.legal_name) for customer in customers)
    for customer in customers:
        assert customer.phone == normalize_phone(customer.phone), customer.phone
        assert customer.city and customer.province and customer.postal_code
        # bulk_create bypasses save(): the folded search columns must still be filled in.
        assert customer.legal_name_folded == fold(customer.legal_name)
        assert customer.city_folded == fold(customer.city)
        assert customer.province_folded == fold(customer.province)


def test_seeddemo_makes_some_customers_inactive_and_some_invoiced_but_no_inactive_one_invoiced():
    seed("--customers", "50", "--user", "demo")

    customers = demo_customers().with_invoice_count()
    inactive = customers.filter(active=False)
    assert 0 < inactive.count() < 50
    assert all(customer.deactivated_at is not None for customer in inactive)
    assert all(customer.deactivated_at is None for customer in customers.filter(active=True))
    assert customers.filter(invoice_count__gt=0).exists()
    assert not inactive.filter(invoice_count__gt=0).exists()
    assert not Invoice.objects.filter(account__username="demo").exclude(customer__account__username="demo").exists()


def test_seeddemo_numbers_invoices_consecutively_per_series():
    seed("--customers", "50", "--user", "demo")

    assert_invoice_numbers_are_consecutive()


def test_seeddemo_prints_a_working_api_key_on_its_last_line():
    raw_key = seed("--customers", "50", "--user", "demo")

    assert raw_key.startswith("beel_sk_")
    response = bearer(raw_key).get("/api/v1/customers")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["pagination"]["total_items"] == 50
    assert raw_key not in APIKey.objects.values_list("secret_hash", flat=True)


def test_seeddemo_key_can_search_the_seeded_customers_ignoring_accents():
    raw_key = seed("--customers", "50", "--user", "demo")
    expected = {
        str(customer.pk)
        for customer in demo_customers()
        if "garcia" in fold(customer.legal_name) or "garcia" in customer.email
    }

    response = bearer(raw_key).get("/api/v1/customers", {"search": "garcia", "limit": 100})

    assert response.status_code == 200, response.content
    assert expected  # the demo data has Garcías
    assert {customer["id"] for customer in response.json()["data"]["customers"]} == expected


def test_seeddemo_key_can_issue_the_next_invoice_in_the_series():
    raw_key = seed("--customers", "50", "--user", "demo")
    last_number = Invoice.objects.filter(account__username="demo", series="A").exclude(status="draft").count()
    customer = demo_customers().filter(active=True).first()

    response = bearer(raw_key).post("/api/v1/invoices", {"customer_id": str(customer.pk)}, format="json")
    assert response.status_code == 201, response.content
    issued = bearer(raw_key).post(f"/api/v1/invoices/{response.json()['data']['id']}/issue")

    assert issued.status_code == 200, issued.content
    assert issued.json()["data"]["number"] == last_number + 1
    assert_invoice_numbers_are_consecutive()


def test_seeddemo_run_again_adds_no_customers_but_prints_a_new_working_key():
    first_key = seed("--customers", "50", "--user", "demo")
    customers_before = all_rows()
    invoices_before = set(Invoice.objects.values_list("pk", flat=True))

    second_key = seed("--customers", "50", "--user", "demo")

    assert all_rows() == customers_before
    assert set(Invoice.objects.values_list("pk", flat=True)) == invoices_before
    assert second_key != first_key
    assert second_key.startswith("beel_sk_")
    response = bearer(second_key).get("/api/v1/customers")
    assert response.status_code == 200
    assert response.json()["data"]["pagination"]["total_items"] == 50
    assert APIKey.objects.filter(account__username="demo").count() == 2


def test_seeddemo_with_more_customers_adds_only_the_difference():
    seed("--customers", "50", "--user", "demo")
    first_ids = set(demo_customers().values_list("pk", flat=True))

    raw_key = seed("--customers", "60", "--user", "demo")

    assert demo_customers().count() == 60
    assert first_ids <= set(demo_customers().values_list("pk", flat=True))
    assert demo_customers().values("nif", "alternative_id_number").distinct().count() == 60
    assert_invoice_numbers_are_consecutive()
    response = bearer(raw_key).get("/api/v1/customers")
    assert response.json()["data"]["pagination"]["total_items"] == 60


def test_seeddemo_fewer_customers_than_the_account_has_removes_none():
    seed("--customers", "50", "--user", "demo")

    seed("--customers", "10", "--user", "demo")

    assert demo_customers().count() == 50


def test_seeddemo_is_per_account():
    other = AccountFactory(username="someone-else")
    CustomerFactory(account=other, nif="B12345674")  # a NIF the demo data does not use

    seed("--customers", "50", "--user", "demo")
    seed("--customers", "50", "--user", "someone-else")

    assert demo_customers().count() == 50
    assert demo_customers("someone-else").count() == 50
    assert_invoice_numbers_are_consecutive("demo")
    assert_invoice_numbers_are_consecutive("someone-else")


def test_seeddemo_rejects_a_negative_number_of_customers():
    run_failing("seeddemo", "--customers", "-1", "--user", "demo")

    assert not Customer.objects.exists()
    assert not APIKey.objects.exists()


def test_seeddemo_never_clashes_with_a_nif_the_account_already_uses():
    from customers.demo import demo_customer

    account = AccountFactory(username="clash")
    taken = next(demo_customer(i) for i in range(50) if demo_customer(i).active)
    CustomerFactory(account=account, nif=taken.nif)
    call_command("seeddemo", "--customers", "51", "--user", "clash", stdout=StringIO(), stderr=StringIO())
    assert Customer.objects.filter(account=account).count() == 51
    assert Customer.objects.filter(account=account, nif=taken.nif, active=True).count() == 1


def test_seeddemo_invoices_fall_due_and_paid_ones_are_covered_by_their_payment_so_receivables_add_up():
    client = bearer(seed("--customers", "60", "--user", "demo"))

    invoices = Invoice.objects.filter(account__username="demo").exclude(status="draft")
    assert invoices.filter(status="paid").exists() and invoices.filter(status="issued").exists()
    assert all(invoice.due_date == invoice.issue_date + timedelta(days=30) for invoice in invoices)
    for invoice in invoices.filter(status="paid").prefetch_related("payments"):
        assert invoice.amount_paid == invoice.total == sum(payment.amount for payment in invoice.payments.all())
    owed = defaultdict(lambda: Decimal("0.00"))
    for customer_id, total in invoices.filter(status="issued").values_list("customer_id", "total"):
        owed[customer_id] += total
    for customer in demo_customers().filter(invoices__isnull=False).distinct()[:20]:
        stats = client.get(f"/api/v1/customers/{customer.pk}").json()["data"]["stats"]
        assert Decimal(stats["outstanding"]) == owed[customer.pk], customer.legal_name
    aging = client.get("/api/v1/customers/aging", {"limit": 100}).json()["data"]
    assert Decimal(aging["totals"][0]["total"]) == sum(owed.values())

"""What the customer endpoint tests share: URLs, the documented customer keys, the stored fields compared before
and after a request, and small builders."""

import uuid
from datetime import UTC, datetime

from django.utils import timezone

from customers.models import Customer
from tests.envelope import TIMESTAMP
from tests.factories import CustomerFactory
from tests.spec import TECH_SOLUTIONS

CUSTOMERS_URL = "/api/v1/customers"
CUSTOMER_KEYS = {
    "id",
    "legal_name",
    "nif",
    "email",
    "phone",
    "address",
    "active",
    "created_at",
    "updated_at",
    "deactivated_at",
    "merged_into",
    "retain_until",
    "anonymized_at",
    # The rest of the record (issue #14), after the spec's fields.
    "trade_name",
    "alternative_id",
    "billing_emails",
    "contact_person",
    "website",
    "notes",
    "general_discount",
    "metadata",
    "tax_id_verification",  # beel's extension (issue 25)
}
# BeeL's Customer leaves it out for a customer without one (optional, not nullable).
OPTIONAL_CUSTOMER_KEYS = {"preferred_payment_method", "stats"}
ALWAYS_PRESENT_ADDRESS_KEYS = {"street", "number", "postal_code", "city", "province", "country", "country_code"}
# Model fields a request may touch; compared before and after to prove what did (not) change.
STORED_FIELDS = (
    "legal_name",
    "nif",
    "email",
    "phone",
    "street",
    "number",
    "floor",
    "door",
    "postal_code",
    "city",
    "province",
    "country",
    "active",
    "deactivated_at",
    "created_at",
    "updated_at",
)
OLD_TIMESTAMP = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
DEACTIVATED_MESSAGE = "Customer deactivated successfully"
HAS_INVOICES_MESSAGE = "Cannot deactivate customer because it has associated invoices"


def url_of(customer_or_id) -> str:
    """/api/v1/customers/{id} of a customer or of any id (well formed or not)."""
    return f"{CUSTOMERS_URL}/{getattr(customer_or_id, 'pk', customer_or_id)}"


def bulk_url(*ids) -> str:
    return f"{CUSTOMERS_URL}/bulk?ids=" + ",".join(str(customer_id) for customer_id in ids)


def zulu(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def snapshot(customer: Customer) -> dict:
    customer = Customer.objects.get(pk=customer.pk)
    return {name: getattr(customer, name) for name in STORED_FIELDS}


def all_rows() -> dict:
    """Every customer row, every column, keyed by primary key: to prove that nothing changed."""
    return {row["id"]: row for row in Customer.objects.values()}


def row(customer) -> dict:
    return Customer.objects.values().get(pk=customer.pk)


def assert_customer_shape(data: dict) -> None:
    assert CUSTOMER_KEYS <= set(data) <= CUSTOMER_KEYS | OPTIONAL_CUSTOMER_KEYS
    assert ALWAYS_PRESENT_ADDRESS_KEYS <= set(data["address"]) <= ALWAYS_PRESENT_ADDRESS_KEYS | {"floor", "door"}
    uuid.UUID(data["id"])
    assert TIMESTAMP.match(data["created_at"])
    assert TIMESTAMP.match(data["updated_at"])


def payload(**overrides) -> dict:
    """The smallest valid create body (the spec's example customer), with overrides."""
    body = {"legal_name": TECH_SOLUTIONS["legal_name"], "nif": TECH_SOLUTIONS["nif"]}
    body.update(overrides)
    return body


def inactive_customer(**kwargs) -> Customer:
    return CustomerFactory(active=False, deactivated_at=timezone.now(), **kwargs)

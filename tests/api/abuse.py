"""What the abuse tests (tests/api/test_abuse_*.py, one file per surface attacked) share: the endpoints,
the parameters they attack, the proof that nothing was written, and keys revoked or forged."""

import secrets

from apikeys.models import APIKey
from customers.models import AuditEntry, Customer
from invoices.models import Invoice, InvoiceSeriesCounter
from tests.envelope import assert_success, envelope

CUSTOMERS = "/api/v1/customers"
INVOICES = "/api/v1/invoices"
BULK = "/api/v1/customers/bulk"

TEXT_FILTERS = ["search", "legal_name", "nif", "email", "phone", "city", "province"]
CUSTOMER_LIST_PARAMS = [*TEXT_FILTERS, "active", "sort_by", "sort_order", "page", "limit"]
INVOICE_LIST_PARAMS = ["customer_id", "status", "issue_date_from", "issue_date_to", "page", "limit"]
# SQL string/comment, LIKE wildcard and escape, and regex/GLOB metacharacters.
METACHARACTERS = ["%", "_", "\\", "'", '"', ";--", ".*", "[a-z]"]

ACCESS_FIELDS = {"request_id", "method", "path", "status", "duration_ms", "api_key"}


def customer_url(customer_id) -> str:
    return f"{CUSTOMERS}/{customer_id}"


def assert_not_server_error(response) -> dict:
    assert response.status_code < 500, response.content[:500]
    return envelope(response)


def database_state() -> dict:
    """Every row the API can write, every column: to prove that nothing was written."""
    return {
        "customers": sorted(Customer.objects.values(), key=lambda row: str(row["id"])),
        "invoices": sorted(Invoice.objects.values(), key=lambda row: str(row["id"])),
        "audit_entries": list(AuditEntry.objects.order_by("pk").values()),
        "counters": list(InvoiceSeriesCounter.objects.order_by("pk").values()),
    }


def listed_names(api, **params) -> list[str]:
    data = assert_success(api.get(CUSTOMERS, {**params, "limit": 100}))
    assert data["pagination"]["total_items"] == len(data["customers"])
    return sorted(customer["legal_name"] for customer in data["customers"])


def valid_customer_body(**overrides) -> dict:
    body = {
        "legal_name": "Nuevo Cliente SL",
        "nif": "12345678Z",
        "email": "nuevo@example.es",
        "phone": "654 321 987",
        "address": {"street": "Calle Mayor", "city": "Sevilla", "province": "Sevilla"},
    }
    body.update(overrides)
    return body


def revoke_with_model(api_key) -> None:
    APIKey.objects.get(pk=api_key.pk).revoke()  # a fresh instance, as the admin would


def split_key(api_key) -> tuple[str, str]:
    """(everything up to and including the stored lookup prefix, the secret rest that is never stored)."""
    end = api_key.raw_key.index(api_key.prefix) + len(api_key.prefix)
    return api_key.raw_key[:end], api_key.raw_key[end:]


def forge_secret(api_key) -> str:
    """The same lookup prefix with a different secret of the same length."""
    head, tail = split_key(api_key)
    return head + "".join("A" if char != "A" else "B" for char in tail)


def unknown_key_like(api_key) -> str:
    """A well-formed key of the same shape whose lookup prefix matches no stored key."""
    head, tail = split_key(api_key)
    marker = head[: -len(api_key.prefix)]
    while True:
        prefix = secrets.token_urlsafe(16)[: len(api_key.prefix)]
        if not APIKey.objects.filter(prefix=prefix).exists():
            return marker + prefix + tail

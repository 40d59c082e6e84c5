"""A customer as the API shows it, as plain data: used by the API's serializers and by the events the
services record (whose `data` must be the object as the API shows it), without importing the HTTP layer.

Rendered from a mapping of column values, so the list can read just these columns (`.values()`) without
building a model instance per row, and a model instance goes through the very same function
(`columns_of`): retrieve, list and events cannot drift apart."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from beel.timestamps import format_utc
from customers.models import Customer
from customers.validators import ALTERNATIVE_ID_TYPE_NAMES

# Shown only when set, as in the spec's example (beel-list-customers.txt), where most customers have none.
OPTIONAL_ADDRESS_FIELDS = ("floor", "door")
ADDRESS_COLUMNS = (
    "street", "number", "floor", "door", "postal_code", "city", "province", "country", "country_code",
)  # fmt: skip
ALTERNATIVE_ID_COLUMNS = ("alternative_id_type", "alternative_id_number", "alternative_id_country")
PAYMENT_METHOD_COLUMNS = ("payment_method", "iban", "swift", "payment_term_days")
TAX_ID_COLUMNS = (
    "tax_id_status", "tax_id_checked_at", "tax_id_registry", "tax_id_registry_name", "tax_id_consultation",
    "tax_id_result_code",
)  # fmt: skip
# What customer_representation reads: the list selects exactly these.
LIST_COLUMNS = (
    "id", "legal_name", "nif", "email", "phone", *ADDRESS_COLUMNS, "active", "created_at", "updated_at",
    "trade_name", *ALTERNATIVE_ID_COLUMNS, "billing_emails", "contact_person", "website", "notes", "general_discount",
    *PAYMENT_METHOD_COLUMNS, "metadata", *TAX_ID_COLUMNS,
)  # fmt: skip
FISCAL_IDENTITY_COLUMNS = ("legal_name", "nif", *ALTERNATIVE_ID_COLUMNS, *ADDRESS_COLUMNS)


def columns_of(customer: Customer, names: tuple[str, ...] = LIST_COLUMNS) -> dict[str, Any]:
    return {name: getattr(customer, name) for name in names}


def _address(columns: Mapping[str, Any]) -> dict:
    """BeeL's AddressResponse: every field null when unknown, never ""; `floor` and `door` left out when
    unset, as in the seed list's example (beel-list-customers.txt), which the schema allows."""
    address = _postal_address(columns)
    return {name: value or None for name, value in address.items()}


def _postal_address(columns: Mapping[str, Any]) -> dict:
    address = {"street": columns["street"], "number": columns["number"]}
    for name in OPTIONAL_ADDRESS_FIELDS:
        if value := columns[name]:
            address[name] = value
    address["postal_code"] = columns["postal_code"]
    address["city"] = columns["city"]
    address["province"] = columns["province"]
    address["country"] = columns["country"]
    address["country_code"] = columns["country_code"]
    return address


def fiscal_identity(customer: Customer) -> dict:
    """Who an invoice is addressed to, as the law asks an invoice to name its recipient (Reglamento de
    facturación, RD 1619/2012, art. 6: name, tax id and address). An issued invoice keeps a copy of this
    (invoices.services.issue_invoice), so later edits of the customer never rewrite it. The one place
    that decides the copy's shape: a new identity field of the customer is added here and nowhere else."""
    columns = columns_of(customer, FISCAL_IDENTITY_COLUMNS)
    return {
        "legal_name": columns["legal_name"],
        "nif": columns["nif"],
        "alternative_id": _alternative_id(columns, name=False),
        "address": _postal_address(columns),
    }


def customer_representation(customer: Customer) -> dict:
    """As the list shows it (beel-list-customers.txt)."""
    return render_customer(columns_of(customer))


def render_customer(columns: Mapping[str, Any]) -> dict:
    """customer_representation from the LIST_COLUMNS of one row: BeeL 1.9.0's Customer, an unset optional
    field null (never ""), then beel's extension `metadata`."""
    representation = {
        "id": str(columns["id"]),
        "legal_name": columns["legal_name"],
        "nif": columns["nif"] or None,
        "email": columns["email"] or None,
        "phone": columns["phone"] or None,
        "address": _address(columns),
        "active": columns["active"],
        "created_at": format_utc(columns["created_at"]),
        "updated_at": format_utc(columns["updated_at"]),
        # The rest of the record, after the seed page's fields so their order stays as documented.
        "trade_name": columns["trade_name"] or None,
        "alternative_id": _alternative_id(columns),
        "billing_emails": list(columns["billing_emails"]),
        "contact_person": columns["contact_person"] or None,
        "website": columns["website"] or None,
        "notes": columns["notes"] or None,
        "general_discount": json_number(columns["general_discount"]),
        "preferred_payment_method": _payment_method(columns),
        "metadata": dict(columns["metadata"]),
        "tax_id_verification": tax_id_verification(columns),
    }
    if representation["preferred_payment_method"] is None:
        del representation["preferred_payment_method"]  # optional and not nullable in BeeL's Customer
    return representation


def json_number(value: Decimal) -> int | float:
    """A 2-place Decimal as a JSON number: an int when whole (10), else the float whose shortest form is
    exactly the decimal (12.5, 33.33: every 2-place value up to 100 round-trips through a double)."""
    value = Decimal(str(value))  # a new instance may still hold the model's default, the int 0
    return int(value) if value == value.to_integral_value() else float(value)


def _alternative_id(columns: Mapping[str, Any], *, name: bool = True) -> dict | None:
    """`type` by BeeL's name (NIF_IVA, PASSPORT...); an invoice's recipient copy keeps AEAT's code."""
    if not columns["alternative_id_type"]:
        return None
    type_ = columns["alternative_id_type"]
    return {
        "type": ALTERNATIVE_ID_TYPE_NAMES.get(type_, type_) if name else type_,
        "number": columns["alternative_id_number"],
        "country_code": columns["alternative_id_country"] or None,
    }


def tax_id_verification(columns: Mapping[str, Any]) -> dict | None:
    """beel's extension: the registry's last word on the customer's tax id (customers.services.tax_id); null
    when it was never checked (an id no registry holds, or a customer from before the checks)."""
    if not columns["tax_id_status"]:
        return None
    return {
        "status": columns["tax_id_status"],
        "registry": columns["tax_id_registry"] or None,
        "checked_at": format_utc(columns["tax_id_checked_at"]),
        "registry_name": columns["tax_id_registry_name"] or None,
        "consultation_number": columns["tax_id_consultation"] or None,
        "result_code": columns["tax_id_result_code"] or None,
    }


def _payment_method(columns: Mapping[str, Any]) -> dict | None:
    if not columns["payment_method"]:
        return None
    return {
        "method": columns["payment_method"],
        "iban": columns["iban"] or None,
        "swift": columns["swift"] or None,
        "payment_term_days": columns["payment_term_days"],
    }


def customer_detail_representation(customer: Customer) -> dict:
    """As GET /customers/{id} shows it: the list's fields, and where the customer is in its lifecycle
    (deactivated, merged into a survivor, waiting for its retention to end, anonymised)."""
    return {
        **customer_representation(customer),
        "deactivated_at": format_utc(customer.deactivated_at),
        "merged_into": str(customer.merged_into_id) if customer.merged_into_id else None,
        "retain_until": customer.retain_until.isoformat() if customer.retain_until else None,
        "anonymized_at": format_utc(customer.anonymized_at),
    }


def export_representation(export, *, now) -> dict[str, Any]:
    """A customer export job (customers.export_jobs) as the API and its events show it. `download_url` is the
    canonical route's (it names the company, so it serves whichever route started the job), set while the file
    is kept."""
    downloadable = export.status == "succeeded" and export.file_name and export.expires_at > now
    path = f"/api/v1/companies/{export.company_id}/customers/exports/{export.pk}"
    return {
        "id": str(export.pk),
        "object": "customer_export",
        "status": export.status,
        "format": "csv",
        "filters": export.filters,
        "row_count": export.row_count,
        "size_bytes": export.size_bytes,
        "sha256": export.sha256 or None,
        "attempts": export.attempts,
        "failure_reason": export.failure or None,
        "created_at": format_utc(export.created_at),
        "started_at": format_utc(export.started_at),
        "finished_at": format_utc(export.finished_at),
        "expires_at": format_utc(export.expires_at),
        "url": path,
        "download_url": f"{path}/download" if downloadable else None,
        "company_id": str(export.company_id),
        "livemode": export.mode == "live",
    }

"""A customer as the API shows it, as plain data: used by the API's serializers and by the events the
services record (whose `data` must be the object as the API shows it), without importing the HTTP layer."""

from beel.timestamps import format_utc
from customers.models import Customer

# Shown only when set, as in the spec's example (beel-list-customers.txt), where most customers have none.
OPTIONAL_ADDRESS_FIELDS = ("floor", "door")


def _address(customer: Customer) -> dict:
    address = {"street": customer.street, "number": customer.number}
    for name in OPTIONAL_ADDRESS_FIELDS:
        if value := getattr(customer, name):
            address[name] = value
    address.update(
        postal_code=customer.postal_code,
        city=customer.city,
        province=customer.province,
        country=customer.country,
    )
    return address


def fiscal_identity(customer: Customer) -> dict:
    """Who an invoice is addressed to, as the law asks an invoice to name its recipient (Reglamento de
    facturación, RD 1619/2012, art. 6: name, tax id and address). An issued invoice keeps a copy of this
    (invoices.services.issue_invoice), so later edits of the customer never rewrite it. The one place
    that decides the copy's shape: a new identity field of the customer is added here and nowhere else."""
    return {"legal_name": customer.legal_name, "nif": customer.nif, "address": _address(customer)}


def customer_representation(customer: Customer) -> dict:
    """As the list shows it (beel-list-customers.txt)."""
    return {
        "id": str(customer.id),
        "legal_name": customer.legal_name,
        "nif": customer.nif,
        "email": customer.email or None,
        "phone": customer.phone or None,
        "address": _address(customer),
        "active": customer.active,
        "created_at": format_utc(customer.created_at),
        "updated_at": format_utc(customer.updated_at),
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

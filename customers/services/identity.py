"""A customer's identity towards the tax authority, held by at most one active customer of a company and
mode (an account's two companies may each have a customer with the same NIF)."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q

from customers.errors import CustomerAlreadyExists
from customers.models import Customer

# A customer's identity towards the tax authority: ("nif", NIF) or ("alternative_id", country, number). At most
# one active customer of a company and mode holds each (the partial unique indexes of the model).
Identity = tuple[str, ...]
IDENTITY_FIELDS = (
    "company_id",
    "mode",
    "nif",
    "alternative_id_type",
    "alternative_id_country",
    "alternative_id_number",
)


def identity_of(values: Mapping[str, Any]) -> Identity | None:
    if values.get("nif"):
        return ("nif", values["nif"])
    if values.get("alternative_id_type"):
        return ("alternative_id", values["alternative_id_country"], values["alternative_id_number"])
    return None


def customer_identity(customer: Customer) -> Identity | None:
    return identity_of(
        {
            "nif": customer.nif,
            "alternative_id_type": customer.alternative_id_type,
            "alternative_id_country": customer.alternative_id_country,
            "alternative_id_number": customer.alternative_id_number,
        }
    )


def owned_identity(customer: Customer) -> tuple:
    return (customer.company_id, customer.mode, customer_identity(customer))


def identities_taken(customers: Iterable[Customer]) -> set[tuple]:
    """(company, mode, identity) of the active customers holding one of these customers' identities (see
    `identities_held`)."""
    owners: dict[tuple, list[Mapping[str, Any]]] = {}
    for customer in customers:
        owners.setdefault((customer.account_id, customer.company_id, customer.mode), []).append(
            {"nif": customer.nif, "alternative_id_number": customer.alternative_id_number}
        )
    return identities_held(owners)


def identities_held(owners: Mapping[tuple, Iterable[Mapping[str, Any]]]) -> set[tuple]:
    """(company, mode, identity) of the active customers holding one of the identities in `owners`, the values
    (`nif`, `alternative_id_number`) meant for each (account id, company id, mode): one query, whose arms each
    name the company, mode and identities of one (company, mode), as the partial unique indexes are keyed.
    Without the mode, PostgreSQL matched `nif IN (...)` through the trigram index, 5.7 ms a NIF: a 1,000-row
    import at 300,000 customers ran past the statement timeout (docs/performance.md)."""
    if not owners:
        return set()
    held = Q()
    for (account_id, company_id, mode), owned in owners.items():
        owned = list(owned)
        nifs = {values["nif"] for values in owned if values.get("nif")}
        alternative_ids = {values.get("alternative_id_number", "") for values in owned if not values.get("nif")}
        # `~Q(nif="")` and `~Q(alternative_id_type="")` are the partial indexes' own conditions, which the
        # planner must see to use them (it cannot infer them from an IN list of more than 100 values).
        arms = Q(nif__in=nifs) & ~Q(nif="") if nifs else Q(pk__in=[])
        if alternative_ids:
            arms |= Q(alternative_id_number__in=alternative_ids) & ~Q(alternative_id_type="")
        held |= Q(account_id=account_id, company_id=company_id, mode=mode) & arms
    holders = Customer.objects.active().filter(held, deleted_at__isnull=True).order_by()
    return {owned_identity(holder) for holder in holders.only(*IDENTITY_FIELDS)}


def ensure_identity_is_free(*, company_id, mode: str, values: Mapping[str, Any], exclude_pk=None) -> None:
    """Refuses (CLIENT_DUPLICATE) the NIF or alternative id in `values` when an active customer of the
    company and mode holds it."""
    identity = identity_of(values)
    if identity is None:
        return
    customers = Customer.objects.filter(company_id=company_id, mode=mode).active()
    if identity[0] == "nif":
        clash = customers.filter(nif=identity[1])
    else:
        clash = customers.exclude(alternative_id_type="").filter(
            alternative_id_country=identity[1], alternative_id_number=identity[2]
        )
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise identity_taken(identity)


# BeeL's CLIENT_DUPLICATE has empty details: the identifier is not echoed back.
def nif_taken() -> CustomerAlreadyExists:
    return CustomerAlreadyExists(details={})


def identity_taken(identity: Identity | None) -> CustomerAlreadyExists:
    if identity is not None and identity[0] == "alternative_id":
        return CustomerAlreadyExists("An active customer with this alternative id already exists", details={})
    return nif_taken()

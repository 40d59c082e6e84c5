"""The examples of the spec pages (summed up in docs/api.md, "Contract"), defined once for every test that uses them.

The customers are those of beel-list-customers' example response, as model fields. The spec prints NIFs whose
control character is wrong (B12345678 for Tech Solutions, A22222222 for Distribuidora Levante), which the API
rightly refuses; these are the nearest valid ones."""

from datetime import UTC, datetime

# The ids of the curl examples of beel-deactivate-customer and beel-delete-customers-bulk.
SPEC_ID_0 = "550e8400-e29b-41d4-a716-446655440000"
SPEC_ID_1 = "550e8400-e29b-41d4-a716-446655440001"

TECH_SOLUTIONS = {
    "legal_name": "Tech Solutions SL",
    "nif": "B12345674",
    "email": "admin@techsolutions.com",
    "phone": "+34912345678",
    "street": "Calle Mayor",
    "number": "15",
    "postal_code": "28013",
    "city": "Madrid",
    "province": "Madrid",
    "country": "España",
}
MARIA_GARCIA = {
    "legal_name": "María García López",
    "nif": "12345678Z",
    "email": "maria.garcia@email.com",
    "phone": "+34654321987",
    "street": "Avenida de la Constitución",
    "number": "25",
    "floor": "3º",
    "door": "B",
    "postal_code": "41001",
    "city": "Sevilla",
    "province": "Sevilla",
    "country": "España",
}
DISTRIBUIDORA_LEVANTE = {
    "legal_name": "Distribuidora Levante SA",
    "nif": "A58818501",
    "email": "contabilidad@distribuidoralevante.es",
    "phone": "+34963456789",
    "street": "Polígono Industrial Norte",
    "number": "7",
    "postal_code": "46007",
    "city": "Valencia",
    "province": "Valencia",
    "country": "España",
}
# (created_at, updated_at) of each example customer, by legal name.
TIMESTAMPS = {
    TECH_SOLUTIONS["legal_name"]: (datetime(2024, 6, 15, 10, 30, tzinfo=UTC), datetime(2025, 1, 10, 14, 0, tzinfo=UTC)),
    MARIA_GARCIA["legal_name"]: (datetime(2024, 8, 20, 9, 0, tzinfo=UTC), datetime(2024, 12, 1, 11, 30, tzinfo=UTC)),
    DISTRIBUIDORA_LEVANTE["legal_name"]: (
        datetime(2024, 3, 10, 16, 45, tzinfo=UTC),
        datetime(2024, 11, 20, 8, 0, tzinfo=UTC),
    ),
}
ADDRESS_FIELDS = ("street", "number", "floor", "door", "postal_code", "city", "province", "country")


def as_listed(customer: dict) -> dict:
    """An example customer as the API documents it, without id, active and timestamps: contact fields at the top,
    the address nested (floor and door only when set)."""
    return {
        **{name: customer[name] for name in ("legal_name", "nif", "email", "phone")},
        "address": {name: customer[name] for name in ADDRESS_FIELDS if customer.get(name)},
    }


# The rest of the record (BeeL 1.9.0's Customer, and beel's metadata) as a customer without any of it shows it,
# after the spec's fields: null, never "", and no preferred_payment_method at all.
REST_OF_RECORD = {
    "trade_name": None,
    "alternative_id": None,
    "billing_emails": [],
    "contact_person": None,
    "website": None,
    "notes": None,
    "general_discount": 0,
    "metadata": {},
    "tax_id_verification": None,  # beel's extension (issue 25): never checked
}


def as_shown(customer: dict) -> dict:
    """An example customer as the API shows it now: the spec's fields, the address with its country code (the
    spec's customers are all in Spain); REST_OF_RECORD goes after the timestamps."""
    listed = as_listed(customer)
    return {**listed, "address": {**listed["address"], "country_code": "ES"}}

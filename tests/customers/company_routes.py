"""What the tests of the canonical deletion and import routes share: their URLs and the account's companies."""

from companies.models import primary_company_of

API = "/api/v1"


def customers_url(company) -> str:
    company_id = getattr(company, "pk", company)
    return f"{API}/companies/{company_id}/customers"


def customer_url(company, customer_or_id) -> str:
    customer_id = getattr(customer_or_id, "pk", customer_or_id)
    return f"{customers_url(company)}/{customer_id}"


def bulk_delete_url(company, *ids) -> str:
    return f"{customers_url(company)}/bulk?ids={','.join(str(getattr(i, 'pk', i)) for i in ids)}"


def primary(account):
    return primary_company_of(account)

"""The rows of the fuzzing key's account whose ids the schemathesis hooks put in generated paths (BEEL_FUZZ_IDS,
see tests/api/schemathesis_hooks.py), for tests/api/test_fuzz.py and test_fuzz_stateful.py."""

import json
import uuid

from beel.events.models import EventType, record_events
from companies.models import primary_company_of
from customers.services.base import customer_event
from tests.factories import CustomerFactory
from webhooks.models import WebhookDelivery, WebhookEndpoint

# A live endpoint at an address that is not public: a retried delivery is refused by the address check at
# once, without leaving the machine (the API would refuse to create it; the fixture writes it directly).
ENDPOINT_URL = "https://203.0.113.10/beel-fuzz"
QUIET_COMPANY = str(uuid.UUID(int=0xC0A1E7))


def webhook_delivery_of(account) -> WebhookDelivery:
    """An endpoint of the account (live mode) with one pending delivery, so that its attempts and its retry can
    be reached. It listens to no company the fuzzed calls write to (a second company would make the flat routes
    ask for BeeL-Active-Company): the events of every write would otherwise each be delivered (and refused) in
    the request, eagerly, costing the run time without reaching anything more."""
    endpoint = WebhookEndpoint.objects.create(account=account, url=ENDPOINT_URL, company_ids=[QUIET_COMPANY])
    # A real event (GET /events lists it, and its schema is checked), of a customer the fixture makes.
    (event,) = record_events([customer_event(EventType.CUSTOMER_CREATED, CustomerFactory(account=account))])
    return WebhookDelivery.objects.create(event=event, endpoint=endpoint)


def real_ids(api_key, *, customers, invoices, delivery) -> str:
    """BEEL_FUZZ_IDS: path parameter -> ids of rows of the key's account."""
    return json.dumps(
        {
            "account_id": [str(api_key.account.pk)],
            "company_id": [str(primary_company_of(api_key.account).pk)],
            "customer_id": [str(customer.pk) for customer in customers],
            "invoice_id": [str(invoice.pk) for invoice in invoices],
            "endpoint_id": [str(delivery.endpoint_id)],
            "delivery_id": [str(delivery.pk)],
        }
    )

"""Where an erasure reaches beyond the customer's own row: every copy of its personal data the service keeps.

- The outbox's events about it (each held the customer as the API showed it then) and the responses stored for
  Idempotency-Key replays: rewritten as the anonymised customer (beel.copies). Webhook deliveries hold no copy:
  every attempt, and a retry by hand, reads its event again, so what is still pending, or retried later, sends
  the scrubbed version.
- The objects of other apps that copy it (an invoice's `recipient` in its events and stored responses): each
  app says how through its `CustomerDependents.copy_scrubs` (customers.services.dependents).
- The admin's history (django.contrib.admin's LogEntry), which names the object as it was when staff changed it.
- The registry's verdict on its tax id, cached by beel.registries, which holds the name the registry gave.
- The export jobs' files of its account and mode (customers.services.exports): deleted, their jobs expired.

What stays: the customer's audit entries (they record field names, never values), and the recipient copy of the
invoices issued to it, which the law obliges the business to keep (see customers.services.erasure)."""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from beel.copies import ObjectScrub, ScrubbedCopies, scrub_copies
from beel.registries import state
from customers.models import Customer
from customers.representations import customer_detail_representation
from customers.services import dependents, exports
from customers.services.tax_id import tax_id_of

# The keys of a customer's representation that describe the record's life, not the person: a copy keeps them as
# they were (an event of its creation still says it was active then). Every other key is the person's.
RECORD_KEYS = frozenset(
    {"id", "active", "created_at", "updated_at", "deactivated_at", "merged_into", "retain_until", "anonymized_at"}
)
# The values that identify the person, looked for in stored responses that do not name the customer by id; one
# shorter than SHORTEST_IDENTIFIER (a passport number "123") would match unrelated responses.
IDENTIFIERS = ("nif", "alternative_id_number", "email", "phone", "iban")
SHORTEST_IDENTIFIER = 6


class ErasedValues:
    """What identified the customer before its record was scrubbed, taken first so its copies can be found."""

    def __init__(self, customer: Customer):
        values = (getattr(customer, name) for name in IDENTIFIERS)
        self.identifiers = [value for value in values if len(value) >= SHORTEST_IDENTIFIER]
        self.tax_id = tax_id_of(customer)


def erase_copies(customer: Customer, erased: ErasedValues) -> ScrubbedCopies:
    """Rewrite every copy of the now anonymised `customer`, in the erasure's transaction."""
    subject_id = str(customer.pk)
    scrubs = customer_scrubs(customer)
    for side in dependents.registered_dependents().values():
        scrubs += side.copy_scrubs(customer)
    scrubbed = scrub_copies(
        account_id=customer.account_id,
        mode=customer.mode,
        subject_id=subject_id,
        since=customer.created_at,
        scrubs=scrubs,
        identifiers=erased.identifiers,
    )
    exports.forget_exports_holding(account_id=customer.account_id, mode=customer.mode)
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Customer), object_id=subject_id).update(
        object_repr=str(customer)[:200]
    )
    if erased.tax_id is not None:
        # The cache is not transactional: forgotten once the erasure is committed, never for a rolled-back one.
        transaction.on_commit(lambda: state.forget_answer(erased.tax_id.cache_key), robust=True)
    return scrubbed


def customer_scrubs(customer: Customer) -> list[ObjectScrub]:
    """The customer as the API shows it (its `id` names it), and the row of an import or bulk creation that
    created it (`customer_id`), whose `customer` echoes what was sent."""
    personal = {key: value for key, value in customer_detail_representation(customer).items() if key not in RECORD_KEYS}

    def as_anonymised(representation: dict) -> dict:
        # A personal key the anonymised customer no longer shows (a payment method) goes with its value.
        return {
            key: personal.get(key, value)
            for key, value in representation.items()
            if key in RECORD_KEYS or key in personal
        }

    def echo_anonymised(row: dict) -> dict:
        return {**row, "customer": dict(personal)} if "customer" in row else row

    return [ObjectScrub("id", as_anonymised), ObjectScrub("customer_id", echo_anonymised)]

"""What the payment and receivables tests share: a frozen today, moving days, and the mark-paid calls."""

from datetime import UTC, datetime

from beel.clock import clock
from tests.envelope import assert_success
from tests.invoices.helpers import created, issue, url_of

# 2026-06-15 at noon in Madrid: days moved from here never cross midnight by the hour of the day.
TODAY = datetime(2026, 6, 15, 10, 0, tzinfo=UTC).timestamp()
DAY = 86400


def freeze_today():
    clock.freeze(TODAY)


def move_days(days: int) -> None:
    clock.advance(days * DAY)


def mark_paid(client, invoice_or_id, /, **body):
    return client.post(f"{url_of(invoice_or_id)}/mark-paid", body, format="json")


def undo(client, invoice_or_id, payment_id):
    return client.delete(f"{url_of(invoice_or_id)}/payments/{payment_id}")


def issued_for(client, customer, /, total: str = "121.00", due_date: str | None = None, **fields) -> dict:
    """A draft of `total` (its subtotal; no tax) created and issued through the API."""
    draft = created(client, customer, subtotal=total, **fields)
    body = {} if due_date is None else {"due_date": due_date}
    return assert_success(issue_with(client, draft["id"], body))


def issue_with(client, invoice_id, body: dict):
    if not body:
        return issue(client, invoice_id)
    return client.post(f"{url_of(invoice_id)}/issue", body, format="json")

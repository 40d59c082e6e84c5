"""Every deactivation and reactivation records who did it, when, and through which channel."""

from datetime import UTC
from io import StringIO

import pytest
from django.core.management import call_command

from customers.models import AuditEntry
from tests.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def trail(customer) -> list[tuple[str, str, str]]:
    return [(change.action, change.channel, change.actor) for change in AuditEntry.objects.filter(customer=customer)]


def test_api_deactivation_records_the_key_prefix_never_the_secret(api, api_key, account):
    customer = CustomerFactory(account=account)
    assert api.delete(f"/api/v1/customers/{customer.pk}").status_code == 200
    assert trail(customer) == [("deactivated", "api", api_key.display_prefix)]
    change = AuditEntry.objects.get(customer=customer)
    customer.refresh_from_db()
    assert change.at == customer.deactivated_at
    assert api_key.raw_key not in change.actor


def test_bulk_deactivation_records_each_deactivated_customer_once(api, api_key, account):
    deactivatable = CustomerFactory.create_batch(3, account=account)
    invoiced = CustomerFactory(account=account)
    InvoiceFactory(customer=invoiced)
    ids = ",".join(str(customer.pk) for customer in [*deactivatable, invoiced])
    assert api.delete(f"/api/v1/customers/bulk?ids={ids}").status_code == 200
    for customer in deactivatable:
        assert trail(customer) == [("deactivated", "api", api_key.display_prefix)]
    assert trail(invoiced) == []


def test_deactivating_an_inactive_customer_again_records_nothing_new(api, account):
    customer = CustomerFactory(account=account)
    api.delete(f"/api/v1/customers/{customer.pk}")
    api.delete(f"/api/v1/customers/{customer.pk}")
    assert len(trail(customer)) == 1


def test_reactivation_is_recorded_after_the_deactivation(api, api_key, account):
    customer = CustomerFactory(account=account)
    api.delete(f"/api/v1/customers/{customer.pk}")
    assert api.post(f"/api/v1/customers/{customer.pk}/reactivate").status_code == 200
    assert trail(customer) == [
        ("reactivated", "api", api_key.display_prefix),
        ("deactivated", "api", api_key.display_prefix),
    ]


def test_detail_shows_when_the_customer_was_deactivated(api, account):
    customer = CustomerFactory(account=account)
    assert api.get(f"/api/v1/customers/{customer.pk}").json()["data"]["deactivated_at"] is None
    api.delete(f"/api/v1/customers/{customer.pk}")
    deactivated_at = api.get(f"/api/v1/customers/{customer.pk}").json()["data"]["deactivated_at"]
    change = AuditEntry.objects.get(customer=customer)
    assert deactivated_at == change.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    api.post(f"/api/v1/customers/{customer.pk}/reactivate")
    assert api.get(f"/api/v1/customers/{customer.pk}").json()["data"]["deactivated_at"] is None


def test_admin_actions_record_the_staff_user(client, admin_user):
    customer = CustomerFactory()
    client.force_login(admin_user)
    changelist = "/admin/customers/customer/"
    # Deactivation and reactivation ask for confirmation first; "post" is the confirmation page's answer.
    client.post(changelist, {"action": "deactivate_selected", "_selected_action": [str(customer.pk)], "post": "yes"})
    client.post(changelist, {"action": "reactivate_selected", "_selected_action": [str(customer.pk)], "post": "yes"})
    assert trail(customer) == [
        ("reactivated", "admin", admin_user.username),
        ("deactivated", "admin", admin_user.username),
    ]


def test_command_deactivation_records_the_command():
    customer = CustomerFactory()
    call_command("deactivatecustomers", str(customer.pk), stdout=StringIO(), stderr=StringIO())
    assert trail(customer) == [("deactivated", "command", "deactivatecustomers")]


def test_dry_run_records_nothing():
    customer = CustomerFactory()
    call_command("deactivatecustomers", str(customer.pk), "--dry-run", stdout=StringIO(), stderr=StringIO())
    assert trail(customer) == []


def test_admin_shows_the_trail_read_only(client, admin_user, api, account):
    customer = CustomerFactory(account=account)
    api.delete(f"/api/v1/customers/{customer.pk}")
    client.force_login(admin_user)
    response = client.get(f"/admin/customers/customer/{customer.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "History" in page
    assert "deactivated" in page.lower()
    assert 'name="audit_entries-0-actor"' not in page  # shown, not editable

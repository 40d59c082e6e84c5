"""Webhook endpoints in the Django admin: the secret shown once on creation, unsafe URLs refused, the last
attempts on the endpoint's page, and a delivery retried from the attempts list against a real receiver."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from companies.models import primary_company_of
from tests.factories import AccountFactory, CustomerFactory
from webhooks.models import WebhookAttempt, WebhookEndpoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_receivers_allowed")]


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("staff", "staff@example.es", "pw")
    client.force_login(user)
    return client


def add_endpoint(staff, account, url, mode="test"):
    return staff.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {
            "account": account.pk,
            "mode": mode,
            "url": url,
            "description": "",
            "status": "enabled",
            "disabled_reason": "",
            "attempts-TOTAL_FORMS": "0",
            "attempts-INITIAL_FORMS": "0",
        },
        follow=True,
    )


def test_adding_an_endpoint_shows_its_secret_once(staff, receiver_with):
    account = AccountFactory()
    receiver = receiver_with()
    response = add_endpoint(staff, account, receiver.url)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in response.content.decode()
    page = staff.get(reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in page


def test_the_admin_refuses_a_live_endpoint_on_a_private_address(staff):
    response = add_endpoint(staff, AccountFactory(), "https://10.0.0.1/hooks", mode="live")
    assert response.status_code == 200 and "private" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_attempts_are_listed_and_a_delivery_is_retried_from_the_admin(
    staff, receiver_with, django_capture_on_commit_callbacks
):
    from beel.actors import Actor
    from beel.tenancy import DataScope
    from customers import services

    account = AccountFactory()
    receiver = receiver_with([500])
    add_endpoint(staff, account, receiver.url)
    endpoint = WebhookEndpoint.objects.get()
    customer = CustomerFactory(account=account, mode="test")
    with django_capture_on_commit_callbacks(execute=True):
        services.update_customer(
            scope=DataScope.of_company(primary_company_of(account), "test"),
            customer_id=str(customer.pk),
            data={"email": "otro@example.es"},
            actor=Actor.command("test"),
        )
    failed = WebhookAttempt.objects.get()
    assert failed.status_code == 500
    page = staff.get(reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])).content.decode()
    assert "HTTP 500" in page
    with django_capture_on_commit_callbacks(execute=True):  # handed to the queue once the retry commits
        staff.post(
            reverse("admin:webhooks_webhookattempt_changelist"),
            {"action": "retry_deliveries", "_selected_action": [failed.pk]},
            follow=True,
        )
    assert len(receiver.wait_for(2, timeout=5)) == 2
    assert WebhookAttempt.objects.filter(succeeded=True).count() == 1
    assert failed.delivery.__class__.objects.get(pk=failed.delivery_id).status == "succeeded"

"""Times on the customer's page are shown once, in the staff user's time zone (the browser's, stored by the
admin's script in a cookie), and in TIME_ZONE without it; the API is not affected."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import formats

from beel.actors import Actor
from beel.tenancy import DataScope
from customers import services
from customers.models import AuditEntry
from tests.admin_pages import page_text
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 7, 1, 10, 30, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def deactivated_customer():
    customer = CustomerFactory()
    services.deactivate_customers(scope=DataScope.everything(), ids=[str(customer.pk)], actor=Actor.command("ops"))
    AuditEntry.objects.filter(customer=customer).update(at=AT)
    return customer


def shown(zone: str) -> str:
    return formats.localize(AT.astimezone(ZoneInfo(zone)))


def test_times_follow_the_staff_users_time_zone(staff, deactivated_customer, settings):
    settings.TIME_ZONE = "Europe/Madrid"
    staff.cookies["staff_tz"] = "America/New_York"

    text = page_text(staff.get(reverse("admin:customers_customer_change", args=[deactivated_customer.pk])))

    assert shown("America/New_York") == "July 1, 2026, 6:30 a.m."
    assert text.count(shown("America/New_York")) == 2  # the banner and the history row
    assert shown("Europe/Madrid") not in text
    assert "UTC" not in text


def test_an_unknown_time_zone_falls_back_to_the_services_own(staff, deactivated_customer, settings):
    settings.TIME_ZONE = "Europe/Madrid"
    staff.cookies["staff_tz"] = "Mars/Olympus_Mons"

    text = page_text(staff.get(reverse("admin:customers_customer_change", args=[deactivated_customer.pk])))

    assert shown("Europe/Madrid") in text


def test_the_admin_pages_carry_the_script_that_reports_the_browsers_zone(staff, deactivated_customer):
    content = staff.get(reverse("admin:customers_customer_change", args=[deactivated_customer.pk])).content

    assert b"customers/staff_timezone.js" in content


def test_the_api_ignores_the_staff_time_zone(api, account):
    customer = CustomerFactory(account=account)
    plain = api.get(f"/api/v1/customers/{customer.pk}").json()["data"]
    api.cookies["staff_tz"] = "America/New_York"

    with_cookie = api.get(f"/api/v1/customers/{customer.pk}").json()["data"]

    assert with_cookie["created_at"] == plain["created_at"]

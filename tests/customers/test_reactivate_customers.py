"""reactivate_customers: the bulk reactivation behind the admin action, the undo and the API's single
reactivation; its query count does not grow with the number of customers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beel.actors import Actor
from beel.errors import ErrorCode
from beel.tenancy import DataScope
from companies.models import primary_company_of
from customers import services
from customers.models import AuditEntry, Customer
from tests.factories import AccountFactory, CustomerFactory, valid_dni

pytestmark = pytest.mark.django_db

ACTOR = Actor.command("test")


def inactive_customers(how_many: int, account=None) -> list[Customer]:
    account = account or AccountFactory()
    return CustomerFactory.create_batch(how_many, account=account, active=False, deactivated_at=timezone.now())


def reactivate(customers, scope=None):
    return services.reactivate_customers(
        scope=scope or DataScope.everything(), ids=[str(c.pk) for c in customers], actor=ACTOR
    )


def test_bulk_reactivation_takes_the_same_number_of_queries_for_1_and_100_customers():
    reactivate(inactive_customers(1))  # warm up whatever is cached per process
    queries = {}
    for how_many in (1, 100):
        customers = inactive_customers(how_many)
        with CaptureQueriesContext(connection) as captured:
            report = reactivate(customers)
        queries[how_many] = len(captured.captured_queries)
        assert report.successful == how_many
        assert not Customer.objects.filter(pk__in=[c.pk for c in customers], active=False).exists()
        reactivations = AuditEntry.objects.filter(customer__in=customers, action=AuditEntry.Action.REACTIVATED)
        assert reactivations.count() == how_many

    # Lock and read the customers, look for NIF clashes, update, record the history, take the events'
    # numbers (their counter) and record the events (the webhooks' outbox): savepoints aside, six statements.
    assert queries[1] == queries[100]
    assert queries[1] <= 8


def test_each_nif_clash_is_reported_for_its_customer_and_the_rest_are_reactivated():
    account = AccountFactory()
    taken_nif = valid_dni(7001)
    CustomerFactory(account=account, nif=taken_nif)
    clashing = CustomerFactory(account=account, nif=taken_nif, active=False, deactivated_at=timezone.now())
    free = inactive_customers(2, account=account)

    report = reactivate([clashing, *free])

    assert report.reactivated_ids == [str(c.pk) for c in free]
    assert [(f.customer_id, f.error.code) for f in report.failures] == [(str(clashing.pk), ErrorCode.CLIENT_DUPLICATE)]
    assert Customer.objects.get(pk=clashing.pk).active is False
    assert Customer.objects.filter(pk__in=[c.pk for c in free], active=True).count() == 2


def test_two_inactive_customers_with_one_nif_reactivate_only_the_first():
    account = AccountFactory()
    nif = valid_dni(7002)
    first, second = (
        CustomerFactory(account=account, nif=nif, active=False, deactivated_at=timezone.now()) for _ in range(2)
    )

    report = reactivate([first, second])

    assert report.reactivated_ids == [str(first.pk)]
    assert [f.customer_id for f in report.failures] == [str(second.pk)]
    assert Customer.objects.filter(account=account, nif=nif, active=True).get().pk == first.pk


def test_the_same_nif_in_another_account_or_mode_is_no_clash():
    nif = valid_dni(7003)
    CustomerFactory(nif=nif)  # another account
    CustomerFactory(nif=nif, mode="test")
    returning = CustomerFactory(nif=nif, mode="live", active=False, deactivated_at=timezone.now())

    report = reactivate([returning])

    assert report.reactivated_ids == [str(returning.pk)]


def test_already_active_and_unknown_customers_are_reported_apart_and_nothing_is_written_for_them():
    active = CustomerFactory()
    other_account = inactive_customers(1)[0]
    scope = DataScope.of_company(primary_company_of(active.account), "live")

    report = reactivate([active, other_account], scope=scope)

    assert report.already_active_ids == [str(active.pk)]
    assert [(f.customer_id, f.error.code) for f in report.failures] == [(str(other_account.pk), ErrorCode.NOT_FOUND)]
    assert Customer.objects.get(pk=other_account.pk).active is False
    assert not AuditEntry.objects.exists()

"""Migration customers.0017 on existing rows: beel's payment methods become BeeL's (one UPDATE each way), a method
without a term gets BeeL's 30 days, and `web` is `website`."""

import pytest

from tests.factories import AccountFactory
from tests.migrations import leaf_nodes, migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("customers", "0016_no_redundant_fk_index")]
AFTER = [("customers", "0017_beel_payment_methods_and_website")]
OLD_TO_NEW = {
    "transfer": "BANK_TRANSFER",
    "direct_debit": "DIRECT_DEBIT",
    "card": "CARD",
    "cash": "CASH",
    "other": "OTHER",
    "": "",
}


@pytest.fixture
def before_0017():
    # The apps depending on customers go back with it; every leaf is restored afterwards.
    apps = migrate(BEFORE)
    yield apps
    migrate(leaf_nodes())


def test_payment_methods_are_mapped_to_beels_and_back(before_0017):
    account = AccountFactory()
    Customer = before_0017.get_model("customers", "Customer")
    for n, method in enumerate(OLD_TO_NEW):
        Customer.objects.create(
            account_id=account.pk,
            legal_name=method or "none",
            nif=f"B{n:08d}",
            payment_method=method,
            payment_term_days=None if n % 2 else 15,
            web="https://example.es" if n == 0 else "",
        )

    apps = migrate(AFTER)

    Customer = apps.get_model("customers", "Customer")
    migrated = {row.legal_name: row for row in Customer.objects.all()}
    assert {name: row.payment_method for name, row in migrated.items()} == {
        old or "none": new for old, new in OLD_TO_NEW.items()
    }
    # BeeL's default term for a method stored without one; a row without a method keeps none.
    assert {name: row.payment_term_days for name, row in migrated.items()} == {
        "transfer": 15,
        "direct_debit": 30,
        "card": 15,
        "cash": 30,
        "other": 15,
        "none": None,
    }
    assert migrated["transfer"].website == "https://example.es"
    for method in ("BIZUM", "CHECK", "NONE"):
        Customer.objects.create(account_id=account.pk, legal_name=method, nif="", payment_method=method)

    apps = migrate(BEFORE)

    Customer = apps.get_model("customers", "Customer")
    back = dict(Customer.objects.values_list("legal_name", "payment_method"))
    assert {name: back[name or "none"] for name in OLD_TO_NEW} == {old: old for old in OLD_TO_NEW}
    # What beel had no word for is "other"; NONE is no method.
    assert (back["BIZUM"], back["CHECK"], back["NONE"]) == ("other", "other", "")
    assert Customer.objects.get(legal_name="transfer").web == "https://example.es"

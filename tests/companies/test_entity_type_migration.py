"""Migration companies.0003 on existing rows: SELF_EMPLOYED becomes BeeL's INDIVIDUAL, and back."""

import pytest

from tests.factories import AccountFactory
from tests.migrations import leaf_nodes, migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("companies", "0002_a_primary_company_for_every_account")]
AFTER = [("companies", "0003_entity_type_individual")]


@pytest.fixture
def before_0003():
    apps = migrate(BEFORE)
    yield apps
    migrate(leaf_nodes())


def test_self_employed_companies_become_individual_and_back(before_0003):
    account = AccountFactory(fiscal_identity=False)
    Company = before_0003.get_model("companies", "Company")
    Company.objects.filter(account_id=account.pk).update(entity_type="SELF_EMPLOYED")
    legal = Company.objects.create(account_id=account.pk, legal_name="Sociedad SL", entity_type="LEGAL_ENTITY")
    blank = Company.objects.create(account_id=account.pk, legal_name="Sin tipo")

    after = migrate(AFTER).get_model("companies", "Company")
    types = dict(after.objects.filter(account_id=account.pk).values_list("legal_name", "entity_type"))
    assert types == {"": "INDIVIDUAL", "Sociedad SL": "LEGAL_ENTITY", "Sin tipo": ""}

    back = migrate(BEFORE).get_model("companies", "Company")
    assert back.objects.get(account_id=account.pk, is_primary=True).entity_type == "SELF_EMPLOYED"
    assert back.objects.get(pk=legal.pk).entity_type == "LEGAL_ENTITY"
    assert back.objects.get(pk=blank.pk).entity_type == ""

"""Every account that existed before companies gets its primary company, with what the account knows of its
fiscal identity (the owner's name) and nothing more: such a company is incomplete (Company.missing_fiscal_fields)
and cannot issue until someone fills in its NIF and address. One INSERT ... SELECT; accounts are few."""

import uuid

from django.conf import settings
from django.db import migrations


def create_primary_companies(apps, schema_editor):
    Company = apps.get_model("companies", "Company")
    Account = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    with_company = Company.objects.filter(is_primary=True).values("account_id")
    accounts = Account.objects.exclude(pk__in=with_company).values_list("pk", "first_name", "last_name")
    Company.objects.bulk_create(
        [
            Company(id=uuid.uuid4(), account_id=pk, is_primary=True, legal_name=f"{first} {last}".strip())
            for pk, first, last in accounts.iterator()
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("companies", "0001_initial"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [migrations.RunPython(create_primary_companies, migrations.RunPython.noop)]

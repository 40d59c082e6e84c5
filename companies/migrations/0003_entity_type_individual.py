"""BeeL 1.9.0 names a natural person's entity type INDIVIDUAL (CreateCompanyRequest, CompanyData), not
SELF_EMPLOYED: the choices follow the contract and the rows written with the old name are renamed."""

from django.db import migrations, models

OLD, NEW = "SELF_EMPLOYED", "INDIVIDUAL"


def rename(old: str, new: str):
    def run(apps, schema_editor):
        # One set-based statement: an account has a handful of companies, never enough to batch.
        apps.get_model("companies", "Company").objects.filter(entity_type=old).update(entity_type=new)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0002_a_primary_company_for_every_account"),
    ]

    operations = [
        migrations.AlterField(
            model_name="company",
            name="entity_type",
            field=models.CharField(
                blank=True,
                choices=[("INDIVIDUAL", "Individual (self-employed)"), ("LEGAL_ENTITY", "Legal entity")],
                max_length=20,
                verbose_name="entity type",
            ),
        ),
        migrations.RunPython(rename(OLD, NEW), rename(NEW, OLD)),
    ]

"""Trigram GIN indexes behind the partial, case- and accent-insensitive filters and `search`
(`LIKE '%term%'` on the folded columns). PostgreSQL only; built CONCURRENTLY so a large table keeps
taking writes while they are created, hence a non-atomic migration."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from beel.db.operations import PostgreSQLOnlyRunSQL

TRIGRAM_INDEXES = {
    "customer_name_trgm_idx": "legal_name_folded",
    "customer_nif_trgm_idx": "nif",
    "customer_email_trgm_idx": "email",
    "customer_phone_trgm_idx": "phone",
}


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("customers", "0002_sort_indexes")]

    operations = [
        TrigramExtension(),
        *[
            PostgreSQLOnlyRunSQL(
                sql=f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON customers_customer "
                f"USING gin ({column} gin_trgm_ops)",
                reverse_sql=f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
            )
            for name, column in TRIGRAM_INDEXES.items()
        ],
    ]

"""DATABASE_REPLICA_URLS as a server reads it at start (the replicas themselves: tests/ops/test_read_replicas.py)."""

import json

from tests.ops.test_configuration import PRODUCTION, start_django

PRIMARY = "postgres://beel@db.internal:5432/beel"
REPLICAS = "postgres://beel@replica-a.internal:5432/beel, postgres://beel@replica-b.internal:6432/beel"


def test_each_replica_url_becomes_a_read_only_alias_configured_as_the_primary():
    code = """
from django.db import router
replicas = {alias: db for alias, db in settings.DATABASES.items() if alias != "default"}
print(json.dumps({
    "replicas": {alias: [db["HOST"], db["PORT"], db["OPTIONS"], db["TEST"]["MIRROR"], db["REPLICA"]]
                 for alias, db in replicas.items()},
    "migrates_on": [alias for alias in settings.DATABASES if router.allow_migrate(alias, "customers")],
}))
"""
    result = start_django(
        {
            **PRODUCTION,
            "DATABASE_URL": PRIMARY,
            "DATABASE_REPLICA_URLS": REPLICAS,
            "DATABASE_REPLICA_MAX_LAG_SECONDS": "12",
            "DB_STATEMENT_TIMEOUT_MS": "3000",
        },
        code,
    )
    assert result.returncode == 0, result.stderr
    options = {"connect_timeout": 2, "options": "-c statement_timeout=3000"}
    replica_options = {"MAX_LAG_SECONDS": 12, "CHECK_SECONDS": 1}
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "replicas": {
            "replica_1": ["replica-a.internal", 5432, options, "default", replica_options],
            "replica_2": ["replica-b.internal", 6432, options, "default", replica_options],
        },
        "migrates_on": ["default"],
    }


def test_without_replicas_there_is_one_database_and_the_router_answers_nothing():
    code = """
from django.db import router
from beel.db.replicas import ReplicaRouter
answers = [ReplicaRouter().db_for_read(None), ReplicaRouter().db_for_write(None), ReplicaRouter().allow_relation(1, 2)]
print(json.dumps({"aliases": list(settings.DATABASES), "answers": answers}))
"""
    result = start_django({**PRODUCTION, "DATABASE_URL": PRIMARY}, code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"aliases": ["default"], "answers": [None, None, None]}


def test_replicas_of_an_sqlite_database_are_refused_at_start():
    result = start_django({**PRODUCTION, "DATABASE_REPLICA_URLS": REPLICAS})
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URLS needs a PostgreSQL DATABASE_URL" in result.stderr


def test_a_replica_url_that_is_not_postgresql_is_refused_at_start():
    result = start_django({**PRODUCTION, "DATABASE_URL": PRIMARY, "DATABASE_REPLICA_URLS": "mysql://replica/beel"})
    assert result.returncode != 0
    assert "replica 1 is not a postgres:// URL" in result.stderr

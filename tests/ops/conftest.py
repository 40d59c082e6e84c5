import os

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.ops.replica import ReplicaUnavailable, StreamingReplica

PRODUCTION_STATIC_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """`collectstatic` with the production storage (compressed, content-hashed), once per test run."""
    static_root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(
        STATIC_ROOT=static_root,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": PRODUCTION_STATIC_STORAGE},
        },
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
    return static_root


@pytest.fixture(scope="session")
def pgbouncer():
    """A PgBouncer in transaction mode in front of the test PostgreSQL (tests/ops/pgbouncer.py)."""
    from django.db import connection

    from tests.ops.pgbouncer import PgBouncer, PgBouncerUnavailable, skip_or_fail

    settings_dict = connection.settings_dict
    bouncer = PgBouncer(
        host=settings_dict["HOST"] or "127.0.0.1", port=int(settings_dict["PORT"] or 5432), user=settings_dict["USER"]
    )
    try:
        try:
            bouncer.start()
        except PgBouncerUnavailable as reason:
            skip_or_fail(str(reason))
        yield bouncer
    finally:
        bouncer.stop()


@pytest.fixture(scope="session")
def streaming_replica(django_db_setup, django_db_blocker):
    """A streaming replica of the running primary (tests/ops/replica.py), made once the test database exists on
    the primary so that it holds it too; skipped, with the reason, when this machine cannot make one, unless
    BEEL_REPLICA_TESTS=required (CI)."""
    replica = StreamingReplica()
    try:
        replica.create()
    except ReplicaUnavailable as reason:
        if os.environ.get("BEEL_REPLICA_TESTS") == "required":
            pytest.fail(f"BEEL_REPLICA_TESTS=required, but no streaming replica could be made: {reason}")
        pytest.skip(f"no streaming replica could be made on this machine: {reason}")
    try:
        yield replica
    finally:
        replica.remove()

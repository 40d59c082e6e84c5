import pytest
from django.core.management import call_command
from django.test import override_settings

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

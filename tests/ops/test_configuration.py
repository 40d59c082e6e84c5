"""Configuration that refuses to be wrong: settings read in a fresh process, as a server starts, and the
deploy check."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.db.models.signals import pre_migrate

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-secret-for-the-configuration-tests-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "api.example.com",
}


def start_django(env: dict[str, str], code: str = "") -> subprocess.CompletedProcess:
    """Starts Django in a new process with exactly these variables (plus PATH), as a server would."""
    environment = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "beel.settings", **env}
    script = f"import django, json\ndjango.setup()\nfrom django.conf import settings\n{code}"
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def test_an_unknown_cache_url_scheme_is_refused_at_start():
    result = start_django({**PRODUCTION, "CACHE_URL": "memcached://127.0.0.1:11211"})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "CACHE_URL must be redis://" in result.stderr


def test_a_redis_cache_url_is_the_shared_cache():
    result = start_django(
        {**PRODUCTION, "CACHE_URL": "redis://127.0.0.1:6379/12"}, "print(settings.CACHES['default']['BACKEND'])"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.cache.backends.redis.RedisCache"


def test_x_forwarded_proto_is_trusted_only_behind_a_configured_proxy():
    code = "print(json.dumps(settings.SECURE_PROXY_SSL_HEADER))"
    alone = start_django(PRODUCTION, code)
    behind_proxy = start_django({**PRODUCTION, "TRUSTED_PROXY_COUNT": "1"}, code)
    assert alone.returncode == 0, alone.stderr
    assert json.loads(alone.stdout) is None
    assert json.loads(behind_proxy.stdout) == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_postgresql_connections_carry_the_statement_timeout_and_are_reused():
    code = "print(json.dumps(settings.DATABASES['default'], default=lambda value: value.__name__))"
    env = {**PRODUCTION, "DATABASE_URL": "postgres://beel@db.internal:5432/beel", "DB_STATEMENT_TIMEOUT_MS": "2500"}
    result = start_django(env, code)
    assert result.returncode == 0, result.stderr
    database = json.loads(result.stdout)
    assert database["OPTIONS"]["options"] == "-c statement_timeout=2500"
    assert database["OPTIONS"]["connect_timeout"] == 5
    assert database["ENGINE"] == "beel.db.postgresql"  # its health check asks the socket, not the server
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True
    assert "pool" not in database["OPTIONS"]


def test_a_postgresql_connection_pool_can_be_chosen_and_sized_from_the_environment():
    code = "print(json.dumps(settings.DATABASES['default'], default=lambda value: value.__name__))"
    env = {**PRODUCTION, "DATABASE_URL": "postgres://beel@db.internal:5432/beel", "DB_POOL": "true"}
    database = json.loads(start_django({**env, "DB_POOL_MIN_SIZE": "2", "DB_POOL_MAX_SIZE": "3"}, code).stdout)
    assert database["CONN_MAX_AGE"] == 0
    assert database["OPTIONS"]["pool"] == {
        "min_size": 2,
        "max_size": 3,
        "timeout": 5,
        "check": "refuse_a_connection_the_server_dropped",
        "reconnect_timeout": 10,
    }


def test_through_pgbouncer_no_startup_options_are_sent_and_nothing_is_prepared():
    code = "print(json.dumps(settings.DATABASES['default'], default=lambda value: value.__name__))"
    env = {**PRODUCTION, "DATABASE_URL": "postgres://beel@pgbouncer.internal:6432/beel", "DATABASE_POOLER": "pgbouncer"}
    result = start_django(env, code)
    assert result.returncode == 0, result.stderr
    database = json.loads(result.stdout)
    assert "options" not in database["OPTIONS"]  # PgBouncer refuses it; the role carries the statement timeout
    assert database["OPTIONS"]["prepare_threshold"] is None
    assert database["POOLER"] == "pgbouncer"
    refused = start_django({**env, "DATABASE_POOLER": "pgpool"}, code)
    assert refused.returncode != 0
    assert "DATABASE_POOLER must be empty or one of" in refused.stderr


@pytest.mark.postgres_only(reason="the statement timeout is PostgreSQL's")
@pytest.mark.django_db
def test_the_test_database_connection_has_the_default_statement_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "5s"


def test_the_deploy_check_fails_when_rate_limits_are_counted_per_process(settings):
    settings.DEBUG = False
    settings.ACCEPT_PER_PROCESS_RATE_LIMITS = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with pytest.raises(SystemCheckError, match=r"beel\.E001"):
        call_command("check", deploy=True, tags=["security"])


def test_the_deploy_check_accepts_a_declared_single_process_setup(settings):
    settings.DEBUG = False
    settings.ACCEPT_PER_PROCESS_RATE_LIMITS = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    call_command("check", deploy=True, tags=["security"], fail_level="ERROR")


def test_the_deploy_check_accepts_a_shared_cache(settings):
    settings.DEBUG = False
    settings.ACCEPT_PER_PROCESS_RATE_LIMITS = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    call_command("check", deploy=True, tags=["security"], fail_level="ERROR")


@pytest.mark.parametrize(
    ("directory", "check_id"),
    [
        ("CUSTOMER_IMPORTS_DIR", "beel.W001"),  # the admin's previewed imports, confirmed on any instance
        ("CUSTOMER_EXPORTS_DIR", "beel.W004"),  # export files, written by a worker, served by any instance
    ],
)
def test_the_deploy_check_warns_when_files_stay_on_one_machine(settings, directory, check_id):
    settings.DEBUG = False
    setattr(settings, directory, "")
    assert check_id in deploy_check_ids()
    setattr(settings, directory, "/srv/beel/files")
    assert check_id not in deploy_check_ids()


def deploy_check_ids() -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True, tags=["security"])}


def test_a_malformed_metrics_network_fails_the_checks(settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/33"]
    with pytest.raises(SystemCheckError, match=r"beel\.E002"):
        call_command("check", tags=["security"])


# How the code reads its environment: os.environ.get("X"), os.environ["X"], env_bool/env_int/env_list("X").
_ENVIRONMENT_READ = re.compile(
    r"""(?:os\.environ(?:\.get)?[\[(]|os\.getenv\(|env_(?:bool|int|list)\()\s*["']([A-Z_]+)["']"""
)


def variables_read_by_the_code() -> set[str]:
    sources = [ROOT / "gunicorn.conf.py", ROOT / "manage.py"]
    for package in ("beel", "apikeys", "customers", "invoices"):
        sources += [path for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts]
    found = {name for path in sources for name in _ENVIRONMENT_READ.findall(path.read_text(encoding="utf-8"))}
    return found | {"DATABASE_URL"}  # read by dj_database_url.config() in settings


def test_every_environment_variable_the_code_reads_is_in_the_configuration_table():
    variables = variables_read_by_the_code()
    assert {"SECRET_KEY", "SECURE_SSL_REDIRECT", "DB_STATEMENT_TIMEOUT_MS", "GUNICORN_WORKERS"} <= variables
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    table_rows = [line for line in page.splitlines() if line.startswith("| `")]
    documented = {name for row in table_rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split(" | ")[0])}
    missing = variables - documented - {"DJANGO_SETTINGS_MODULE"}
    assert not missing, f"read by the code but not in docs/configuration.md: {sorted(missing)}"


def test_gunicorn_refuses_to_start_when_the_deploy_check_fails(tmp_path):
    env = {**PRODUCTION, "GUNICORN_BIND": "127.0.0.1:18129", "CACHE_URL": ""}
    environment = {"PATH": os.environ["PATH"], **env}
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "beel.E001" in result.stderr
    assert "refusing to start" in result.stderr


@pytest.mark.postgres_only(reason="the statement timeout is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_migrate_runs_without_the_statement_timeout_and_restores_it():
    seen_during_migrate = []

    def record_timeout(using, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            seen_during_migrate.append(cursor.fetchone()[0])

    pre_migrate.connect(record_timeout, dispatch_uid="record_timeout")
    try:
        call_command("migrate", verbosity=0)
    finally:
        pre_migrate.disconnect(dispatch_uid="record_timeout")
    assert seen_during_migrate and set(seen_during_migrate) == {"0"}
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "5s"

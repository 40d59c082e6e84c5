"""The event outbox sits in `beel` and the webhooks app above invoices: beel.events imports no app, the
apps that record events never import webhooks, and webhooks' domain modules never import the HTTP layer."""

import pytest

from tests.architecture.test_dependencies import ROOT, imports_package, source_files

WEBHOOK_DOMAIN_MODULES = [
    "models.py",
    "services.py",
    "delivery.py",
    "security.py",
    "signing.py",
    "admin.py",
    "tasks.py",
]


def test_the_outbox_imports_no_app():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "beel" / "events").rglob("*.py")
        if "migrations" not in path.parts
        and any(imports_package(path, app) for app in ("apikeys", "customers", "invoices", "webhooks"))
    ]
    assert not offenders


@pytest.mark.parametrize("app", ["apikeys", "customers", "invoices"])
def test_lower_apps_never_import_webhooks(app):
    assert not [str(path.relative_to(ROOT)) for path in source_files(app) if imports_package(path, "webhooks")]


def test_webhooks_domain_never_imports_the_http_layer():
    files = [ROOT / "webhooks" / name for name in WEBHOOK_DOMAIN_MODULES]
    files += sorted((ROOT / "webhooks" / "management" / "commands").glob("*.py"))
    assert all(path.exists() for path in files[: len(WEBHOOK_DOMAIN_MODULES)])
    assert not [str(path.relative_to(ROOT)) for path in files if imports_package(path, "beel.api")]

"""App dependencies point one way: beel <- apikeys <- customers <- invoices, and the domain (models,
services, admin, forms, validators, commands) never imports the HTTP layer (beel.api). Read from the
import statements of the source files, so a new import that breaks the direction fails here."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["apikeys", "customers", "invoices"]
DOMAIN_MODULES = {"models.py", "services.py", "admin.py", "forms.py", "validators.py"}


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def imports_package(path: Path, package: str) -> bool:
    return any(module == package or module.startswith(f"{package}.") for module in imported_modules(path))


def domain_files(app: str) -> list[Path]:
    files = [ROOT / app / name for name in DOMAIN_MODULES if (ROOT / app / name).exists()]
    # A domain module split into a package (customers/services/, customers/admin/) is read whole.
    files += [path for name in DOMAIN_MODULES for path in sorted((ROOT / app / name.removesuffix(".py")).rglob("*.py"))]
    files += sorted((ROOT / app / "management" / "commands").glob("*.py"))
    return files


def source_files(app: str) -> list[Path]:
    return [path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts]


@pytest.mark.parametrize("app", APPS)
def test_domain_modules_never_import_the_http_layer(app):
    offenders = [str(path.relative_to(ROOT)) for path in domain_files(app) if imports_package(path, "beel.api")]
    assert not offenders


def test_apikeys_imports_neither_customers_nor_invoices():
    offenders = [
        str(path.relative_to(ROOT))
        for path in source_files("apikeys")
        if imports_package(path, "customers") or imports_package(path, "invoices")
    ]
    assert not offenders


def test_customers_imports_nothing_of_invoices():
    offenders = [str(path.relative_to(ROOT)) for path in source_files("customers") if imports_package(path, "invoices")]
    assert not offenders


def test_beel_imports_no_app():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "beel").rglob("*.py")
        if "migrations" not in path.parts and any(imports_package(path, app) for app in APPS)
    ]
    assert not offenders


def test_the_checks_see_real_imports():
    # Guards the guard: a file known to import across apps is seen doing so.
    assert imports_package(ROOT / "invoices" / "services.py", "customers")
    assert imports_package(ROOT / "customers" / "views.py", "beel.api")

"""App dependencies point one way: beel <- apikeys <- customers <- invoices <- webhooks, and only the HTTP
modules (views, serializers, schema, urls, filters, authentication, permissions, beel.api) reach the HTTP
layer (beel.api, DRF): the domain (models, services, record, selectors, admin, forms, validators,
spreadsheet, representations, commands, and any module added later) never does, directly or through any
other module. Read from the import
statements of the source files (those inside functions too), so a new import that breaks the direction
fails here, however far from the domain module it is written."""

import ast
from collections import deque
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["companies", "apikeys", "customers", "invoices", "webhooks"]
PROJECT_PACKAGES = ("beel", "companies", "apikeys", "customers", "invoices", "webhooks")
# A module of the app, or a package of modules (customers/services/, customers/admin/).
DOMAIN_MODULES = (
    "models", "services", "record", "selectors", "admin", "forms", "validators", "spreadsheet", "representations",
)  # fmt: skip
# drf_spectacular is DRF's schema generator: importing it imports DRF.
HTTP_LAYER = ("beel.api", "rest_framework", "drf_spectacular")
# The modules whose job is HTTP, allowed to reach the HTTP layer; every other module of the project is held
# away from it, so a new domain module is checked without being listed anywhere.
HTTP_MODULES = (
    "beel.api",
    "beel.urls",
    "beel.wsgi",  # the server's entry point: wraps the app in beel.api's reader of chunked bodies
    "beel.locale",  # middleware: tells API paths from the admin's
    "beel.idempotency.decorators",  # wraps DRF views
    *(
        f"{app}.{module}"
        for app in APPS
        for module in ("authentication", "permissions", "filters", "schema", "serializers", "urls", "views")
    ),
    # The canonical routes' views (`/companies/{company_id}/customers...`), one module per family of operations,
    # and the export jobs' (flat and canonical).
    *(
        f"customers.{module}"
        for module in ("company_views", "company_deletion_views", "company_import_views", "export_views")
    ),
    "webhooks.event_views",  # GET /events, beside the endpoints' views
    # Receivables (docs/api.md): a customer's statement and the aging report, flat and canonical.
    *(f"invoices.{module}" for module in ("statement_urls", "statement_views", "aging_urls", "aging_views")),
)


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    return {module_name(path, root): path for package in packages for path in sorted((root / package).rglob("*.py"))}


def imports_of(path: Path, name: str, modules: Iterable[str] = ()) -> set[str]:
    """The modules a file's import statements name, as absolute names: relative imports resolved, and
    `from X import Y` naming X.Y too where that is one of `modules`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules}
    return names


def with_packages(name: str) -> list[str]:
    """What importing a module runs: each enclosing package's __init__, then the module."""
    parts = name.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts) + 1)]


def is_within(name: str, packages: Iterable[str]) -> bool:
    return any(name == package or name.startswith(f"{package}.") for package in packages)


class ImportGraph:
    """The project's modules and the modules each one imports."""

    def __init__(self, root: Path, packages: Iterable[str]):
        self.modules = project_modules(root, packages)
        self.imports = {name: imports_of(path, name, self.modules) for name, path in self.modules.items()}

    def path_to(self, start: str, targets: Iterable[str]) -> list[str] | None:
        """The shortest chain of imports from `start` to a module of `targets`, or None if there is none."""
        targets = tuple(targets)
        chains = {name: [name] for name in with_packages(start) if name in self.modules}
        queue = deque(chains)
        while queue:
            current = queue.popleft()
            for imported in sorted(self.imports[current]):
                if is_within(imported, targets):
                    return [*chains[current], imported]
                for module in with_packages(imported):
                    if module in self.modules and module not in chains:
                        chains[module] = [*chains[current], module]
                        queue.append(module)
        return None


def imports_package(path: Path, package: str) -> bool:
    """Whether the file itself (not what it imports) names a module of `package`."""
    return any(is_within(module, [package]) for module in imports_of(path, module_name(path, ROOT)))


def domain_files(app: str) -> list[Path]:
    files = []
    for name in DOMAIN_MODULES:
        files += [ROOT / app / f"{name}.py"] if (ROOT / app / f"{name}.py").exists() else []
        files += sorted((ROOT / app / name).rglob("*.py"))
    return files + sorted((ROOT / app / "management" / "commands").glob("*.py"))


def source_files(app: str) -> list[Path]:
    return [path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts]


@pytest.fixture(scope="module")
def graph() -> ImportGraph:
    return ImportGraph(ROOT, PROJECT_PACKAGES)


def test_only_the_http_modules_reach_the_http_layer(graph):
    chains = {
        name: graph.path_to(name, HTTP_LAYER)
        for name in graph.modules
        if ".migrations" not in name and not is_within(name, HTTP_MODULES)
    }
    assert {name: " -> ".join(chain) for name, chain in chains.items() if chain} == {}


@pytest.mark.parametrize("app", APPS)
def test_domain_modules_are_among_those_checked(app, graph):
    # Guards the guard: every domain module is held away from the HTTP layer by the test above.
    names = {module_name(path, ROOT) for path in domain_files(app)}
    assert names and not any(is_within(name, HTTP_MODULES) for name in names)
    assert names <= set(graph.modules)


def test_the_checker_follows_imports_to_their_end(tmp_path):
    package = tmp_path / "shop"
    (package / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "a.py": "from shop import b\n",
        "b.py": "def later():\n    from .sub import c\n",
        "sub/__init__.py": "",
        "sub/c.py": "import rest_framework.serializers\n",
        "clean.py": "import json\nfrom shop.sub import __name__ as name\n",
    }
    for name, text in files.items():
        (package / name).write_text(text, encoding="utf-8")

    graph = ImportGraph(tmp_path, ["shop"])

    # a imports b, whose function imports sub.c (running sub/__init__.py first), which imports DRF.
    assert graph.path_to("shop.a", HTTP_LAYER) == ["shop.a", "shop.b", "shop.sub.c", "rest_framework.serializers"]
    assert graph.path_to("shop.clean", HTTP_LAYER) is None


def test_the_checker_sees_a_package_init_that_reaches_the_http_layer(tmp_path):
    (tmp_path / "shop" / "admin").mkdir(parents=True)
    (tmp_path / "shop" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "shop" / "admin" / "__init__.py").write_text("from . import imports\n", encoding="utf-8")
    (tmp_path / "shop" / "admin" / "imports.py").write_text("from shop import serializers\n", encoding="utf-8")
    (tmp_path / "shop" / "admin" / "export.py").write_text("", encoding="utf-8")
    (tmp_path / "shop" / "serializers.py").write_text("from beel.api import views\n", encoding="utf-8")

    graph = ImportGraph(tmp_path, ["shop"])

    # Importing shop.admin.export runs shop/admin/__init__.py first.
    assert graph.path_to("shop.admin.export", HTTP_LAYER) == [
        "shop.admin",
        "shop.admin.imports",
        "shop.serializers",
        "beel.api",
    ]


def test_companies_imports_no_app_above_it():
    # beel <- companies <- apikeys: a company knows nothing of keys, customers, invoices or webhooks.
    above = ("apikeys", "customers", "invoices", "webhooks")
    offenders = [
        str(path.relative_to(ROOT))
        for path in source_files("companies")
        if any(imports_package(path, app) for app in above)
    ]
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


def test_the_checks_see_real_imports(graph):
    # Guards the guard: a file known to import across apps is seen doing so, and the HTTP layer's own
    # modules are seen reaching DRF.
    assert imports_package(ROOT / "invoices" / "services.py", "customers")
    assert imports_package(ROOT / "customers" / "views.py", "beel.api")
    assert graph.path_to("customers.views", HTTP_LAYER)
    assert len(domain_files("customers")) > len(DOMAIN_MODULES)

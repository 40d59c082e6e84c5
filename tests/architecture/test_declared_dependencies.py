"""A production install (`uv sync --no-dev`) has only [project].dependencies: every third-party package the
service imports must come from one of them, declared directly, not through a dev tool or another package's
own requirements (`requests` once arrived only with schemathesis, and the service did not start)."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_PACKAGES = ("beel", "companies", "apikeys", "customers", "invoices", "webhooks")
APP_SCRIPTS = ("manage.py", "gunicorn.conf.py")


def app_files() -> list[Path]:
    files = [ROOT / name for name in APP_SCRIPTS]
    for package in APP_PACKAGES:
        files += sorted((ROOT / package).rglob("*.py"))
    return files


def top_level_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.partition(".")[0])
    return names


def normalized(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def declared_runtime_distributions() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {normalized(re.match(r"[A-Za-z0-9._-]+", requirement).group()) for requirement in project["dependencies"]}


def is_third_party(name: str) -> bool:
    local = (ROOT / name).is_dir() or (ROOT / f"{name}.py").exists()
    return not local and name not in sys.stdlib_module_names and name != "__future__"


def test_every_third_party_import_of_the_service_comes_from_a_declared_runtime_dependency():
    providers = packages_distributions()
    declared = declared_runtime_distributions()
    undeclared = {}
    for path in app_files():
        for name in sorted(filter(is_third_party, top_level_imports(path))):
            if not declared & {normalized(distribution) for distribution in providers.get(name, [])}:
                undeclared.setdefault(name, str(path.relative_to(ROOT)))
    assert not undeclared, f"imported but not in [project].dependencies (first importer shown): {undeclared}"


def test_the_check_reads_imports_and_maps_them_to_distributions():
    # Guards the test above against passing because it found nothing: the service's own foundations are seen.
    imported = set().union(*(top_level_imports(path) for path in app_files()))
    assert {"django", "rest_framework", "celery"} <= {name for name in imported if is_third_party(name)}
    assert "djangorestframework" in {normalized(d) for d in packages_distributions()["rest_framework"]}

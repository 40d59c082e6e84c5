"""The HTTP layer (beel.api) and the operations endpoints (beel.ops: probes, metrics, deploy checks) sit
side by side: neither imports the other, and what both need lives in beel itself (beel.client_address,
beel.metrics, beel.redis). And the service reaches Redis through one module, beel.redis (its clients,
timeouts, scripts and outage log), so that no second client with timeouts of its own creeps in."""

import ast
from pathlib import Path

from tests.architecture.test_dependencies import ROOT

# The tests are left out: they look at Redis from outside (the Celery broker's queue in
# tests/webhooks/test_worker.py, the commands sent per request in tests/api/test_request_pipeline.py).
# Nothing else is: Celery reaches its broker through kombu, configured by URL in the settings.
NOT_THE_SERVICE = {"tests", ".venv", "node_modules"}


def imported_modules(source: str, package: tuple[str, ...]) -> set[str]:
    """Every module the import statements of `source` (a module of `package`) may load: `from a import b`
    counts as `a` and `a.b` (b may be a module), and relative imports are resolved from the package."""
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            parent = package[: len(package) - node.level + 1] if node.level else ()
            base = ".".join([*parent, *([node.module] if node.module else [])])
            modules.add(base)
            modules |= {f"{base}.{alias.name}" for alias in node.names}
    return modules


def within(modules: set[str], package: str) -> bool:
    return any(module == package or module.startswith(f"{package}.") for module in modules)


def imports(path: Path, package: str) -> bool:
    return within(imported_modules(path.read_text(encoding="utf-8"), path.relative_to(ROOT).parts[:-1]), package)


def modules_under(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def service_modules() -> list[Path]:
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if not any(part in NOT_THE_SERVICE or part.startswith(".") for part in path.relative_to(ROOT).parts)
    ]


def test_the_http_layer_does_not_import_the_operations_endpoints():
    assert not [str(path.relative_to(ROOT)) for path in modules_under("beel/api") if imports(path, "beel.ops")]


def test_the_operations_endpoints_do_not_import_the_http_layer():
    assert not [str(path.relative_to(ROOT)) for path in modules_under("beel/ops") if imports(path, "beel.api")]


def test_one_module_of_the_service_imports_the_redis_package():
    importers = [str(path.relative_to(ROOT)) for path in service_modules() if imports(path, "redis")]
    assert importers == ["beel/redis.py"]


def test_the_checks_see_real_imports():
    # Guards the guard: each form of import is seen for what it loads, and the files are found.
    in_beel_api = ("beel", "api")
    for source in ("from beel import ops", "from .. import ops", "from ..ops.health import readiness"):
        assert within(imported_modules(source, in_beel_api), "beel.ops")
    assert within(imported_modules("import redis.asyncio as redis", in_beel_api), "redis")
    assert not within(imported_modules("from beel import redis", in_beel_api), "redis")
    assert imports(ROOT / "beel" / "ops" / "metrics.py", "beel.metrics")
    assert imports(ROOT / "beel" / "api" / "throttling.py", "beel.redis")
    assert "beel/api/throttling.py" in {str(path.relative_to(ROOT)) for path in service_modules()}

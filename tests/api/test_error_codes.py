"""Every error code the service can answer is documented, with its status, in the OpenAPI schema and in
the table of docs/api.md. The codes are found from what the code raises and answers (every DomainError subclass
of the project, the codes DRF's exceptions are mapped to, and every `ErrorCode.X` the source names, as
the middleware answers some directly), never by reading the documented list back."""

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

from beel.api.exceptions import _DRF_ERRORS
from beel.errors import DomainError, ErrorCode

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = ["beel", "apikeys", "customers", "invoices"]


def _project_modules() -> list[str]:
    names = []
    for package_name in PROJECT_PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            if ".migrations" not in module.name:
                names.append(module.name)
    return names


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for subclass in cls.__subclasses__():
        found |= {subclass, *_all_subclasses(subclass)}
    return found


def _codes_named_in_source() -> set[ErrorCode]:
    codes = set()
    for package_name in PROJECT_PACKAGES:
        for path in (ROOT / package_name).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "ErrorCode"
                ) and node.attr in ErrorCode.__members__:
                    codes.add(ErrorCode[node.attr])
    return codes


@pytest.fixture(scope="module")
def answered_codes() -> set[ErrorCode]:
    for name in _project_modules():
        importlib.import_module(name)
    error_classes = {cls for cls in _all_subclasses(DomainError) if cls.__module__.split(".")[0] in PROJECT_PACKAGES}
    assert len(error_classes) >= 8, "the project's error classes were not found"
    codes = {cls.code for cls in error_classes}
    codes |= {code for _, code, _ in _DRF_ERRORS}
    codes |= _codes_named_in_source()
    return codes


def test_every_domain_error_carries_a_code_of_the_enumeration():
    for name in _project_modules():
        importlib.import_module(name)
    for cls in _all_subclasses(DomainError):
        assert isinstance(cls.code, ErrorCode), cls


def test_the_codes_found_include_those_raised_by_each_app(answered_codes):
    assert {
        ErrorCode.CLIENT_HAS_INVOICES,
        ErrorCode.CUSTOMER_INACTIVE,
        ErrorCode.IDEMPOTENCY_KEY_PROCESSING,
        ErrorCode.URI_TOO_LONG,
        ErrorCode.RATE_LIMIT_EXCEEDED,
        ErrorCode.INTERNAL_ERROR,
    } <= answered_codes


@pytest.mark.django_db
def test_every_answered_code_is_in_the_openapi_schema(anonymous_client, answered_codes):
    error = anonymous_client.get("/api/v1/schema?format=json").json()["components"]["schemas"]["Error"]
    documented = set(error["properties"]["code"]["enum"])
    assert {str(code) for code in answered_codes} - documented == set()
    for code in answered_codes:
        assert f"- `{code}` ({code.status}): " in error["properties"]["code"]["description"]


def test_every_answered_code_is_in_the_api_manuals_table_with_its_status(answered_codes):
    manual = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| `([A-Z_]+)` \| (\d{3}) \|", manual, flags=re.MULTILINE))
    missing = {str(code) for code in answered_codes} - set(table)
    assert not missing, f"not in the error table of docs/api.md: {sorted(missing)}"
    for code in answered_codes:
        assert int(table[code]) == code.status, code

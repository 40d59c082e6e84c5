"""No app-code file grows past ~400 lines without being split by use case (CONVENTIONS.md, "The house"), and
no function of app code grows past ~50 lines, so each reads on one screen."""

import ast
from pathlib import Path

from tests.architecture.test_dependencies import ROOT

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 50
APPS = ["beel", "companies", "apikeys", "customers", "invoices", "webhooks"]


def app_files() -> list[Path]:
    return sorted(
        path for app in APPS for path in (ROOT / app).rglob("*.py") if "migrations" not in path.relative_to(ROOT).parts
    )


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_no_app_file_is_over_the_limit():
    over = {relative(path): line_count(path) for path in app_files() if line_count(path) > MAX_FILE_LINES}
    assert not over, f"over {MAX_FILE_LINES} lines: split these by use case: {over}"


def function_lengths(path: Path) -> dict[str, int]:
    lengths = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
            lengths[f"{relative(path)}:{node.lineno} {node.name}"] = node.end_lineno - first + 1
    return lengths


def test_no_app_function_is_over_the_limit():
    long = {
        function: lines
        for path in app_files()
        for function, lines in function_lengths(path).items()
        if lines > MAX_FUNCTION_LINES
    }
    assert not long, f"over {MAX_FUNCTION_LINES} lines: split these: {long}"


def test_the_size_checks_see_real_files():
    # Guards the guard: the app files are found (migrations left out), and functions are measured whole.
    names = {relative(path) for path in app_files()}
    assert {"customers/models.py", "customers/services/lifecycle.py", "webhooks/models.py"} <= names
    assert not any("/migrations/" in name for name in names)
    lengths = function_lengths(ROOT / "customers" / "services" / "lifecycle.py")
    assert 20 < next(lines for name, lines in lengths.items() if name.endswith(" deactivate_customers")) <= 50

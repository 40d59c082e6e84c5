"""The list's plumbing talks to the list's selector, never back to the view: the paginator and the filter
backend (beel/api/pagination.py, beel/api/filters.py) neither read nor write an attribute of a `view`
argument. Read from the source, so a callback such as `view.known_total_items()` or a `view.filterset = ...`
left for the view fails here.

DRF's plug-in interfaces hand the view in (`filter_queryset(request, queryset, view)`,
`paginate_queryset(queryset, request, view)`, `get_schema_operation_parameters(view)`): receiving it is all
these modules may do with it. At request time nothing passes it on either: the filter backend filters
nothing (it only describes the filters to the schema generator, whose django-filter extension reads the
view's filterset class), and the lists and the export build their filterset themselves."""

import ast
from pathlib import Path

import pytest

from tests.architecture.test_dependencies import HTTP_LAYER, PROJECT_PACKAGES, ImportGraph

ROOT = Path(__file__).resolve().parents[2]
PLUMBING = ["beel/api/pagination.py", "beel/api/filters.py"]
VIEW = "view"
REFLECTION = {"getattr", "setattr", "hasattr", "delattr", "vars"}


def uses_of_the_view(source: str) -> list[str]:
    """Each place that reads or writes an attribute of a parameter named `view` (`view.x`, `view.x = ...`,
    `getattr(view, ...)`, `vars(view)`), as `line: code`."""
    uses = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        arguments = function.args
        names = {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}
        if VIEW not in names:
            continue
        for node in ast.walk(function):
            is_attribute = isinstance(node, ast.Attribute) and _is_view(node.value)
            is_reflection = (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in REFLECTION
                and any(_is_view(argument) for argument in node.args)
            )
            if is_attribute or is_reflection:
                uses.append((node.lineno, ast.unparse(node)))
    return [f"{line}: {code}" for line, code in sorted(uses)]


def _is_view(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == VIEW


@pytest.mark.parametrize("path", PLUMBING)
def test_the_paginator_and_the_filter_backend_never_reach_into_the_view(path):
    assert uses_of_the_view((ROOT / path).read_text(encoding="utf-8")) == []


def test_reaching_into_the_view_is_found():
    source = """
class Pagination:
    def paginate_queryset(self, queryset, request, view=None):
        total = view.known_total_items()
        view.filterset = None
        return getattr(view, "results_key", "")

    def get_schema_operation_parameters(self, view):
        return super().get_schema_operation_parameters(view)
"""
    assert uses_of_the_view(source) == [
        "4: view.known_total_items",
        "5: view.filterset",
        "6: getattr(view, 'results_key', '')",
    ]


# The list's reads beside the selectors that test_dependencies already holds to the domain's rule.
LIST_READS = ["customers.selectors", "customers.totals", "invoices.selectors", "beel.lists"]


@pytest.mark.parametrize("module", LIST_READS)
def test_the_list_reads_never_reach_the_http_layer(module):
    """The selectors, the counts and beel.lists are domain code: the admin, commands and the benchmark may
    read lists through them without the HTTP layer, or django-filter (which parses query parameters)."""
    chain = ImportGraph(ROOT, PROJECT_PACKAGES).path_to(module, (*HTTP_LAYER, "django_filters"))
    assert chain is None, " -> ".join(chain)

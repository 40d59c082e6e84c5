"""Several viewsets at one path, each answering its own methods.

Django's resolver stops at the first pattern whose path matches, whatever the method: a viewset registered for
`DELETE /companies/{company_id}/customers/{customer_id}` would hide the `GET` and `PATCH` another viewset
answers at that path (and answer them 405). `falling_through(patterns, later=...)` wraps the views of
`patterns` so that a request whose method its view does not map goes on to the first pattern of `later` whose
path matches (exactly what Django would have done without `patterns`); a 405 from there names the methods of
both in `Allow`. The patterns keep their view class and actions, so the schema generator still describes each
operation from its own viewset.
"""

import functools

from django.urls import Resolver404, URLPattern

# As DRF and Django list them in `Allow`.
_METHOD_ORDER = ("get", "post", "put", "patch", "delete", "head", "options", "trace")


def falling_through(patterns: list[URLPattern], *, later: list) -> list[URLPattern]:
    """`patterns` (DRF router URLs) whose views pass any method they do not map on to `later`."""
    return [
        URLPattern(pattern.pattern, _falling_through(pattern, later), pattern.default_args, pattern.name)
        for pattern in patterns
    ]


def _maps(view, method: str) -> bool:
    actions = getattr(view, "actions", None) or {}
    return method in actions or (method == "head" and "get" in actions)


def _methods(view) -> set[str]:
    actions = set(getattr(view, "actions", None) or ())
    return actions | ({"head"} if "get" in actions else set()) | {"options"}


def _falling_through(pattern: URLPattern, later: list):
    view = pattern.callback

    @functools.wraps(view)
    def dispatch(request, *args, **kwargs):
        method = request.method.lower()
        if _maps(view, method):
            return view(request, *args, **kwargs)
        match = _later_match(request.path_info, pattern, later)
        if match is None:
            return view(request, *args, **kwargs)
        response = match.func(request, *match.args, **match.kwargs)
        if response.status_code == 405:
            allowed = _methods(view) | _methods(match.func)
            response["Allow"] = ", ".join(name.upper() for name in _METHOD_ORDER if name in allowed)
        return response

    return dispatch


def _later_match(path_info: str, pattern: URLPattern, later: list):
    """The match of the first of `later` for the path `pattern` matched (the part of `path_info` after the
    prefixes of the includes that led to it), or None."""
    suffix = _matched_suffix(path_info, pattern)
    if suffix is None:
        return None
    for candidate in later:
        try:
            match = candidate.resolve(suffix)
        except Resolver404:
            continue
        if match is not None:
            return match
    return None


def _matched_suffix(path_info: str, pattern: URLPattern) -> str | None:
    # The include prefixes (`api/v1/`) end with a slash: the suffix starts after one of them.
    for position, character in enumerate(path_info):
        if character == "/" and pattern.resolve(path_info[position + 1 :]) is not None:
            return path_info[position + 1 :]
    return None

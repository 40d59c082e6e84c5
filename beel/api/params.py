"""The query parameters every endpoint may read the same way: flags, and a list's page (`page`, `limit`,
`cursor`). A bad value is refused naming its parameter, never silently clamped: as BeeL 1.9.0, a value that
does not parse is a 400 VALIDATION_ERROR (InvalidRequestTarget), one that parses but is out of range
(`limit=0`, `limit=101`, `page=0`) a 422 VALIDATION_ERROR (UnprocessableQueryParameter)."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from beel.errors import InvalidParameter, ValidationFailed

_FLAGS = {"true": True, "1": True, "false": False, "0": False}


def parse_flag(query_params, name: str, default: bool = False) -> bool:
    """A boolean query parameter: true/false (or 1/0); anything else is a 400 naming it."""
    raw = query_params.get(name)
    if raw is None:
        return default
    try:
        return _FLAGS[raw.strip().lower()]
    except KeyError:
        raise InvalidParameter(details={name: f"{name} must be true or false."}) from None


DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# The largest page whose rows' offset fits a signed 64-bit integer (PostgreSQL's OFFSET is a bigint) at
# any limit: past it the database would fail, so it is a 400 naming `page`.
MAX_PAGE = (2**63 - 1) // MAX_LIMIT
CURSOR_PARAM = "cursor"


@dataclass(frozen=True)
class PageParams:
    """Which part of a list a request asks for: a page number, or the rows after a cursor."""

    page: int
    limit: int
    cursor: str | None = None
    # `page` was sent: with a cursor that is a 400 (found once the filters are known to be valid).
    page_asked: bool = False
    # Parameter -> what is wrong with it; the page and limit above are then defaults.
    errors: Mapping[str, str] = field(default_factory=dict)
    # Those of `errors` whose value does not parse (400); the others parse but are out of range (422).
    unparsed: frozenset[str] = frozenset()


def refusal(errors: Mapping[str, str], unparsed) -> ValidationFailed:
    """What bad parameters are answered with, all named in one error: a 400 if any of them does not parse
    (nothing was understood, so nothing else is judged), else a 422."""
    if set(errors) & set(unparsed):
        return InvalidParameter(details=dict(errors))
    return ValidationFailed(details=dict(errors))


def _parse_positive_int(
    raw: str | None, *, default: int, maximum: int | None, name: str, errors: dict, unparsed: set
) -> int:
    if raw is None:
        return default
    text = raw.strip()
    if text.startswith("-") and text[1:].isascii() and text[1:].isdigit():
        errors[name] = f"{name} must be greater than or equal to 1."
        return default
    if not text.isascii() or not text.isdigit():
        errors[name] = f"{name} must be a whole number."
        unparsed.add(name)
        return default
    value = int(text)
    if value < 1:
        errors[name] = f"{name} must be greater than or equal to 1."
    elif maximum is not None and value > maximum:
        errors[name] = f"{name} must be less than or equal to {maximum}."
    return value


def parse_page_params(query_params) -> PageParams:
    """`page`, `limit` and `cursor`, read once per request; what is wrong with them is reported with the
    filters' errors (beel.api.filters.validate_list_parameters) or, for a list without filters, with the
    cursor's (beel.api.pagination)."""
    errors: dict[str, str] = {}
    unparsed: set[str] = set()
    page_raw = query_params.get("page")
    if page_raw is not None and len(page_raw.strip()) > len(str(MAX_PAGE)):
        # Not fed to int(): it could be thousands of digits, and no page that long can be served.
        digits = page_raw.strip()
        if digits.isascii() and digits.isdigit():
            errors["page"] = f"page must be less than or equal to {MAX_PAGE}."
        else:
            errors["page"] = "page must be a whole number."
            unparsed.add("page")
        page = 1
    else:
        page = _parse_positive_int(page_raw, default=1, maximum=MAX_PAGE, name="page", errors=errors, unparsed=unparsed)
    limit = _parse_positive_int(
        query_params.get("limit"),
        default=DEFAULT_LIMIT,
        maximum=MAX_LIMIT,
        name="limit",
        errors=errors,
        unparsed=unparsed,
    )
    cursor = query_params.get(CURSOR_PARAM)
    return PageParams(
        page=page,
        limit=limit,
        cursor=cursor,
        page_asked=page_raw is not None,
        errors=errors,
        unparsed=frozenset(unparsed),
    )

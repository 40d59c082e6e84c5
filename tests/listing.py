"""Reading the paginated list endpoints (GET /api/v1/customers, GET /api/v1/invoices) in tests."""

from tests.envelope import assert_success

PAGINATION_KEYS = {
    "current_page",
    "items_per_page",
    "total_items",
    "total_pages",
    "has_next",
    "has_previous",
    "next_cursor",
}


def get_page(client, url: str, key: str, **params) -> dict:
    """The `data` of a successful list response: exactly the `key` list and the documented pagination keys."""
    data = assert_success(client.get(url, params))
    assert set(data) == {key, "pagination"}
    assert set(data["pagination"]) == PAGINATION_KEYS
    return data


def walk_pages(client, url: str, key: str, limit: int, **params) -> list[str]:
    """Every listed id, in order, following has_next from page 1."""
    seen: list[str] = []
    page = 1
    while True:
        data = get_page(client, url, key, page=page, limit=limit, **params)
        seen.extend(item["id"] for item in data[key])
        if not data["pagination"]["has_next"]:
            return seen
        page += 1
        assert page < 1000, "has_next never became false"

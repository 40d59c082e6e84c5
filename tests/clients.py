"""API clients for tests."""

from rest_framework.test import APIClient


def bearer(key) -> APIClient:
    """An APIClient that presents the given key (an APIKey with .raw_key, or the raw key as a string)."""
    client = APIClient()
    raw = getattr(key, "raw_key", key)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client

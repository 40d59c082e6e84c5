"""Two viewsets at one path (beel.routing.falling_through): each method reaches the viewset that answers it,
through the include's prefix, and a method neither answers is a 405 whose `Allow` names the methods of both."""

import pytest

from tests.envelope import assert_error, assert_success

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.shared_path_urls")]


def test_each_method_reaches_the_viewset_that_answers_it(api):
    assert assert_success(api.delete("/api/v1/things/a")) == {"deleted": "a"}
    assert assert_success(api.get("/api/v1/things/b")) == {"read": "b"}
    assert assert_success(api.patch("/api/v1/things/c", {}, format="json")) == {"patched": "c"}


def test_a_method_neither_answers_is_405_naming_the_methods_of_both(api):
    response = api.put("/api/v1/things/a", {}, format="json")

    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response["Allow"] == "GET, PATCH, DELETE, HEAD, OPTIONS"

"""OPTIONS is 405 on every route, the public documents too, and no Allow header offers it (RFC 9110, 15.5.6)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/docs", "/api/docs?lang=es", "/api/v1/schema", "/api/v1/schema?format=json"])
@pytest.mark.parametrize("accept", [None, "*/*", "text/html"])
def test_options_on_the_documents_is_405_in_the_envelope(anonymous_client, path, accept):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    response = anonymous_client.options(path, **headers)

    # The OpenAPI document has no HTML to give: an Accept of HTML alone is refused before the method is.
    expected = 406 if path.startswith("/api/v1/schema") and accept == "text/html" else 405
    assert response.status_code == expected, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response.json()["success"] is False
    assert "OPTIONS" not in response["Allow"]
    assert "OPTIONS" not in anonymous_client.get(path)["Allow"]


@pytest.mark.parametrize("method", ["GET", "POST", "OPTIONS", "TRACE", "PROPFIND", "HEAD"])
@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/nope"])
def test_a_path_no_route_claims_is_404_for_every_method_without_an_allow_header(api, anonymous_client, method, path):
    for client in (api, anonymous_client):
        response = client.generic(method, path)

        assert response.status_code == 404, (method, response.content[:300])
        assert "Allow" not in response
        if method != "HEAD":
            assert response.json()["error"]["code"] == "ENDPOINT_NOT_FOUND"

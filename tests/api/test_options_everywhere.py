"""OPTIONS is 405 on every route, the public documents too, and no Allow header offers it (RFC 9110, 15.5.6)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/docs", "/api/docs?lang=es", "/api/v1/schema", "/api/v1/schema?format=json"])
@pytest.mark.parametrize("accept", [None, "*/*", "text/html"])
def test_options_on_the_documents_is_405_in_the_envelope(anonymous_client, path, accept):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    response = anonymous_client.options(path, **headers)

    assert response.status_code in (405, 406), response.content[:300]  # 406: a format the document has not
    assert response["Content-Type"] == "application/json"
    assert response.json()["success"] is False
    assert "OPTIONS" not in response["Allow"]
    assert "OPTIONS" not in anonymous_client.get(path)["Allow"]

"""With DEBUG off, WhiteNoise serves what `collectstatic` gathered: the admin is styled and /api/docs has
its scripts, under content-hashed names cached for ever, gzip-compressed when the client accepts it."""

import re

import pytest
from django.test import Client

from tests.ops.conftest import PRODUCTION_STATIC_STORAGE

pytestmark = pytest.mark.django_db

FOREVER = "max-age=315360000, public, immutable"


@pytest.fixture
def production_static(settings, collected_static):
    settings.DEBUG = False
    settings.STATIC_ROOT = collected_static
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STATIC_STORAGE}}
    # A new client builds the middleware again, and WhiteNoise reads STATIC_ROOT when it is built.
    return Client()


def linked_assets(html: str, suffix: str) -> list[str]:
    return re.findall(rf'(?:href|src)="(/static/[^"]+\.{suffix})"', html)


def test_the_admin_login_page_links_hashed_css_that_is_served(production_static):
    page = production_static.get("/admin/login/")
    assert page.status_code == 200
    stylesheets = linked_assets(page.content.decode(), "css")
    assert "/static/admin/css/base.css" not in stylesheets
    base = next(path for path in stylesheets if re.fullmatch(r"/static/admin/css/base\.[0-9a-f]{12}\.css", path))
    response = production_static.get(base)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert response["Cache-Control"] == FOREVER
    assert b"body" in b"".join(response.streaming_content)


def test_a_client_accepting_gzip_gets_the_compressed_file(production_static):
    base = next(
        path
        for path in linked_assets(production_static.get("/admin/login/").content.decode(), "css")
        if "/admin/css/base." in path
    )
    response = production_static.get(base, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert b"".join(response.streaming_content)[:2] == b"\x1f\x8b"


def test_the_api_docs_page_loads_its_scripts(production_static):
    page = production_static.get("/api/docs")
    assert page.status_code == 200
    scripts = linked_assets(page.content.decode(), "js")
    assert any("swagger-ui-bundle." in path for path in scripts)
    for path in scripts:
        response = production_static.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == FOREVER


def test_an_unknown_static_file_is_404(production_static):
    assert production_static.get("/static/admin/css/no-such-file.css").status_code == 404

"""Revoking API keys in the admin asks first: a page naming each key (prefix, name, account, scopes, last
use) and saying it cannot be undone and that integrations using them stop at once. Confirming revokes
(APIKey.revoke), cancelling changes nothing, and a confirmation posted again says the keys were already
revoked. Through the test client."""

import re
from datetime import timedelta

import pytest
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from apikeys.models import APIKey
from tests.admin_pages import API_KEYS, page_text, post_action, texts
from tests.clients import bearer
from tests.factories import AccountFactory, APIKeyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def keys():
    acme = AccountFactory(username="acme")
    erp = APIKeyFactory(account=acme, name="ERP", scopes=["customers:read", "customers:write"])
    APIKey.objects.filter(pk=erp.pk).update(last_used_at=timezone.now() - timedelta(hours=2))
    shop = APIKeyFactory(account=acme, name="Tienda", scopes=["invoices:read"])
    old = APIKeyFactory(account=acme, name="Antigua")
    APIKey.objects.filter(pk=old.pk).update(revoked_at=timezone.now() - timedelta(days=1))
    return {name: APIKey.objects.get(pk=key.pk) for name, key in (("erp", erp), ("shop", shop), ("old", old))}


def revoked(*api_keys) -> list[bool]:
    return [APIKey.objects.get(pk=key.pk).is_revoked for key in api_keys]


def revoke_url(api_key) -> str:
    return reverse("admin:apikeys_apikey_revoke", args=[api_key.pk])


def test_revoking_first_names_each_key_and_says_it_cannot_be_undone(staff, keys):
    response = post_action(staff, "revoke_selected", keys.values(), url=API_KEYS, follow=False)

    assert response.status_code == 200
    assert "admin/apikeys/apikey/revoke_confirmation.html" in [t.name for t in response.templates]
    text = page_text(response)
    assert "Revoking cannot be undone." in text
    assert "Every integration that uses these keys stops working at once" in text
    assert "2 API keys will be revoked:" in text
    table = re.search(r'<table id="keys-to-revoke">(.*?)</table>', response.content.decode(), re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    assert len(rows) == 2
    erp_row = " ".join(re.sub(r"<[^>]+>", " ", next(row for row in rows if "ERP" in row)).split())
    assert erp_row.startswith(keys["erp"].display_prefix)
    assert "acme" in erp_row and "customers:read, customers:write" in erp_row and "never used" not in erp_row
    assert "never used" in next(row for row in rows if "Tienda" in row)
    assert f"1 is already revoked and stays as it is: {keys['old'].display_prefix} (Antigua)" in text
    assert 'value="Yes, revoke 2 API keys"' in response.content.decode()
    assert revoked(keys["erp"], keys["shop"]) == [False, False]


def test_confirming_revokes_and_the_keys_stop_working(staff, keys):
    erp = APIKeyFactory(account=keys["erp"].account, name="Integración", scopes=["customers:read"])
    assert bearer(erp.raw_key).get("/api/v1/customers").status_code == 200

    response = post_action(staff, "revoke_selected", [erp, keys["old"]], url=API_KEYS, post="yes")

    assert texts(response, messages.SUCCESS) == [
        f"Revoked 1 API key: {erp.display_prefix} (Integración). 1 was already revoked."
    ]
    assert revoked(erp, keys["shop"]) == [True, False]
    assert bearer(erp.raw_key).get("/api/v1/customers").status_code == 401


def test_cancelling_goes_back_to_the_list_and_revokes_nothing(staff, keys):
    url = f"{API_KEYS}?status=active"
    response = post_action(staff, "revoke_selected", [keys["erp"]], url=url, follow=False)

    cancel = re.search(r'href="([^"]+)" class="button cancel-link"', response.content.decode()).group(1)
    assert cancel.replace("&amp;", "&") == url
    assert staff.get(cancel).status_code == 200
    assert revoked(keys["erp"]) == [False]


def test_a_confirmation_posted_again_says_the_keys_were_already_revoked(staff, keys):
    url = f"{API_KEYS}?status=active"  # once revoked, this list no longer shows them
    post_action(staff, "revoke_selected", [keys["erp"], keys["shop"]], url=url, post="yes")
    first_revocation = APIKey.objects.get(pk=keys["erp"].pk).revoked_at

    again = post_action(staff, "revoke_selected", [keys["erp"], keys["shop"]], url=url, post="yes")

    assert again.status_code == 200
    assert texts(again, messages.INFO) == ["No API key was revoked: the 2 selected were already revoked."]
    assert APIKey.objects.get(pk=keys["erp"].pk).revoked_at == first_revocation


def test_a_keys_page_has_a_revoke_button_that_asks_first(staff, keys):
    page = staff.get(reverse("admin:apikeys_apikey_change", args=[keys["erp"].pk])).content.decode()
    assert f'href="{revoke_url(keys["erp"])}"' in page

    confirmation = staff.get(revoke_url(keys["erp"]))
    assert "1 API key will be revoked:" in page_text(confirmation)
    assert revoked(keys["erp"]) == [False]

    done = staff.post(revoke_url(keys["erp"]), {"post": "yes"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("admin:apikeys_apikey_change", args=[keys["erp"].pk])
    assert texts(done, messages.SUCCESS) == [f"Revoked 1 API key: {keys['erp'].display_prefix} (ERP)."]
    assert revoked(keys["erp"]) == [True]
    assert 'id="revoke-key"' not in done.content.decode()

    again = staff.post(revoke_url(keys["erp"]), {"post": "yes"}, follow=True)
    assert texts(again, messages.INFO) == ["No API key was revoked: the selected one was already revoked."]


def test_staff_who_may_only_view_keys_cannot_revoke_one(client, django_user_model, keys):
    viewer = django_user_model.objects.create_user("viewer", "viewer@example.es", "x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_apikey"))
    client.force_login(viewer)

    page = client.get(reverse("admin:apikeys_apikey_change", args=[keys["erp"].pk]))
    assert page.status_code == 200 and 'id="revoke-key"' not in page.content.decode()
    assert client.get(revoke_url(keys["erp"])).status_code == 403
    assert client.post(revoke_url(keys["erp"]), {"post": "yes"}).status_code == 403
    assert revoked(keys["erp"]) == [False]


def test_the_spanish_confirmation(staff, keys):
    data = {"action": "revoke_selected", "_selected_action": [str(keys["erp"].pk)]}
    response = staff.post(API_KEYS, data, HTTP_ACCEPT_LANGUAGE="es")

    text = page_text(response)
    assert "Revocar no se puede deshacer." in text
    assert "Toda integración que use esta clave deja de funcionar al instante" in text
    assert "Se revocará 1 clave de API:" in text
    assert 'value="Sí, revocar 1 clave de API"' in response.content.decode()

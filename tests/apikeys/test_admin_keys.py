"""API keys in the admin: the raw key in a read-only field with a copy button, an alphabet a double-click
selects whole, no expiry in the past, only customer accounts as owners, and the status filter."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from apikeys.models import APIKey, hash_key, lookup_prefix_of
from tests.factories import AccountFactory, APIKeyFactory

pytestmark = pytest.mark.django_db

API_KEYS = reverse("admin:apikeys_apikey_changelist")
API_KEY_ADD = reverse("admin:apikeys_apikey_add")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("Europe/Madrid"))


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def frozen_clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def add_key(staff, account, expires_at: datetime | None = None):
    local = timezone.localtime(expires_at) if expires_at else None
    return staff.post(
        API_KEY_ADD,
        {
            "account": account.pk,
            "name": "ERP",
            "scopes": ["customers:read"],
            "expires_at_0": local.strftime("%Y-%m-%d") if local else "",
            "expires_at_1": local.strftime("%H:%M:%S") if local else "",
        },
        follow=True,
    )


def test_the_new_key_is_shown_in_a_read_only_field_with_a_copy_button(staff):
    response = add_key(staff, AccountFactory())

    content = response.content.decode()
    field = re.search(r'<textarea id="new-api-key"[^>]*readonly[^>]*>([^<]+)</textarea>', content)
    assert field is not None
    raw_key = field.group(1)
    assert APIKey.objects.get().matches(raw_key)
    assert 'data-copy-from="new-api-key"' in content
    assert "apikeys/copy_key.js" in content


def test_new_keys_are_letters_and_digits_after_the_marker_so_a_double_click_selects_them_whole(staff):
    keys = [APIKeyFactory().raw_key for _ in range(20)]

    for raw_key in keys:
        secret = raw_key.removeprefix("beel_sk_live_")
        assert re.fullmatch(r"[A-Za-z0-9]{43}", secret), raw_key


def test_keys_issued_with_dashes_before_keep_authenticating(client_for):
    legacy = APIKeyFactory()
    raw_key = "beel_sk_live_Ab-d_fGh1234" + "x-y_" * 8
    APIKey.objects.filter(pk=legacy.pk).update(prefix=lookup_prefix_of(raw_key), secret_hash=hash_key(raw_key))

    assert client_for(raw_key).get("/api/v1/customers").status_code == 200


def test_an_expiry_in_the_past_is_refused_and_no_key_is_made(staff, frozen_clock):
    response = add_key(staff, AccountFactory(), expires_at=frozen_clock - timedelta(minutes=1))

    assert response.context["adminform"].form.errors["expires_at"] == ["The expiry must be in the future."]
    assert not APIKey.objects.exists()


def test_an_expiry_in_the_future_is_kept(staff, frozen_clock):
    add_key(staff, AccountFactory(), expires_at=frozen_clock + timedelta(days=30))

    assert APIKey.objects.get().expires_at == frozen_clock + timedelta(days=30)


def test_only_customer_accounts_are_offered_as_the_keys_account(staff, admin_user):
    customer_account = AccountFactory(username="autonoma")
    colleague = AccountFactory(username="companera", is_staff=True)

    offered = staff.get(API_KEY_ADD).context["adminform"].form.fields["account"].queryset
    refused = add_key(staff, colleague)

    assert list(offered) == [customer_account]
    assert "account" in refused.context["adminform"].form.errors
    assert admin_user not in offered
    assert not APIKey.objects.exists()


def test_keys_are_filtered_by_active_revoked_or_expired(staff, frozen_clock):
    active = APIKeyFactory(name="Activa", expires_at=frozen_clock + timedelta(days=1))
    revoked = APIKeyFactory(name="Revocada")
    revoked.revoke()
    APIKeyFactory(name="Caducada", expires_at=frozen_clock - timedelta(seconds=1))
    APIKeyFactory(name="Sin Caducidad")

    def names(status: str) -> list[str]:
        response = staff.get(API_KEYS, {"status": status})
        assert response.status_code == 200
        return sorted(key.name for key in response.context["cl"].result_list)

    assert names("active") == sorted([active.name, "Sin Caducidad"])
    assert names("revoked") == ["Revocada"]
    assert names("expired") == ["Caducada"]

"""The Django admin for staff, driven through the test client as a logged-in superuser: the API key screens
(raw key shown once, stored only as hash and prefix, scopes as checkboxes, revoking, last use).

Every test checks what the pages and the messages say and what the database holds afterwards."""

import hashlib
import html
import re
from html.parser import HTMLParser

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from apikeys.models import ALL_SCOPES, LOOKUP_LENGTH, APIKey, key_marker
from beel.tenancy import Mode
from tests.admin_pages import (
    API_KEY_ADD,
    API_KEYS,
    confirm_action,
    confirmations,
    get_changelist,
    message_texts,
    shown_date,
)
from tests.clients import bearer
from tests.factories import AccountFactory, APIKeyFactory, CustomerFactory

pytestmark = pytest.mark.django_db

LIVE_KEY_MARKER = key_marker(Mode.LIVE)  # keys made in the admin are live unless told otherwise
RAW_KEY = re.compile(r"beel_sk_[A-Za-z0-9_-]{32,}")


def add_key_through_admin(staff, account, *, name="ERP integration", scopes=("customers:read",)):
    response = staff.post(
        API_KEY_ADD,
        {"account": account.pk, "name": name, "scopes": list(scopes), "expires_at_0": "", "expires_at_1": ""},
        follow=True,
    )
    assert response.status_code == 200
    return response


def test_adding_an_api_key_shows_the_raw_key_once_in_a_message_after_saving(staff):
    account = AccountFactory()

    response = add_key_through_admin(staff, account)

    key = APIKey.objects.get()
    assert key.account == account
    assert key.name == "ERP integration"
    assert key.scopes == ["customers:read"]
    texts = message_texts(response)
    with_key = [text for text in texts if RAW_KEY.search(text)]
    assert len(with_key) == 1
    raw_keys = RAW_KEY.findall(with_key[0])
    assert len(raw_keys) == 1
    raw_key = raw_keys[0]
    assert raw_key.startswith(LIVE_KEY_MARKER)
    assert response.content.decode().count(raw_key) == 1
    assert key.prefix == raw_key[len(LIVE_KEY_MARKER) : len(LIVE_KEY_MARKER) + LOOKUP_LENGTH]
    assert key.matches(raw_key)


def test_the_raw_key_from_the_admin_is_stored_only_as_its_hash_and_prefix(staff):
    response = add_key_through_admin(staff, AccountFactory())
    raw_key = RAW_KEY.search(" ".join(message_texts(response))).group()
    secret_tail = raw_key[len(LIVE_KEY_MARKER) + LOOKUP_LENGTH :]

    key = APIKey.objects.get()
    assert key.secret_hash == hashlib.sha256(raw_key.encode()).hexdigest()
    stored = [str(value) for value in APIKey.objects.values().get(pk=key.pk).values()]
    stored += [str(value) for entry in LogEntry.objects.values() for value in entry.values()]
    assert not any(raw_key in value or secret_tail in value for value in stored)


def test_the_raw_key_is_never_shown_again_only_its_prefix(staff):
    response = add_key_through_admin(staff, AccountFactory())
    raw_key = RAW_KEY.search(" ".join(message_texts(response))).group()
    secret_tail = raw_key[len(LIVE_KEY_MARKER) + LOOKUP_LENGTH :]
    key = APIKey.objects.get()
    change_url = reverse("admin:apikeys_apikey_change", args=[key.pk])

    for url in (API_KEYS, change_url, API_KEYS):
        page = staff.get(url)
        assert page.status_code == 200
        content = page.content.decode()
        assert raw_key not in content
        assert secret_tail not in content
        assert key.display_prefix in content
        assert not any(RAW_KEY.search(text) for text in message_texts(page))
    page = get_changelist(staff, API_KEYS)
    assert page.row("name", "ERP integration")["display_prefix"].text == key.display_prefix


def test_a_key_added_in_the_admin_works_as_a_bearer_token_with_its_scopes(staff):
    account = AccountFactory()
    CustomerFactory(account=account, legal_name="Propia SL")
    CustomerFactory(legal_name="Ajena SL")
    response = add_key_through_admin(staff, account, scopes=["customers:read"])
    raw_key = RAW_KEY.search(" ".join(message_texts(response))).group()

    listed = bearer(raw_key).get("/api/v1/customers")

    assert listed.status_code == 200, listed.content
    assert [c["legal_name"] for c in listed.json()["data"]["customers"]] == ["Propia SL"]
    assert bearer(raw_key).post("/api/v1/customers", {}, format="json").status_code == 403


def test_adding_an_api_key_without_scopes_is_a_form_error_and_creates_no_key(staff):
    response = staff.post(API_KEY_ADD, {"account": AccountFactory().pk, "name": "Sin permisos"})

    assert response.status_code == 200
    assert "scopes" in response.context["adminform"].form.errors
    assert not APIKey.objects.exists()
    assert not RAW_KEY.search(response.content.decode())


def test_revoke_action_revokes_the_selected_keys_and_they_stop_working(staff):
    revoked = APIKeyFactory(name="Comprometida")
    kept = APIKeyFactory(name="Sigue En Uso")
    assert bearer(revoked.raw_key).get("/api/v1/customers").status_code == 200

    response = confirm_action(staff, API_KEYS, "revoke_selected", [revoked])

    revoked.refresh_from_db()
    kept.refresh_from_db()
    assert revoked.revoked_at is not None
    assert kept.revoked_at is None
    assert APIKey.objects.count() == 2  # revoked, not deleted
    successes = confirmations(response)
    assert len(successes) == 1 and re.search(r"\b1\b", successes[0])
    assert bearer(revoked.raw_key).get("/api/v1/customers").status_code == 401
    assert bearer(kept.raw_key).get("/api/v1/customers").status_code == 200
    page = get_changelist(staff, API_KEYS)
    assert page.row("name", "Comprometida")["status"].text == "revoked"
    assert page.row("name", "Sigue En Uso")["status"].text == "active"


def test_delete_selected_is_not_offered_for_api_keys(staff):
    APIKeyFactory()

    response = staff.get(API_KEYS)

    choices = [value for value, _label in response.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in choices
    assert "revoke_selected" in choices


class CheckboxParser(HTMLParser):
    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self.inputs: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") == self.name:
            self.inputs.append(attrs)


def scope_inputs(response) -> list[dict]:
    assert response.status_code == 200
    parser = CheckboxParser("scopes")
    parser.feed(response.content.decode())
    return parser.inputs


def test_scopes_are_offered_as_one_checkbox_per_scope(staff):
    inputs = scope_inputs(staff.get(API_KEY_ADD))

    assert {attrs.get("type") for attrs in inputs} == {"checkbox"}
    assert sorted(attrs["value"] for attrs in inputs) == sorted(ALL_SCOPES)
    assert not any("checked" in attrs for attrs in inputs)


def test_an_existing_keys_scopes_are_shown_checked(staff):
    key = APIKeyFactory(scopes=["customers:read", "invoices:read"])

    inputs = scope_inputs(staff.get(reverse("admin:apikeys_apikey_change", args=[key.pk])))

    assert {attrs.get("type") for attrs in inputs} == {"checkbox"}
    assert {attrs["value"] for attrs in inputs if "checked" in attrs} == {"customers:read", "invoices:read"}


def test_last_used_at_is_displayed_once_the_key_is_used(staff):
    key = APIKeyFactory(name="Integración")
    change_url = reverse("admin:apikeys_apikey_change", args=[key.pk])

    page = get_changelist(staff, API_KEYS)
    assert "last_used_at" in page.columns
    assert page.row("name", "Integración")["last_used_at"].text == "-"

    assert bearer(key.raw_key).get("/api/v1/customers").status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None

    page = get_changelist(staff, API_KEYS)
    assert page.row("name", "Integración")["last_used_at"].text == shown_date(key.last_used_at)
    change_page = staff.get(change_url)
    assert change_page.status_code == 200
    assert shown_date(key.last_used_at) in html.unescape(change_page.content.decode())

"""Staff logins are locked after repeated wrong passwords (django-axes), so the admin password cannot be
guessed at the speed of the server; an operator unlocks with a command."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.admin_pages import page_text

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff_user(settings):
    # A fast hasher: these tests log in and fail a few dozen times; what is tested is the lockout.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return get_user_model().objects.create_user("ana", password=PASSWORD, is_staff=True, is_superuser=True)


def _log_in(client, password: str, username: str = "ana"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def _is_logged_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_after_five_wrong_passwords_even_the_right_one_is_refused(client, staff_user):
    for attempt in range(4):
        assert _log_in(client, f"wrong-{attempt}").status_code == 200  # the form again, with its error
    assert _log_in(client, "wrong-4").status_code == 429  # the fifth failure locks
    locked = _log_in(client, PASSWORD)
    assert locked.status_code == 429
    assert not _is_logged_in(client)


def test_four_wrong_passwords_then_the_right_one_logs_in(client, staff_user):
    for attempt in range(4):
        _log_in(client, f"wrong-{attempt}")
    assert _log_in(client, PASSWORD).status_code == 302
    assert _is_logged_in(client)


def test_the_lockout_is_per_username_and_address(client, staff_user):
    get_user_model().objects.create_user("luis", password=PASSWORD, is_staff=True, is_superuser=True)
    for attempt in range(5):
        _log_in(client, f"wrong-{attempt}")
    assert _log_in(client, PASSWORD, username="luis").status_code == 302


def test_an_operator_unlocks_a_user_with_a_command(client, staff_user):
    for attempt in range(5):
        _log_in(client, f"wrong-{attempt}")
    assert _log_in(client, PASSWORD).status_code == 429
    call_command("axes_reset_username", "ana")
    assert _log_in(client, PASSWORD).status_code == 302
    assert _is_logged_in(client)


def _lock(client, **headers):
    for attempt in range(4):
        client.post("/admin/login/?next=/admin/", {"username": "ana", "password": f"wrong-{attempt}"}, **headers)
    return client.post("/admin/login/?next=/admin/", {"username": "ana", "password": "wrong-4"}, **headers)


def test_the_lockout_page_is_the_admin_login_page_in_spanish_with_its_duration_and_whom_to_ask(client, staff_user):
    response = _lock(client, HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")

    assert response.status_code == 429
    assert response["Content-Language"] == "es"
    assert "admin/login.html" in [template.name for template in response.templates]  # the admin's look
    text = page_text(response)
    assert "<title>Acceso bloqueado |" in response.content.decode()
    assert "Acceso bloqueado" in text
    assert "Demasiadas contraseñas incorrectas: este acceso queda bloqueado durante 15 minutos." in text
    assert "para entrar antes, hable con el administrador de la cuenta para que lo desbloquee." in text


def test_the_lockout_page_names_the_configured_contact_and_the_configured_length(client, staff_user, settings):
    settings.ADMIN_LOCKOUT_CONTACT = "soporte@example.es"
    settings.AXES_COOLOFF_TIME = timedelta(hours=1, minutes=30)

    response = _lock(client, HTTP_ACCEPT_LANGUAGE="es")
    relocked = client.post("/admin/login/", {"username": "ana", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="es")

    text = page_text(response)
    assert response.status_code == relocked.status_code == 429
    assert "bloqueado durante 1 hora, 30 minutos." in text
    assert "hable con soporte@example.es para que lo desbloquee." in text
    assert page_text(relocked) == text


def test_the_lockout_page_speaks_english_to_an_english_browser(client, staff_user):
    response = _lock(client, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 429
    assert "Too many wrong passwords: this login is locked for 15 minutes." in page_text(response)

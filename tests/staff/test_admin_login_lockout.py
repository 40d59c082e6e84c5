"""Staff logins are locked after repeated wrong passwords (django-axes), so the admin password cannot be
guessed at the speed of the server; an operator unlocks with a command."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

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

"""The request pipeline (beel.api.pipeline) reaches Redis once per request when this process holds a copy
of the key: the failed-authentication log, the key's generation and its rate limits in one round trip."""

import pytest
from redis.connection import Connection

from tests.apikeys.conftest import redis_cache  # noqa: F401  (a process copies keys only with Redis)
from tests.envelope import assert_error
from tests.factories import APIKeyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("redis_cache")]

URL = "/api/v1/customers"


@pytest.fixture
def round_trips(monkeypatch):
    """Every command or pipeline sent to Redis, as the client sends it: one entry per round trip."""
    sent = []
    send = Connection.send_packed_command

    def counted(connection, command, check_health=True):
        sent.append(command)
        return send(connection, command, check_health)

    monkeypatch.setattr(Connection, "send_packed_command", counted)
    return sent


def test_a_request_with_a_copied_key_makes_one_round_trip_to_redis(api, round_trips):
    assert api.get(URL).status_code == 200  # the key is now copied (and the connection open)
    round_trips.clear()
    for _ in range(3):
        assert api.get(URL).status_code == 200
    assert len(round_trips) == 3


def test_a_request_refused_for_its_scope_makes_one_round_trip_to_redis(client_for, account, round_trips):
    reader = client_for(APIKeyFactory(account=account, scopes=["invoices:read"]))
    assert reader.get("/api/v1/invoices").status_code == 200  # the key is now copied
    round_trips.clear()
    assert_error(reader.get(URL), 403, "INSUFFICIENT_SCOPE")
    assert len(round_trips) == 1

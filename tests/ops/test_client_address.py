"""The client address comes from X-Forwarded-For only through the configured number of trusted proxies;
it is in every access-log line."""

import logging

import pytest
from django.test import RequestFactory

from beel.client_address import client_address


def request_from(peer: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/api/v1/customers", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("198.51.100.4", "203.0.113.9")) == "198.51.100.4"


def test_behind_one_proxy_the_last_entry_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged the first entry; the proxy appended the address it really saw.
    assert client_address(request_from("10.0.0.2", "1.2.3.4, 203.0.113.9")) == "203.0.113.9"


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_from("10.0.0.3", "1.2.3.4, 203.0.113.9, 10.0.0.2")) == "203.0.113.9"


def test_a_chain_shorter_than_the_proxies_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_from("10.0.0.3", "203.0.113.9")) == "10.0.0.3"
    assert client_address(request_from("10.0.0.3")) == "10.0.0.3"


def test_a_malformed_entry_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from("10.0.0.2", "<script>")) == "10.0.0.2"


def test_ipv6_addresses_are_normalised(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from("10.0.0.2", "2001:DB8:0:0::1")) == "2001:db8::1"


@pytest.mark.django_db
def test_the_access_log_names_the_client(api, settings, caplog):
    settings.TRUSTED_PROXY_COUNT = 1
    with caplog.at_level(logging.INFO, logger="beel.access"):
        api.get("/api/v1/customers", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    [record] = [record for record in caplog.records if record.name == "beel.access"]
    assert record.client == "203.0.113.9"
    assert record.getMessage().startswith("GET /api/v1/customers 200 ")
    assert record.getMessage().endswith("ms from 203.0.113.9")

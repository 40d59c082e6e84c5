"""VIES through beel.registries against the fake REST server: verdicts, the consultation number, the three
failure shapes and timeouts."""

import pytest

from beel.registries import Status, check_eu_vat


def test_a_valid_number_keeps_the_name_and_the_date(vies):
    answer = check_eu_vat("FR", "FR84888000007")

    assert (answer.status, answer.registry, answer.code) == (Status.VALID, "VIES", "VALID")
    assert answer.name == "EXEMPLE SARL"
    assert answer.checked_at.isoformat() == "2026-12-01T10:15:30.123000+00:00"
    assert answer.consultation is None  # no requester: "" is absent
    assert vies.requests() == [{"countryCode": "FR", "vatNumber": "84888000007"}]
    assert vies.seen[0].path == "/taxation_customs/vies/rest-api/check-vat-number"
    assert vies.seen[0].headers["User-Agent"].startswith("beel-tax-id-check")


def test_with_a_requester_the_consultation_number_is_kept(vies, settings):
    settings.VIES_REQUESTER_VAT = "ESA12345674"

    answer = check_eu_vat("FR", "84888000007")

    assert answer.consultation == "WAPIAAAAZ0123456"
    assert vies.requests()[0]["requesterMemberStateCode"] == "ES"
    assert vies.requests()[0]["requesterNumber"] == "A12345674"


def test_greece_is_asked_as_el(vies):
    check_eu_vat("GR", "094259216")

    assert vies.requests()[0]["countryCode"] == "EL"


def test_a_masked_member_state_is_valid_without_a_name(vies):
    vies.table["123456789"] = "masked"

    answer = check_eu_vat("DE", "123456789")

    assert (answer.status, answer.name) == (Status.VALID, None)


def test_an_unknown_number_is_invalid(vies):
    vies.table["000000000"] = "invalid"

    answer = check_eu_vat("FR", "000000000")

    assert (answer.status, answer.code) == (Status.INVALID, "INVALID")


@pytest.mark.parametrize("code", ["MS_UNAVAILABLE", "TIMEOUT", "SERVICE_UNAVAILABLE", "INVALID_REQUESTER_INFO"])
def test_unavailable_codes_in_user_error_are_pending(vies, code):
    vies.table["123456789"] = code

    answer = check_eu_vat("DE", "123456789", retries=0)

    assert (answer.status, answer.code) == (Status.PENDING, code)


def test_the_common_response_shape_is_read_whatever_the_http_status(vies):
    vies.table["123456789"] = ("wrapped", "MS_MAX_CONCURRENT_REQ", 500)

    answer = check_eu_vat("DE", "123456789")

    assert (answer.status, answer.code, answer.retry_after) == (Status.PENDING, "MS_MAX_CONCURRENT_REQ", 60.0)
    assert len(vies.seen) == 1  # a minute's wait is left to the background re-check


def test_invalid_input_is_an_error(vies):
    vies.table["1"] = "INVALID_INPUT"

    answer = check_eu_vat("DE", "1")

    assert (answer.status, answer.code) == (Status.ERROR, "INVALID_INPUT")


@pytest.mark.parametrize("entry", ["http-429", "not-json"])
def test_plain_http_failures_are_pending(vies, entry):
    vies.table["123456789"] = entry

    assert check_eu_vat("DE", "123456789", retries=0).status == Status.PENDING


def test_a_timeout_is_pending(vies, settings):
    settings.TAX_ID_DEADLINE_SECONDS = 0.3
    vies.table["123456789"] = ("slow", 1.0)

    answer = check_eu_vat("DE", "123456789")

    assert (answer.status, answer.code) == (Status.PENDING, "UNREACHABLE")

"""POST /api/v1/nif/validate through HTTP (BeeL 1.9.0 §8), with the fake census configured through the
settings: VALID / INVALID / PENDING / ERROR, the 422s, the scope and the 100-per-hour limit."""

import pytest

from beel.clock import clock
from tests.envelope import assert_error, assert_success, assert_validation_error
from tests.factories import APIKeyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/nif/validate"
ENTITY, PERSON = "B87654323", "12345678Z"
FIELDS = {"valid", "status", "legal_name", "legal_name_verified", "census_status", "message", "validated_at"}


def validate(api, body):
    return api.post(URL, body, format="json")


def test_an_identified_entity_is_valid_with_the_census_name_but_not_name_verified(api, aeat):
    aeat.table[ENTITY] = ("IDENTIFICADO", "EJEMPLO SOLUCIONES SL")

    data = assert_success(validate(api, {"nif": "b-87654323", "legal_name": "Cualquier Cosa SL"}))

    assert set(data) == FIELDS
    assert data["valid"] is True and data["status"] == "VALID"
    assert data["legal_name"] == "EJEMPLO SOLUCIONES SL"
    assert data["legal_name_verified"] is False  # AEAT identifies an entity by its CIF alone
    assert data["census_status"] == "IDENTIFIED"
    assert data["validated_at"].endswith("Z")
    assert aeat.asked() == [ENTITY]


def test_an_entity_needs_no_name(api, aeat):
    data = assert_success(validate(api, {"nif": ENTITY}))

    assert data["status"] == "VALID"


def test_an_identified_person_has_the_name_verified(api, aeat):
    aeat.table[PERSON] = ("Identificado", "ESPAÑOL ESPAÑOL JUAN")

    data = assert_success(validate(api, {"nif": PERSON, "legal_name": "Juan Español Español"}))

    assert (data["status"], data["legal_name_verified"]) == ("VALID", True)
    assert data["legal_name"] == "ESPAÑOL ESPAÑOL JUAN"


def test_a_similar_name_is_invalid_and_the_census_name_withheld(api, aeat):
    aeat.table[PERSON] = ("NO IDENTIFICADO-SIMILAR", "ESPAÑOL ESPAÑOL JUAN")

    data = assert_success(validate(api, {"nif": PERSON, "legal_name": "Juan Espanol"}))

    assert (data["valid"], data["status"], data["census_status"]) == (False, "INVALID", "NOT_IDENTIFIED_SIMILAR")
    assert data["legal_name"] is None and data["validated_at"] is None
    assert "ESPAÑOL" not in data["message"]


def test_a_nif_not_in_the_census_is_invalid(api, aeat):
    aeat.table[ENTITY] = "NO IDENTIFICADO"

    data = assert_success(validate(api, {"nif": ENTITY}))

    assert (data["valid"], data["status"], data["census_status"]) == (False, "INVALID", "NOT_IDENTIFIED")


def test_a_deregistered_entity_is_valid_with_its_census_status(api, aeat):
    aeat.table[ENTITY] = "IDENTIFICADO-BAJA"

    data = assert_success(validate(api, {"nif": ENTITY}))

    assert (data["status"], data["census_status"]) == ("VALID", "DEREGISTERED")


@pytest.mark.parametrize("nif", ["B87654320", "1234", "ÑÑÑ", "12345678A"])
def test_bad_syntax_is_a_200_invalid_and_aeat_is_not_asked(api, aeat, nif):
    data = assert_success(validate(api, {"nif": nif, "legal_name": "Juan"}))

    assert (data["valid"], data["status"], data["census_status"]) == (False, "INVALID", "NOT_CHECKED")
    assert aeat.seen == []


@pytest.mark.parametrize("body", [{}, {"nif": ""}, {"nif": "   "}, {"nif": None}, {"legal_name": "x"}])
def test_an_absent_or_empty_nif_is_field_blank(api, aeat, body):
    error = assert_error(validate(api, body), 422, "FIELD_BLANK")

    assert error["details"] == {"field": "nif"}


@pytest.mark.parametrize("nif", [PERSON, "X1234567L"])
def test_a_natural_person_without_a_name_is_refused_without_asking_aeat(api, aeat, nif):
    assert_validation_error(validate(api, {"nif": nif, "legal_name": " "}), {"legal_name"}, status=422)

    assert aeat.seen == []


def test_a_nif_of_the_wrong_json_type_is_400(api, aeat):
    error = assert_error(validate(api, {"nif": 87654323}), 400, "INVALID_JSON_FORMAT")

    assert error["details"]["field"] == "nif"


def test_the_census_unavailable_is_pending(api, aeat):
    aeat.table[ENTITY] = "fault-server"

    data = assert_success(validate(api, {"nif": ENTITY}))

    assert (data["valid"], data["status"], data["validated_at"]) == (False, "PENDING", None)
    assert len(aeat.seen) == 1  # no retry inside a request


def test_a_malformed_request_for_aeat_is_error(api, aeat):
    aeat.table[ENTITY] = "fault-client"

    data = assert_success(validate(api, {"nif": ENTITY}))

    assert (data["valid"], data["status"]) == (False, "ERROR")


def test_without_a_certificate_every_check_is_pending_and_nothing_is_sent(api, aeat, settings):
    settings.AEAT_CLIENT_CERT = ""

    data = assert_success(validate(api, {"nif": PERSON, "legal_name": "Juan Español"}))

    assert (data["valid"], data["status"], data["census_status"]) == (False, "PENDING", "NOT_CHECKED")
    assert aeat.seen == []


def test_a_second_validation_is_answered_from_the_cache(api, aeat):
    assert_success(validate(api, {"nif": ENTITY}))
    assert_success(validate(api, {"nif": ENTITY}))

    assert len(aeat.seen) == 1


def test_a_key_without_the_nif_validate_scope_is_refused(client_for, account, aeat):
    api = client_for(APIKeyFactory(account=account, scopes=["customers:read", "customers:write"]))

    error = assert_error(validate(api, {"nif": ENTITY}), 403, "INSUFFICIENT_SCOPE")

    assert error["details"]["missing_scopes"] == "nif:validate"
    assert aeat.seen == []


def test_the_hourly_limit_answers_429_with_retry_after(api, aeat, settings):
    settings.NIF_VALIDATE_RATE_LIMIT = "3/hour"
    clock.freeze(1_800_000_000.0)
    for _ in range(3):
        assert_success(validate(api, {"nif": ENTITY}))

    refused = validate(api, {"nif": ENTITY})

    assert_error(refused, 429, "RATE_LIMIT_EXCEEDED")
    assert int(refused["Retry-After"]) == 3600
    clock.advance(3601)
    assert_success(validate(api, {"nif": ENTITY}))


def test_the_hourly_limit_is_the_nif_endpoints_own(api, aeat, settings):
    settings.NIF_VALIDATE_RATE_LIMIT = "1/hour"
    assert_success(validate(api, {"nif": ENTITY}))

    assert_success(api.get("/api/v1/customers"))
    assert validate(api, {"nif": ENTITY}).status_code == 429


def test_an_unknown_field_is_refused(api, aeat):
    assert_validation_error(validate(api, {"nif": ENTITY, "legal_nme": "x"}), {"legal_nme"}, status=422)

    assert aeat.seen == []


def test_an_idempotency_key_replays_the_first_answer(api, aeat):
    first = api.post(URL, {"nif": ENTITY}, format="json", HTTP_IDEMPOTENCY_KEY="check-1")
    again = api.post(URL, {"nif": ENTITY}, format="json", HTTP_IDEMPOTENCY_KEY="check-1")

    assert assert_success(again) == assert_success(first)
    assert again["Idempotency-Replay"] == "true"
    assert first.status_code == 200

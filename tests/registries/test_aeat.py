"""AEAT's census through beel.registries against the fake VNifV2 server (TLS, client certificate required):
each documented result, the faults, the failures, and that no connection is opened without a certificate."""

import time

import pytest
import requests

from beel.registries import Status, TaxId, check, check_spanish_nif
from tests.registries.fakes import AEAT_PATH

ENTITY, PERSON = "B87654323", "12345678Z"


def test_identified_entity_is_valid_with_aeats_name_and_raw_code(aeat):
    aeat.table[ENTITY] = ("Identificado", "EJEMPLO  SOLUCIONES SL")

    answer = check_spanish_nif(ENTITY, "Ejemplo Soluciones")

    assert (answer.status, answer.code, answer.census_status) == (Status.VALID, "Identificado", "IDENTIFIED")
    assert answer.name == "EJEMPLO SOLUCIONES SL"  # AEAT's double space folded
    assert answer.checked_at is not None
    assert aeat.asked() == [ENTITY]


def test_the_envelope_is_soap_1_1_utf8_with_the_name_escaped(aeat):
    check_spanish_nif(PERSON, "Español & <Hijos>")

    seen = aeat.seen[0]
    assert seen.path == AEAT_PATH
    assert seen.headers["Content-Type"] == "text/xml; charset=utf-8"
    text = seen.body.decode("utf-8")
    assert 'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"' in text
    assert "<vnif:VNifV2Ent><vnif:Contribuyente><vnif:Nif>12345678Z</vnif:Nif>" in text
    assert "<vnif:Nombre>Español &amp; &lt;Hijos&gt;</vnif:Nombre>" in text


@pytest.mark.parametrize(
    ("resultado", "status", "census_status", "has_name"),
    [
        ("IDENTIFICADO", Status.VALID, "IDENTIFIED", True),
        ("No identificado -similar", Status.INVALID, "NOT_IDENTIFIED_SIMILAR", True),
        ("NO IDENTIFICADO - SIMILAR", Status.INVALID, "NOT_IDENTIFIED_SIMILAR", True),
        ("No identificado", Status.INVALID, "NOT_IDENTIFIED", False),
        ("Identificado-Baja", Status.VALID, "DEREGISTERED", True),
        ("IDENTIFICADO-REVOCADO", Status.VALID, "REVOKED", True),
        ("No procesado", Status.PENDING, None, False),
        ("NO IDENTIFICABLE", Status.PENDING, None, False),
    ],
)
def test_each_result_maps_as_registries_md_says(aeat, resultado, status, census_status, has_name):
    aeat.table[PERSON] = (resultado, "ESPAÑOL ESPAÑOL JUAN")

    answer = check_spanish_nif(PERSON, "Juan Español Español", retries=0)

    assert (answer.status, answer.census_status, answer.code) == (status, census_status, resultado)
    assert answer.name == ("ESPAÑOL ESPAÑOL JUAN" if has_name else None)


@pytest.mark.parametrize("entry", ["fault-server", "fault-server-200", "http-403", "http-429", "not-xml"])
def test_server_faults_and_http_failures_are_pending(aeat, entry):
    aeat.table[ENTITY] = entry

    answer = check_spanish_nif(ENTITY, "x", retries=0)

    assert answer.status == Status.PENDING
    assert not answer.is_verdict


def test_a_client_fault_is_an_error_not_retried(aeat):
    aeat.table[ENTITY] = "fault-client"

    answer = check_spanish_nif(ENTITY, "x")

    assert (answer.status, answer.code) == (Status.ERROR, "env:Client")
    assert len(aeat.seen) == 1


def test_a_slow_answer_past_the_deadline_is_pending(aeat, settings):
    settings.TAX_ID_DEADLINE_SECONDS = 0.3
    aeat.table[ENTITY] = ("slow", 1.0)

    answer = check_spanish_nif(ENTITY, "x")

    assert (answer.status, answer.code) == (Status.PENDING, "UNREACHABLE")


def test_an_answer_trickling_past_the_deadline_is_given_up(aeat, settings):
    settings.TAX_ID_DEADLINE_SECONDS = 0.5
    aeat.table[ENTITY] = ("trickle", 0.1)  # ~40 pieces of 16 bytes: 4 s in all, 0.1 s between them

    started = time.monotonic()
    answer = check_spanish_nif(ENTITY, "x")

    assert (answer.status, answer.code) == (Status.PENDING, "UNREACHABLE")
    assert time.monotonic() - started < 1.0


def test_without_a_certificate_the_census_is_not_configured_and_nothing_is_sent(aeat, settings):
    settings.AEAT_CLIENT_KEY = ""

    answer = check_spanish_nif(ENTITY, "x")

    assert (answer.status, answer.code) == (Status.PENDING, "NOT_CONFIGURED")
    assert aeat.seen == [] and aeat.handshake_failures == []


def test_a_natural_person_without_a_name_is_never_sent(aeat):
    answer = check(TaxId.spanish(PERSON, "  "))

    assert (answer.status, answer.code) == (Status.ERROR, "NAME_REQUIRED")
    assert aeat.seen == []


def test_the_fake_refuses_a_client_without_a_certificate_as_aeat_would(aeat):
    envelope = b"<x/>"
    # In TLS 1.3 a client without a certificate fails on its first read, so the failed call is what is checked.
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(aeat.url, data=envelope, verify=aeat.certificates.ca, timeout=5)

    assert aeat.seen == []
    assert any("certificate" in failure.lower() for failure in aeat.wait_for_a_refused_handshake())


def test_a_certificate_of_another_ca_is_refused_and_the_check_is_pending(aeat, settings):
    settings.AEAT_CLIENT_CERT = aeat.certificates.stranger_cert
    settings.AEAT_CLIENT_KEY = aeat.certificates.stranger_key

    answer = check_spanish_nif(ENTITY, "x")

    assert (answer.status, answer.code) == (Status.PENDING, "UNREACHABLE")
    assert aeat.seen == []
    assert aeat.wait_for_a_refused_handshake()


def test_the_server_is_verified_against_the_configured_ca_only(aeat, settings):
    settings.AEAT_CA_BUNDLE = ""  # certifi's public roots do not know the test CA

    answer = check_spanish_nif(ENTITY, "x")

    assert (answer.status, answer.code) == (Status.PENDING, "UNREACHABLE")
    assert aeat.seen == []

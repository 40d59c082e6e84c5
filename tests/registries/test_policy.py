"""What the checks do around the registries: the verdict cache, retries with backoff on the registry's own
"unavailable" answers, the circuit breaker (on the service's clock), and many checks at once."""

import time

from beel.clock import clock
from beel.registries import Status, TaxId, check, check_eu_vat, check_many, check_spanish_nif

ENTITY = "B87654323"


def test_a_verdict_is_cached_and_the_second_check_sends_nothing(aeat):
    first = check_spanish_nif(ENTITY, "Ejemplo SL")
    second = check_spanish_nif(ENTITY, "  EJEMPLO   sl ")  # the same name, normalised

    assert second == first
    assert len(aeat.seen) == 1


def test_another_name_is_another_question(aeat):
    check_spanish_nif("12345678Z", "Juan Español")
    check_spanish_nif("12345678Z", "Juana Española")

    assert len(aeat.seen) == 2


def test_pending_and_error_are_never_cached(aeat, vies):
    aeat.table[ENTITY] = ["fault-server", "IDENTIFICADO"]
    vies.table["1"] = ["INVALID_INPUT", "valid"]

    assert check_spanish_nif(ENTITY, "x", retries=0).status == Status.PENDING
    assert check_eu_vat("DE", "1").status == Status.ERROR
    assert check_spanish_nif(ENTITY, "x", retries=0).status == Status.VALID
    assert check_eu_vat("DE", "1").status == Status.VALID
    assert len(aeat.seen) == 2 and len(vies.seen) == 2


def test_the_cache_lifetime_is_a_setting(aeat, settings):
    settings.TAX_ID_CACHE_SECONDS = 0

    check_spanish_nif(ENTITY, "x")
    check_spanish_nif(ENTITY, "x")

    assert len(aeat.seen) == 2


def test_unavailable_answers_are_retried_with_growing_waits(vies, settings):
    settings.TAX_ID_RETRY_BACKOFF_SECONDS = 0.1
    vies.table["123456789"] = ["MS_UNAVAILABLE", "SERVICE_UNAVAILABLE", "valid"]

    answer = check_eu_vat("DE", "123456789")

    assert answer.status == Status.VALID
    times = [seen.at for seen in vies.seen]
    assert len(times) == 3
    assert times[1] - times[0] >= 0.1
    assert times[2] - times[1] >= 0.2  # doubled


def test_retries_stop_after_the_setting_and_answer_pending(aeat, settings):
    settings.TAX_ID_RETRIES = 1
    aeat.table[ENTITY] = "fault-server"

    answer = check_spanish_nif(ENTITY, "x")

    assert answer.status == Status.PENDING
    assert len(aeat.seen) == 2


def test_a_request_path_asks_once(aeat):
    aeat.table[ENTITY] = "fault-server"

    check_spanish_nif(ENTITY, "x", retries=0)

    assert len(aeat.seen) == 1


def test_the_breaker_opens_after_failures_and_half_opens_after_its_cool_down(aeat, settings):
    clock.freeze(1_800_000_000.0)
    aeat.table[ENTITY] = ["fault-server", "fault-server", "fault-server", "fault-server", "IDENTIFICADO"]
    for _ in range(3):
        assert check_spanish_nif(ENTITY, "x", retries=0).code == "env:Server"

    refused = check_spanish_nif(ENTITY, "x", retries=0)
    assert (refused.status, refused.code) == (Status.PENDING, "CIRCUIT_OPEN")
    assert len(aeat.seen) == 3

    clock.advance(61)  # half-open: one trial, which fails and opens the circuit again
    assert check_spanish_nif(ENTITY, "x", retries=0).code == "env:Server"
    assert check_spanish_nif(ENTITY, "x", retries=0).code == "CIRCUIT_OPEN"
    assert len(aeat.seen) == 4

    clock.advance(61)  # the next trial succeeds and closes it
    assert check_spanish_nif(ENTITY, "x", retries=0).status == Status.VALID
    assert check_spanish_nif("A58818501", "y", retries=0).status == Status.VALID
    assert len(aeat.seen) == 6


def test_each_registry_has_its_own_breaker(aeat, vies):
    clock.freeze(1_800_000_000.0)
    aeat.table[ENTITY] = "fault-server"
    for _ in range(3):
        check_spanish_nif(ENTITY, "x", retries=0)

    assert check_spanish_nif(ENTITY, "x").code == "CIRCUIT_OPEN"
    assert check_eu_vat("DE", "123456789").status == Status.VALID


def test_the_breaker_keeps_working_in_the_process_when_the_cache_fails(aeat, settings):
    # A Redis nobody listens on: every cache call fails.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    clock.freeze(1_800_000_000.0)
    aeat.table[ENTITY] = "fault-server"
    for _ in range(3):
        check_spanish_nif(ENTITY, "x", retries=0)

    assert check_spanish_nif(ENTITY, "x", retries=0).code == "CIRCUIT_OPEN"
    assert len(aeat.seen) == 3


def test_check_many_asks_each_distinct_id_once_several_to_a_request_and_concurrently(aeat, vies, settings):
    settings.TAX_ID_CONCURRENCY = 4
    settings.TAX_ID_AEAT_BATCH = 2
    aeat.delay = 0.2
    nifs = ["B87654323", "A58818501", "B12345674", "A12345674", "B11111111"]
    tax_ids = [TaxId.spanish(nif, "Empresa SL") for nif in nifs] + [TaxId.spanish(nifs[0], "EMPRESA SL")]
    tax_ids.append(TaxId.eu_vat("FR", "84888000007"))

    started = time.monotonic()
    answers = check_many(tax_ids)
    elapsed = time.monotonic() - started

    assert set(answers) == set(tax_ids)
    assert all(answer.status == Status.VALID for answer in answers.values())
    assert sorted(aeat.asked()) == sorted(nifs)  # each distinct NIF once
    assert len(aeat.seen) == 3  # two, two and one to a request
    assert len(vies.seen) == 1
    assert elapsed < 0.2 * 3  # the three requests in parallel, not one after the other
    assert check(TaxId.spanish(nifs[1], "Empresa SL")) == answers[tax_ids[1]]  # and cached
    assert len(aeat.seen) == 3


def test_check_many_answers_each_nif_of_a_batch_its_own_result(aeat):
    aeat.table["A58818501"] = "NO IDENTIFICADO"
    aeat.table["B12345674"] = ["No procesado", "IDENTIFICADO"]
    tax_ids = [TaxId.spanish(nif, "Empresa SL") for nif in ["B87654323", "A58818501", "B12345674"]]
    tax_ids.append(TaxId.spanish("12345678Z", ""))  # a person without a name: not sent

    answers = check_many(tax_ids)

    assert [answers[tax_id].status for tax_id in tax_ids] == [Status.VALID, Status.INVALID, Status.VALID, Status.ERROR]
    assert aeat.asked() == ["B87654323", "A58818501", "B12345674", "B12345674"]  # only the unprocessed asked again


def test_check_many_without_a_certificate_sends_nothing(aeat, settings):
    settings.AEAT_CLIENT_CERT = ""

    answers = check_many([TaxId.spanish("B87654323", "x"), TaxId.spanish("A58818501", "y")])

    assert {answer.code for answer in answers.values()} == {"NOT_CONFIGURED"}
    assert aeat.seen == []

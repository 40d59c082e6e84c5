"""The entry points: one check, and many at once. Each goes through the verdict cache, the registry's
circuit breaker and, on the registry's own "unavailable" answers, retries with exponential backoff."""

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings

from beel.registries import aeat, state, vies
from beel.registries.answer import (
    CIRCUIT_OPEN,
    NAME_REQUIRED,
    NOT_CONFIGURED,
    Registry,
    RegistryAnswer,
    Status,
    pending,
)


@dataclass(frozen=True)
class TaxId:
    """What is checked for a customer: a Spanish NIF with the name (AEAT's census), or an EU VAT number
    (a NIF_IVA alternative id: VIES), by its country and number."""

    nif: str = ""
    name: str = ""
    vat_country: str = ""
    vat_number: str = ""

    @classmethod
    def spanish(cls, nif: str, name: str = "") -> "TaxId":
        return cls(nif="".join((nif or "").split()).upper(), name=name or "")

    @classmethod
    def eu_vat(cls, country: str, number: str) -> "TaxId":
        return cls(vat_country=(country or "").upper(), vat_number="".join((number or "").split()).upper())

    @property
    def registry(self) -> Registry:
        return Registry.AEAT if self.nif else Registry.VIES

    @property
    def cache_key(self) -> str:
        if self.nif:
            return state.answer_key(Registry.AEAT, self.nif, self.name)
        return state.answer_key(Registry.VIES, f"{self.vat_country}{self.vat_number}")


def _retry_wait(attempt: int, retries: int, answer: RegistryAnswer) -> float | None:
    """Seconds to wait before asking again, or None when the answer is final, the retries are spent or the
    wait too long to hold the caller (the background re-check retries later)."""
    if answer.status != Status.PENDING or not answer.retryable or attempt >= retries:
        return None
    wait = max(float(settings.TAX_ID_RETRY_BACKOFF_SECONDS) * 2**attempt, answer.retry_after or 0)
    return wait if wait <= float(settings.TAX_ID_RETRY_MAX_WAIT_SECONDS) else None


def _ask(tax_id: TaxId, ask: Callable[[], RegistryAnswer], retries: int | None) -> RegistryAnswer:
    cached = state.cached_answer(tax_id.cache_key)
    if cached is not None:
        return cached
    breaker = state.Breaker(tax_id.registry)
    if not breaker.allows():
        return pending(tax_id.registry, CIRCUIT_OPEN, f"{tax_id.registry} is not answering; it will be asked again.")
    limit = int(settings.TAX_ID_RETRIES) if retries is None else retries
    attempt = 0
    while True:
        answer = ask()
        wait = _retry_wait(attempt, limit, answer)
        if wait is None:
            break
        time.sleep(wait)
        attempt += 1
    if answer.status == Status.PENDING:
        breaker.failed()
    else:
        breaker.succeeded()
    state.keep_answer(tax_id.cache_key, answer)
    return answer


def check(tax_id: TaxId, *, retries: int | None = None) -> RegistryAnswer:
    """The registry's answer for one tax id. `retries` caps the retries of this call (0 in a request path:
    answer PENDING at once and let the background re-check retry); None takes TAX_ID_RETRIES."""
    if tax_id.nif:
        if not aeat.is_configured():
            return pending(Registry.AEAT, NOT_CONFIGURED, "AEAT's census is not configured.")
        if aeat.is_natural_person(tax_id.nif) and not tax_id.name.strip():
            return RegistryAnswer(
                Status.ERROR, Registry.AEAT, code=NAME_REQUIRED, message="A natural person's NIF needs the name."
            )
        return _ask(tax_id, lambda: aeat.query([(tax_id.nif, tax_id.name)])[0], retries)
    return _ask(tax_id, lambda: vies.check(tax_id.vat_country, tax_id.vat_number), retries)


def check_spanish_nif(nif: str, name: str = "", *, retries: int | None = None) -> RegistryAnswer:
    return check(TaxId.spanish(nif, name), retries=retries)


def check_eu_vat(country: str, number: str, *, retries: int | None = None) -> RegistryAnswer:
    return check(TaxId.eu_vat(country, number), retries=retries)


def check_many(tax_ids: Iterable[TaxId], *, retries: int | None = None) -> dict[TaxId, RegistryAnswer]:
    """Every tax id's answer, each distinct one asked once, at most TAX_ID_CONCURRENCY at a time (a bulk
    import of 500 customers neither waits for 500 calls in a row nor sends 500 at once)."""
    wanted = list(dict.fromkeys(tax_ids))
    distinct: dict[str, TaxId] = {}
    for tax_id in wanted:
        distinct.setdefault(tax_id.cache_key, tax_id)
    workers = max(1, min(int(settings.TAX_ID_CONCURRENCY), len(distinct)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tax-id-check") as pool:
        answers = dict(
            zip(distinct, pool.map(lambda tax_id: check(tax_id, retries=retries), distinct.values()), strict=True)
        )
    return {tax_id: answers[tax_id.cache_key] for tax_id in wanted}

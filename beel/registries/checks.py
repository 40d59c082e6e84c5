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

# Asks a registry about several tax ids, an answer for each in order.
Ask = Callable[[list["TaxId"]], list[RegistryAnswer]]


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


def _retry_wait(attempt: int, retries: int, answers: list[RegistryAnswer]) -> float | None:
    """Seconds to wait before asking again about the answers the registry called temporary, or None when
    there are none, the retries are spent or the wait is too long to hold the caller (the background re-check
    retries later)."""
    retryable = [answer for answer in answers if answer.status == Status.PENDING and answer.retryable]
    if not retryable or attempt >= retries:
        return None
    asked = max(answer.retry_after or 0 for answer in retryable)
    wait = max(float(settings.TAX_ID_RETRY_BACKOFF_SECONDS) * 2**attempt, asked)
    return wait if wait <= float(settings.TAX_ID_RETRY_MAX_WAIT_SECONDS) else None


def _with_retries(tax_ids: list[TaxId], ask: Ask, retries: int) -> list[RegistryAnswer]:
    answers = ask(tax_ids)
    attempt = 0
    while (wait := _retry_wait(attempt, retries, answers)) is not None:
        time.sleep(wait)
        again = [index for index, answer in enumerate(answers) if answer.status == Status.PENDING and answer.retryable]
        for index, answer in zip(again, ask([tax_ids[index] for index in again]), strict=True):
            answers[index] = answer
        attempt += 1
    return answers


def _ask(registry: Registry, tax_ids: list[TaxId], ask: Ask, retries: int | None) -> list[RegistryAnswer]:
    """The answers for these tax ids of one registry, asked together: verdicts from the cache, the rest
    asked through the registry's breaker, retried, and the new verdicts cached."""
    answers = {tax_id: state.cached_answer(tax_id.cache_key) for tax_id in tax_ids}
    missing = [tax_id for tax_id, answer in answers.items() if answer is None]
    if missing:
        breaker = state.Breaker(registry)
        if breaker.allows():
            limit = int(settings.TAX_ID_RETRIES) if retries is None else retries
            fresh = _with_retries(missing, ask, limit)
            # The registry failed when it gave no verdict on any of them (a fault, a timeout, unavailable).
            breaker.failed() if all(answer.status == Status.PENDING for answer in fresh) else breaker.succeeded()
        else:
            closed = pending(registry, CIRCUIT_OPEN, f"{registry} is not answering; it will be asked again.")
            fresh = [closed] * len(missing)
        for tax_id, answer in zip(missing, fresh, strict=True):
            state.keep_answer(tax_id.cache_key, answer)
            answers[tax_id] = answer
    return [answers[tax_id] for tax_id in tax_ids]


def _ask_aeat(tax_ids: list[TaxId]) -> list[RegistryAnswer]:
    return aeat.query([(tax_id.nif, tax_id.name) for tax_id in tax_ids])


def _ask_vies(tax_ids: list[TaxId]) -> list[RegistryAnswer]:
    return [vies.check(tax_id.vat_country, tax_id.vat_number) for tax_id in tax_ids]


def _answered_here(tax_id: TaxId) -> RegistryAnswer | None:
    """What is answered without asking: the census not configured, or a natural person without a name."""
    if not tax_id.nif:
        return None
    if not aeat.is_configured():
        return pending(Registry.AEAT, NOT_CONFIGURED, "AEAT's census is not configured.")
    if aeat.is_natural_person(tax_id.nif) and not tax_id.name.strip():
        return RegistryAnswer(
            Status.ERROR, Registry.AEAT, code=NAME_REQUIRED, message="A natural person's NIF needs the name."
        )
    return None


def check(tax_id: TaxId, *, retries: int | None = None) -> RegistryAnswer:
    """The registry's answer for one tax id. `retries` caps the retries of this call (0 in a request path:
    answer PENDING at once and let the background re-check retry); None takes TAX_ID_RETRIES."""
    answered = _answered_here(tax_id)
    if answered is not None:
        return answered
    ask = _ask_aeat if tax_id.nif else _ask_vies
    return _ask(tax_id.registry, [tax_id], ask, retries)[0]


def check_spanish_nif(nif: str, name: str = "", *, retries: int | None = None) -> RegistryAnswer:
    return check(TaxId.spanish(nif, name), retries=retries)


def check_eu_vat(country: str, number: str, *, retries: int | None = None) -> RegistryAnswer:
    return check(TaxId.eu_vat(country, number), retries=retries)


def _batches(tax_ids: list[TaxId]) -> list[tuple[Registry, list[TaxId], Ask]]:
    """AEAT's NIFs by TAX_ID_AEAT_BATCH per request (VNifV2 takes many Contribuyente at once); VIES one by one."""
    spanish = [tax_id for tax_id in tax_ids if tax_id.nif]
    size = max(1, int(settings.TAX_ID_AEAT_BATCH))
    batches = [(Registry.AEAT, spanish[start : start + size], _ask_aeat) for start in range(0, len(spanish), size)]
    return batches + [(Registry.VIES, [tax_id], _ask_vies) for tax_id in tax_ids if not tax_id.nif]


def check_many(tax_ids: Iterable[TaxId], *, retries: int | None = None) -> dict[TaxId, RegistryAnswer]:
    """Every tax id's answer, each distinct one asked once, AEAT's several to a request, at most
    TAX_ID_CONCURRENCY requests in flight (a bulk import of 500 customers neither waits for 500 calls in a
    row nor sends 500 at once)."""
    wanted = list(dict.fromkeys(tax_ids))
    distinct: dict[str, TaxId] = {}
    for tax_id in wanted:
        distinct.setdefault(tax_id.cache_key, tax_id)
    answers = {tax_id.cache_key: answer for tax_id in distinct.values() if (answer := _answered_here(tax_id))}
    batches = _batches([tax_id for key, tax_id in distinct.items() if key not in answers])
    if batches:
        workers = max(1, min(int(settings.TAX_ID_CONCURRENCY), len(batches)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tax-id-check") as pool:
            results = pool.map(lambda batch: _ask(batch[0], batch[1], batch[2], retries), batches)
            for (_, batch, _), batch_answers in zip(batches, results, strict=True):
                answers.update({tax_id.cache_key: answer for tax_id, answer in zip(batch, batch_answers, strict=True)})
    return {tax_id: answers[tax_id.cache_key] for tax_id in wanted}

"""Tax ids checked against the official registries: AEAT's census (the VNifV2 SOAP service, over mutual TLS)
for Spanish NIFs, and VIES (its REST API) for EU VAT numbers. Plain Python: no HTTP layer of this service.

The public surface (everything else is the package's own):

- `check(TaxId.spanish(nif, name))` / `check(TaxId.eu_vat(country, number))` -> `RegistryAnswer`: one
  customer's identifier (its `nif` with its `legal_name`, or a NIF_IVA alternative id with its country);
  `check_spanish_nif(nif, name)` and `check_eu_vat(country, number)` say the same.
- `check_many(tax_ids)` -> `{TaxId: RegistryAnswer}`: many at once (bulk create, CSV import), each distinct
  id asked once, AEAT's NIFs several to a request (TAX_ID_AEAT_BATCH), within a bounded pool of threads
  (TAX_ID_CONCURRENCY). The natural key of part B's stored verification is `TaxId` (hashable).
- `RegistryAnswer`: `status` (`Status.VALID | INVALID | PENDING | ERROR`), `registry` (AEAT or VIES), `code`
  (the registry's raw result, e.g. AEAT's "IDENTIFICADO", VIES's "MS_UNAVAILABLE", or NOT_CONFIGURED...),
  `name` (the registry's name for the taxpayer), `consultation` (VIES's requestIdentifier), `checked_at`,
  `census_status` (AEAT: IDENTIFIED, NOT_IDENTIFIED, NOT_IDENTIFIED_SIMILAR, DEREGISTERED, REVOKED),
  `message`; `to_dict()` / `from_dict()` to store it.
- `is_natural_person(nif)`: AEAT matches such a NIF with the name, so it is never asked without one.

Every call is bounded (TAX_ID_CONNECT_TIMEOUT_SECONDS, TAX_ID_DEADLINE_SECONDS), retried with backoff only
on the registry's own "unavailable" answers (TAX_ID_RETRIES; pass `retries=0` in a request path), guarded by
a circuit breaker per registry whose state is shared through the Django cache, and its verdicts (VALID or
INVALID, never PENDING or ERROR) are kept TAX_ID_CACHE_SECONDS. PENDING is the answer whenever there is no
verdict: not configured (no AEAT certificate), unreachable, busy, timed out, circuit open. Settings:
docs/configuration.md; protocol facts: ../shared/spec/registries.md."""

from beel.registries.aeat import is_natural_person
from beel.registries.answer import Registry, RegistryAnswer, Status
from beel.registries.checks import TaxId, check, check_eu_vat, check_many, check_spanish_nif

__all__ = [
    "Registry",
    "RegistryAnswer",
    "Status",
    "TaxId",
    "check",
    "check_eu_vat",
    "check_many",
    "check_spanish_nif",
    "is_natural_person",
]

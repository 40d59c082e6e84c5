"""BeeL's NIF validation (POST /v1/nif/validate, 1.9.0 §8): the NIF's syntax checked here, then AEAT's census
asked through beel.registries. It reads the census only: nothing is created or stored.

What each outcome answers (docs/api.md, "NIF validation"): bad syntax is an answer (INVALID), not an
error; an absent or empty NIF is 422 FIELD_BLANK; a natural person's NIF (DNI, NIE, K/L/M) without a
legal_name is 422 VALIDATION_ERROR naming `legal_name`, since AEAT identifies a person only by NIF and
name together and BeeL documents the name as required for individuals; no verdict from the census (not
configured, unreachable, busy, circuit open) is PENDING."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError

from beel import registries
from beel.errors import ValidationFailed
from beel.registries import RegistryAnswer, Status, TaxId
from customers.errors import FieldBlank
from customers.validators import validate_nif as check_nif_syntax

# census_status when the census gave no verdict (not asked: bad syntax; or no answer: PENDING, ERROR).
NOT_CHECKED = "NOT_CHECKED"


@dataclass(frozen=True)
class NifValidation:
    """BeeL's ValidateNifResponse."""

    valid: bool
    status: str
    legal_name: str | None
    legal_name_verified: bool
    census_status: str
    message: str
    validated_at: datetime | None


def validate_nif(*, nif: str | None, legal_name: str | None) -> NifValidation:
    if nif is None or not nif.strip():
        raise FieldBlank("nif")
    try:
        normalized = check_nif_syntax(nif)
    except ValidationError as error:
        return NifValidation(False, Status.INVALID, None, False, NOT_CHECKED, error.messages[0], None)
    name = (legal_name or "").strip()
    person = registries.is_natural_person(normalized)
    if person and not name:
        raise ValidationFailed(
            details={
                "legal_name": "Required for a natural person's NIF (DNI, NIE): AEAT identifies a person by "
                "NIF and name together."
            }
        )
    # A request path: no inline retry; a PENDING answer is for the caller to ask again later.
    answer = registries.check(TaxId.spanish(normalized, name), retries=0)
    return _validation(answer, person=person)


def _validation(answer: RegistryAnswer, *, person: bool) -> NifValidation:
    if answer.status == Status.VALID:
        return NifValidation(
            True, Status.VALID, answer.name, person, answer.census_status, answer.message, answer.checked_at
        )
    # INVALID withholds AEAT's name, even the one it holds for a similar name (BeeL: never auto-correct).
    census_status = answer.census_status if answer.status == Status.INVALID else NOT_CHECKED
    return NifValidation(False, answer.status, None, False, census_status or NOT_CHECKED, answer.message, None)

"""What schemathesis needs to know about this API beyond its schema. Loaded by tests/api/test_fuzz.py, and by
the schemathesis CLI with SCHEMATHESIS_HOOKS=tests.api.schemathesis_hooks (tests/api/test_fuzz_stateful.py,
and a deeper run: docs/development.md).

- How to generate valid values of the schema's custom string formats: `es-tax-id` (a Spanish NIF with its
  control character, which no pattern can state) and `phone` (a dialable number).
- `before_call`: every case of an unsafe method carries a fresh `Idempotency-Key` (generation reuses a few
  values, which would make nearly every POST a correct 409 IDEMPOTENCY_KEY_MISMATCH or a replay, leaving the
  operation unexercised), and the path ids of schema-valid cases name rows of the key's account (BEEL_FUZZ_IDS,
  set by the tests) most of the time, so that they reach deep states (issuing a draft, retrying a delivery,
  a company's canonical routes) rather than a 404.
- `positive_data_acceptance_but_for_server_judgments`: schemathesis' check that a schema-valid request is
  accepted, but for refusals that only the server can make and the schema names in words: a NIF's control
  character, a phone number's validity, a cursor the API did not issue (or given with `page`), a customer
  merged into itself, a webhook URL that does not resolve to a public address, a company id that is not one of
  the account's. Run it instead of the built-in positive_data_acceptance."""

import itertools
import json
import os
import re

import schemathesis
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance
from stdnum.es import cif, dni

from customers import validators


def _dni(number: int) -> str:
    digits = f"{number:08d}"
    return digits + dni.calc_check_digit(digits)


def _cif(letter: str, number: int) -> str:
    digits = f"{number:07d}"
    return letter + digits + cif.calc_check_digits(letter + digits)[0]


spanish_nifs = st.integers(0, 99_999_999).map(_dni) | st.builds(_cif, st.sampled_from("ABB"), st.integers(0, 9_999_999))
# With the country code: a number without one is read as Spanish only while the address' country is Spain,
# and the generated address may be anywhere.
spanish_phones = st.integers(600_000_000, 699_999_999).map(lambda n: f"+34{n}") | st.integers(
    910_000_000, 919_999_999
).map(lambda n: f"+34 {n}")

schemathesis.openapi.format("es-tax-id", spanish_nifs)
schemathesis.openapi.format("phone", spanish_phones)


IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX_LENGTH = 255
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Path parameter -> ids of the fuzzing key's account, as JSON: {"customer_id": [...], "company_id": [...]}.
REAL_IDS = "BEEL_FUZZ_IDS"
# One schema-valid case in this many keeps its generated path ids, so that 404s stay exercised too.
GENERATED_IDS_EVERY = 4
# Filled in the stateful phase too: no response links to them (no operation creates a company or an account).
NEVER_LINKED = {"company_id", "account_id"}

_cases = itertools.count(1)


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    number = next(_cases)
    give_a_fresh_idempotency_key(case, number)
    name_real_ids(case, number)


def _schema_valid(case) -> bool:
    meta = getattr(case, "meta", None)
    return meta is None or meta.generation.mode == GenerationMode.POSITIVE


def give_a_fresh_idempotency_key(case, number: int) -> None:
    """A generated key ends with a per-case suffix (cut to keep within the maximum length); a schema-valid case
    without one gets one. Keys that are empty or too long stay as generated, to still test their refusal, and
    so does a schema-invalid case's absent key (a required header's absence may be what it tests)."""
    if case.method.upper() not in UNSAFE_METHODS:
        return
    headers = case.headers if case.headers is not None else {}
    key = headers.get(IDEMPOTENCY_HEADER)
    suffix = f"-{os.getpid()}-{number}"
    if key is None and _schema_valid(case):
        headers[IDEMPOTENCY_HEADER] = f"fuzz{suffix}"
    elif isinstance(key, str) and 0 < len(key) <= IDEMPOTENCY_KEY_MAX_LENGTH:
        headers[IDEMPOTENCY_HEADER] = key[: IDEMPOTENCY_KEY_MAX_LENGTH - len(suffix)] + suffix
    case.headers = headers


def name_real_ids(case, number: int) -> None:
    """The path ids of a schema-valid case replaced by ids of the key's account (all but one case in
    GENERATED_IDS_EVERY). In the stateful phase only those no link supplies: the others come from the
    responses of the sequence, which is how it reaches its states."""
    real = json.loads(os.environ.get(REAL_IDS, "{}"))
    if not real or not case.path_parameters or not _schema_valid(case) or number % GENERATED_IDS_EVERY == 0:
        return
    stateful = getattr(getattr(case.meta, "phase", None), "name", None) == "stateful"
    for name in list(case.path_parameters):
        ids = real.get(name)
        if ids and (name in NEVER_LINKED or not stateful):
            case.path_parameters[name] = ids[number % len(ids)]


# Field (last part of its path) -> what the server says when only it can judge the value.
SERVER_JUDGMENTS = {
    "phone": re.compile(r"^Not a valid phone number\.$"),
    "cursor": re.compile(r"^cursor "),
    "page": re.compile(r"^page cannot be combined with cursor\.$"),
    "into": re.compile(r"^A customer cannot be merged into itself\.$"),
    "url": re.compile(r""),
    # Which companies belong to the key's account (a webhook endpoint's company_ids): only the server knows.
    "company_ids": re.compile(r"^Not companies this key can reach: "),
    # The customer record (issue #14): what a schema cannot state. A customer needs a nif or an alternative id
    # (the schema requires neither alone); a country code or name must exist; an IBAN and a BIC have checksums
    # and registries; a URL must be one Django's validator accepts.
    "nif": re.compile(
        r"^(Not a valid Spanish NIF, NIE or CIF \(check the control character\)\.|"
        r"Not shaped as a Spanish NIF, NIE or CIF \(9 characters\)\.|NIF may contain only letters and digits\.|"
        r"A customer needs a nif or, without a Spanish NIF, an alternative_id\.)$"
    ),
    # The alternative id: exclusive with nif, and AEAT's rules for its type, country and number (BeeL's schema
    # says them in words only; refused alone they have their own codes, judged below).
    "alternative_id": re.compile(r""),
    "country": re.compile(r"^Unknown country: send address\.country_code"),
    "country_code": re.compile(r"^(Not an ISO 3166-1 alpha-2 country code|address\.country and address\.country_code)"),
    # A Spanish postal address needs its province (BeeL's Address), which no schema of the address can state.
    "province": re.compile(r"^The province is required for a Spanish address\.$"),
    "iban": re.compile(r"^(Not a valid IBAN \(check its digits\)\.|An IBAN is required for BANK_TRANSFER\.)$"),
    "swift": re.compile(r"^Not a valid BIC/SWIFT code\.$"),
    "website": re.compile(r"^Enter a valid http or https URL\.$"),
    "number": re.compile(r"^The number has 1 to 20 letters and digits"),
    # A sum of two amounts has a maximum no schema of either can state.
    "subtotal": re.compile(r"^subtotal \+ tax_total must not exceed "),
    "tax_total": re.compile(r"^subtotal \+ tax_total must not exceed "),
    # POST /nif/validate: an individual's NIF needs its legal_name, a rule between two fields that OpenAPI 3.0
    # states only in words.
    "legal_name": re.compile(r"^Required for a natural person's NIF "),
    # Receivables: what is still due, today and an invoice's issue date are the server's to know.
    "amount": re.compile(r"^(Must not exceed the amount due, |Must be greater than 0\.)"),
    "payment_date": re.compile(r"^Must not be later than today\.$"),
    "due_date": re.compile(r"^Must be on or after (the issue date|issue_date)"),
    # OpenAPI 3.0 cannot limit an object's keys; the description does.
    "metadata": re.compile(r"^Metadata keys have 1 to 40 characters"),
    # A statement's period (invoices.statements): its order and today are the server's to know.
    "from": re.compile(r"^from must not be later than to\.$"),
    "to": re.compile(r"^to must not be later than today "),
    # The aging report's day (invoices.aging_report): today is the server's to know.
    "as_of": re.compile(r"^as_of must not be later than today"),
}

# What only the server can say of an uploaded file (a CSV the import can read, with its required columns and
# at most 1,000 rows): the schema can only say "binary".
FILE_JUDGMENTS = {"CSV_INVALID", "MISSING_HEADERS", "TOO_MANY_RECORDS", "CSV_FILE_TOO_LARGE"}
RULE_CODES = set(validators.RULE_CODES)
# Of them, those whose messages are judged field by field (the others are AEAT's rules for the alternative id).
JUDGED_RULE_CODES = {
    "NIF_INVALID_FORMAT",
    "NIF_INVALID_CONTROL_DIGIT",
    "COUNTRY_CODE_REQUIRED",
    "COUNTRY_CODE_MISMATCH",
}


def _judged_name(field: str) -> str:
    """The last part of an error's path; `metadata[key]` (a filter parameter) is judged as `metadata`."""
    name = field.rsplit(".", 1)[-1]
    return "metadata" if name.startswith("metadata[") else name


@schemathesis.check
def positive_data_acceptance_but_for_server_judgments(ctx, response, case):
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        try:
            error = response.json()["error"]
        except (ValueError, KeyError, TypeError):
            raise
        if response.status_code == 400 and error.get("code") in FILE_JUDGMENTS:
            return None
        details = error.get("details") or {}
        if response.status_code == 422 and error.get("code") == "BULK_VALIDATION_ERROR":
            return None  # each bulk item is any JSON to the schema, judged by the record rules (atomic batch)
        judged = all(
            (pattern := SERVER_JUDGMENTS.get(_judged_name(field))) is not None and pattern.match(message)
            for field, message in details.items()
        )
        # BeeL's rule codes (the alternative id's AEAT rules, the NIF's control digit, the country), which the
        # schema states in words, are 422s judged as a VALIDATION_ERROR's fields are.
        rule = response.status_code == 422 and error.get("code") in RULE_CODES
        if rule and (error.get("code") not in JUDGED_RULE_CODES or judged):
            return None
        # 400 for a parameter (BeeL: InvalidRequestTarget), 422 for a body's content or a cursor not issued.
        refused = response.status_code in (400, 422) and error.get("code") == "VALIDATION_ERROR"
        if not (refused and details and judged):
            raise
        return None

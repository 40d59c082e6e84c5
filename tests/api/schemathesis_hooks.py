"""What schemathesis needs to know to generate valid values for the schema's custom string formats:
`es-tax-id` (a Spanish NIF with its control character, which no pattern can state) and `phone` (a
dialable number). Loaded by tests/api/test_fuzz.py, and by the schemathesis CLI for a deeper run with
SCHEMATHESIS_HOOKS=tests.api.schemathesis_hooks (README, "Development")."""

import schemathesis
from hypothesis import strategies as st
from stdnum.es import cif, dni


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

"""A JSON body checked field by field without the HTTP layer, so the services, the admin and the imports can
apply the same write rules as the API (customers.record).

Each value is checked, and each failure worded and coded, as Django REST framework's fields do it, because
the API's answers (and the tests that hold them) were written against DRF: moving a record's rules here
changed no message. On top of DRF, as beel.api.serializers.StrictFieldsMixin does for the other bodies, an
object refuses keys it does not know and a string field refuses anything but a JSON string."""

import decimal
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from beel.errors import DomainError, InvalidJsonFormat, ValidationFailed

MISSING = object()
# A value of the wrong JSON type (BeeL: 400 INVALID_JSON_FORMAT) and one outside an enum (422 with the
# allowed values): the problems whose `about` is BeeL's FieldDeserializationError, but for its `field`.
WRONG_TYPE = "invalid_type"
INVALID_CHOICE = "invalid_choice"
# How much of a refused value is echoed back in `invalid_value`.
_ECHOED_CHARACTERS = 100


@dataclass(frozen=True)
class Problem:
    message: str
    code: str = "invalid"
    # {invalid_value, expected_format, allowed_values?} for WRONG_TYPE and INVALID_CHOICE.
    about: Mapping[str, str | None] | None = None


# Where in the body (`("address", "street")`, `("billing_emails", "2")`; `()` the value itself) -> what is wrong
# there, the first problem shown first.
Errors = dict[tuple[str, ...], list[Problem]]


class Invalid(Exception):
    def __init__(self, errors: Errors):
        super().__init__(errors)
        self.errors = errors

    @property
    def details(self) -> dict[str, str]:
        """One message per field by its dotted path, as the error envelope's `details` shows them (and as
        beel.api.exceptions.flatten_validation_errors words DRF's)."""
        return {dotted(path): problems[0].message for path, problems in self.errors.items()}

    @property
    def codes(self) -> set[str]:
        return {problem.code for problems in self.errors.values() for problem in problems}


def dotted(path: tuple[str, ...]) -> str:
    return ".".join(path) or "non_field_errors"


def fail(message: str, code: str = "invalid"):
    raise Invalid({(): [Problem(message, code)]})


def shown(value: Any) -> str:
    """A refused value as FieldDeserializationError's `invalid_value` string: a string as it is, anything
    else as its JSON."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text[:_ECHOED_CHARACTERS]


def wrong_type(value: Any, expected_format: str, message: str) -> Problem:
    return Problem(message, WRONG_TYPE, {"invalid_value": shown(value), "expected_format": expected_format})


def fail_type(value: Any, expected_format: str, message: str):
    raise Invalid({(): [wrong_type(value, expected_format, message)]})


def deserialization_refusal(error: Invalid) -> DomainError | None:
    """BeeL's answer to a body with a value of the wrong JSON type (400 INVALID_JSON_FORMAT) or outside an
    enum (422 VALIDATION_ERROR), each with a FieldDeserializationError naming the first such field; None
    when neither is among the errors (they are then the flat map of `Invalid.details`, a 422)."""
    for code, refusal_class in ((WRONG_TYPE, InvalidJsonFormat), (INVALID_CHOICE, ValidationFailed)):
        for path, problems in error.errors.items():
            problem = next((problem for problem in problems if problem.code == code and problem.about), None)
            if problem is None:
                continue
            field = ".".join(part for part in path if part != "non_field_errors") or "body"
            expected = problem.about.get("expected_format")
            message = f"The field '{field}' has an invalid value" + (f". Expected: {expected}." if expected else ".")
            return refusal_class(message, details={"field": field, "expected_format": None, **problem.about})
    return None


def checked(check: Callable[[Any], Any], value: Any) -> Any:
    """A value function of the apps (raising Django's ValidationError) as a field check: its first message."""
    try:
        return check(value)
    except ValidationError as error:
        # The function's code (a rule's own, such as COUNTRY_CODE_REQUIRED) is kept for the answer to use.
        fail(error.messages[0], getattr(error, "code", None) or "invalid")


def displayable(key) -> str:
    """An unknown field's name as it can be echoed back: control characters and lone surrogates escaped
    (PostgreSQL's jsonb refuses U+0000, and UTF-8 cannot carry a surrogate)."""
    text = str(key)
    if text.isprintable() and text.encode("utf-8", "surrogatepass").decode("utf-8", "ignore") == text:
        return text
    return text.encode("unicode_escape").decode("ascii")


class Field:
    json_string = False  # sent as a JSON string only (the schema says so; DRF would coerce 0 to "0")

    def __init__(self, *, required: bool = False, allow_null: bool = False, then: Callable | None = None):
        self.required = required
        self.allow_null = allow_null
        # What runs once the value is valid (a serializer's `validate_<field>`), even on an empty value.
        self.then = then

    def clean(self, data: Any, *, partial: bool) -> Any:
        if data is None:
            if self.allow_null:
                return None
            fail("This field may not be null.", "null")
        value = self.convert(data, partial=partial)
        problems = list(self.problems(value))
        if problems:
            raise Invalid({(): problems})
        return value

    def convert(self, data: Any, *, partial: bool) -> Any:
        return data

    def problems(self, value: Any) -> Iterator[Problem]:
        return iter(())


# A lone surrogate in a text; searched by a regular expression, not a Python loop over every character of every
# value, which was a visible part of validating a 1,000-row import.
SURROGATE = re.compile("[\ud800-\udfff]")
# What no text column or jsonb value of PostgreSQL can hold (a 500 if let through): NUL and lone surrogates.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """Whether `text` holds NUL or a lone surrogate (JSON's `"\\ud800"`), which PostgreSQL refuses to store."""
    return UNSTORABLE.search(text) is not None


class Text(Field):
    json_string = True

    def __init__(self, max_length: int, *, allow_blank=False, trim=True, check=None, email=False, **options):
        super().__init__(**options)
        self.max_length, self.allow_blank, self.trim, self.check, self.email = (
            max_length, allow_blank, trim, check, email,
        )  # fmt: skip

    def clean(self, data: Any, *, partial: bool) -> Any:
        if data == "" or (self.trim and str(data).strip() == ""):
            if not self.allow_blank:
                fail("This field may not be blank.", "blank")
            return ""
        return super().clean(data, partial=partial)

    def convert(self, data: Any, *, partial: bool) -> str:
        # A JSON number is read as its text (BeeL coerces it too); any other type is the wrong one.
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            fail_type(data, "string", "Enter a valid email address." if self.email else "Not a valid string.")
        value = str(data).strip() if self.trim else str(data)
        return checked(self.check, value) if self.check else value

    def problems(self, value: str) -> Iterator[Problem]:
        if len(value) > self.max_length:
            yield Problem(f"Ensure this field has no more than {self.max_length} characters.", "max_length")
        if "\x00" in value:
            yield Problem("Null characters are not allowed.", "null_characters_not_allowed")
        if surrogate := SURROGATE.search(value):
            yield Problem(
                f"Surrogate characters are not allowed: U+{ord(surrogate[0]):X}.", "surrogate_characters_not_allowed"
            )
        if self.email:
            try:
                validate_email(value)
            except ValidationError:
                yield Problem("Enter a valid email address.")


def _bounds(value, *, minimum, maximum) -> Iterator[Problem]:
    if maximum is not None and value > maximum:
        yield Problem(f"Ensure this value is less than or equal to {maximum}.", "max_value")
    if minimum is not None and value < minimum:
        yield Problem(f"Ensure this value is greater than or equal to {minimum}.", "min_value")


class Choice(Field):
    def __init__(self, choices, **options):
        super().__init__(**options)
        self.values = {str(value): value for value in choices}

    def convert(self, data: Any, *, partial: bool) -> Any:
        try:
            return self.values[str(data)]
        except KeyError:
            about = {"invalid_value": shown(data), "expected_format": None, "allowed_values": ",".join(self.values)}
            raise Invalid({(): [Problem(f'"{data}" is not a valid choice.', INVALID_CHOICE, about)]}) from None


class WholeNumber(Field):
    """A JSON integer only (DRF's IntegerField would read "30" and 30.0 as 30)."""

    def __init__(self, *, minimum: int | None = None, maximum: int | None = None, **options):
        super().__init__(**options)
        self.minimum, self.maximum = minimum, maximum

    def convert(self, data: Any, *, partial: bool) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            fail_type(data, "integer", "A valid integer is required.")
        return data

    def problems(self, value: int) -> Iterator[Problem]:
        return _bounds(value, minimum=self.minimum, maximum=self.maximum)


class DecimalNumber(Field):
    """A JSON number (never a string: BeeL answers a string for a number 400), kept as an exact Decimal of
    `decimal_places`: the number's shortest decimal form, rounded half up beyond them (12.345 -> 12.35)."""

    def __init__(self, *, decimal_places: int, minimum=None, maximum=None, **options):
        super().__init__(**options)
        self.decimal_places, self.minimum, self.maximum = decimal_places, minimum, maximum

    def convert(self, data: Any, *, partial: bool) -> decimal.Decimal:
        if isinstance(data, bool) or not isinstance(data, int | float | decimal.Decimal):
            fail_type(data, "number", "A valid number is required.")
        value = decimal.Decimal(str(data))  # str: the float's shortest form, 12.3 and not 12.2999...
        if not value.is_finite():
            fail_type(data, "number", "A valid number is required.")
        if abs(value) >= 10**9:
            return value  # far beyond any bound, which refuses it: not rounded (1e400 has no 2-place form)
        return value.quantize(decimal.Decimal(1).scaleb(-self.decimal_places), rounding=decimal.ROUND_HALF_UP)

    def problems(self, value: decimal.Decimal) -> Iterator[Problem]:
        return _bounds(value, minimum=self.minimum, maximum=self.maximum)


class Flag(Field):
    """A JSON boolean only: BeeL answers anything else (\"yes\", 1) 400 INVALID_JSON_FORMAT."""

    def convert(self, data: Any, *, partial: bool) -> bool:
        if isinstance(data, bool):
            return data
        fail_type(data, "boolean", "Must be a valid boolean.")


class ListOf(Field):
    def __init__(self, item: Field, *, max_length: int, **options):
        super().__init__(**options)
        self.item, self.max_length = item, max_length

    def convert(self, data: Any, *, partial: bool) -> list:
        if isinstance(data, str | Mapping) or not hasattr(data, "__iter__"):
            fail_type(data, "array", f'Expected a list of items but got type "{type(data).__name__}".')
        values, errors = [], {}
        for index, item in enumerate(data):
            try:
                values.append(self.item.clean(item, partial=partial))
            except Invalid as error:
                errors.update(((str(index), *path), problems) for path, problems in error.errors.items())
        if errors:
            raise Invalid(errors)
        return values

    def problems(self, value: list) -> Iterator[Problem]:
        if len(value) > self.max_length:
            yield Problem(f"Ensure this field has no more than {self.max_length} elements.", "max_length")


class Obj(Field):
    """A JSON object of known fields. `inline`: its fields are the parent's own (DRF's source="*"), as the
    postal fields sent in `address` are the customer's columns. `partial` (a PATCH) skips what is absent,
    nested fields included."""

    def __init__(self, fields: dict[str, Field], *, inline: bool = False, ignore_unknown: bool = False, **options):
        super().__init__(**options)
        # ignore_unknown: keys it does not know are skipped, as BeeL does (a customer read can be written back).
        self.fields, self.inline, self.ignore_unknown = fields, inline, ignore_unknown

    def convert(self, data: Any, *, partial: bool) -> dict:
        if not isinstance(data, Mapping):
            message = f"Invalid data. Expected a dictionary, but got {type(data).__name__}."
            raise Invalid({("non_field_errors",): [wrong_type(data, "object", message)]})
        values, errors = {}, {}
        for name, field in self.fields.items():
            raw = data.get(name, MISSING)
            if raw is MISSING:
                if field.required and not partial:
                    errors[(name,)] = [Problem("This field is required.", "required")]
                continue
            try:
                value = field.clean(raw, partial=partial)
                value = field.then(value) if field.then else value
            except Invalid as error:
                errors.update(((name, *path), problems) for path, problems in error.errors.items())
                continue
            if isinstance(field, Obj) and field.inline:
                values.update(value)
            else:
                values[name] = value
        # As StrictFieldsMixin: these replace what the field itself said.
        errors.update(((name,), [problem]) for name, problem in self._strict_problems(data))
        if errors:
            raise Invalid(errors)
        return values

    def _strict_problems(self, data: Mapping) -> Iterator[tuple[str, Problem]]:
        for key in data:
            if key not in self.fields and not self.ignore_unknown:
                yield displayable(key), Problem("Unknown field.")
        for name, field in self.fields.items():
            value = data.get(name)
            if value is None or not field.json_string:
                continue
            coerced = isinstance(field, Text) and isinstance(value, int | float) and not isinstance(value, bool)
            if not isinstance(value, str) and not coerced:
                yield name, wrong_type(value, "string", "Must be a string.")
            elif isinstance(value, str) and isinstance(field, Text) and len(value) > field.max_length:
                # The schema counts every character, the blanks that trimming would drop included.
                yield name, Problem(f"Ensure this field has no more than {field.max_length} characters.")

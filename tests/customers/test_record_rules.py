"""The record's write rules live in customers.record; the API's write serializers only describe the body for
the OpenAPI schema. These tests hold the two descriptions together, and show the rules answering without
the HTTP layer (the CSV import and the admin call them directly)."""

import pytest
from rest_framework import serializers

from beel.errors import ErrorCode, ValidationFailed
from beel.payloads import Choice, DecimalNumber, Field, Flag, ListOf, Obj, Text, WholeNumber
from customers import batch, record, request_body
from customers.serializers import CustomerChangeSerializer, CustomerReplaceSerializer, CustomerWriteSerializer

# Which kind of record field each declared serializer field is.
KINDS = [
    (serializers.Serializer, Obj),
    (serializers.ListField, ListOf),
    (serializers.ChoiceField, Choice),
    (serializers.CharField, Text),
    (serializers.DecimalField, DecimalNumber),
    (serializers.IntegerField, WholeNumber),
    (serializers.BooleanField, Flag),
    (serializers.Field, Field),
]


def described(declared: serializers.Field) -> dict:
    kind = next(kind for drf_class, kind in KINDS if isinstance(declared, drf_class))
    shape = {"kind": kind.__name__, "required": declared.required, "null": declared.allow_null}
    if isinstance(declared, serializers.Serializer):
        shape["fields"] = {name: described(field) for name, field in declared.fields.items()}
    if isinstance(declared, serializers.ListField):
        shape |= {"max_length": declared.max_length, "item": described(declared.child)}
    if isinstance(declared, serializers.CharField):
        shape |= {"max_length": declared.max_length, "blank": declared.allow_blank, "trim": declared.trim_whitespace}
    if isinstance(declared, serializers.ChoiceField):
        shape["choices"] = sorted(declared.choices)
    if isinstance(declared, serializers.DecimalField | serializers.IntegerField):
        shape |= {"min": declared.min_value, "max": declared.max_value}
    return shape


def checked(field: Field) -> dict:
    shape = {"kind": type(field).__name__, "required": field.required, "null": field.allow_null}
    if type(field) is request_body.Metadata:  # declared as a plain Field with its own schema
        shape["kind"] = "Field"
    if isinstance(field, Obj):
        shape["fields"] = {name: checked(child) for name, child in field.fields.items()}
    if isinstance(field, ListOf):
        shape |= {"max_length": field.max_length, "item": checked(field.item)}
    if isinstance(field, Text):
        shape |= {"max_length": field.max_length, "blank": field.allow_blank, "trim": field.trim}
    if isinstance(field, Choice):
        shape["choices"] = sorted(field.values)
    if isinstance(field, DecimalNumber | WholeNumber):
        shape |= {"min": field.minimum, "max": field.maximum}
    return shape


@pytest.mark.parametrize(
    ("serializer", "rules"),
    [
        (CustomerWriteSerializer, request_body.RECORD),
        (CustomerChangeSerializer, request_body.CHANGES),
        (CustomerReplaceSerializer, request_body.CHANGES),
    ],
)
def test_the_schema_describes_the_body_the_record_rules_check(serializer, rules):
    declared = {name: described(field) for name, field in serializer().fields.items()}
    assert declared == checked(rules)["fields"]


def test_an_import_row_is_checked_by_the_record_rules_alone():
    rows = [
        {"legal_name": "Acme SL", "nif": "b-1234567 4", "email": " INFO@ACME.ES "},
        {"legal_name": "Acme SL"},
        {"legal_name": "Acme SL", "alternative_id": {"type": "02", "number": "123", "country_code": "ES"}},
    ]

    valid, without_identity, broken_aeat_rule = batch.validate_import_rows(rows)

    assert valid["nif"] == "B12345674"
    assert valid["email"] == "info@acme.es"
    assert isinstance(without_identity, ValidationFailed)
    assert "nif" in without_identity.details
    # An import reports any refusal as an ERROR row; the API answers this one 422.
    assert isinstance(broken_aeat_rule, ValidationFailed)
    assert batch.validate_bulk_items([rows[2]])[0].code == ErrorCode.ALTERNATIVE_ID_SPAIN_INVALID_TYPE


def test_a_refusal_names_every_field_by_its_path_in_the_body():
    # An unknown key ("planet") is ignored, as BeeL ignores it.
    body = {"legal_name": "", "address": {"city": 5, "planet": "Mars"}, "billing_emails": ["a@b.es", "nope"]}

    with pytest.raises(ValidationFailed) as refused:
        record.validated_record(body)

    # `city: 5` is read as the text "5" (BeeL coerces a JSON number sent for a string).
    assert refused.value.details == {
        "legal_name": "This field may not be blank.",
        "billing_emails.1": "Enter a valid email address.",
        "nif": record.IDENTITY_REQUIRED,
    }

import codecs
import json

from django.conf import settings
from rest_framework.parsers import JSONParser

from beel.errors import InvalidJsonFormat

# How much of a body that is not JSON is echoed back in `details.invalid_value`.
_ECHOED_CHARACTERS = 100


class DuplicateKey(ValueError):
    pass


def _refuse_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    result = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKey(key)
        result[key] = value
    return result


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def not_json(reason: str, text: str) -> InvalidJsonFormat:
    """BeeL's 400 INVALID_JSON_FORMAT for a body that does not parse: `details` is a FieldDeserializationError
    naming the body."""
    return InvalidJsonFormat(
        f"JSON parse error - {reason}",
        details={"field": "body", "invalid_value": text[:_ECHOED_CHARACTERS], "expected_format": "JSON"},
    )


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, made strict where it is lenient: a key given twice in one object
    (`{"nif": "bad", "nif": "12345678Z"}`) is refused rather than the last one silently winning, NaN and
    Infinity are refused, and a body nested too deeply for Python's parser (a RecursionError, which DRF does
    not catch) is answered as the malformed request it is."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        text = ""
        try:
            text = codecs.getreader(encoding)(stream).read()
            return json.loads(text, object_pairs_hook=_refuse_duplicate_keys, parse_constant=_refuse_constant)
        except DuplicateKey as duplicate:
            raise not_json(f"the key {str(duplicate)!r} appears twice in one object", text) from None
        except RecursionError:
            raise not_json("the body is nested too deeply", text) from None
        except ValueError as error:  # UnicodeDecodeError included
            raise not_json(str(error), text) from None

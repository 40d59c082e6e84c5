import codecs
import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


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


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, made strict where it is lenient: a key given twice in one object
    (`{"nif": "bad", "nif": "12345678Z"}`) is refused rather than the last one silently winning, NaN and
    Infinity are refused, and a body nested too deeply for Python's parser (a RecursionError, which DRF does
    not catch) is answered as the malformed request it is."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            return json.loads(text, object_pairs_hook=_refuse_duplicate_keys, parse_constant=_refuse_constant)
        except DuplicateKey as duplicate:
            raise ParseError(f"JSON parse error - the key {str(duplicate)!r} appears twice in one object") from None
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply") from None
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from None

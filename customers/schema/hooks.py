"""drf-spectacular post-processing for the customer record's bodies."""

# The record's request bodies and their nested objects (customers.request_body): BeeL ignores a property it
# does not define, so a customer read with GET (with beel's extensions) can be written back as it is.
# Every other request body of the API refuses unknown fields (beel.api.schema.wrap_in_envelope says so).
RECORD_REQUEST_COMPONENTS = (
    "CustomerWriteRequest",
    "CustomerReplaceRequest",
    "PatchedCustomerChangeRequest",
    "AddressRequest",
    "AlternativeIdRequest",
    "PaymentMethodRequest",
)


_EMPTY_TEXT = {"type": "string", "maxLength": 0}


def unknown_fields_ignored(result, generator, request, public):
    schemas = result.get("components", {}).get("schemas", {})
    for name in RECORD_REQUEST_COMPONENTS:
        if name in schemas:
            schemas[name]["additionalProperties"] = True
            for prop in schemas[name].get("properties", {}).values():
                _one_way_to_be_empty(prop)
    return result


def _one_way_to_be_empty(prop: dict) -> None:
    """drf-spectacular offers a blank-allowed text with a pattern as `oneOf: [pattern, maxLength 0]`; where the
    pattern itself takes "" (the website's `^(https?://.+|)$`, as BeeL writes it), "" matches both branches,
    which `oneOf` forbids: the pattern alone says it."""
    branches = prop.get("oneOf")
    if not branches or _EMPTY_TEXT not in branches or len(branches) != 2:
        return
    (pattern,) = [branch for branch in branches if branch != _EMPTY_TEXT]
    if pattern.get("pattern", "").endswith("|)$"):
        del prop["oneOf"]
        prop.update(pattern)

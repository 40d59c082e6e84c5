from beel.errors import ValidationFailed

_FLAGS = {"true": True, "1": True, "false": False, "0": False}


def parse_flag(query_params, name: str, default: bool = False) -> bool:
    """A boolean query parameter: true/false (or 1/0); anything else is a 400 naming it."""
    raw = query_params.get(name)
    if raw is None:
        return default
    try:
        return _FLAGS[raw.strip().lower()]
    except KeyError:
        raise ValidationFailed(details={name: f"{name} must be true or false."}) from None

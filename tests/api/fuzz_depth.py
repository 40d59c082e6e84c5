"""How hard the schema fuzzers search. CI asks for the deep search (.ci/run sets BEEL_FUZZ_DEPTH=deep); a
newcomer's `uv run pytest` gets a shallow one, which still sends every operation its schema examples and its
coverage cases and some generated requests, in a fraction of the time."""

import os

DEPTHS = ("shallow", "deep")


def fuzz_depth(*, deep: int, shallow: int) -> int:
    depth = os.environ.get("BEEL_FUZZ_DEPTH", "shallow")
    if depth not in DEPTHS:
        raise ValueError(f"BEEL_FUZZ_DEPTH must be one of {', '.join(DEPTHS)}, not {depth!r}")
    return deep if depth == "deep" else shallow

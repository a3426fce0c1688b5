"""Key paths of a scenario: ``"network.cohorts[0].length_km"`` split into keys and indexes."""

from __future__ import annotations


def split_path(dotted: str) -> list[str | int]:
    """``"a.b[1].c"`` -> ``["a", "b", 1, "c"]``."""
    parts: list[str | int] = []
    for chunk in dotted.split("."):
        while "[" in chunk:
            head, _, rest = chunk.partition("[")
            if head:
                parts.append(head)
            idx, _, chunk = rest.partition("]")
            parts.append(int(idx))
        if chunk:
            parts.append(chunk)
    return parts

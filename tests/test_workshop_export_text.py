"""The readable text of a workshop's hand-over (``cahier.txt`` of ``regie-sim workshop export``):
its heading line as people read it, in French and English."""

from __future__ import annotations

from typing import Any

import pytest

from sim.workshop.export import _readable


def _data(rounds: int) -> dict[str, Any]:
    session = {
        "code": "NKXKA4",
        "regime": "commons",
        "rounds": rounds,
        "created": "2026-12-05T00:13:03.962+00:00",
        "service": "electricity",
    }
    return {"session": session, "participants": [], "decisions": [], "comments": [], "variants": []}


@pytest.mark.parametrize(
    ("lang", "rounds", "expected"),
    [
        ("fr", 1, "Communs (comité décisionnel) · 1 tour · créé le 2026-12-05 00:13 UTC"),
        ("fr", 3, "Communs (comité décisionnel) · 3 tours · créé le 2026-12-05 00:13 UTC"),
        ("en", 1, "Commons (deciding committee) · 1 round · created 2026-12-05 00:13 UTC"),
        ("en", 2, "Commons (deciding committee) · 2 rounds · created 2026-12-05 00:13 UTC"),
    ],
)
def test_the_heading_says_one_round_and_a_readable_date(lang: str, rounds: int, expected: str) -> None:
    """A one-round workshop read « 1 tours · créé le 2026-12-05T00:13:03.962+00:00 »."""
    assert _readable(_data(rounds), lang).splitlines()[1] == expected

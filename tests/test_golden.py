"""Golden regression: the shipped scenarios' full output tables, unchanged to 1e-9.

The tables live in ``tests/golden/`` and are regenerated only on purpose with
``python tests/golden/make_golden.py`` (the commit says what moved and why). A refactor that changes
any figure of any table fails here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))
import make_golden  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("name", "seed"), make_golden.cases(), ids=lambda v: str(v))
def test_tables_unchanged(name: str, seed: int) -> None:
    fresh = make_golden.run_tables(name, seed)
    problems = []
    for table in make_golden.TABLES:
        stored = make_golden.read(name, seed, table)
        problems += [f"{table}: {p}" for p in make_golden.differences(stored, fresh[table])]
    assert not problems, "\n".join(problems)


def test_the_comparison_can_fail() -> None:
    """The comparison sees a change of 1e-6 in one figure (the net is not a no-op)."""
    stored = make_golden.read("regie", 1, "years")
    moved = stored.copy()
    col = next(c for c in moved.columns if moved[c].dtype.kind == "f")
    moved.loc[3, col] = moved.loc[3, col] * (1 + 1e-6) + 1e-6
    assert make_golden.differences(stored, moved)
    assert not make_golden.differences(stored, stored)

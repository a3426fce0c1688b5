"""Defaults that follow a published figure move when the figure does (water.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import Scenario, load_scenario

LIVRET_A_PCT = 1.7  # water.md §5: Livret A rate from 1 August 2025
AQUA_PRET_SPREAD_PCT = 0.4  # water.md §5: Aqua Prêt = Livret A + 0.4 %
SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@pytest.mark.parametrize("name", [None, "town", "regie", "commons"])
def test_public_loans_cost_the_current_aqua_pret_rate(name: str | None) -> None:
    s = Scenario() if name is None else load_scenario(SCENARIOS / f"{name}.yaml")
    assert s.finance.interest_rate_pct == pytest.approx(LIVRET_A_PCT + AQUA_PRET_SPREAD_PCT)

"""The ONPE energy-effort indicator (electricity.md §4.1) against a hand-made town."""

from __future__ import annotations

import pytest

from sim.electricity.poverty import BOARDMAN_THRESHOLD_PCT, energy_poverty_pct

# ten households, one per decile, each with an income of 10,000 €
INCOME = [10_000.0] * 10
DECILE = list(range(1, 11))
# spending: 900 € (9 %) in deciles 1, 2 and 5; 850 € (8.5 %) in decile 3; 700 € elsewhere
SPEND = [900.0, 900.0, 850.0, 700.0, 900.0, 700.0, 700.0, 700.0, 700.0, 700.0]


def test_onpe_counts_the_three_lowest_deciles_above_8_pct() -> None:
    """Deciles 1, 2, 3 are above 8 %; decile 5 is too but is not among the lowest three: 3 of 10."""
    assert energy_poverty_pct(SPEND, INCOME, DECILE) == pytest.approx(30.0)


def test_the_10_pct_variant_and_without_the_income_condition() -> None:
    assert energy_poverty_pct(SPEND, INCOME, DECILE, threshold_pct=BOARDMAN_THRESHOLD_PCT) == 0.0
    assert energy_poverty_pct(SPEND, INCOME, DECILE, lowest_deciles=None) == pytest.approx(40.0)


def test_exactly_8_pct_is_not_above() -> None:
    assert energy_poverty_pct([800.0], [10_000.0], [1]) == 0.0


def test_inputs_are_checked() -> None:
    with pytest.raises(ValueError):
        energy_poverty_pct([1.0], [0.0], [1])
    with pytest.raises(ValueError):
        energy_poverty_pct([1.0, 2.0], [1.0], [1])

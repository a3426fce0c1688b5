"""The ONPE energy-effort indicator (electricity.md §4.1) against a hand-made town."""

from __future__ import annotations

import numpy as np
import pytest

from sim.electricity.poverty import BOARDMAN_THRESHOLD_PCT, energy_poverty_pct, other_heating_spending_eur

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


# --------------------------------------------------------------------------------------------
# heating energy other than electricity (the ONPE counts all housing energy, §4.1)
# --------------------------------------------------------------------------------------------


def test_other_heating_spending_is_need_over_efficiency_times_price() -> None:
    """3,000 kWh of need at 0.12 €/kWh with a boiler of 0.8: 3,750 kWh bought, 450 €; a year 10 %
    colder (weather factor 1.1): 4,125 kWh, 495 €."""
    assert other_heating_spending_eur(3_000.0, 0.12, 0.8) == pytest.approx(450.0)
    assert other_heating_spending_eur(3_000.0, 0.12, 0.8, weather_factor=1.1) == pytest.approx(495.0)
    out = other_heating_spending_eur([0.0, 2_000.0], 0.10, 0.5)
    assert out == pytest.approx([0.0, 400.0])
    for bad in ((1.0, -0.1, 0.8), (1.0, 0.1, 0.0), (1.0, 0.1, 0.8, -1.0)):
        with pytest.raises(ValueError):
            other_heating_spending_eur(*bad)


def test_a_household_heated_by_gas_is_counted_with_its_heating_fuel() -> None:
    """Four households of decile 1, income 10,000 € (threshold 800 €):

    - heated by electricity, bill 750 € (7.5 %): not counted;
    - gas, bill 500 €, need 1,000 kWh: 150 € of gas, 650 € (6.5 %): not counted;
    - gas, bill 500 €, need 2,400 kWh: 360 € of gas, 860 € (8.6 %): counted;
    - gas, bill 600 €, need 2,000 kWh: 300 € of gas, 900 € (9 %): counted, and still after a
      chèque énergie of 48 € (852 €, 8.52 %), while its bill alone (6 %) never was.

    2 of 4 households (50 %); on the electricity bills alone, none. At the 10 % threshold, none.
    """
    bills = np.array([750.0, 500.0, 500.0, 600.0])
    need = np.array([0.0, 1_000.0, 2_400.0, 2_000.0])
    other = other_heating_spending_eur(need, 0.12, 0.8)
    assert other == pytest.approx([0.0, 150.0, 360.0, 300.0])
    income, decile = [10_000.0] * 4, [1] * 4
    assert energy_poverty_pct(bills + other, income, decile) == pytest.approx(50.0)
    assert energy_poverty_pct(bills, income, decile) == 0.0
    assert energy_poverty_pct(bills + other, income, decile, threshold_pct=BOARDMAN_THRESHOLD_PCT) == 0.0
    cheque = np.array([0.0, 0.0, 48.0, 48.0])
    assert energy_poverty_pct(np.maximum(bills + other - cheque, 0.0), income, decile) == pytest.approx(50.0)

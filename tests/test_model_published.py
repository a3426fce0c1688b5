"""The base town reproduces published French figures (shared/reference/water.md).

``scenarios/town.yaml`` over its first five years, the mean of five seeds, must land in the
published bands. Each assertion names its source; a failure means either the model or the base
town drifted away from what the French observatory (SISPEA) reports.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from strategies import BASE_TOWN

from sim import load_scenario, simulate

SEEDS = range(1, 6)


@pytest.fixture(scope="module")
def first_five_years() -> pd.DataFrame:
    """Yearly indicators of the base town, years 1-5, averaged over five seeds."""
    s = load_scenario(BASE_TOWN, {"horizon_years": 5})
    runs = [simulate(s, seed=k).years for k in SEEDS]
    assert all(len(y) == 5 for y in runs)
    return pd.concat(runs).groupby("year").mean(numeric_only=True)


def mean(y: pd.DataFrame, col: str) -> float:
    return float(np.mean(y[col]))


def test_network_yield(first_five_years) -> None:
    v = mean(first_five_years, "yield_pct")
    assert 75.0 <= v <= 85.0, (
        f"yield P104.3 {v:.1f} % outside 75-85 %: water.md §1.2 reports ~80 % nationally since "
        "2015 (79.9 % in 2016, 81 % in 2022) and 75 % for towns above 10,000 inhabitants"
    )


def test_domestic_consumption(first_five_years) -> None:
    v = mean(first_five_years, "consumption_l_per_person_day")
    assert 130.0 <= v <= 160.0, (
        f"domestic consumption {v:.0f} L/person/day outside 130-160: water.md §1.7 reports 146 "
        "L/person/day (SDES/OFB, 2017 data), 145 in 2012 and 151 in 2008"
    )


def test_price_of_120_m3(first_five_years) -> None:
    v = mean(first_five_years, "price_120m3_eur_per_m3")
    assert 1.60 <= v <= 2.80, (
        f"D102.0 water-only price {v:.2f} € TTC/m3 outside 1.60-2.80: water.md §1.1 reports a "
        "national mean of 2.21 € (1 Jan 2023) and 1.60-2.74 € for 80 % of the population (2021)"
    )


def test_renewal_rate(first_five_years) -> None:
    v = mean(first_five_years, "renewal_rate_pct")
    assert 0.4 <= v <= 0.8, (
        f"renewal rate P107.2 {v:.2f} %/yr outside 0.4-0.8: water.md §1.4 reports ~0.6 %/yr "
        "(0.55 % in 2011, ~0.59 % for 2016 data)"
    )


def test_unpaid_rate(first_five_years) -> None:
    v = mean(first_five_years, "unpaid_rate_pct")
    assert 0.5 <= v <= 2.5, (
        f"unpaid rate P154.0 {v:.2f} % outside 0.5-2.5: water.md §1.5 reports 1.0 % (2015) and "
        "1.6 % (2016) for drinking water"
    )


def test_summary_reports_the_same_first_five_years() -> None:
    """The headline figures (sim.measure.summary.summarise) are the first-five-year means of the table."""
    res = simulate(load_scenario(BASE_TOWN, {"horizon_years": 5}), seed=1)
    y = res.years
    for key, col in (
        ("yield_pct_first5", "yield_pct"),
        ("consumption_l_per_person_day_first5", "consumption_l_per_person_day"),
        ("renewal_rate_pct_first5", "renewal_rate_pct"),
        ("unpaid_rate_pct_first5", "unpaid_rate_pct"),
    ):
        assert res.summary[key] == pytest.approx(float(y[col].mean()), rel=1e-12), key

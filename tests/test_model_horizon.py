"""The first N years of a run do not depend on its length (common random numbers, issue 15).

Every stream draws per year (weather, inflation and index paths) or per month (breaks), in time
order, so a 10-year and a 30-year run on one seed share their first 10 years exactly: the same
weather, the same failures, the same prices.
"""

from __future__ import annotations

import pandas as pd
import pytest
from strategies import small_town

from sim import simulate, with_changes


@pytest.mark.parametrize("regime", ["concession", "regie", "commons"])
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_the_first_years_do_not_depend_on_the_horizon(regime: str) -> None:
    town = with_changes(small_town(households=1500, years=10), {"governance.regime": regime})
    short = simulate(town, seed=5)
    long = simulate(with_changes(town, {"horizon_years": 25}), seed=5)
    n = len(short.years)
    pd.testing.assert_frame_equal(short.years, long.years.head(n), check_exact=True)
    pd.testing.assert_frame_equal(short.periods, long.periods.head(len(short.periods)), check_exact=True)
    breaks_short = short.events[short.events["kind"] == "break"].reset_index(drop=True)
    in_window = long.events[
        (long.events["kind"] == "break") & (long.events["end_h"] <= short.events["end_h"].max())
    ]
    assert len(breaks_short) == len(in_window.reset_index(drop=True))

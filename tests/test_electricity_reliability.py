"""Reliability indices (IEEE 1366, electricity.md §2.1) against hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import scale_town, simulate, with_changes
from sim.electricity.reliability import (
    daily_saidi_min,
    indices,
    indices_without_major_events,
    major_event_threshold,
)
from sim.experiments.run import engine_for
from sim.scenario.model import load_scenario


def test_indices_by_hand() -> None:
    """1,000 customers served; cuts of 100 customers × 60 min, 50 × 2 min (short: not counted) and
    200 × 30 min. SAIFI = 300/1000; SAIDI = (6,000 + 6,000)/1000 = 12 min; CAIDI = 12/0.3 = 40 min."""
    saifi, saidi, caidi = indices([100, 50, 200], [60, 2, 30], 1000)
    assert saifi == pytest.approx(0.3)
    assert saidi == pytest.approx(12.0)
    assert caidi == pytest.approx(40.0)


def test_denominator_is_customers_served_not_interrupted() -> None:
    """The common mistake (electricity.md §2.1): doubling the customers served halves SAIFI and
    SAIDI and leaves CAIDI unchanged."""
    a = indices([100, 200], [60, 30], 1000)
    b = indices([100, 200], [60, 30], 2000)
    assert (b.saifi, b.saidi_min) == pytest.approx((a.saifi / 2, a.saidi_min / 2))
    assert b.caidi_min == pytest.approx(a.caidi_min)


def test_french_threshold_is_more_than_3_minutes() -> None:
    assert indices([10], [3.0], 100).saifi == 0.0  # exactly 3 min is a short cut
    assert indices([10], [3.01], 100).saifi == pytest.approx(0.1)
    # the IEEE 5-minute threshold as a parameter
    assert indices([10], [4.0], 100, threshold_min=5.0).saifi == 0.0


def test_no_interruption_gives_zero_and_nan_caidi() -> None:
    out = indices([], [], 100)
    assert (out.saifi, out.saidi_min) == (0.0, 0.0)
    assert math.isnan(out.caidi_min)


def test_enedis_2022_caidi_like_figure() -> None:
    """electricity.md §2.2: critère B 59.5 min and F-BT 1.91 cuts per customer give CAIDI ≈ 31 min."""
    served = 1_000_000
    out = indices([1.91 * served], [59.5 / 1.91], served)
    assert out.saidi_min == pytest.approx(59.5)
    assert out.caidi_min == pytest.approx(31.15, abs=0.01)


def test_major_event_threshold_by_hand() -> None:
    """Days with SAIDI 1, e, e² and zeros: logs 0, 1, 2 (zeros dropped), α = 1, β = 1 (n − 1),
    T_MED = exp(1 + 2.5) = 33.115."""
    t = major_event_threshold([1.0, math.e, 0.0, math.e**2, 0.0])
    assert t == pytest.approx(math.exp(3.5))


def test_major_event_threshold_needs_two_positive_days() -> None:
    with pytest.raises(ValueError):
        major_event_threshold([0.0, 0.0, 4.0])


def test_daily_saidi_and_indices_without_major_events() -> None:
    """Three days, 1,000 customers: day 0 a 10-customer 60-min cut (0.6 min), day 2 a storm of
    800 customers × 600 min (480 min). With T_MED = 10 min, day 2 is a Major Event Day."""
    day = [0, 2, 2]
    n = [10, 800, 5]
    d = [60.0, 600.0, 1.0]  # the 1-min cut is short, on any day
    daily = daily_saidi_min(day, n, d, 1000, n_days=3)
    assert daily.tolist() == pytest.approx([0.6, 0.0, 480.0])
    with_med = indices(n, d, 1000)
    without = indices_without_major_events(day, n, d, 1000, t_med_min=10.0, n_days=3)
    assert with_med.saidi_min == pytest.approx(480.6)
    assert without.saidi_min == pytest.approx(0.6)
    assert without.saifi == pytest.approx(0.01)


def test_med_threshold_on_a_lognormal_history() -> None:
    """On lognormal daily SAIDI, T_MED is the 2.5β quantile: about 0.6 % of days exceed it."""
    rng = np.random.default_rng(4)
    days = rng.lognormal(mean=-1.0, sigma=1.2, size=5 * 365)
    t = major_event_threshold(days)
    assert t == pytest.approx(math.exp(-1.0 + 2.5 * 1.2), rel=0.15)
    assert (days > t).mean() < 0.02


def test_a_run_sets_each_years_major_event_threshold_from_the_five_previous_years() -> None:
    """IEEE 1366 Annex B: T_MED from the daily SAIDI of the five previous years, applied to the
    next one (the opening year, with no history, from its own days). Recomputed here from the run's
    own cut records, year by year, for SAIFI, SAIDI and CAIDI without major events; the storm year
    loses its storm day, and the year after it keeps its days (the storm raised the threshold)."""
    storm = scale_town(load_scenario("scenarios/electricity/storm.yaml"), 3_000)
    s = with_changes(storm, {"horizon_years": 6})
    res = simulate(s, seed=1)
    starts = engine_for(s, 1).month_start_h[::12]
    ev = res.events
    ev = ev[ev["kind"].isin(["incident", "storm"])]
    n = s.households.count
    dailies = []
    for y, row in res.years.reset_index(drop=True).iterrows():
        e = ev[(ev["time_h"] >= starts[y]) & (ev["time_h"] < starts[y] + 365 * 24)]
        day = np.round((e["time_h"].to_numpy() - starts[y]) / 24.0).astype(np.int64)
        cust, minutes = e["customers"].to_numpy(float), e["duration_min"].to_numpy(float)
        daily = daily_saidi_min(day, cust, minutes, n, 365)
        t_med = major_event_threshold(np.concatenate(dailies[-5:] or [daily]))
        want = indices_without_major_events(day, cust, minutes, n, t_med, 365)
        assert row["saidi_excl_med_min"] == pytest.approx(want.saidi_min, rel=1e-9)
        assert row["saifi_excl_med"] == pytest.approx(want.saifi, rel=1e-9)
        assert row["caidi_excl_med_min"] == pytest.approx(want.caidi_min, rel=1e-9)
        dailies.append(daily)
    y = res.years.set_index("year")
    assert y.loc[2028, "saidi_min"] > 5 * y.loc[2028, "saidi_excl_med_min"]  # the storm is a major event
    assert y.loc[2029, "saidi_excl_med_min"] == y.loc[2029, "saidi_min"]

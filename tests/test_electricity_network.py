"""Interruptions as records (sim.electricity.network): Ciarán's published restoration curve, storms
as events not households, and the default town in the national reliability bands (electricity.md §2)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.electricity.network import (
    CIARAN_CUT,
    ciaran_mean_cut_h,
    ciaran_remaining_share,
    storm_records,
    year_interruptions,
)
from sim.electricity.reliability import indices, major_event_threshold
from sim.scenario.electricity import ElectricityNetwork
from sim.scenario.model import load_scenario

NET = ElectricityNetwork()


def test_ciaran_curve_passes_through_the_published_points() -> None:
    """§2.3: 1.2 M cut at 07:00 on 2 Nov 2023; 523,000 at 24.5 h; 257,000 at 53.5 h; 44,200 at 132 h."""
    assert ciaran_remaining_share(0.0) == 1.0
    assert ciaran_remaining_share(24.5) == pytest.approx(523_000 / 1_200_000)
    assert ciaran_remaining_share(53.5) == pytest.approx(257_000 / 1_200_000)
    assert ciaran_remaining_share(132.0) == pytest.approx(44_200 / 1_200_000)
    # "78 % restored at 08:00 on 4 Nov" (49 h): between the 36 h and 53.5 h points
    assert 1 - ciaran_remaining_share(49.0) == pytest.approx(0.78, abs=0.02)


def test_storm_records_integrate_the_curve_exactly() -> None:
    n, d = storm_records(10_000, restoration_scale=1.0)
    assert n.sum() == pytest.approx(10_000)
    assert (n * d).sum() / n.sum() == pytest.approx(ciaran_mean_cut_h() * 60)
    assert len(n) == len(CIARAN_CUT) - 1  # a dozen records, not 10,000
    # half the restoration time, half the cut minutes
    n2, d2 = storm_records(10_000, restoration_scale=0.5)
    assert (n2 * d2).sum() == pytest.approx((n * d).sum() / 2)


def test_a_storm_cutting_10000_customers_costs_records_not_households() -> None:
    net = ElectricityNetwork(storms_per_year=1.0, incidents_saifi=0.0, underground_share=0.0)
    rng = np.random.default_rng(3)
    small = year_interruptions(net, 1_000, rng)
    big = year_interruptions(net, 100_000, np.random.default_rng(3))
    assert len(small.customers) == len(big.customers)  # same draws, same number of records
    assert big.customers.sum() == pytest.approx(100 * small.customers.sum())


def _years(net: ElectricityNetwork, n_years: int, seed: int = 1) -> list:
    rng = np.random.default_rng(seed)
    return [year_interruptions(net, 20_000, rng) for _ in range(n_years)]


def test_default_town_is_in_the_critere_b_band() -> None:
    """§2.2: critère B (all causes, per LV customer) 56 min (2021), 59.5 (2022), 72.9 (2023);
    F-BT 1.91 (2022) and 1.09-1.39 (2004-2006). The mean over 1,000 simulated years lands in
    56-73 min and 1.1-1.9 cuts; storms add about the 14.4 min climatic part."""
    years = _years(load_scenario("scenarios/electricity/town.yaml").network, 1_000)
    ind = [indices(y.customers, y.duration_min, 20_000) for y in years]
    saidi = np.mean([i.saidi_min for i in ind])
    saifi = np.mean([i.saifi for i in ind])
    storm = np.mean([indices(y.customers[y.storm], y.duration_min[y.storm], 20_000).saidi_min for y in years])
    assert 56 <= saidi <= 73
    assert 1.1 <= saifi <= 1.9
    assert storm == pytest.approx(14.4, rel=0.25)


def test_undergrounding_lowers_storm_minutes_on_the_same_luck() -> None:
    low = ElectricityNetwork(underground_share=0.3)
    high = ElectricityNetwork(underground_share=0.9)
    a = sum(indices(y.customers, y.duration_min, 20_000).saidi_min for y in _years(low, 200))
    b = sum(indices(y.customers, y.duration_min, 20_000).saidi_min for y in _years(high, 200))
    assert b < a


def test_compensation_is_owed_only_for_storm_cuts_over_5_hours() -> None:
    """Ordinary cuts (mean 31 min) almost never reach 5 h; a storm's long tail does, and the
    operator pays 2 € per kVA and 5-hour tranche (§2.3)."""
    net = ElectricityNetwork(storms_per_year=0.0)
    calm = sum(y.compensation_eur_ht(7.2) for y in _years(net, 50))
    stormy = sum(y.compensation_eur_ht(7.2) for y in _years(ElectricityNetwork(storms_per_year=1.0), 50))
    assert calm < 0.01 * stormy
    one = year_interruptions(
        ElectricityNetwork(storms_per_year=50.0, incidents_saifi=0.0), 1_000, np.random.default_rng(0)
    )
    by_hand = sum(
        n * (2.0 * 6 * min(np.floor(d / 300), 40) if d > 300 else 0.0)
        for n, d in zip(one.customers, one.duration_min, strict=True)
    )
    assert one.compensation_eur_ht(6) == pytest.approx(by_hand)


def test_storm_days_are_major_event_days() -> None:
    """Five years of daily SAIDI: the 2.5β threshold flags the storm days, not ordinary ones."""
    net = ElectricityNetwork(storms_per_year=1.0)
    daily = np.zeros(5 * 365)
    storm_days = set()
    for k, y in enumerate(_years(net, 5, seed=7)):
        np.add.at(daily, k * 365 + y.day, y.customers * y.duration_min / 20_000)
        storm_days |= {k * 365 + int(d) for d in y.day[y.storm]}
    t = major_event_threshold(daily)
    flagged = set(np.flatnonzero(daily > t).tolist())
    assert storm_days and flagged == storm_days

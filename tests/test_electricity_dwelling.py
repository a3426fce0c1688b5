"""Electricity households live in a flat or a house (issue 12): drawn by size without moving any
other draw, a house needing ``house_heating_factor`` times a flat's heat for the same household,
the reference's two published cases (one person in a flat, four in a house, electricity.md §3.1)
kept exact, and the town's mean use in the CRE's 4.4 MWh band."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim.core.households import draw_households
from sim.core.rng import streams
from sim.electricity.demand import SIZES, annual_kwh, heating_kwh, mean_annual_kwh
from sim.electricity.households import build_electricity_population
from sim.experiments.run import engine_for
from sim.scenario.electricity import ElectricityHouseholds, ElectricityScenario
from sim.scenario.errors import ScenarioError
from sim.scenario.model import load_scenario, loads_scenario, scale_town, with_changes

TOWN = "scenarios/electricity/town.yaml"
ELEC = ("electricity",)


def households(**changes: Any) -> ElectricityHouseholds:
    s = with_changes(load_scenario(TOWN), {f"households.{k}": v for k, v in changes.items()})
    assert isinstance(s, ElectricityScenario)
    return s.households


def test_the_published_cases_stay_exact_for_every_factor() -> None:
    """4,200 kWh for one person in an electrically heated flat, 9,000 for four in a house (§3.1), to
    the last bit, and the uses apart from heating 2,200 and 3,700 whatever the dwelling."""
    for factor in (1.0, 1.2, 1.5, 2.0, 2.5):
        hh = households(house_heating_factor=factor)
        assert annual_kwh(hh, 1, True, False) == 4_200.0
        assert annual_kwh(hh, 4, True, True) == 9_000.0
        other = annual_kwh(hh, [1, 1, 4, 4], False, [False, True, False, True])
        assert other.tolist() == [2200, 2200, 3700, 3700]


def test_a_house_needs_the_factor_times_a_flats_heat() -> None:
    hh = households()
    np.testing.assert_allclose(
        heating_kwh(hh, SIZES, True), hh.house_heating_factor * heating_kwh(hh, SIZES, False), rtol=1e-12
    )
    assert (np.diff(heating_kwh(hh, SIZES, False)) > 0).all()  # a larger household heats more


def test_a_factor_of_one_is_the_size_slope_of_before() -> None:
    """With no dwelling effect the heating is linear between the published cases, as before the
    dwelling existed (2,000 kWh for one person, 1,100 more per person, §3.1)."""
    hh = households(house_heating_factor=1.0)
    for house in (False, True):
        np.testing.assert_allclose(heating_kwh(hh, SIZES, house), 2_000 + 1_100 * (SIZES - 1.0), rtol=1e-12)


def test_raising_the_factor_moves_houses_against_flats_only() -> None:
    """One parameter at a time: a larger house_heating_factor raises the heat of houses against flats
    of the same size. The published cases hold it in place at both ends, so the heating per extra
    person is what gives: one-person flats and four-person houses are unchanged, houses of one to
    three persons heat more, flats of two persons or more less (part of the four-person house's
    heating is now explained by its being a house)."""
    lo, hi = households(house_heating_factor=1.2), households(house_heating_factor=1.8)
    flat_lo, flat_hi = heating_kwh(lo, SIZES, False), heating_kwh(hi, SIZES, False)
    house_lo, house_hi = heating_kwh(lo, SIZES, True), heating_kwh(hi, SIZES, True)
    assert flat_hi[0] == flat_lo[0] and house_hi[3] == house_lo[3]
    assert (house_hi[:3] > house_lo[:3]).all() and (flat_hi[1:] < flat_lo[1:]).all()
    assert (house_hi / flat_hi > house_lo / flat_lo).all()
    # on a drawn town: the same households, their houses' heating up, their flats' down
    s = scale_town(load_scenario(TOWN), 4_000)
    pops = [
        build_electricity_population(h, streams(3)["population"], s.town.start_year)
        for h in (s.households.model_copy(update={"house_heating_factor": f}) for f in (1.2, 1.8))
    ]
    np.testing.assert_array_equal(pops[0].house, pops[1].house)
    np.testing.assert_array_equal(pops[0].other_kwh_per_year, pops[1].other_kwh_per_year)
    need = [p.heating_kwh_per_year + p.other_heating_kwh_per_year for p in pops]
    house = pops[0].house
    assert need[1][house].sum() > need[0][house].sum()
    assert need[1][~house].sum() < need[0][~house].sum()


def test_the_dwelling_draw_moves_no_other_draw() -> None:
    """Deciles, incomes, sizes and heating types are the draws made before dwellings existed, and
    the next draw of the population stream (the engine's take-up of a social tariff) is unchanged."""
    s = scale_town(load_scenario(TOWN), 5_000)
    hh = s.households
    rng = streams(7)["population"]
    pop = build_electricity_population(hh, rng, s.town.start_year)
    before = streams(7)["population"]  # the draws as they were made without a dwelling
    base = draw_households(hh, before, s.town.start_year)
    electric = before.random(base.count) < hh.electric_heating_share
    np.testing.assert_array_equal(pop.decile, base.decile)
    np.testing.assert_array_equal(pop.income_eur_per_year, base.income_eur_per_year)
    np.testing.assert_array_equal(pop.persons, base.persons)
    np.testing.assert_array_equal(pop.electric_heating, electric)
    np.testing.assert_array_equal(rng.random(base.count), before.random(base.count))
    # and so in the engine: the take-up draw is the one made right after the heating type
    eng = engine_for(s, 7)
    again = streams(7)["population"]
    draw_households(hh, again, s.town.start_year)
    again.random(base.count)
    np.testing.assert_array_equal(eng.takeup_u, again.random(base.count))


def test_houses_follow_the_shares_by_size() -> None:
    s = load_scenario(TOWN)
    pop = engine_for(s, 1).pop
    shares = np.asarray(s.households.house_share_by_size)
    for size in SIZES:
        mine = pop.persons == size
        assert pop.house[mine].mean() == pytest.approx(shares[size - 1], abs=0.03)  # type: ignore[attr-defined]
    assert pop.house.mean() == pytest.approx(0.55, abs=0.02)  # type: ignore[attr-defined]
    # all flats, all houses: the heating of each household is the one of its dwelling
    for share, house in ((0.0, False), (1.0, True)):
        s2 = scale_town(with_changes(s, {"households.house_share_by_size": [share] * 5}), 2_000)
        p2 = engine_for(s2, 1).pop
        assert (p2.house == house).all()  # type: ignore[attr-defined]
        need = p2.heating_kwh_per_year + p2.other_heating_kwh_per_year  # type: ignore[attr-defined]
        np.testing.assert_array_equal(need, heating_kwh(s2.households, p2.persons, house))


def test_the_town_stays_in_the_national_band() -> None:
    """CRE: 4.4 MWh for the average residential TRVE customer (electricity.md §1.4), within 10 %,
    from the formula and from a drawn town."""
    hh = households()
    assert mean_annual_kwh(hh) == pytest.approx(4_400, rel=0.10)
    pop = engine_for(load_scenario(TOWN), 1).pop
    drawn = float((pop.other_kwh_per_year + pop.heating_kwh_per_year).mean())  # type: ignore[attr-defined]
    assert drawn == pytest.approx(mean_annual_kwh(hh), rel=0.02)


@pytest.mark.parametrize(
    ("households_yaml", "where"),
    [
        ("{house_heating_factor: 0.9}", "households.house_heating_factor"),
        ("{house_heating_factor: 2.6}", "households.house_heating_factor"),
        ("{house_heating_factor: yes}", "households.house_heating_factor"),
        ("{house_share_by_size: [0.4, 0.6, 0.6, 0.7, 1.2]}", "households.house_share_by_size"),
        ("{house_share_by_size: [0.4, 0.6, 0.6, 0.7]}", "households.house_share_by_size"),
        # 1.5 × 2,000 kWh of a one-person flat's heating is more than 2,300 for four in a house
        ("{kwh_house_4_persons_electric_heating: 6000}", "households"),
    ],
)
def test_dwelling_bounds_through_the_safe_loader(households_yaml: str, where: str) -> None:
    with pytest.raises(ScenarioError) as err:
        loads_scenario(f"service: electricity\nhouseholds: {households_yaml}\n", other_services=ELEC)
    assert where in err.value.format("en") and where in err.value.format("fr")

"""Energy poverty counts the heating energy of households heated otherwise than by electricity
(issue 12; the ONPE counts all housing energy, electricity.md §4.1): their heating need is kept,
priced and weather-driven like electric heating, and it moves the indicators only, never a bill,
the committee's affordability figures or its decisions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim import scale_town, simulate, with_changes
from sim.core.result import Result
from sim.electricity.demand import annual_kwh, heating_kwh
from sim.electricity.poverty import other_heating_spending_eur
from sim.experiments.electricity_tariff_designer import ElectricityTariffDesigner
from sim.experiments.run import engine_for
from sim.scenario.electricity import ElectricityScenario
from sim.scenario.model import load_scenario

FOLDER = "scenarios/electricity"
EP = "energy_poverty"
#: the columns the other heating may move; every other column of a run must stay identical
POVERTY_COLUMNS = [
    "energy_poverty_pct",
    "energy_poverty_10pct",
    "energy_poverty_after_cheque_pct",
    "energy_poverty_after_fund_pct",
    "other_heating_eur",
]


def town(name: str = "town", **changes: Any) -> ElectricityScenario:
    base = scale_town(load_scenario(f"{FOLDER}/{name}.yaml"), 2_000)
    out = with_changes(base, {"horizon_years": 4, **changes})
    assert isinstance(out, ElectricityScenario)
    return out


def assert_same_but_poverty(a: Result, b: Result) -> None:
    """Everything but the energy-poverty columns is identical: bills, money, the deciles' burdens
    (electricity only), the committee's decisions and their recorded effects."""
    drop = [c for c in POVERTY_COLUMNS if c in a.years]
    pd.testing.assert_frame_equal(a.years.drop(columns=drop), b.years.drop(columns=drop))
    pd.testing.assert_frame_equal(a.periods, b.periods)
    pd.testing.assert_frame_equal(a.deciles, b.deciles)
    pd.testing.assert_frame_equal(a.decisions, b.decisions)


def test_households_heated_otherwise_keep_their_heating_need() -> None:
    """The need is what the same household would use for electric heating (§3.1): the electric
    households' heating part is unchanged and the others' need is not billed."""
    pop = engine_for(town(), 1).pop
    elec = pop.electric_heating  # type: ignore[attr-defined]
    house = pop.house  # type: ignore[attr-defined]
    need = heating_kwh(town().households, pop.persons, house)
    gap = annual_kwh(town().households, pop.persons, True, house) - annual_kwh(
        town().households, pop.persons, False, house
    )
    np.testing.assert_allclose(need, gap, rtol=1e-12)
    assert 0.2 < elec.mean() < 0.6 and (need > 0).all()
    np.testing.assert_array_equal(pop.heating_kwh_per_year, np.where(elec, need, 0.0))  # type: ignore[attr-defined]
    np.testing.assert_array_equal(pop.other_heating_kwh_per_year, np.where(elec, 0.0, need))  # type: ignore[attr-defined]


def test_other_heating_follows_the_years_temperatures_as_electric_heating_does() -> None:
    """Without price response, a year's electric heating billed is the households' heating at
    normal temperatures times the year's degree-days over the normal's; the other heating bought
    is its need times the same factor, over the efficiency, at the price moved by inflation."""
    s = town(horizon_years=6, **{"households.price_elasticity": 0.0})
    pop = engine_for(s, 1).pop
    y = simulate(s, seed=1).years
    heat = float(pop.heating_kwh_per_year.sum())  # type: ignore[attr-defined]
    elec_factor = (y["kwh_billed"] - float(pop.other_kwh_per_year.sum())) / heat  # type: ignore[attr-defined]
    ep = s.energy_poverty
    normal = float(
        other_heating_spending_eur(
            pop.other_heating_kwh_per_year.sum(),  # type: ignore[attr-defined]
            ep.other_heating_price_eur_per_kwh,
            ep.other_heating_efficiency,
            need_factor=ep.other_heating_need_factor,
        )
    )
    other_factor = y["other_heating_eur"] / (normal * y["price_index"])
    np.testing.assert_allclose(other_factor, elec_factor, rtol=1e-9)
    assert other_factor.std() > 0.02  # the years differ: a colder one costs more


@pytest.fixture(scope="module")
def base() -> Result:
    """The commons (a deciding committee with a citizens' veto on affordability), six years."""
    return simulate(town("commons", horizon_years=6), seed=1)


def test_a_dearer_other_energy_raises_energy_poverty_and_changes_no_bill(base: Result) -> None:
    dear = simulate(
        town("commons", horizon_years=6, **{f"{EP}.other_heating_price_eur_per_kwh": 0.20}), seed=1
    )
    assert_same_but_poverty(base, dear)
    assert (dear.years["other_heating_eur"] > base.years["other_heating_eur"]).all()
    for col in ("energy_poverty_pct", "energy_poverty_10pct", "energy_poverty_after_cheque_pct"):
        assert (dear.years[col] >= base.years[col]).all()
        assert dear.years[col].mean() > base.years[col].mean()
    assert len(base.decisions) > 0  # the committee decided, on the same figures


def test_a_better_boiler_lowers_energy_poverty_and_changes_no_bill(base: Result) -> None:
    good = simulate(town("commons", horizon_years=6, **{f"{EP}.other_heating_efficiency": 0.95}), seed=1)
    assert_same_but_poverty(base, good)
    np.testing.assert_allclose(good.years["other_heating_eur"] * 0.95, base.years["other_heating_eur"] * 0.8)
    assert (good.years["energy_poverty_pct"] <= base.years["energy_poverty_pct"]).all()
    assert good.years["energy_poverty_pct"].mean() < base.years["energy_poverty_pct"].mean()


def test_the_need_factor_scales_the_other_heating_and_moves_only_poverty(base: Result) -> None:
    """One parameter at a time: the calibrated need factor (2.0 in the town) multiplies the other
    heating's spending exactly, moves energy poverty the same way and no bill; at 1 the need is
    the heating part of the published electric uses (§3.1), and the rate falls."""
    assert base.scenario.energy_poverty.other_heating_need_factor == 2.0  # type: ignore[attr-defined]
    same = simulate(town("commons", horizon_years=6, **{f"{EP}.other_heating_need_factor": 1.0}), seed=1)
    assert_same_but_poverty(base, same)
    np.testing.assert_allclose(same.years["other_heating_eur"] * 2.0, base.years["other_heating_eur"])
    assert (same.years["energy_poverty_pct"] <= base.years["energy_poverty_pct"]).all()
    assert same.years["energy_poverty_pct"].mean() < base.years["energy_poverty_pct"].mean() - 2.0


def test_counting_electricity_only_gives_the_bills_rate(base: Result) -> None:
    """Switched off, the indicator is the electricity bill's (the rate before issue 12's change),
    and with it on the shipped town's rate is well above its electricity-only rate."""
    off = simulate(town("commons", horizon_years=6, **{f"{EP}.count_other_heating": False}), seed=1)
    assert_same_but_poverty(base, off)
    y = off.years
    assert (y["other_heating_eur"] == 0).all()
    np.testing.assert_array_equal(y["energy_poverty_pct"], y["energy_poverty_elec_only_pct"])
    assert (base.years["energy_poverty_pct"] > base.years["energy_poverty_elec_only_pct"] + 0.5).all()


def test_the_committees_affordability_figure_is_the_electricity_bills() -> None:
    """What the committee weighs (the share above the threshold with projected bills) ignores the
    other heating: the same with it counted or not, and equal to the bills' own rate."""
    shares = []
    for count in (True, False):
        eng = engine_for(town(horizon_years=1, **{f"{EP}.count_other_heating": count}), 1)
        eng.run()
        _, bills = eng.project(eng.state.tariff, eng.state.tariff_index)
        shares.append(eng.share_above_threshold(bills))
    assert shares[0] == shares[1] > 0


def test_the_tariff_designer_counts_other_heating_at_normal_temperatures() -> None:
    s = town(horizon_years=1, **{"households.temperature_sd_c": 0.0})
    on = ElectricityTariffDesigner(s)
    off = ElectricityTariffDesigner(with_changes(s, {f"{EP}.count_other_heating": False}))  # type: ignore[arg-type]
    ep = s.energy_poverty
    pop = engine_for(s, 1).pop
    order = np.argsort(pop.decile, kind="stable")
    want = other_heating_spending_eur(
        pop.other_heating_kwh_per_year[order],  # type: ignore[attr-defined]
        ep.other_heating_price_eur_per_kwh,
        ep.other_heating_efficiency,
        need_factor=ep.other_heating_need_factor,
    )
    np.testing.assert_allclose(on.other_heating_eur, want)
    assert (off.other_heating_eur == 0).all()
    a, b = on.evaluate(s.tariff), off.evaluate(s.tariff)
    assert a.poverty_pct > b.poverty_pct and a.poverty_after_cheque_pct > b.poverty_after_cheque_pct
    assert (a.deciles["poor_pct"] >= b.deciles["poor_pct"]).all()
    pd.testing.assert_series_equal(a.deciles["bill_eur"], b.deciles["bill_eur"])

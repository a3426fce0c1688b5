"""Each household on its own tariff option (issue 12, ``households.own_option``, off by default):
under the regulated tariff a household is on HP/HC with a probability that depends on its heating
(an assumption; the town's share is EDF's 47.6 %, electricity.md §1.4) and is billed at its own TRVE
grid (HP/HC derived from the Base grid at the published ratios); under a local offer the offer's
option applies to every household. Money and energy are conserved as with one option."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim import scale_town, simulate, with_changes
from sim.core.households import draw_households
from sim.core.rng import streams
from sim.electricity import tariff as et
from sim.electricity.households import build_electricity_population, hphc_probability
from sim.experiments.run import engine_for
from sim.governance.electricity_options import hphc_offer
from sim.scenario.electricity import ElectricityScenario
from sim.scenario.errors import ScenarioError
from sim.scenario.model import load_scenario, loads_scenario

TOWN = "scenarios/electricity/town.yaml"
ON = {"households.own_option": True}


def town(households: int = 2_000, **changes: Any) -> ElectricityScenario:
    out = with_changes(scale_town(load_scenario(TOWN), households), {"horizon_years": 3, **changes})
    assert isinstance(out, ElectricityScenario)
    return out


def test_off_by_default_so_the_option_keeps_its_meaning() -> None:
    for name in ("town", "regie", "concession", "commons", "local-offer", "tempo"):
        path = f"scenarios/electricity/{name}.yaml"
        try:
            s = load_scenario(path)
        except FileNotFoundError:
            continue
        assert not s.households.own_option, path  # type: ignore[union-attr]


def test_the_option_is_drawn_after_the_dwelling_from_the_same_child() -> None:
    """The dwelling's child of the population stream gives the dwelling, then the option: the
    dwelling is the one drawn before options existed, and the stream itself does not move."""
    s = town(5_000)
    hh = s.households
    pop = build_electricity_population(hh, streams(4)["population"], s.town.start_year)
    rng = streams(4)["population"]
    base = draw_households(hh, rng, s.town.start_year)
    electric = rng.random(base.count) < hh.electric_heating_share
    (child,) = rng.spawn(1)
    house = child.random(base.count) < np.asarray(hh.house_share_by_size)[base.persons - 1]
    p_elec, p_other = hphc_probability(hh)
    hphc = child.random(base.count) < np.where(electric, p_elec, p_other)
    np.testing.assert_array_equal(pop.house, house)
    np.testing.assert_array_equal(pop.hphc, hphc)


def test_who_is_on_hphc() -> None:
    """EDF's 47.6 % over the town (§1.4), three in four of the electrically heated (assumption)."""
    s = load_scenario(TOWN)
    pop = engine_for(s, 1).pop
    hh = s.households
    assert pop.hphc.mean() == pytest.approx(hh.hphc_share, abs=0.015)  # type: ignore[attr-defined]
    elec = pop.electric_heating  # type: ignore[attr-defined]
    assert pop.hphc[elec].mean() == pytest.approx(0.75, abs=0.02)  # type: ignore[attr-defined]
    p_elec, p_other = hphc_probability(hh)
    assert hh.electric_heating_share * p_elec + (1 - hh.electric_heating_share) * p_other == pytest.approx(
        hh.hphc_share
    )
    # one parameter at a time: more of the electrically heated on HP/HC, fewer of the others
    more = hphc_probability(with_changes(s, {"households.hphc_share_electric_heating": 0.9}).households)
    assert more[0] > p_elec and more[1] < p_other
    # kept between 0 and 1 when the shares cannot be met
    assert hphc_probability(with_changes(s, {"households.hphc_share": 0.1}).households)[1] == 0.0


def test_the_hphc_grid_is_the_committees_at_the_published_ratios() -> None:
    """One derivation of HP/HC from Base (electricity.md §1.4): the households' own grid is the
    offer the committee may vote under a local offer."""
    cur = load_scenario(TOWN).tariff
    assert et.hphc_of_base(cur) == hphc_offer(cur)  # type: ignore[arg-type]


def test_each_household_is_billed_at_its_own_grid() -> None:
    """Under the regulated tariff, a Base household's bill is the Base grid's and an HP/HC
    household's the HP/HC grid's, its kWh split at hc_share_of_kwh, to the last cent."""
    s = town(**ON)
    eng = engine_for(s, 1)
    svc = eng.service
    pop = eng.pop
    tariff = s.tariff
    taxes = svc.taxes(tariff, s.town.start_year, 0)  # type: ignore[attr-defined]
    kwh = pop.other_kwh_per_year + pop.heating_kwh_per_year  # type: ignore[attr-defined]
    b = svc._bills(eng, tariff, taxes, kwh, 12, 1.0, None)  # type: ignore[attr-defined]
    on = pop.hphc  # type: ignore[attr-defined]
    assert 0.3 < on.mean() < 0.7
    hc = s.households.hc_share_of_kwh
    for mask, t in ((~on, tariff), (on, et.hphc_of_base(tariff))):
        alone = et.bill_households(
            t,
            et.prices_excl_tax(t, s.cost_stack),
            taxes,
            pop.kva[mask],  # type: ignore[attr-defined]
            kwh[mask],
            months=12,
            hc_share=hc,
        )
        np.testing.assert_allclose(b.total[mask], alone.total, rtol=1e-12)
        np.testing.assert_allclose(b.revenue[mask], alone.revenue, rtol=1e-12)
    # HP/HC costs more a year to subscribe and less a kWh: it pays off above a yearly use, so
    # nearly every electrically heated household on it pays less than on Base, and among those
    # heated otherwise (6 kVA) the gain grows with use, from a loss for the smallest users
    eng_off = engine_for(town(), 1)
    base_all = eng_off.service._bills(eng_off, tariff, taxes, kwh, 12, 1.0, None).total  # type: ignore[attr-defined]
    elec = pop.electric_heating  # type: ignore[attr-defined]
    assert (b.total[on & elec] < base_all[on & elec]).mean() > 0.9
    gain = (base_all - b.total)[on & ~elec]
    order = np.argsort(kwh[on & ~elec], kind="stable")
    assert (np.diff(gain[order]) >= -1e-9).all() and gain.min() < 0 < gain.max()
    np.testing.assert_array_equal(b.total[~on], base_all[~on])


def test_money_energy_and_deciles_hold_with_own_options() -> None:
    """Cash and energy close every month, the deciles' bills add up to the year's, with a mixed
    town (and arrears carried)."""
    s = town(**ON, **{"energy_poverty.arrears.enabled": True})
    res = simulate(s, seed=1)
    p, y, d = res.periods, res.years, res.deciles
    np.testing.assert_array_equal(
        p["cash_end_eur"], p["cash_start_eur"] + p["receipts_eur"] - p["payments_eur"]
    )
    np.testing.assert_allclose(
        p["kwh_bought"] + p["kwh_local"], p["kwh_billed"] + p["kwh_losses"], rtol=1e-12
    )
    billed = (d["households"] * d["mean_bill_eur"]).groupby(d["year"]).sum().to_numpy()
    off = simulate(town(**{"energy_poverty.arrears.enabled": True}), seed=1)
    billed_off = (off.deciles["households"] * off.deciles["mean_bill_eur"]).groupby(off.deciles["year"]).sum()
    assert not np.allclose(billed, billed_off.to_numpy(), rtol=1e-6)  # the options moved the bills
    kwh = (d["households"] * d["mean_kwh"]).groupby(d["year"]).sum().to_numpy()
    np.testing.assert_allclose(kwh, y["kwh_billed"].to_numpy(), rtol=1e-9)
    # the reference household stays on the scenario's Base option
    np.testing.assert_allclose(y["bill_ref_eur"], off.years["bill_ref_eur"], rtol=1e-12)


def test_under_a_local_offer_the_offers_option_applies_to_all() -> None:
    """The rule under a local offer: one option for every household, the one the offer (and a
    switch the committee votes) sets; own_option changes nothing there."""
    local = {"tariff.pricing": "local"}
    a = simulate(town(**local, **ON), seed=1)
    b = simulate(town(**local), seed=1)
    for name in ("years", "periods", "deciles", "decisions"):
        assert getattr(a, name).equals(getattr(b, name)), name


HPHC_TARIFF = "tariff: {option: hphc, energy_eur_per_kwh: {hp: 0.27, hc: 0.2068}}"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (f"households: {{own_option: true}}\n{HPHC_TARIFF}", "households.own_option"),
        ("households: {own_option: 3}", "households.own_option"),
        ("households: {hphc_share_electric_heating: 1.2}", "households.hphc_share_electric_heating"),
    ],
)
def test_own_option_bounds_through_the_safe_loader(text: str, where: str) -> None:
    with pytest.raises(ScenarioError) as err:
        loads_scenario(f"service: electricity\n{text}\n", other_services=("electricity",))
    assert where in err.value.format("en") and where in err.value.format("fr")

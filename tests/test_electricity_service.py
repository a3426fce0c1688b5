"""The electricity service through the core engine (issue 12): conservation, reproducibility, and
each mechanism changed one at a time, with the sign and size it should have."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest
from pandas.testing import assert_frame_equal

from sim import compare, scale_town, simulate, with_changes
from sim.core.result import Result
from sim.electricity import law
from sim.electricity import tariff as et
from sim.electricity.demand import annual_kwh
from sim.experiments.run import engine_for
from sim.measure.indicators import available
from sim.scenario.electricity import ElectricityScenario
from sim.scenario.model import load_scenario

FOLDER = "scenarios/electricity"


def town(name: str = "town", **changes: Any) -> ElectricityScenario:
    base = scale_town(load_scenario(f"{FOLDER}/{name}.yaml"), 2_000)  # costs scaled with the town
    out = with_changes(base, {"horizon_years": 6, **changes})
    assert isinstance(out, ElectricityScenario)
    return out


def run(scenario: ElectricityScenario, seed: int = 1) -> Result:
    return simulate(scenario, seed=seed)


@pytest.mark.parametrize("arrears", [False, True])
@pytest.mark.parametrize("regime", ["regie", "concession", "commons"])
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_money_and_energy_are_conserved_every_month(regime: str, arrears: bool) -> None:
    """Cash and energy close every month; with arrears carried (and a social fund), the money
    billed is paid, added to arrears, written off or paid by the fund, exactly, at every bill."""
    s = town(regime)
    if arrears:
        s = with_changes(
            s,
            {
                "energy_poverty.arrears.enabled": True,
                "energy_poverty.arrears.write_off_months": 6,
                "energy_poverty.arrears.social_fund_eur_per_year": 20_000.0,
            },
        )
        eng = engine_for(s, 1)
        eng.run()
        rows = eng.service.debt_rows  # type: ignore[attr-defined]
        assert rows and sum(r["written_off_eur"] for r in rows) > 0
        for r in rows:
            moved = r["arrears_end_eur"] - r["arrears_start_eur"]
            rhs = r["paid_eur"] + moved + r["written_off_eur"] + r["social_fund_eur"]
            assert r["billed_eur"] == pytest.approx(rhs, rel=1e-12, abs=1e-6)
    res = run(s)
    p = res.periods
    np.testing.assert_array_equal(
        p["cash_end_eur"], p["cash_start_eur"] + p["receipts_eur"] - p["payments_eur"]
    )
    np.testing.assert_array_equal(
        p["cash_start_eur"].iloc[1:].to_numpy(), p["cash_end_eur"].iloc[:-1].to_numpy()
    )
    # energy: bought + local production = billed + technical losses, every month
    np.testing.assert_allclose(
        p["kwh_bought"] + p["kwh_local"], p["kwh_billed"] + p["kwh_losses"], rtol=1e-12
    )
    np.testing.assert_allclose(p["kwh_losses"] / (p["kwh_bought"] + p["kwh_local"]), 0.06, rtol=1e-12)
    # the service's own payment line is in the ledger and in the yearly operating costs
    assert "compensation_eur" in p and (res.years["compensation_eur"] >= 0).all()


def test_a_year_of_normal_temperatures_uses_the_published_yearly_kwh() -> None:
    """With no temperature deviation and no price response, the twelve months add up to each
    household's yearly use from electricity.md §3.1 (the demand model's own conservation)."""
    s = town(**{"households.temperature_sd_c": 0.0, "households.price_elasticity": 0.0, "horizon_years": 1})
    eng = engine_for(s, 1)
    pop = eng.pop
    expected = annual_kwh(s.households, pop.persons, pop.electric_heating, pop.house).sum()  # type: ignore[attr-defined]
    eng.run()
    assert sum(m["kwh_billed"] for m in eng.months) == pytest.approx(expected, rel=1e-12)


def test_a_cold_year_raises_use_of_electric_heating_only() -> None:
    """A year two degrees below its normals (the weather draw moved by hand) adds use through the
    heating part only: households heated otherwise use the same."""

    def year_kwh(heating_share: float, colder: float) -> float:
        s = town(
            **{
                "households.price_elasticity": 0.0,
                "horizon_years": 1,
                "households.temperature_sd_c": 0.0,
                "households.electric_heating_share": heating_share,
            }
        )
        eng = engine_for(s, 1)
        eng.service.temperature -= colder  # type: ignore[attr-defined]
        eng.run()
        return float(sum(m["kwh_billed"] for m in eng.months))

    assert year_kwh(0.39, 2.0) > 1.03 * year_kwh(0.39, 0.0)  # several % more with 39 % heated
    assert year_kwh(0.0, 2.0) == pytest.approx(year_kwh(0.0, 0.0), rel=1e-12)


def test_same_seed_same_tables_and_a_longer_horizon_keeps_the_first_years() -> None:
    a, b = run(town()), run(town())
    for name in ("years", "periods", "deciles", "decisions", "events"):
        assert getattr(a, name).equals(getattr(b, name)), name
    longer = run(town(horizon_years=9))
    cols = ["kwh_billed", "saidi_min", "storms", "incidents", "price_ref_eur_per_kwh"]
    np.testing.assert_array_equal(a.years[cols].to_numpy(), longer.years[cols].head(6).to_numpy())


def test_regimes_share_weather_and_storms() -> None:
    res = {r: run(town(r, horizon_years=12), seed=5) for r in ("regie", "concession", "commons")}
    temps = [r.periods["temperature_c"].to_numpy() for r in res.values()]
    assert all(np.array_equal(temps[0], t) for t in temps[1:])
    storms = [r.years["storms"].to_numpy() for r in res.values()]
    assert all(np.array_equal(storms[0], s) for s in storms[1:])


def test_the_regulated_price_is_the_same_whatever_the_regime() -> None:
    res = {r: run(town(r, horizon_years=10)) for r in ("regie", "concession", "commons")}
    idx = [r.years["tariff_index"].to_numpy() for r in res.values()]
    assert all(np.array_equal(idx[0], i) for i in idx[1:])
    assert set(res["regie"].decisions.query("item == 'tariff'")["body"]) == {"state"}
    # what differs is who keeps the surplus: the concession's operator takes it, the régie keeps it
    assert res["regie"].years["outflow_eur"].sum() == 0.0
    assert res["concession"].years["operator_result_eur"].abs().sum() > 0.0


def test_the_regulated_price_follows_the_supply_cost() -> None:
    """A market price three times higher from 2028 raises the regulated price from 2028 (half,
    two-year smoothing) and more in 2029; the energy weight is the reference household's."""
    base = town(horizon_years=5)
    shock = with_changes(
        base, {"shocks": [{"year": y, "kind": "energy_price", "factor": 3.0} for y in (2028, 2029, 2030)]}
    )
    a, b = run(base).years, run(shock).years
    assert (a["tariff_index"].iloc[:2] == b["tariff_index"].iloc[:2]).all()
    rise28 = b["tariff_index"].iloc[2] / a["tariff_index"].iloc[2] - 1
    rise29 = b["tariff_index"].iloc[3] / a["tariff_index"].iloc[3] - 1
    assert 0.2 < rise28 < rise29 < 1.5


def test_a_dearer_market_than_the_opening_tariff_was_built_on_reaches_the_price_in_level() -> None:
    """The opening TRVE is the published grid whatever the market; a market dearer than the level
    it was built on (70 €/MWh) reaches the price from the second year, half then whole (two-year
    smoothing), by about the extra energy cost of a kWh bought with the network's losses."""
    base = town(horizon_years=4)
    dear = with_changes(base, {"supply": {"market_price_eur_per_mwh": 114.0}})
    a, b = run(base).years, run(dear).years
    assert a["tariff_index"].iloc[0] == b["tariff_index"].iloc[0] == 1.0
    eng = engine_for(base, seed=1)
    svc = eng.service
    cost = svc.supply_cost_eur_per_mwh
    extra = [cost(eng, y, 114.0) - cost(eng, y) for y in range(4)]
    # index points per €/MWh: the energy weight over the opening supply cost
    per_mwh = svc.energy_weight / svc.supply0
    for y, share in ((1, 0.5 * (extra[0] + extra[1])), (2, 0.5 * (extra[1] + extra[2]))):
        gap = b["tariff_index"].iloc[y] - a["tariff_index"].iloc[y]
        assert gap == pytest.approx(per_mwh * share, rel=1e-9)
    assert b["tariff_index"].iloc[2] - a["tariff_index"].iloc[2] > 0.15  # some 44 €/MWh on ~0.17 €/kWh HT
    # a grid built on that dearer market already holds it: the index then moves as in the base town
    same = with_changes(
        base, {"supply": {"market_price_eur_per_mwh": 114.0, "regulated_tariff_market_eur_per_mwh": 114.0}}
    )
    assert run(same).years["tariff_index"].iloc[2] == pytest.approx(a["tariff_index"].iloc[2], rel=0.02)


def test_energy_bought_forward_costs_what_the_regulated_tariff_smooths() -> None:
    """Bought forward over two years (as the TRVE's smoothing assumes), a price spike reaches the
    service's costs as it reaches its price: the energy cost is the smoothed one, and the crisis
    year's loss shrinks. Bought at the year's price (the default), the cost is the year's."""
    shocks = [{"year": 2028, "kind": "energy_price", "factor": 7.0}]
    spot = town(horizon_years=4, shocks=shocks)
    fwd = with_changes(spot, {"supply": {"forward_bought_share": 1.0}})
    half = with_changes(spot, {"supply": {"forward_bought_share": 0.5}})
    a, b, c = run(spot).years, run(fwd).years, run(half).years
    eng = engine_for(spot, seed=1)
    svc = eng.service
    for y in range(4):
        year_cost = svc.supply_cost_eur_per_mwh(eng, y)
        smooth = year_cost if y == 0 else 0.5 * (year_cost + svc.supply_cost_eur_per_mwh(eng, y - 1))
        assert a["energy_cost_eur_per_mwh"].iloc[y] == pytest.approx(year_cost, rel=1e-12)
        assert b["energy_cost_eur_per_mwh"].iloc[y] == pytest.approx(smooth, rel=1e-12)
        assert c["energy_cost_eur_per_mwh"].iloc[y] == pytest.approx(0.5 * (smooth + year_cost), rel=1e-12)
    assert (a["tariff_index"] == b["tariff_index"]).all()  # the price does not depend on how one buys
    loss = {k: float(v["reserves_eur"].diff().iloc[2]) for k, v in (("spot", a), ("fwd", b), ("half", c))}
    assert loss["spot"] < loss["half"] < loss["fwd"]


def test_a_price_shield_caps_the_rise_and_the_state_pays_the_difference() -> None:
    shocks = [{"year": y, "kind": "energy_price", "factor": 3.0} for y in (2028, 2029, 2030)]
    free = run(town(horizon_years=5, shocks=shocks))
    shielded = run(town(horizon_years=5, shocks=shocks, **{"tariff.shield_max_rise_pct": 4.0}))
    rises = shielded.years["tariff_index"].pct_change().iloc[1:]
    assert (rises <= 0.04 + 1e-12).all()
    assert free.years["tariff_index"].pct_change().iloc[2] > 0.2
    state = shielded.periods.groupby("year")["other_receipts_eur"].sum()  # the State's payment
    assert state.loc[2028] > 0 and state.loc[2026] == 0 and state.loc[2027] == 0
    said = shielded.decisions.query("item == 'tariff'")["reason"]
    assert said.str.contains("price shield").any()


def test_undergrounding_lowers_what_storms_cut() -> None:
    """Same storms (same seed); renewal at 4 %/yr puts the overhead lines underground faster: the
    customers cut by the later storms fall, and ordinary incidents thin out."""
    slow = run(
        town(horizon_years=20, **{"network.storms_per_year": 1.0, "network.renewal_rate_pct": 0.0}), seed=2
    )
    fast = run(
        town(horizon_years=20, **{"network.storms_per_year": 1.0, "network.renewal_rate_pct": 4.0}), seed=2
    )
    assert np.array_equal(slow.years["storms"], fast.years["storms"])
    assert fast.years["underground_share_pct"].iloc[-1] > slow.years["underground_share_pct"].iloc[-1] + 30
    late = slice(10, 20)
    assert fast.years["saidi_min"].iloc[late].sum() < 0.8 * slow.years["saidi_min"].iloc[late].sum()
    assert fast.years["incidents"].iloc[late].sum() < slow.years["incidents"].iloc[late].sum()
    assert fast.years["capex_eur"].sum() > slow.years["capex_eur"].sum()


def test_cuts_over_five_hours_are_compensated_by_the_turpe_rule() -> None:
    res = run(town(horizon_years=8, **{"network.storms_per_year": 2.0}), seed=3)
    ev = res.events
    long_cuts = ev[ev["duration_min"] > 300]
    assert len(long_cuts) > 0
    kva = res.scenario.network.kva_for_compensation
    expected = float(
        (law.outage_compensation_eur_ht(kva, long_cuts["duration_min"] / 60) * long_cuts["customers"]).sum()
    )
    assert res.years["compensation_eur"].sum() == pytest.approx(expected, rel=1e-9)


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_fewer_crews_mean_longer_waits_when_incidents_are_many() -> None:
    busy = {"network.incidents_saifi": 40.0, "network.customers_per_incident": 20, "horizon_years": 2}
    one = run(town(**busy, **{"workforce.crews": 1}))
    six = run(town(**busy, **{"workforce.crews": 6}))
    assert one.years["crew_wait_hours"].sum() > 5 * max(six.years["crew_wait_hours"].sum(), 1.0)
    assert one.years["saidi_min"].sum() > six.years["saidi_min"].sum()


def test_the_vectorised_bill_is_the_line_by_line_bill() -> None:
    s = town()
    prices = et.prices_excl_tax(s.tariff)
    kva = np.array([3.0, 6.0, 9.0, 12.0, 15.0, 6.0])
    kwh = np.array([1_000.0, 4_400.0, 9_000.0, 0.0, 20_000.0, 5_700.0])
    for day in (date(2024, 2, 1), date(2025, 8, 1), date(2026, 3, 1)):
        taxes = et.billing_taxes(s.tariff, day)
        b = et.bill_households(s.tariff, prices, taxes, kva, kwh, months=12, hc_share=0.35)
        expected = [
            et.bill_total_eur(s.tariff, int(k), {"base": w}, day=day) for k, w in zip(kva, kwh, strict=True)
        ]
        np.testing.assert_allclose(b.total, expected, rtol=1e-12)
        np.testing.assert_allclose(b.total, b.revenue + b.levies + b.vat, rtol=1e-12)


def test_a_local_offer_is_priced_by_the_regime_and_demand_answers_the_price() -> None:
    local = town(
        "regie",
        horizon_years=6,
        **{"tariff.pricing": "local", "governance.opening_tariff": "cost_of_service"},
    )
    res = run(local)
    tariff_rows = res.decisions.query("item in ('tariff', 'opening_tariff')")
    assert set(tariff_rows["body"]) == {"council"}
    # a dearer offer (everything +30 %) sells fewer kWh: short-run elasticity −0.126 (§3.3)
    dear = run(
        with_changes(
            local,
            {
                "tariff.energy_part_factor": 1.3,
                "tariff.fixed_part_factor": 1.3,
                "governance.opening_tariff": "entered",
            },
        )
    )
    cheap = run(with_changes(local, {"governance.opening_tariff": "entered"}))
    ratio = dear.years["kwh_billed"].iloc[1] / cheap.years["kwh_billed"].iloc[1]
    assert 0.95 < ratio < 0.995


def test_the_committee_cannot_adopt_what_the_regulated_margin_cannot_pay() -> None:
    res = run(town("commons", horizon_years=8))
    d = res.decisions
    refused = d[d["reason"].str.contains("cannot be financed at the regulated tariff", regex=False)]
    assert len(refused) > 0 and not refused["adopted"].any()
    assert (res.decisions["reason_fr"].str.contains("ne peut être financé")).sum() == len(refused)


def test_electricity_goes_through_compare_and_the_indicator_table() -> None:
    cmp = compare({r: town(r) for r in ("regie", "concession")}, seed=2)
    assert set(cmp.table.index) == {"regie", "concession"}
    names = {i.name for i in available(cmp.results["regie"].years)}
    assert {"price_ref_eur_per_kwh", "saidi_min", "energy_poverty_pct", "underground_share_pct"} <= names
    assert "price_120m3_eur_per_m3" not in names and "breaks" not in names
    summary = cmp.results["regie"].summary
    assert summary["price_ref_eur_per_kwh_first"] == pytest.approx(1044.88 / 4400, rel=1e-9)


def test_the_reference_bill_is_the_published_average() -> None:
    """The reference household (6 kVA, 4,400 kWh) on the TRVE of 1 Aug 2025: 186 + 4,400 × 0.1952 =
    1,044.88 € TTC, against the published average bill of 1,050 € after February 2025 (§1.4)."""
    res = run(town(horizon_years=1))
    assert res.years["bill_ref_eur"].iloc[0] == pytest.approx(1_044.88, abs=0.01)


def test_unpaid_bills_lead_to_interventions_of_the_published_order_and_the_truce_holds() -> None:
    """Interventions for unpaid bills: 913,611 for electricity in 2023 over 33.8 M residential sites,
    27 per 1,000 (electricity.md §4.3, §3.1); the town's rule gives the same order. During the
    winter truce nobody is cut; outside it a ``cut`` policy cuts, a ``limit`` policy never does."""
    limit = run(town(horizon_years=3))
    cut = run(town(horizon_years=3, **{"energy_poverty.unpaid_response": "cut"}))
    per_1000 = limit.years["interventions_per_1000"].mean()
    assert 13.5 < per_1000 < 54  # within a factor of two of 27
    assert (limit.years["supply_cuts"] == 0).all()
    assert (cut.years["supply_cuts"] > 0).all()
    # same unpaid bills (same draws), only the response differs
    np.testing.assert_array_equal(limit.years["unpaid_rate_pct"], cut.years["unpaid_rate_pct"])
    total = cut.years["power_limitations"] + cut.years["supply_cuts"]
    assert (total >= limit.years["power_limitations"]).all()


def test_no_cut_in_the_winter_truce() -> None:
    """A yearly bill closes in December, inside the truce (1 Nov-31 Mar): even with a cut policy,
    nobody is cut and unpaid bills only limit the power."""
    res = run(
        town(horizon_years=3, **{"billing.interval_months": 12, "energy_poverty.unpaid_response": "cut"})
    )
    assert (res.years["supply_cuts"] == 0).all() and (res.years["power_limitations"] > 0).all()


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_explain_decomposes_an_electricity_gap_by_its_differences() -> None:
    """Under the regulated tariff the price gap is nil; the reserves' gap comes from the rule (who
    keeps the surplus) and the concession's renewal obligation, and the parts add up."""
    from sim.experiments.explain import explain

    a, b = town("regie", horizon_years=8), town("concession", horizon_years=8)
    price = explain(a, b, seed=1)
    assert price.indicator == "price_ref_eur_per_kwh" and price.b_value == price.a_value
    ex = explain(a, b, seed=1, indicator="reserves_eur", a_name="regie", b_name="concession")
    assert sum(p.delta for p in ex.parts) + ex.residual == pytest.approx(ex.b_value - ex.a_value, abs=1e-6)
    assert abs(ex.residual) < 1e-6
    rule = ex.parts[0]
    assert rule.keys == ("governance.regime",) and rule.delta < 0  # the operator takes the surplus
    assert "price set nationally" in rule.label("en")
    doc = ex.to_json("en")
    assert set(doc["parts"][0]) == {"key", "label", "eur"} and "residual_eur" in doc


@pytest.mark.parametrize("regime", ["regie", "concession", "commons"])
def test_m49_accounts_close_for_electricity(regime: str) -> None:
    """The same identities as water's accounts (tests/test_m49_accounts.py): the book value rolls
    forward, and the change in reserves is net CAF − capital spending + loans + other receipts;
    the compensation for long cuts is an operating expense of the CAF."""
    s = town(regime, horizon_years=10)
    r = simulate(s, seed=2)
    y = r.years
    moved = (y["capex_eur"] - y["depreciation_eur"] - y["assets_written_off_eur"]).to_numpy()[1:]
    np.testing.assert_allclose(
        y["book_value_eur"].to_numpy()[1:], y["book_value_eur"].to_numpy()[:-1] + moved, rtol=1e-9
    )
    other = r.periods.groupby("year")["other_receipts_eur"].sum().to_numpy()
    cash_before = np.r_[s.finance.initial_cash_eur, y["reserves_eur"].to_numpy()[:-1]]
    expected = cash_before + y["caf_net_eur"] - y["capex_eur"] + y["loan_proceeds_eur"] + other
    np.testing.assert_allclose(y["reserves_eur"], expected, rtol=1e-9, atol=1e-3)
    np.testing.assert_allclose(y["renewal_need_km"], s.network.length_km / s.network.asset_life_years)


def test_the_crisis_file_reproduces_the_cre_proposals_and_the_shield_caps_them() -> None:
    """scenarios/electricity/crisis-2022.yaml: without the shield the regulated tariff rises by
    about +45 % and then +100 %, the CRE's proposals of February 2022 (+44.5 % HT) and February
    2023 (+99 % TTC) (electricity.md §1.5); with the shield every rise is at most 15 %, the State
    pays the supplier, and fewer households fall into energy poverty."""
    s = with_changes(load_scenario(f"{FOLDER}/crisis-2022.yaml"), {"horizon_years": 4})
    free = simulate(with_changes(s, {"tariff.shield_max_rise_pct": None}), seed=1).years
    shielded = simulate(s, seed=1)
    rise = free["tariff_index"].pct_change()
    assert rise.iloc[1] == pytest.approx(0.445, abs=0.03) and rise.iloc[2] == pytest.approx(0.99, abs=0.05)
    assert (shielded.years["tariff_index"].pct_change().iloc[1:] <= 0.15 + 1e-12).all()
    assert shielded.periods["other_receipts_eur"].sum() > 0
    # 15.4 % against 29.2 % in 2028 (14.3 against 28.8 before dwellings: houses heat more, issue 12)
    assert shielded.years["energy_poverty_pct"].iloc[2] < free["energy_poverty_pct"].iloc[2] * 0.6


def test_the_post_arenh_redistribution_lowers_a_spike_year_cost_and_nothing_before_2026() -> None:
    """scenarios/electricity/crisis-2022.yaml with half the excess above 70 €/MWh given back
    (supply.post_arenh_redistribution_pct=50, §6.3, an assumption): the 2028 spike's supply cost is
    the market's less half its excess, the service loses less; at 0 % (the default) nothing moves.
    Started in 2024, the ARENH years 2024-2025 are the same month by month; money still closes."""
    s = with_changes(load_scenario(f"{FOLDER}/crisis-2022.yaml"), {"horizon_years": 4})
    base = simulate(s, seed=1)
    same = simulate(with_changes(s, {"supply.post_arenh_redistribution_pct": 0.0}), seed=1)
    half = simulate(with_changes(s, {"supply.post_arenh_redistribution_pct": 50.0}), seed=1)
    assert_frame_equal(same.years, base.years)
    a, b = base.years.set_index("year"), half.years.set_index("year")
    market = a.loc[2028, "energy_cost_eur_per_mwh"]  # no ARENH in 2028: the cost is the market price
    assert market > 300
    # the threshold moves with inflation since the opening year (the year's price index)
    threshold = 70.0 * a.loc[2028, "price_index"]
    assert 70.0 < threshold < 80.0
    assert b.loc[2028, "energy_cost_eur_per_mwh"] == pytest.approx(
        market - 0.5 * (market - threshold), rel=1e-12
    )
    assert b.loc[2026, "energy_cost_eur_per_mwh"] == a.loc[2026, "energy_cost_eur_per_mwh"]
    assert b.loc[2028, "reserves_eur"] > a.loc[2028, "reserves_eur"]
    # started in 2024, the ARENH years do not move
    early = with_changes(s, {"town.start_year": 2024})
    e0 = simulate(early, seed=1)
    e1 = simulate(with_changes(early, {"supply.post_arenh_redistribution_pct": 50.0}), seed=1)
    before = e0.periods["year"] < 2026
    assert before.sum() == 24
    assert_frame_equal(e0.periods[before], e1.periods[before])
    assert e1.years["energy_cost_eur_per_mwh"].iloc[3] < e0.years["energy_cost_eur_per_mwh"].iloc[3]
    p = e1.periods
    np.testing.assert_array_equal(
        p["cash_end_eur"], p["cash_start_eur"] + p["receipts_eur"] - p["payments_eur"]
    )
    np.testing.assert_allclose(
        p["kwh_bought"] + p["kwh_local"], p["kwh_billed"] + p["kwh_losses"], rtol=1e-12
    )


def test_the_storm_file_strikes_on_its_day_with_ciaran_times() -> None:
    """scenarios/electricity/storm.yaml: a Ciarán-like storm in November 2028; SAIDI jumps that
    year, the cuts over 5 h are compensated, and a storm restored four times faster costs less."""
    s = with_changes(load_scenario(f"{FOLDER}/storm.yaml"), {"horizon_years": 4})
    calm = with_changes(s, {"shocks": []})
    faster = with_changes(s, {"shocks": [{"year": 2028, "kind": "storm", "factor": 0.25}]})
    y, y0, yf = (simulate(x, seed=1).years for x in (s, calm, faster))
    assert y["saidi_min"].iloc[2] > y0["saidi_min"].iloc[2] + 200
    assert y["saidi_min"].iloc[[0, 1, 3]].tolist() == y0["saidi_min"].iloc[[0, 1, 3]].tolist()
    assert y["compensation_eur"].iloc[2] > yf["compensation_eur"].iloc[2] > y0["compensation_eur"].iloc[2]


def test_a_storm_is_a_shock_of_electricity_only() -> None:
    from sim import Scenario, ScenarioError

    with pytest.raises(ScenarioError) as err:
        with_changes(Scenario(), {"shocks": [{"year": 2030, "kind": "storm", "factor": 1.0}]})
    assert "shocks" in err.value.format("en")
    with pytest.raises(ScenarioError):
        town(shocks=[{"year": 2030, "kind": "drought", "factor": 0.5}])


def test_community_pv_produces_by_the_month_and_replaces_energy_bought() -> None:
    """2,000 kWp at 1,300 kWh/kWp (electricity.md §5.3): 2.6 GWh a year used in the town, bought
    less by as much; August's production four times January's (load factors 20.8 and 5.2 %, §3.2);
    upkeep 20 €/kWp a year (§5.4)."""
    base = town(horizon_years=2, **{"households.temperature_sd_c": 0.0})
    pv = with_changes(base, {"local_production.pv_kwp": 2_000.0})
    a, b = run(base), run(pv)
    assert b.years["local_production_kwh"].iloc[0] == pytest.approx(2_000 * 1_300, rel=1e-9)
    bought = a.years["kwh_bought"] - b.years["kwh_bought"]
    np.testing.assert_allclose(bought, b.years["local_production_kwh"], rtol=1e-9)
    months = b.periods["kwh_local"].to_numpy()[:12]
    assert months[7] / months[0] == pytest.approx(20.8 / 5.2, rel=1e-9)
    assert b.years["local_production_eur"].iloc[0] == pytest.approx(2_000 * 20.0, rel=1e-9)
    energy = [r.periods.groupby("year")["energy_eur"].sum().iloc[0] for r in (a, b)]
    assert energy[1] < energy[0]


def test_community_pv_stays_within_the_legal_ceiling() -> None:
    """Collective self-consumption: < 5 MW (electricity.md §5.2); a file above it is refused,
    and a committee that votes programme after programme stops at it."""
    from sim import ScenarioError

    with pytest.raises(ScenarioError) as err:
        town(**{"local_production.pv_kwp": 6_000.0})
    assert "local_production" in err.value.format("en")
    res = run(town("commons", horizon_years=30))
    assert res.years["pv_kwp"].max() <= res.scenario.local_production.acc_limit_kw
    adopted = res.decisions.query("item == 'community_pv' and adopted")
    assert len(adopted) > 0  # it pays for itself: fewer MWh bought than it costs (§5.4, §6.3)
    capex_years = res.years[res.years["pv_capex_eur"] > 0]
    assert len(capex_years) == len(adopted)

"""Affordability (issue 15, finding 7): what drives the share of households above 3 % of income.

The share was 17.7 % (régie, mean of 30 years, seed 1) against about 3-4 % nationally (water.md
§3.5: "about one million households", [C]). Four drivers were found; each is now a parameter and
each test below moves one of them alone and checks the share moves the way the finding says:

* sewerage was added to every household as a flat 2.31 €/m3: it is now a billed line (standing
  charge + price per m3) that households on individual sanitation (ANC) do not pay;
* household size and consumption were independent of income: they now follow the decile;
* 2018 incomes were used as first-year incomes: they are now brought to the first year;
* non-domestic users were absent (only a flat unbilled share): they now pay the tariff.

Every test here fails on the code before the finding was fixed (the parameters did not exist).
"""

from __future__ import annotations

import numpy as np
import pytest
from strategies import small_town

from sim import load_scenario, simulate, with_changes
from sim.core.households import decile_size_probabilities
from sim.scenario.model import INSEE_DECILE_MEANS_EUR, Scenario

ONES = [1.0] * 10
#: the sewerage of the code before the finding: a flat price on every household's volume
FLAT_SEWERAGE = {
    "sewerage.standing_charge_eur_per_year": 0.0,
    "sewerage.price_eur_per_m3": 2.31,
    "sewerage.individual_share": 0.0,
}
NO_SEWERAGE = {"sewerage.standing_charge_eur_per_year": 0.0, "sewerage.price_eur_per_m3": 0.0}


@pytest.fixture(scope="module")
def regie() -> Scenario:
    """The base régie over 10 years (the drivers act from the first year)."""
    return load_scenario("scenarios/regie.yaml", {"horizon_years": 10})


def share(s: Scenario, changes: dict | None = None, seed: int = 1) -> float:
    """Mean over the years of the share of households above the threshold, %."""
    run = simulate(with_changes(s, changes) if changes else s, seed=seed)
    return float(run.years["share_households_above_3pct"].mean())


# --------------------------------------------------------------------------------------------
# the base town lands in the band the reference allows
# --------------------------------------------------------------------------------------------
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_base_regie_share_above_3pct_is_in_the_national_band() -> None:
    """Band 1-5 % (mean of 30 years, seed 1). Nationally about one million households of ~28 M
    are above 3 % (≈ 3.5 %, water.md §3.5, a political figure [C], no official estimate). The base
    town charges the national mean prices (water 2.19, sewerage 2.31 €/m3 for 120 m3), so it should
    sit at or below the national share, which also counts the dearer services of 80 % of the
    population's price range (water.md §1.1); 5 % leaves room above the national figure for that
    uncertainty. It cannot be near 0: D1 households' mean income (~12,700 € in 2026) makes 3 % =
    ~380 €/yr, which water and sewerage for ~85 m3 cost. Before the finding: 17.7 %."""
    s = load_scenario("scenarios/regie.yaml")
    assert 1.0 <= share(s) <= 5.0


# --------------------------------------------------------------------------------------------
# driver 1: sewerage, a second priced line
# --------------------------------------------------------------------------------------------
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_sewerage_as_a_billed_line_lowers_the_share_against_a_flat_price_on_everyone(regie: Scenario) -> None:
    """The finding: a flat 2.31 €/m3 on every household overstates; water alone was far lower."""
    new, flat, water_only = share(regie), share(regie, FLAT_SEWERAGE), share(regie, NO_SEWERAGE)
    assert water_only < new < flat


def test_households_on_individual_sanitation_pay_no_sewerage() -> None:
    s = small_town(1000, 1, households__house_share=0.5)
    everyone = simulate(with_changes(s, {"sewerage.individual_share": 0.0}), seed=2)
    anc = simulate(with_changes(s, {"sewerage.individual_share": 0.5}), seed=2)  # every house
    d0, d1 = everyone.deciles, anc.deciles
    # the same households use the same water; only the sewerage line changes
    np.testing.assert_allclose(d1["mean_volume_m3"], d0["mean_volume_m3"], rtol=1e-12)
    np.testing.assert_allclose(d1["mean_bill_eur"], d0["mean_bill_eur"], rtol=1e-12)
    assert (d1["mean_sewerage_bill_eur"] < d0["mean_sewerage_bill_eur"]).all()
    share_paying = d1["mean_sewerage_bill_eur"].sum() / d0["mean_sewerage_bill_eur"].sum()
    assert 0.35 < share_paying < 0.65  # about the flats (half of the households)
    assert (d1["burden_with_sewerage_pct"] <= d0["burden_with_sewerage_pct"]).all()


def test_sewerage_bill_is_standing_charge_plus_price_on_the_water_volume() -> None:
    """Every household sewered and no inflation: the decile's mean sewerage bill is exactly
    standing + price × mean volume; the 120 m3 indicator is standing / 120 + price."""
    s = small_town(
        800,
        2,
        sewerage__individual_share=0.0,
        non_domestic__users=(),
        finance__inflation_mean_pct=0.0,
        finance__inflation_sd_pct=0.0,
    )
    r = simulate(s, seed=4)
    d = r.deciles
    sew = s.sewerage
    np.testing.assert_allclose(
        d["mean_sewerage_bill_eur"],
        sew.standing_charge_eur_per_year + sew.price_eur_per_m3 * d["mean_volume_m3"],
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        r.years["sewerage_price_120m3_eur_per_m3"], sew.standing_charge_eur_per_year / 120 + 1.94, rtol=1e-12
    )
    assert sew.standing_charge_eur_per_year / 120 + sew.price_eur_per_m3 == pytest.approx(2.31, abs=0.005)


def test_sewerage_is_passed_through_and_changes_nothing_in_the_water_service() -> None:
    """Collected for the sewerage authority and remitted: the water price, revenue, reserves and
    decisions are those of a town without sewerage; only the sewerage lines differ."""
    s = load_scenario("scenarios/regie.yaml", {"horizon_years": 4, "households.count": 3000})
    with_sew = simulate(s, seed=3)
    without = simulate(with_changes(s, NO_SEWERAGE), seed=3)
    for col in ("price_120m3_eur_per_m3", "revenue_eur", "billed_m3", "unpaid_rate_pct"):
        np.testing.assert_array_equal(with_sew.years[col], without.years[col])
    # the cash adds and takes the same amount each month: equal up to the float sums' rounding
    np.testing.assert_allclose(with_sew.years["reserves_eur"], without.years["reserves_eur"], rtol=1e-12)
    p = with_sew.periods
    assert p["sewerage_collected_eur"].sum() > 0
    np.testing.assert_array_equal(p["sewerage_collected_eur"], p["sewerage_remitted_eur"])
    assert (without.periods["sewerage_collected_eur"] == 0).all()


# --------------------------------------------------------------------------------------------
# driver 2: size and use follow the income decile
# --------------------------------------------------------------------------------------------
def test_poorer_households_are_smaller_and_use_less_per_person() -> None:
    r = simulate(small_town(20000, 1), seed=1)
    d = r.deciles
    persons = d["mean_persons"].to_numpy()
    # households.md: 1.10 consumption units below D1, 1.21 between D2 and D3 (~1.24, ~1.50 persons)
    assert persons[0] == pytest.approx(1.24, abs=0.05)
    assert persons[2] == pytest.approx(1.50, abs=0.06)
    assert (np.diff(persons) > 0).all()
    assert persons.mean() == pytest.approx(2.16, abs=0.03)  # the town's mean (INSEE 2021)
    per_person = (d["mean_volume_m3"] / d["mean_persons"]).to_numpy()
    assert per_person[0] < 0.75 * per_person[5] < per_person[9]


def test_size_and_use_linked_to_income_lower_the_share(regie: Scenario) -> None:
    linked = share(regie)
    assert linked < share(regie, {"households.size_decile_factor": ONES})
    assert linked < share(regie, {"households.consumption_decile_factor": ONES})


def test_decile_size_distributions_reach_their_means_and_keep_the_shares_at_factor_one() -> None:
    shares = np.array([0.37, 0.33, 0.14, 0.11, 0.05])
    factors = np.array([0.57, 0.63, 0.69, 0.85, 0.98, 1.0, 1.17, 1.26, 1.34, 1.43])
    p = decile_size_probabilities(shares, factors)
    assert np.allclose(p.sum(axis=1), 1.0) and (p >= 0).all()
    np.testing.assert_allclose(p @ np.arange(1, 6), factors * (shares @ np.arange(1, 6)), rtol=1e-9)
    np.testing.assert_allclose(p[5], shares, rtol=1e-12)


# --------------------------------------------------------------------------------------------
# driver 3: incomes of their reference year brought to the first simulated year
# --------------------------------------------------------------------------------------------
def test_incomes_are_brought_from_2018_to_the_first_year() -> None:
    s = small_town(1000, 1, households__income_spread=0.0)
    r = simulate(s, seed=1)
    g = (1 + s.households.income_growth_pct_per_year / 100) ** (s.town.start_year - 2018)
    assert s.households.income_reference_year == 2018 and g > 1.2
    np.testing.assert_allclose(r.deciles["mean_income_eur"], np.array(INSEE_DECILE_MEANS_EUR) * g, rtol=1e-12)


def test_indexed_incomes_lower_the_share(regie: Scenario) -> None:
    assert share(regie) < share(regie, {"households.income_growth_pct_per_year": 0.0})


# --------------------------------------------------------------------------------------------
# driver 4: non-domestic users pay the tariff
# --------------------------------------------------------------------------------------------
def test_non_domestic_meters_are_carried_billed_and_counted() -> None:
    s = small_town(2000, 1, resource__thresholds=[0.0, 0.0, 0.0, 0.0])
    r = simulate(s, seed=5)
    bare = simulate(with_changes(s, {"non_domestic.users": []}), seed=5)
    y, y0 = r.years.iloc[0], bare.years.iloc[0]
    # 33 L per inhabitant and day in all (water.md §1.7, derived), metered with under-registration
    litres = sum(u.l_per_inhabitant_day for u in s.non_domestic.users)
    expected = litres * y["population"] * 365 / 1000 * (1 - s.network.meter_under_registration_pct / 100)
    assert y["non_domestic_billed_m3"] == pytest.approx(expected, rel=1e-9)
    assert y["billed_m3"] == pytest.approx(y0["billed_m3"] + expected, rel=1e-9)
    # households' own use is reported without them
    assert y["consumption_l_per_person_day"] == pytest.approx(y0["consumption_l_per_person_day"], rel=1e-9)
    assert y["revenue_eur"] > y0["revenue_eur"]
    assert bare.years["non_domestic_billed_m3"].sum() == 0


def test_non_domestic_revenue_lets_the_council_charge_households_less(regie: Scenario) -> None:
    """The régie's council recovers costs from every user: with non-domestic meters paying, the
    households' price is lower by the end, and so is the share above 3 %."""
    with_nd = simulate(regie, seed=1).years
    without = simulate(with_changes(regie, {"non_domestic.users": []}), seed=1).years
    assert with_nd["price_120m3_eur_per_m3"].iloc[-1] < without["price_120m3_eur_per_m3"].iloc[-1]
    assert with_nd["share_households_above_3pct"].mean() <= without["share_households_above_3pct"].mean()

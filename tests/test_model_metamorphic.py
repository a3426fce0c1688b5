"""Metamorphic tests: change one input in a known direction, the output must move the right way.

DESIGN.md, quality bar: "monotonic responses (a higher price never raises demand; more crews never
lengthen repair queues)". Runs are small towns averaged over five seeds; on one seed the runs share
their weather and break luck (common random numbers), so most comparisons hold seed by seed too.
"""

from __future__ import annotations

import numpy as np
import pytest
from strategies import DEFAULT_MATERIALS, small_town

import sim.core.tariff
from sim import Scenario, simulate, with_changes
from sim.core.billing import KERNEL_ENV
from sim.core.engine import Policy
from sim.core.households import INDOOR_MONTH_SHARE, OUTDOOR_MONTH_SHARE, build_population
from sim.core.rng import streams

SEEDS = range(5)


def mean_years(s: Scenario, column: str, policy_factory=None) -> np.ndarray:
    """Yearly ``column`` averaged over :data:`SEEDS`."""
    runs = [
        simulate(s, seed=k, policy=policy_factory() if policy_factory else None).years[column] for k in SEEDS
    ]
    return np.mean([r.to_numpy() for r in runs], axis=0)


def single_price(price: float) -> list[dict[str, float | None]]:
    return [{"up_to_m3": None, "price_eur_per_m3": price}]


# --------------------------------------------------------------------------------------------
# price → demand
# --------------------------------------------------------------------------------------------
PRICES = (1.0, 1.3, 2.0)


def test_higher_volume_price_lowers_billed_volume_with_fixed_rules() -> None:
    """With the tariff only following inflation (sim.core.engine.Policy), the dearer tariff bills less
    water in every year, from the first one (demand answers the price level, not only its changes;
    this failed before 079d3e5, when the reference price was the scenario's own first tariff)."""
    billed = {
        p: mean_years(small_town(1000, 3, tariff__blocks=single_price(p)), "billed_m3", Policy)
        for p in PRICES
    }
    for lo, hi in zip(PRICES, PRICES[1:], strict=False):
        assert (billed[hi] < billed[lo]).all(), f"{hi} €/m3 does not bill less than {lo} €/m3"


def marginal_price_faced(s: Scenario, years) -> np.ndarray:
    """Marginal price incl. levies and VAT of a single-block tariff, each year, €/m3."""
    t = s.tariff
    # the service's price follows its tariff index; the agency's levies follow consumer prices
    return (
        t.blocks[0].price_eur_per_m3 * years["tariff_index"].to_numpy()
        + t.levies_eur_per_m3 * years["price_index"].to_numpy()
    ) * (1 + t.vat_pct / 100)


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_billed_volume_follows_the_price_households_face_under_the_council() -> None:
    """Default régie: the council moves each tariff towards cost recovery, so the tariff written
    in the scenario is not the price faced after the first year. On one seed (same inflation, same
    households), whichever run faces the higher marginal price in a year bills no more water.

    (Comparing the written prices instead is not a valid relation here: the council raises the
    cheap tariff and cuts the dear one until they cross — see the levy test below.)"""
    for seed in SEEDS:
        runs, index = {}, {}
        for p in PRICES:
            # households only: with non-domestic meters' revenue both tariffs over-recover the
            # town's costs in year 2 and are cut by the same bound (issue 15, finding 7)
            s = small_town(2000, 4, tariff__blocks=single_price(p), non_domestic__users=())
            y = simulate(s, seed=seed).years
            runs[p] = (marginal_price_faced(s, y), y["billed_m3"].to_numpy())
            index[p] = y["tariff_index"].to_numpy()
        for a in PRICES:
            for b in PRICES:
                (pa, va), (pb, vb) = runs[a], runs[b]
                dearer = pa > pb * (1 + 1e-9)
                assert (va[dearer] <= vb[dearer] * (1 + 1e-12)).all(), (
                    f"seed {seed}: the run facing the higher price bills more water"
                )
        assert (index[1.0][1:] > index[2.0][1:]).all(), "the council raises the cheap tariff more"


def test_the_agency_levy_per_m3_does_not_depend_on_the_service_tariff() -> None:
    levy = {}
    for p in (1.0, 2.0):
        s = small_town(
            2000,
            4,
            tariff__blocks=single_price(p),
            households__unpaid_base_probability=0.0,
            households__unpaid_burden_slope=0.0,
        )
        res = simulate(s, seed=1)
        remitted = res.periods.groupby("year")["levies_remitted_eur"].sum().to_numpy()
        levy[p] = remitted / res.years["billed_m3"].to_numpy()  # every bill is paid
    np.testing.assert_allclose(levy[1.0][0], 0.40, rtol=1e-9)  # first year: as written
    np.testing.assert_allclose(levy[2.0], levy[1.0], rtol=1e-9)


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_a_real_price_rise_during_the_run_lowers_demand() -> None:
    """The elasticity mechanism alone: with 4 %/yr inflation, a tariff indexed on inflation keeps
    its real price while a frozen one gets cheaper each year, so the frozen one sells more water
    from the second year on; with a zero elasticity both sell the same."""

    def town(indexed: bool, elasticity: float) -> Scenario:
        return small_town(
            1000,
            4,
            tariff__index_on_inflation=indexed,
            households__price_elasticity=elasticity,
            finance__inflation_mean_pct=4.0,
            finance__inflation_sd_pct=0.0,
        )

    indexed = mean_years(town(True, -0.3), "billed_m3", Policy)
    frozen = mean_years(town(False, -0.3), "billed_m3", Policy)
    assert indexed[0] == pytest.approx(frozen[0], rel=1e-12)
    assert (frozen[1:] > indexed[1:]).all()
    assert (np.diff(frozen) > 0).all(), "a cheaper real price each year sells more each year"
    np.testing.assert_allclose(
        mean_years(town(True, 0.0), "billed_m3", Policy),
        mean_years(town(False, 0.0), "billed_m3", Policy),
        rtol=1e-12,
    )


# --------------------------------------------------------------------------------------------
# crews → waiting for repair
# --------------------------------------------------------------------------------------------
def breaky_town(crews: int) -> Scenario:
    """500 households on the base town's 300 km of mains with ten times its break rates and
    day-long repairs: ~230 breaks a year, so one crew is a queue and five are none."""
    s = small_town(500, 3, scale_network=False, workforce__crews=crews, network__repair_h=24.0)
    return with_changes(
        s,
        {
            f"network.materials.{m}.breaks_per_km_year_new": 10 * p["breaks_per_km_year_new"]
            for m, p in DEFAULT_MATERIALS.items()
        },
    )


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_more_crews_never_lengthen_the_wait_for_repair() -> None:
    crews = (1, 2, 3, 5)
    waits = {}
    for c in crews:
        runs = [simulate(breaky_town(c), seed=k).events for k in SEEDS]
        waits[c] = [ev.loc[ev["kind"] == "break"].set_index("time_h")["wait_h"] for ev in runs]
    means = [np.mean([w.mean() for w in waits[c]]) for c in crews]
    assert means[0] > 1.0, "one crew must make a queue for the test to mean anything"
    assert all(b <= a for a, b in zip(means, means[1:], strict=False)), means
    assert means[-1] < means[0] / 10
    # same breaks on each seed (common random numbers): no single break waits longer either
    for a, b in zip(crews, crews[1:], strict=False):
        for wa, wb in zip(waits[a], waits[b], strict=True):
            both = wa.index.intersection(wb.index)
            assert len(both) > 0.9 * len(wa)
            assert (wb[both] <= wa[both] + 1e-9).all()


# --------------------------------------------------------------------------------------------
# renewal → breaks
# --------------------------------------------------------------------------------------------
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_more_renewal_means_fewer_breaks_in_later_years() -> None:
    """0.3 vs 3 %/yr of the mains renewed, worst first: fewer breaks in years 10-20."""
    slow = [
        simulate(small_town(3000, 20, network__renewal_rate_pct=0.3), seed=k).years["breaks"] for k in SEEDS
    ]
    fast = [
        simulate(small_town(3000, 20, network__renewal_rate_pct=3.0), seed=k).years["breaks"] for k in SEEDS
    ]
    late_slow = np.array([y.to_numpy()[9:].sum() for y in slow])
    late_fast = np.array([y.to_numpy()[9:].sum() for y in fast])
    assert late_fast.mean() < 0.7 * late_slow.mean(), (late_fast, late_slow)
    assert (late_fast <= late_slow).all(), "same break luck, a better network: never more breaks"


# --------------------------------------------------------------------------------------------
# active leak detection → real losses
# --------------------------------------------------------------------------------------------
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_active_leak_detection_lowers_real_losses() -> None:
    passive = small_town(2000, 3)
    active = with_changes(passive, {"network.active_leak_detection": True})
    real_p = mean_years(passive, "real_losses_m3").sum()
    real_a = mean_years(active, "real_losses_m3").sum()
    assert real_a < real_p
    burst_p = np.mean([simulate(passive, seed=k).periods["burst_losses_m3"].sum() for k in SEEDS])
    burst_a = np.mean([simulate(active, seed=k).periods["burst_losses_m3"].sum() for k in SEEDS])
    assert burst_a < 0.7 * burst_p, "hidden leaks found in 30 % of the time must leak much less"
    assert mean_years(active, "yield_pct").mean() > mean_years(passive, "yield_pct").mean()


# --------------------------------------------------------------------------------------------
# restrictions → household use, essential volume protected
# --------------------------------------------------------------------------------------------
class BilledVolumes:
    """Records each household's volume at each monthly bill (the billing step's input).

    With monthly billing and no meter under-registration, the volume billed to a household for a
    month is what it was delivered that month. The spy sits on ``sim.core.tariff.bill``, which only the
    numpy billing path calls, so that path is chosen (tests/test_billing_kernels.py shows the numba
    path bills the same volumes).
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch, households: int):
        monkeypatch.setenv(KERNEL_ENV, "numpy")
        self.months: list[np.ndarray] = []
        real_bill = sim.core.tariff.bill

        def spy(volume_m3, persons, tariff, **kw):
            if kw.get("months") == 1 and np.size(volume_m3) == households:
                self.months.append(np.array(volume_m3, dtype=float, copy=True))
            return real_bill(volume_m3, persons, tariff, **kw)

        monkeypatch.setattr(sim.core.tariff, "bill", spy)

    def take(self) -> np.ndarray:
        out, self.months = np.array(self.months), []
        return out


N_RESTRICT = 1000


def restricted_town(**changes) -> Scenario:
    """One year, billed monthly, exact meters: the bill's volume is the delivered volume; no price
    response, so each household asks for its reference volumes. Households only (no non-domestic
    meters) unless ``changes`` give some, so delivered and demanded volumes are the households'."""
    changes.setdefault("non_domestic__users", ())
    return small_town(
        N_RESTRICT,
        1,
        billing__interval_months=1,
        network__meter_under_registration_pct=0.0,
        households__price_elasticity=0.0,
        **changes,
    )


def household_needs(s: Scenario, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Monthly indoor use, outdoor use and essential volume of each household (zero price
    elasticity), from the model's own population draw."""
    pop = build_population(s.households, streams(seed)["population"])
    indoor = np.outer(INDOOR_MONTH_SHARE, pop.indoor_m3_per_year)
    outdoor = np.outer(OUTDOOR_MONTH_SHARE, pop.outdoor_m3_per_year)
    essential = np.outer(INDOOR_MONTH_SHARE, pop.essential_m3_per_year)
    return indoor, outdoor, essential


def test_crisis_cuts_outdoor_use_and_protects_the_essential_volume(monkeypatch) -> None:
    """A stock at 5 % of capacity (below the 15 % crisis threshold) that never refills, but large
    enough to supply the year: the whole year is 'crise' and nobody is short of water."""
    spy = BilledVolumes(monkeypatch, N_RESTRICT)
    dry = dict(
        resource__capacity_m3=1e7,
        resource__initial_fill=0.05,
        resource__mean_recharge_m3_per_year=0.0,
        resource__outflow_per_month=0.0,
    )
    crisis = restricted_town(**dry)
    free = restricted_town(**dry, resource__thresholds=[0.0, 0.0, 0.0, 0.0])
    seed = 4
    rc = simulate(crisis, seed=seed)
    v_crisis = spy.take()
    rf = simulate(free, seed=seed)
    v_free = spy.take()
    assert (rc.periods["restriction_level"] == "crise").all()
    assert (rf.periods["restriction_level"] == "none").all()
    assert (rc.periods["shortfall_m3"] == 0).all() and (rf.periods["shortfall_m3"] == 0).all()
    assert v_crisis.shape == v_free.shape == (12, N_RESTRICT)
    np.testing.assert_allclose(v_crisis.sum(axis=1), rc.periods["delivered_m3"], rtol=1e-9)

    indoor, outdoor, essential = household_needs(crisis, seed)
    # without restriction each household uses its indoor and outdoor volumes
    np.testing.assert_allclose(v_free, indoor + outdoor, rtol=1e-9)
    rule = crisis.resource.usage_rules["crise"]
    assert rule.outdoor_cut_pct == 100.0
    # crisis: no outdoor use at all, and never more than without restriction
    assert (v_crisis <= indoor * (1 + 1e-12)).all()
    assert (v_crisis <= v_free * (1 + 1e-12)).all()
    summer = [5, 6, 7]  # June-August
    assert (v_crisis[summer].sum(axis=1) < 0.97 * v_free[summer].sum(axis=1)).all()
    # the indoor cut applies above the essential volume only: nobody goes below
    # min(own indoor use, essential volume), and the cut is at most indoor_cut_pct of the rest
    floor = np.minimum(indoor, essential)
    assert (v_crisis >= floor * (1 - 1e-12)).all(), "a household was cut below its essential volume"
    cut = rule.indoor_cut_pct / 100.0
    assert (v_crisis >= (1 - cut) * indoor * (1 - 1e-12)).all()
    assert (v_crisis < indoor).any(), "the crisis must cut some indoor use above the essential"


def test_rationing_protects_the_essential_volume_when_supply_allows(monkeypatch) -> None:
    """No restriction rules, a 1 m3 tank and a recharge that covers use in winter only: months
    where supply covers the essential volumes give everyone at least min(demand, essential);
    months where it does not share what there is in proportion to those volumes."""
    spy = BilledVolumes(monkeypatch, N_RESTRICT)
    s = restricted_town(
        resource__capacity_m3=1.0,
        resource__initial_fill=0.0,
        resource__mean_recharge_m3_per_year=80_000.0,
        resource__recharge_cv=0.0,
        resource__drought_probability=0.0,
        resource__outflow_per_month=0.0,
        resource__thresholds=[0.0, 0.0, 0.0, 0.0],
    )
    seed = 2
    res = simulate(s, seed=seed)
    v = spy.take()
    p = res.periods
    np.testing.assert_allclose(v.sum(axis=1), p["delivered_m3"], rtol=1e-9)
    indoor, outdoor, essential = household_needs(s, seed)
    demand = indoor + outdoor
    np.testing.assert_allclose(demand.sum(axis=1), p["demand_m3"], rtol=1e-9)
    protected = np.minimum(demand, essential)
    allows = v.sum(axis=1) >= protected.sum(axis=1) * (1 - 1e-12)
    short = (p["shortfall_m3"] > 0).to_numpy()
    assert (short & allows).any() and (short & ~allows).any() and (~short).any(), (
        "the recharge must give months of plenty, of rationing above and below the essential"
    )
    assert (v <= demand * (1 + 1e-12)).all(), "nobody gets more than asked"
    assert (v[allows] >= protected[allows] * (1 - 1e-9)).all(), (
        "a household got less than its essential volume in a month whose supply covered them all"
    )
    scarce = ~allows
    share = v[scarce].sum(axis=1) / protected[scarce].sum(axis=1)
    np.testing.assert_allclose(v[scarce], protected[scarce] * share[:, None], rtol=1e-9)

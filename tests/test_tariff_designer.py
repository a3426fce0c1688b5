"""The tariff designer (sim.experiments.tariff_designer), checked by hand and against the engine's
own rules."""

from __future__ import annotations

import math

import numpy as np
import pytest
from strategies import BASE_TOWN

from sim import load_scenario, loads_scenario, with_changes
from sim.core.engine import Policy
from sim.core.tariff import standing_charge_share_pct
from sim.experiments.run import engine_for
from sim.experiments.tariff_designer import (
    TYPICAL_HOUSEHOLDS,
    TariffDesigner,
    check_proposal,
    cost_baseline,
    design,
    designer_for,
    scenario_with_tariff,
)
from sim.scenario.model import Scenario, SocialTariff, Tariff, TariffBlock, dumps_scenario
from sim.scenario.model import reference_persons as ref_persons

VAT = 1.055  # 5.5 % on drinking water, the base town's rate


@pytest.fixture(scope="module")
def town() -> Scenario:
    """The base town as shipped (20,000 households)."""
    return load_scenario(BASE_TOWN)


@pytest.fixture(scope="module")
def rigid(town: Scenario) -> Scenario:
    """The base town with no price response (elasticity 0)."""
    return with_changes(town, {"households.price_elasticity": 0.0})


def with_tariff(base: Tariff, **update: object) -> Tariff:
    return Tariff.model_validate({**base.model_dump(), **update})


def scaled(tariff: Tariff, factor: float) -> Tariff:
    """Every volume price (blocks and levies) times ``factor``; standing charge unchanged."""
    blocks = tuple(
        b.model_copy(update={"price_eur_per_m3": b.price_eur_per_m3 * factor}) for b in tariff.blocks
    )
    return with_tariff(tariff, blocks=blocks, levies_eur_per_m3=tariff.levies_eur_per_m3 * factor)


PROGRESSIVE = (
    TariffBlock(up_to_m3=60, price_eur_per_m3=0.80),
    TariffBlock(up_to_m3=150, price_eur_per_m3=1.45),
    TariffBlock(price_eur_per_m3=2.40),
)


# ------------------------------------------------------------------------------------------
# bills
# ------------------------------------------------------------------------------------------
def test_same_tariff_changes_nothing(town: Scenario) -> None:
    d = design(town, town.tariff)
    assert np.allclose(d.deciles["change_eur"], 0.0)
    assert d.pays_more_pct == 0.0 and d.pays_less_pct == 0.0
    assert math.isnan(d.median_rise_eur) and math.isnan(d.median_fall_eur)
    assert d.revenue_eur == pytest.approx(d.revenue_now_eur, rel=1e-12)
    assert d.above_pct == d.above_now_pct
    assert np.allclose(d.typical["change_eur"], 0.0)


def test_uniform_rise_of_x_pct_raises_every_decile_bill_excl_standing_by_x_pct(town: Scenario) -> None:
    x = 0.10
    d = design(town, scaled(town.tariff, 1 + x), price_response=False)
    standing_ttc = town.tariff.standing_charge_eur_per_year * VAT
    now = d.deciles["bill_now_eur"] - standing_ttc
    new = d.deciles["bill_eur"] - standing_ttc
    assert np.allclose(new / now, 1 + x, rtol=1e-12)
    assert np.allclose(d.deciles["volume_m3"], d.deciles["volume_now_m3"], rtol=0)
    assert d.pays_more_pct == 100.0
    typ = d.typical
    assert np.allclose(
        (typ["bill_eur"] - standing_ttc) / (typ["bill_now_eur"] - standing_ttc), 1 + x, rtol=1e-12
    )


def test_with_the_price_response_a_uniform_rise_cuts_every_volume_by_the_elasticity(town: Scenario) -> None:
    # one block: every household's marginal price (block + levies, incl. VAT) rises by x %, so
    # every volume is multiplied by (1 + x) ** elasticity
    x = 0.10
    d = design(town, scaled(town.tariff, 1 + x))
    factor = (1 + x) ** town.households.price_elasticity
    assert np.allclose(d.deciles["volume_m3"] / d.deciles["volume_now_m3"], factor, rtol=1e-12)
    assert d.volume_m3 == pytest.approx(d.volume_now_m3 * factor, rel=1e-12)
    standing_ttc = town.tariff.standing_charge_eur_per_year * VAT
    rise = (d.deciles["bill_eur"] - standing_ttc) / (d.deciles["bill_now_eur"] - standing_ttc)
    assert np.allclose(rise, (1 + x) * factor, rtol=1e-12)  # less than x % more


def test_progressive_tariff_lowers_small_households_bills_and_raises_large_ones(town: Scenario) -> None:
    tar = with_tariff(town.tariff, blocks=PROGRESSIVE)
    d = design(town, tar, price_response=False)
    typ = d.typical.set_index("household")
    assert typ.loc["single_flat", "change_eur"] < 0
    assert typ.loc["couple_flat", "change_eur"] < 0
    assert typ.loc["family_pool", "change_eur"] > 0
    assert typ.loc["family_garden", "change_eur"] > typ.loc["couple_flat", "change_eur"]
    # bills by hand: 45 € + 0.80 €/m3 up to 60 m3 + 1.45 €/m3 from 60 to 150 m3, levies 0.40 €/m3
    # on all the volume, + VAT
    v1 = typ.loc["single_flat", "volume_m3"]
    assert v1 < 60
    assert typ.loc["single_flat", "bill_eur"] == pytest.approx(
        (45.0 + 0.80 * v1 + 0.40 * v1) * VAT, rel=1e-12
    )
    v2 = typ.loc["couple_flat", "volume_m3"]
    assert 60 < v2 < 150
    by_hand = (45.0 + 0.80 * 60 + 1.45 * (v2 - 60) + 0.40 * v2) * VAT
    assert typ.loc["couple_flat", "bill_eur"] == pytest.approx(by_hand, rel=1e-12)
    # someone pays more, someone pays less, and the medians have the right sign
    assert 0 < d.pays_more_pct < 100 and 0 < d.pays_less_pct < 100
    assert d.median_rise_eur > 0 > d.median_fall_eur


def test_typical_volumes_come_from_the_towns_own_consumption(town: Scenario) -> None:
    designer = designer_for(town)
    d = designer.evaluate(town.tariff)
    typ = d.typical.set_index("household")
    assert list(typ.index) == list(TYPICAL_HOUSEHOLDS)
    # 146 L/person/day, 3 % meter under-registration; pools take their water out of that mean
    h = town.households
    mean = h.consumption_l_per_person_day * 365 / 1000 * (1 - 0.03)
    assert 0.9 * mean < designer.per_person_m3 < mean
    # a household of k persons uses k times a single person's volume; a pool adds its water
    single = typ.loc["single_flat", "volume_now_m3"]
    assert typ.loc["couple_flat", "volume_now_m3"] == pytest.approx(2 * single, rel=1e-12)
    assert typ.loc["retired_garden", "volume_now_m3"] == pytest.approx(2 * single, rel=1e-12)
    pool = typ.loc["family_pool", "volume_now_m3"] - typ.loc["family_garden", "volume_now_m3"]
    factor = single / designer.per_person_m3  # today's price response, the same for everyone
    assert pool == pytest.approx(h.pool_m3_per_year * (1 - 0.03) * factor, rel=1e-9)


def test_who_pays_more_by_hand(town: Scenario) -> None:
    # 12 € more standing charge: every household pays exactly 12 × 1.055 € more
    tar = with_tariff(town.tariff, standing_charge_eur_per_year=57.0)
    d = design(town, tar)
    assert d.pays_more_pct == 100.0 and d.pays_less_pct == 0.0
    assert d.median_rise_eur == pytest.approx(12 * VAT, rel=1e-12)
    assert np.allclose(d.deciles["median_rise_eur"], 12 * VAT, rtol=1e-12)
    assert np.allclose(d.deciles["change_eur"], 12 * VAT, rtol=1e-12)
    assert d.deciles["median_fall_eur"].isna().all()
    assert list(d.deciles["households"]) == [2000] * 10


def test_a_social_tariff_lowers_the_bills_of_eligible_deciles_only(town: Scenario) -> None:
    social = SocialTariff(
        enabled=True, eligible_deciles=(1, 2), kind="reduced_blocks", price_factor=0.39, eligible_share=1.0
    )
    d = design(town, with_tariff(town.tariff, social=social), price_response=False)
    dec = d.deciles.set_index("decile")
    assert (dec.loc[[1, 2], "pays_less_pct"] == 100.0).all()
    assert np.allclose(dec.loc[3:, "change_eur"], 0.0)
    assert d.pays_less_pct == pytest.approx(20.0)
    assert d.above_pct < d.above_now_pct
    assert d.revenue_eur < d.revenue_now_eur


# ------------------------------------------------------------------------------------------
# the engine's semantics
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["reduced_blocks", "bill_cap"])
def test_revenue_bills_and_affordability_match_the_engine_without_price_response(
    rigid: Scenario, kind: str
) -> None:
    social = SocialTariff(
        enabled=True, eligible_deciles=(1, 2, 3), eligible_share=0.6, kind=kind, bill_cap_pct_of_income=1.0
    )
    tar = with_tariff(rigid.tariff, blocks=PROGRESSIVE, free_volume_m3=15.0, social=social)
    d = design(rigid, tar)
    eng = engine_for(rigid, rigid.seed, policy=Policy())
    assert d.revenue_eur == pytest.approx(eng.project_revenue(tar, 1.0), rel=1e-12)
    assert d.revenue_now_eur == pytest.approx(eng.project_revenue(rigid.tariff, 1.0), rel=1e-12)
    bills = eng.project_bills(tar, 1.0)
    dec = eng.pop.decile.astype(np.int64)
    means = np.bincount(dec, weights=bills, minlength=11)[1:] / np.bincount(dec, minlength=11)[1:]
    assert np.allclose(d.deciles["bill_eur"], means, rtol=1e-12)
    assert d.above_pct == pytest.approx(eng.share_above_threshold(bills), abs=1e-12)
    assert d.above_now_pct == pytest.approx(
        eng.share_above_threshold(eng.project_bills(rigid.tariff, 1.0)), abs=1e-12
    )


def test_cost_baseline_is_the_committees_target_after_one_year(town: Scenario) -> None:
    from sim.governance.committee import target_revenue

    b = cost_baseline(town)
    one = town.model_copy(update={"horizon_years": 1})
    eng = engine_for(one, town.seed)
    eng.run()
    assert b.costs_eur == pytest.approx(eng.yearly_costs_estimate(), rel=1e-12)
    assert b.target_revenue_eur == pytest.approx(target_revenue(eng, town.governance.council), rel=1e-12)
    assert b.costs_eur > 0 and b.target_revenue_eur > 0
    d = design(town, town.tariff)
    assert d.recovery_pct == pytest.approx(100 * d.revenue_eur / b.target_revenue_eur)


# ------------------------------------------------------------------------------------------
# the cap and the input checks
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("per_person", [False, True])
@pytest.mark.parametrize("standing", [0.0, 45.0, 80.0, 300.0])
def test_cap_check_matches_standing_charge_share_pct(
    town: Scenario, standing: float, per_person: bool
) -> None:
    tar = with_tariff(
        town.tariff, blocks=PROGRESSIVE, standing_charge_eur_per_year=standing, blocks_per_person=per_person
    )
    cap = design(town, tar).cap
    assert cap.share_pct == pytest.approx(standing_charge_share_pct(tar, ref_persons(town)), rel=1e-12)
    assert cap.cap_pct == 30.0 and cap.urban
    assert cap.ok == (cap.share_pct <= 30.0)
    assert cap.share_pct == pytest.approx(100 * cap.standing_eur / cap.cost_120m3_eur)


def test_base_town_cap_by_hand(town: Scenario) -> None:
    cap = design(town, town.tariff).cap
    assert cap.share_pct == pytest.approx(100 * 45 / (45 + 1.30 * 120))  # 22.4 %
    assert cap.ok
    rural = with_changes(town, {"town.urban": False})
    assert design(rural, rural.tariff).cap.cap_pct == 40.0


def test_check_proposal_accepts_a_valid_tariff(town: Scenario) -> None:
    tar = with_tariff(town.tariff, blocks=PROGRESSIVE)
    p = check_proposal(town, tar.model_dump(mode="json"))
    assert p.ok and p.problems == ()
    assert p.tariff == tar and p.scenario is not None and p.scenario.tariff == tar
    assert p.cap is not None and p.cap.ok


def test_check_proposal_locates_non_increasing_bounds(town: Scenario) -> None:
    data = town.tariff.model_dump(mode="json")
    data["blocks"] = [
        {"up_to_m3": 120, "price_eur_per_m3": 1.0},
        {"up_to_m3": 100, "price_eur_per_m3": 1.5},
        {"up_to_m3": None, "price_eur_per_m3": 2.0},
    ]
    p = check_proposal(town, data)
    assert not p.ok and p.tariff is None and p.scenario is None
    (problem,) = p.problems
    assert problem.path == "tariff.blocks[1].up_to_m3"
    assert problem.kind == "block_bound_order"
    assert problem.ctx == {"block": 2, "bound": 100, "previous": 120.0, "previous_block": 1}


def test_check_proposal_rejects_a_standing_charge_over_the_cap(town: Scenario) -> None:
    data = town.tariff.model_dump(mode="json") | {"standing_charge_eur_per_year": 200.0}
    p = check_proposal(town, data)
    assert not p.ok and p.scenario is None
    assert p.tariff is not None  # well formed: its cap check can be shown
    assert p.cap is not None and not p.cap.ok
    assert p.cap.share_pct == pytest.approx(100 * 200 / (200 + 156))
    (problem,) = p.problems
    assert problem.kind == "standing_charge_cap"
    assert problem.path == "tariff.standing_charge_eur_per_year"
    assert "30" in problem.message("fr") and "plafond" in problem.message("fr")


@pytest.mark.parametrize(
    ("blocks", "kind", "path"),
    [
        ([], "no_block", "tariff.blocks"),
        ([{"up_to_m3": 50, "price_eur_per_m3": 1.0}], "last_block_bound", "tariff.blocks[0].up_to_m3"),
        (
            [{"up_to_m3": None, "price_eur_per_m3": 1.0}, {"up_to_m3": None, "price_eur_per_m3": 2.0}],
            "block_bound_missing",
            "tariff.blocks[0].up_to_m3",
        ),
        (
            [{"up_to_m3": None, "price_eur_per_m3": 60.0}],
            "less_than_equal",
            "tariff.blocks[0].price_eur_per_m3",
        ),
    ],
)
def test_check_proposal_locates_other_problems(
    town: Scenario, blocks: list[dict[str, object]], kind: str, path: str
) -> None:
    p = check_proposal(town, town.tariff.model_dump(mode="json") | {"blocks": blocks})
    assert not p.ok
    assert [(q.kind, q.path) for q in p.problems] == [(kind, path)]


def test_a_saved_tariff_reloads_identical(town: Scenario) -> None:
    social = SocialTariff(enabled=True, eligible_deciles=(1,), kind="bill_cap")
    tar = with_tariff(town.tariff, blocks=PROGRESSIVE, free_volume_m3=15.0, social=social)
    saved = scenario_with_tariff(town, tar)
    again = loads_scenario(dumps_scenario(saved))
    assert again.tariff == tar
    assert again.model_copy(update={"tariff": town.tariff}) == town


# ------------------------------------------------------------------------------------------
# caching
# ------------------------------------------------------------------------------------------
def test_the_town_is_built_once_per_scenario_and_seed(town: Scenario) -> None:
    assert designer_for(town) is designer_for(town)
    assert designer_for(town, seed=town.seed + 1) is not designer_for(town)
    other = with_changes(town, {"households.count": 500})
    assert designer_for(other).n == 500


def test_a_given_baseline_is_used_as_is(town: Scenario) -> None:
    from sim.experiments.tariff_designer import CostBaseline

    small = with_changes(town, {"households.count": 100})
    d = TariffDesigner(small, baseline=CostBaseline(1000.0, 2000.0, 2026))
    out = d.evaluate(small.tariff)
    assert out.target_revenue_eur == 2000.0 and out.costs_eur == 1000.0
    assert out.recovery_pct == pytest.approx(100 * out.revenue_eur / 2000.0)

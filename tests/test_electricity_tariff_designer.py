"""The electricity tariff designer: its revenue is the model's billed revenue for the same tariff,
its bills are the service's, what is designed is what runs, and its answers move the right way."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from sim import dumps_scenario, loads_scenario, scale_town, simulate
from sim.dashboard import share
from sim.dashboard import tariff_design_electricity as page
from sim.electricity import tariff as et
from sim.experiments.electricity_tariff_designer import (
    ElectricityTariffDesigner,
    check_proposal,
    default_tax_day,
    scenario_with_tariff,
    tax_days,
)
from sim.scenario.electricity import ElectricityScenario, ElectricityTariff
from sim.scenario.model import load_scenario, scenarios_dir, with_changes


@pytest.fixture(scope="module")
def town() -> ElectricityScenario:
    """The électricity régie, 2,000 households, one year at normal temperatures."""
    s = with_changes(
        scale_town(load_scenario(scenarios_dir() / "electricity" / "regie.yaml"), 2000),
        {"households.temperature_sd_c": 0.0, "horizon_years": 1},
    )
    assert isinstance(s, ElectricityScenario)
    return s


@pytest.fixture(scope="module")
def designer(town: ElectricityScenario) -> ElectricityTariffDesigner:
    return ElectricityTariffDesigner(town)


def local_hphc(town: ElectricityScenario) -> ElectricityTariff:
    """A local HP/HC offer with a social rebate for deciles 1-3 (what a committee might design)."""
    data = town.tariff.model_dump(mode="json")
    data.update(
        pricing="local",
        option="hphc",
        fixed_eur_per_year_by_kva={3: 120.0, 6: 160.0, 9: 205.0, 12: 250.0, 15: 290.0},
        energy_eur_per_kwh={"hp": 0.215, "hc": 0.165},
        social={"enabled": True, "eligible_deciles": [1, 2, 3], "rebate_pct": 15.0, "eligible_share": 0.8},
    )
    return ElectricityTariff.model_validate(data)


def test_revenue_and_use_are_the_models_for_the_same_tariff(
    town: ElectricityScenario, designer: ElectricityTariffDesigner
) -> None:
    """The designer's revenue (excl. tax, rebate deducted) and kWh equal what the engine bills in
    its first year, for the current regulated tariff and for a local HP/HC offer with a rebate."""
    for tariff in (town.tariff, local_hphc(town)):
        d = designer.evaluate(tariff)
        years = simulate(scenario_with_tariff(town, tariff), town.seed).years
        assert years["tariff_index"].iloc[0] == 1.0 and years["price_index"].iloc[0] == 1.0
        assert d.revenue_eur == pytest.approx(float(years["revenue_eur"].iloc[0]), rel=1e-9)
        assert d.kwh == pytest.approx(float(years["kwh_billed"].iloc[0]), rel=1e-9)
        assert d.rebate_eur == pytest.approx(float(years["social_rebate_eur"].iloc[0]), rel=1e-9)
    assert designer.evaluate(local_hphc(town)).rebate_eur > 0


def test_households_on_their_own_options_are_the_engines_too(town: ElectricityScenario) -> None:
    """With households.own_option, each household at its own grid under the regulated tariff: the
    designer's revenue and kWh are still what the engine bills, and they differ from one option."""
    mixed = with_changes(town, {"households.own_option": True})
    assert isinstance(mixed, ElectricityScenario)
    d = ElectricityTariffDesigner(mixed).evaluate(mixed.tariff)
    years = simulate(mixed, mixed.seed).years
    assert d.revenue_eur == pytest.approx(float(years["revenue_eur"].iloc[0]), rel=1e-9)
    assert d.kwh == pytest.approx(float(years["kwh_billed"].iloc[0]), rel=1e-9)
    one = ElectricityTariffDesigner(town).evaluate(town.tariff)
    assert abs(d.revenue_eur / one.revenue_eur - 1.0) > 1e-4


def test_bills_are_the_services_line_by_line_arithmetic(
    town: ElectricityScenario, designer: ElectricityTariffDesigner
) -> None:
    """A household's bill is :func:`bill_total_eur` of its kVA and kWh on the tax day (no rebate)."""
    day = date(2025, 2, 1)
    kwh = designer.kwh_now
    b = designer.bills(town.tariff, kwh, day)
    for i in (0, designer.n // 2, designer.n - 1):
        expect = et.bill_total_eur(town.tariff, int(designer.kva[i]), {"base": float(kwh[i])}, day=day)
        assert b.total[i] == pytest.approx(expect, rel=1e-12)
    ref = designer.evaluate(town.tariff, tax_day=day).reference
    assert ref["new"].iloc[-1] == pytest.approx(
        et.bill_total_eur(town.tariff, 6, {"base": et.REFERENCE_KWH}, day=day), rel=1e-12
    )
    # the taxes of another period change the bill, not the revenue
    later = designer.evaluate(town.tariff, tax_day=date(2026, 2, 1))
    earlier = designer.evaluate(town.tariff, tax_day=day)
    assert later.revenue_eur == earlier.revenue_eur and later.taxes != earlier.taxes
    assert later.taxes["cta"] < earlier.taxes["cta"]  # CTA 21.93 % -> 15 % on 1 Feb 2026 (§6.2)


def test_dearer_energy_raises_poverty_and_a_rebate_lowers_it(
    town: ElectricityScenario, designer: ElectricityTariffDesigner
) -> None:
    now = designer.evaluate(town.tariff, price_response=False)
    assert now.pays_more_pct == 0 and now.pays_less_pct == 0 and now.poverty_pct == now.poverty_now_pct
    dear = town.tariff.model_copy(update={"energy_eur_per_kwh": {"base": 0.30}, "pricing": "local"})
    d = designer.evaluate(dear, price_response=False)
    assert d.pays_more_pct == 100 and d.poverty_pct > d.poverty_now_pct
    assert d.poverty_after_cheque_pct <= d.poverty_pct
    assert (d.deciles["change_eur"] > 0).all() and d.revenue_eur > d.revenue_now_eur
    soc = dear.social.model_copy(
        update={"enabled": True, "eligible_deciles": (1, 2, 3), "rebate_pct": 30.0, "eligible_share": 1.0}
    )
    helped = designer.evaluate(dear.model_copy(update={"social": soc}), price_response=False)
    assert helped.poverty_pct < d.poverty_pct
    assert d.revenue_eur - helped.revenue_eur == pytest.approx(helped.rebate_eur, rel=1e-9)
    low = helped.deciles.set_index("decile")
    assert (low.loc[[1, 2, 3], "bill_eur"] < d.deciles.set_index("decile").loc[[1, 2, 3], "bill_eur"]).all()
    assert (
        low.loc[4:, "bill_eur"].to_numpy() == d.deciles.set_index("decile").loc[4:, "bill_eur"].to_numpy()
    ).all()


def test_the_price_response_lowers_use_when_the_price_rises(
    town: ElectricityScenario, designer: ElectricityTariffDesigner
) -> None:
    dear = town.tariff.model_copy(update={"energy_eur_per_kwh": {"base": 0.30}, "pricing": "local"})
    assert designer.evaluate(dear).kwh < designer.evaluate(dear, price_response=False).kwh


def test_groups_by_heating_kva_and_income_band(
    town: ElectricityScenario, designer: ElectricityTariffDesigner
) -> None:
    g = designer.evaluate(town.tariff).groups
    assert set(g["band"]) == {"low", "middle", "high"}
    assert set(zip(g["heating"], g["kva"], strict=True)) == {("other", 6), ("electric", 9)}
    assert set(g["dwelling"]) == {"flat", "house"}
    assert g["households"].sum() == designer.n
    assert g.loc[g["dwelling"] == "house", "households"].sum() == designer.house.sum()
    by = g.set_index(["heating", "dwelling", "band"])["bill_eur"]
    for band in ("low", "middle", "high"):
        for dwelling in ("flat", "house"):
            assert by[("electric", dwelling, band)] > by[("other", dwelling, band)]
        # a house heats more than a flat (house_heating_factor), and its households are larger
        assert by[("electric", "house", band)] > by[("electric", "flat", band)]


def test_a_changed_regulated_price_is_a_what_if_and_a_local_offer_is_not(
    town: ElectricityScenario, designer: ElectricityTariffDesigner
) -> None:
    assert not designer.evaluate(town.tariff).what_if
    changed = town.tariff.model_copy(update={"energy_eur_per_kwh": {"base": 0.18}})
    assert designer.evaluate(changed).what_if and designer.evaluate(changed).regulated
    assert not designer.evaluate(changed.model_copy(update={"pricing": "local"})).what_if


def test_a_grid_without_the_households_power_or_below_its_taxes_is_located(town: ElectricityScenario) -> None:
    data = town.tariff.model_dump(mode="json")
    data["fixed_eur_per_year_by_kva"] = {3: 140.0, 6: 186.0}
    p = check_proposal(town, data)
    assert not p.ok and [(x.path, x.kind, x.ctx) for x in p.problems] == [
        ("tariff.fixed_eur_per_year_by_kva", "kva_missing", {"kva": "9"})
    ]
    data = town.tariff.model_dump(mode="json")
    data["energy_eur_per_kwh"] = {"base": 0.01}
    assert [x.kind for x in check_proposal(town, data).problems] == ["below_taxes"]
    data["energy_eur_per_kwh"] = {"base": -1.0}
    bad = check_proposal(town, data)
    assert not bad.ok and bad.problems[0].path.startswith("tariff.energy_eur_per_kwh")


def test_what_is_designed_is_what_runs(
    town: ElectricityScenario, designer: ElectricityTariffDesigner
) -> None:
    """Widgets -> tariff -> the scenario read back by the one safe loader: the tariff is the one
    entered, and it runs to the designer's revenue."""
    tariff = local_hphc(town)
    state = page.inputs_from_tariff(tariff)
    assert (
        page.inputs_from_tariff(ElectricityTariff.model_validate(page.tariff_data(state, town.tariff)))
        == state
    )
    proposal = check_proposal(town, page.tariff_data(state, town.tariff))
    assert proposal.ok and proposal.scenario is not None
    text = dumps_scenario(proposal.scenario)
    back = loads_scenario(text, origin="<tarif>", other_services=share.OTHER_SERVICES)
    assert back == proposal.scenario and back.tariff == tariff
    ran = simulate(back, back.seed).years["revenue_eur"].iloc[0]
    assert designer.evaluate(tariff).revenue_eur == pytest.approx(float(ran), rel=1e-9)


def test_switching_option_keeps_the_mean_kwh_price(town: ElectricityScenario) -> None:
    stack = town.cost_stack
    state = page.inputs_from_tariff(town.tariff)
    page.switch_option(state, "base", "hphc", stack.hp_factor, stack.hc_factor, 0.35)
    base = town.tariff.energy_eur_per_kwh["base"]
    assert state[page.energy_key("hp")] == pytest.approx(base * stack.hp_factor, abs=1e-4)
    assert state[page.energy_key("hc")] == pytest.approx(base * stack.hc_factor, abs=1e-4)
    state[page.energy_key("hp")], state[page.energy_key("hc")] = 0.30, 0.20
    page.switch_option(state, "hphc", "base", stack.hp_factor, stack.hc_factor, 0.35)
    assert state[page.energy_key("base")] == pytest.approx(0.65 * 0.30 + 0.35 * 0.20, abs=1e-4)
    # every option of the schema has its periods (a new option needs both)
    assert set(page.OPTIONS) <= set(et.PERIODS)


def test_tax_periods_are_the_laws() -> None:
    days = tax_days()
    assert date(2025, 8, 1) in days and date(2026, 2, 1) in days and list(days) == sorted(days)
    assert default_tax_day(2026) == date(2026, 2, 1)
    assert default_tax_day(2025) == date(2025, 2, 1)
    assert default_tax_day(1990) == days[0]


def test_the_decile_means_match_the_households(designer: ElectricityTariffDesigner) -> None:
    d = designer.evaluate(designer.current)
    assert d.deciles["households"].sum() == designer.n
    total = float((d.deciles["bill_eur"] * d.deciles["households"]).sum())
    b = designer.bills(designer.current, designer.kwh_now, d.tax_day).total
    assert total == pytest.approx(float(np.sum(b)), rel=1e-9)


def test_an_option_or_period_without_its_own_text_still_has_a_label() -> None:
    """An option another change adds to the schema is drawn before its texts are written; Tempo,
    whose six prices are entered in the file, is not offered by the page, nor are its scenarios."""
    assert page.option_label("hphc", "fr") == "Heures pleines / heures creuses"
    assert page.option_label("flex", "fr") == "flex"
    assert page.OPTIONS == ("base", "hphc")
    assert "electricity/tempo" in share.service_presets("electricity")
    assert all(page._base(f).tariff.option in page.DESIGNED for f in page.base_options())
    assert page.period_label("hc", "fr") == "Heures creuses (€/kWh)"
    assert page.period_label("blue_hp", "en") == "BLUE_HP (€/kWh)"

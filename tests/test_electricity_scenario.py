"""The electricity scenario: chosen by `service: electricity`, read by the one safe loader, every
default sourced, the shipped town in the reference's national bands."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from sim.electricity.demand import annual_kwh, degree_days, mean_annual_kwh, monthly_kwh
from sim.scenario.electricity import ElectricityScenario
from sim.scenario.errors import ScenarioError
from sim.scenario.model import (
    Scenario,
    dumps_scenario,
    load_scenario,
    loads_scenario,
    scale_town,
    with_changes,
)
from sim.scenario.params import is_assumption

ROOT = Path(__file__).resolve().parent.parent
TOWN = ROOT / "scenarios" / "electricity" / "town.yaml"
ELEC = ("electricity",)


def test_service_electricity_picks_the_electricity_model() -> None:
    s = load_scenario(TOWN)
    assert isinstance(s, ElectricityScenario)
    assert s.households.count == 20_000
    assert s.tariff.fixed_eur_per_year_by_kva[6] == 186.0  # TRVE of 1 Aug 2025 (electricity.md §1.4)
    assert isinstance(load_scenario(ROOT / "scenarios" / "town.yaml"), Scenario)


def test_round_trip_through_yaml_text() -> None:
    s = load_scenario(TOWN)
    assert loads_scenario(dumps_scenario(s), other_services=("electricity",)) == s


def test_text_doors_refuse_electricity_until_they_show_it() -> None:
    """Dashboard uploads, links and workshops read text with loads_scenario and show water only:
    an electricity scenario there is a located, bilingual refusal, not a page that breaks."""
    with pytest.raises(ScenarioError) as err:
        loads_scenario(TOWN.read_bytes(), origin="town.yaml")
    fr, en = err.value.format("fr"), err.value.format("en")
    assert "town.yaml" in en and "service" in en and "cannot be opened here yet" in en
    assert "ne s'ouvre pas encore ici" in fr and "Explorer et Comparer" in fr


def test_overrides_use_the_electricity_defaults() -> None:
    s = load_scenario(TOWN, {"tariff.option": "hphc", "tariff.energy_eur_per_kwh": "{hp: 0.27, hc: 0.2068}"})
    assert s.tariff.option == "hphc"
    s = loads_scenario(
        "service: electricity\n",
        overrides={"supply.market_price_eur_per_mwh": "250"},
        other_services=("electricity",),
    )
    assert s.supply.market_price_eur_per_mwh == 250


def test_errors_are_located() -> None:
    with pytest.raises(ScenarioError) as err:
        loads_scenario("service: electricity\nhouseholds: {pool_m3_per_year: 3}\n", other_services=ELEC)
    assert "households.pool_m3_per_year" in err.value.format("en")
    with pytest.raises(ScenarioError) as err:
        loads_scenario(
            "service: electricity\ntariff: {fixed_eur_per_year_by_kva: {48: 100}}\n", other_services=ELEC
        )
    assert "tariff.fixed_eur_per_year_by_kva" in err.value.format("en")
    with pytest.raises(ScenarioError):  # a boolean for a number, as for water
        loads_scenario(
            "service: electricity\nhouseholds: {electric_heating_share: yes}\n", other_services=ELEC
        )


def _fields(model: type, path: str = ""):
    for name, f in model.model_fields.items():
        extra = f.json_schema_extra or {}
        yield f"{path}{name}", extra.get("source", ""), f.annotation


def test_every_default_has_a_source() -> None:
    missing = []
    stack = [(ElectricityScenario, "")]
    while stack:
        model, path = stack.pop()
        for name, source, ann in _fields(model, path):
            if not source.strip():
                missing.append(name)
            if isinstance(ann, type) and hasattr(ann, "model_fields"):
                stack.append((ann, f"{name}."))
    assert not missing


def test_every_number_in_the_shipped_town_has_a_source_comment() -> None:
    """A number's source is a comment on its line, or a comment line just above it."""
    bare = []
    lines = TOWN.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        code = line.split("#", 1)[0]
        above = lines[i - 1].strip().startswith("#") if i else False
        if re.search(r":\s*[-\[{]?\s*[0-9]", code) and "#" not in line and not above:
            bare.append(f"line {i + 1}: {line}")
    assert not bare


def test_household_use_matches_the_published_cases() -> None:
    """electricity.md §3.1: 1 person in a flat 2,200 / 4,200 kWh, 4 persons in a house 3,700 / 9,000,
    exactly, whatever the heat a house needs over a flat (the dwelling's assumption)."""
    for factor in (1.0, 1.5, 1.37, 2.5):
        hh = with_changes(load_scenario(TOWN), {"households.house_heating_factor": factor}).households
        kwh = annual_kwh(hh, [1, 4, 1, 4], [False, False, True, True], [False, True, False, True])
        assert kwh.tolist() == [2200, 3700, 4200, 9000]


def test_mean_use_is_in_the_national_band() -> None:
    """CRE: 4.4 MWh a year on average for a residential TRVE customer (electricity.md §1.4). The
    four published cases, 39 % electric heating and the dwellings give 4.05 MWh: within 10 % (the
    cases are for 1 person in a flat and 4 in a house, not the mean dwelling)."""
    assert mean_annual_kwh(load_scenario(TOWN).households) == pytest.approx(4_400, rel=0.10)


def test_assumptions_are_labelled() -> None:
    s = ElectricityScenario.model_fields["cost_stack"].default_factory()
    src = type(s).model_fields["commercial_eur_per_customer_year"].json_schema_extra["source"]
    assert is_assumption(src)


def test_normal_year_of_months_adds_up_to_the_year() -> None:
    hh = load_scenario(TOWN).households
    persons = np.array([1, 2, 4, 5, 3])
    elec = np.array([True, False, True, False, True])
    house = np.array([False, True, True, False, True])
    months = sum(
        monthly_kwh(hh, persons, elec, house, m, hh.normal_monthly_temperature_c[m]) for m in range(12)
    )
    np.testing.assert_allclose(months, annual_kwh(hh, persons, elec, house), rtol=1e-12)


def test_a_colder_month_raises_only_electric_heating() -> None:
    """Thermosensitivity (§3.2): one degree colder in January adds 31 × heating part / normal
    degree-days to an electrically heated home, nothing to one heated otherwise."""
    hh = load_scenario(TOWN).households
    jan = hh.normal_monthly_temperature_c[0]
    normal = monthly_kwh(hh, [4, 4], [True, False], [True, True], 0, jan)
    cold = monthly_kwh(hh, [4, 4], [True, False], [True, True], 0, jan - 1.0)
    dd = float(degree_days(hh, hh.normal_monthly_temperature_c).sum())
    assert cold[0] - normal[0] == pytest.approx(31 * (9_000 - 3_700) / dd)
    assert cold[1] == normal[1]
    # no heating in a month warmer than the base
    assert monthly_kwh(hh, [4], [True], [True], 6, 25.0)[0] == pytest.approx(3_700 * 31 / 365)


def test_scale_town_scales_households_and_lines() -> None:
    s = scale_town(load_scenario(TOWN), 5_000)
    assert isinstance(s, ElectricityScenario)
    assert s.households.count == 5_000
    assert s.network.length_km == pytest.approx(626 / 4)


def test_scale_town_keeps_community_pv_and_the_social_fund_per_household() -> None:
    """A 2,000-household commons once adopted the 20,000-household town's 500 kWp programme steps
    (30 % local production, reserves far below zero): PV and the social fund now scale with the town,
    the legal ceiling of collective self-consumption does not."""
    s = load_scenario("scenarios/electricity/commons.yaml")
    s = with_changes(
        s, {"local_production.pv_kwp": 300.0, "energy_poverty.arrears.social_fund_eur_per_year": 40_000.0}
    )
    small = scale_town(s, s.households.count // 10)
    assert isinstance(small, ElectricityScenario) and isinstance(s, ElectricityScenario)
    assert small.local_production.step_kwp == pytest.approx(s.local_production.step_kwp / 10)
    assert small.local_production.pv_kwp == pytest.approx(30.0)
    assert small.local_production.acc_limit_kw == s.local_production.acc_limit_kw
    fund, big = small.energy_poverty.arrears, s.energy_poverty.arrears
    assert fund.social_fund_eur_per_year == pytest.approx(4_000.0)
    assert fund.social_fund_step_eur_per_year == pytest.approx(big.social_fund_step_eur_per_year / 10)

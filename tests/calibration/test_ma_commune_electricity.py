"""« Ma commune » for electricity: an ELD's own figures make the scenario (issue 12)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from sim import ScenarioError, load_scenario, loads_scenario, scale_town, simulate, with_changes
from sim.calibration.electricity import FIGURES as ELEC_FIGURES
from sim.calibration.electricity import (
    TOLERANCE,
    ElectricityFigures,
    base_scenario,
    calibrate_electricity,
    scenario_yaml,
    town_house_share,
)
from sim.calibration.errors import InputFileError
from sim.calibration.report import report_rows
from sim.dashboard import share
from sim.experiments.run import engine_for

APP = str(Path(__file__).resolve().parents[2] / "app.py")
OTHER = ("electricity",)
FIGURES = ElectricityFigures(
    name="Saint-Volt",
    households=6000,
    electric_heating_pct=55.0,
    houses_pct=60.0,
    network_km=210.0,
    underground_pct=40.0,
    saifi=1.1,
    saidi_min=80.0,
    pv_kwp=400.0,
    regime="commons",
)


def test_the_figures_are_set_and_the_saidi_is_matched_on_the_first_years() -> None:
    cal = calibrate_electricity(FIGURES)
    s = cal.scenario
    assert s.service == "electricity" and s.governance.regime == "commons" and s.town.name == "Saint-Volt"
    assert s.households.count == 6000 and s.households.electric_heating_share == pytest.approx(0.55)
    assert s.network.length_km == 210.0 and s.network.underground_share == pytest.approx(0.40)
    assert s.network.incidents_saifi == 1.1 and s.local_production.pv_kwp == 400.0
    # the SAIDI is the model's, over the first five years of that very scenario
    years = simulate(with_changes(s, {"horizon_years": 5}), seed=1).years
    saidi = float(years["saidi_excl_med_min"].mean())
    assert abs(saidi / 80.0 - 1) <= TOLERANCE
    row = next(r for r in cal.rows if r.key == "saidi_min")
    assert row.status == "ok" and row.model == pytest.approx(saidi)
    # the regulated tariff, the network tariff and the taxes are the shipped town's
    assert s.tariff == base_scenario("commons").tariff


def test_a_missing_figure_is_the_shipped_towns_at_the_entered_size() -> None:
    cal = calibrate_electricity(ElectricityFigures(households=5000))
    scaled = scale_town(load_scenario(Path(APP).parent / "scenarios/electricity/regie.yaml"), 5000)
    assert cal.scenario.network.length_km == scaled.network.length_km  # 626 km × 5,000 / 20,000
    assert cal.scenario.finance.overheads_eur_per_year == scaled.finance.overheads_eur_per_year
    statuses = {r.key: r.status for r in cal.rows}
    assert statuses["households"] == "set" and statuses["network_km"] == "assumed"
    assert statuses["saidi_min"] == "assumed"


def test_the_file_loads_back_to_the_same_scenario_and_says_what_was_entered() -> None:
    cal = calibrate_electricity(FIGURES)
    text = scenario_yaml(cal)
    assert loads_scenario(text, other_services=OTHER) == cal.scenario
    assert "Time without power (SAIDI" in text and "TRVE" in text
    fr = report_rows(cal, "fr")
    assert fr[0]["Indicateur"] == "Clients résidentiels" and fr[0]["Cible"] == "6\u202f000"
    saifi = [r for r in report_rows(cal, "en") if r["Indicator"].startswith("Cut frequency")]
    assert saifi[0]["Unit"] == "cuts/yr"


@pytest.mark.parametrize("houses", [0.0, 20.0, 55.0, 80.0, 100.0])
def test_the_share_of_houses_is_the_entered_one_with_the_towns_shape_by_size(houses: float) -> None:
    """The census share of households in a house: the town's share, weighted by its sizes, is the
    figure exactly; the shares by size keep their order (larger households live more in houses) and
    stay between 0 and 1; the drawn town has about that share."""
    shipped = scale_town(base_scenario("regie"), 3000).households
    cal = calibrate_electricity(ElectricityFigures(households=3000, houses_pct=houses))
    hh = cal.scenario.households
    assert 100 * town_house_share(hh) == pytest.approx(houses, abs=1e-9)
    by_size = np.asarray(hh.house_share_by_size)
    assert ((by_size >= 0) & (by_size <= 1)).all()
    if 0 < houses < 100:
        assert (np.diff(by_size) >= 0).all() == (np.diff(shipped.house_share_by_size) >= 0).all()
    row = next(r for r in cal.rows if r.key == "houses_pct")
    assert row.status == "set" and row.model == pytest.approx(houses, abs=1e-9)
    pop = engine_for(with_changes(cal.scenario, {"horizon_years": 1}), 1).pop
    assert 100 * pop.house.mean() == pytest.approx(houses, abs=2.5)  # type: ignore[attr-defined]
    # not entered: the shipped town's shares, said as assumed
    plain = calibrate_electricity(ElectricityFigures(households=3000))
    assert plain.scenario.households.house_share_by_size == shipped.house_share_by_size
    assert next(r for r in plain.rows if r.key == "houses_pct").status == "assumed"


def test_more_houses_mean_more_heating_need() -> None:
    """One figure at a time: a town with more houses uses more electricity for heating (and needs
    more heat where heated otherwise), the rest of the town the same."""
    need = []
    for houses in (30.0, 80.0):
        s = calibrate_electricity(ElectricityFigures(households=3000, houses_pct=houses)).scenario
        pop = engine_for(with_changes(s, {"horizon_years": 1}), 1).pop
        need.append(float((pop.heating_kwh_per_year + pop.other_heating_kwh_per_year).sum()))  # type: ignore[attr-defined]
    assert need[1] > need[0]


def test_impossible_figures_are_refused_with_where_and_why() -> None:
    with pytest.raises(InputFileError) as missing:
        calibrate_electricity(ElectricityFigures(saidi_min=60.0))
    assert "Residential customers" in missing.value.format("en")
    with pytest.raises(InputFileError) as bad:
        calibrate_electricity(ElectricityFigures(households=5000, underground_pct=140.0))
    assert "140" in bad.value.format("fr")
    with pytest.raises(InputFileError) as houses:
        calibrate_electricity(ElectricityFigures(households=5000, houses_pct=-3.0))
    assert "Ménages vivant en maison" in houses.value.format("fr")
    # above the legal ceiling of collective self-consumption: the scenario's own rule, located
    with pytest.raises(ScenarioError) as ceiling:
        calibrate_electricity(ElectricityFigures(households=5000, pv_kwp=900_000.0))
    assert "local_production" in ceiling.value.format("en")


# ------------------------------------------------------------------------------------------
# the page
# ------------------------------------------------------------------------------------------
def open_electric(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("sim/dashboard/my_town.py").run()
    at.segmented_control(key=share.SERVICE_WIDGET).set_value("electricity").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_page_builds_the_scenario_and_opens_exactly_it(lang: str) -> None:
    at = open_electric(lang)
    law = "fixés au niveau national" if lang == "fr" else "set nationally"
    assert any(law in i.value for i in at.info)
    # each field's unit in the page's language (« Residential customers (ménages) » was shown)
    labels = [at.number_input(key=f"mce_{key}").label for key in ELEC_FIGURES]
    units = ("ménages", "coupures/an", "min/an", "kWc")
    shown = [u for u in units if any(f"({u})" in x for x in labels)]
    assert shown == (list(units) if lang == "fr" else []), labels
    at.text_input(key="mce_name").input("Saint-Volt")
    keys = ("households", "electric_heating_pct", "houses_pct", "network_km", "underground_pct", "saifi")
    for key in (*keys, "saidi_min"):
        at.number_input(key=f"mce_{key}").set_value(getattr(FIGURES, key))
    at.button[0].click().run()  # the form's submit button
    assert not at.exception, [e.value for e in at.exception]
    assert at.success, [w.value for w in at.warning]
    table = at.dataframe[0].value
    assert len(table) == 8  # one row per figure, pv_kwp said as assumed
    at.button(key="mc_explorer").click().run()
    assert not at.exception, [e.value for e in at.exception]
    s = loads_scenario(at.session_state["imported_scenario_yaml"], other_services=OTHER)
    assert s.town.name == "Saint-Volt" and s.households.count == 6000 and s.network.length_km == 210.0
    assert town_house_share(s.households) == pytest.approx(0.60, abs=1e-9)
    # what runs is what was shown and downloaded: the current scenario is that very YAML
    assert loads_scenario(at.session_state[share.CURRENT], other_services=OTHER) == s


@pytest.mark.slow
def test_the_page_says_what_is_wrong_and_keeps_the_scenario() -> None:
    at = open_electric("fr")
    before = at.session_state[share.CURRENT]
    at.button[0].click().run()  # nothing entered: the customers are missing
    assert not at.exception
    assert at.error and "Clients résidentiels" in at.error[0].value
    assert at.session_state[share.CURRENT] == before

"""« Ma commune » page (AppTest): fill the form, see the report, open the scenario in the Explorer."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sim import loads_scenario
from sim.dashboard import share

APP = str(Path(__file__).resolve().parents[2] / "app.py")
pytestmark = pytest.mark.slow


def open_page(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("sim/dashboard/my_town.py").run()
    return at


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_fill_the_form_and_open_in_the_explorer(lang):
    at = open_page(lang)
    assert not at.exception
    at.text_input(key="mc_name").input("Bourg-sur-Eau")
    for key, value in (
        ("households", 8000),
        ("network_km", 140.0),
        ("price_120m3_eur_per_m3", 2.40),
        ("yield_pct", 72.0),
        ("renewal_pct", 0.45),
        ("unpaid_pct", 1.8),
    ):
        at.number_input(key=f"mc_{key}").set_value(value)
    at.button[0].click()  # the form's submit button
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success, "every target should be matched"
    table = at.dataframe[0].value
    assert len(table) >= 5
    at.button(key="mc_explorer").click().run()
    assert not at.exception
    text = at.session_state["imported_scenario_yaml"]
    assert at.session_state["imported_scenario_target"] == "explorer"
    s = loads_scenario(text)
    assert s.town.name == "Bourg-sur-Eau" and s.households.count == 8000
    # what runs is what was shown and downloaded: the current scenario is that very YAML
    assert loads_scenario(at.session_state[share.CURRENT]) == s


def test_files_without_insee_code_say_so():
    at = open_page("en")
    at.button[0].click().run()  # nothing entered: households are missing
    assert not at.exception
    assert at.error and "households" in at.error[0].value

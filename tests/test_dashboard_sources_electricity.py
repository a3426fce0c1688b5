"""The « Hypothèses et sources » page with an electricity scenario (AppTest, issue 12): the table
lists the electricity parameters with their units, reference sections and links; a value changed
there is what the Explorer runs; a refused value changes nothing; the mechanisms are those of the
electricity documentation."""

from __future__ import annotations

from pathlib import Path

import apptest
import pytest
from streamlit.testing.v1 import AppTest

from sim.dashboard import common, share, sources
from sim.i18n import t
from sim.scenario.electricity import ElectricityScenario
from sim.scenario.model import loads_scenario

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PAGE = "sim/dashboard/sources.py"
EXPLORER = "sim/dashboard/explorer.py"
TIMEOUT = 120
PRICE = "energy_poverty.other_heating_price_eur_per_kwh"


def open_electric(lang: str | None = None) -> AppTest:
    """The Sources page, then its service selector set to electricity (its base town)."""
    at = apptest.open_page(PAGE, lang, TIMEOUT)
    at.segmented_control(key=share.SERVICE_WIDGET).set_value("electricity").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def current(at: AppTest) -> ElectricityScenario:
    s = loads_scenario(at.session_state[share.CURRENT], other_services=share.OTHER_SERVICES)
    assert isinstance(s, ElectricityScenario)
    return s


def edit(at: AppTest, path: str, value: float) -> AppTest:
    at.selectbox(key=sources.EDIT_PATH).set_value(path).run()
    at.number_input(key=sources.EDIT_PREFIX + path).set_value(value)
    at.button(key="sources_apply").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_table_lists_the_electricity_parameters_in_french() -> None:
    at = open_electric()
    table = at.dataframe[0].value.set_index("Clé")
    assert "tariff.fixed_eur_per_year_by_kva" in table.index and PRICE in table.index
    assert not any(p.startswith(("resource.", "sewerage.")) for p in table.index)  # no water row
    row = table.loc[PRICE]
    assert row["Scénario courant"] == "0,12" and row["Unité"] == "€/kWh"
    assert row["Source"].startswith("Hypothèse")
    assert table.loc["tariff.social.rebate_pct", "Référence"] == "electricity.md §4.2 — Chèque énergie"
    assert table["Lien"].notna().all()  # a row without a link is an empty cell, not « None »
    linked = table["Lien"][table["Lien"] != ""]
    assert len(linked) >= 50 and linked.str.match(r"https?://").all()
    shown = {p.path for p in common.iter_params(ElectricityScenario)}
    assert set(table.index) == shown  # every parameter of the schema, once
    assert t("sources.mechanisms.electricity", "fr") in [c.value for c in at.caption]
    titles = [e.label for e in at.expander]
    assert "La précarité énergétique (`sim.electricity.poverty`)" in titles
    assert "Ce que la loi fixe au niveau national, ce que l'opérateur local décide" in titles
    assert not any("UARL" in m.value for m in at.latex)  # water's formulas are not shown


def test_the_table_in_english() -> None:
    at = open_electric("en")
    table = at.dataframe[0].value.set_index("Key")
    assert table.loc[PRICE, "Unit"] == "€/kWh"
    assert "Energy poverty (`sim.electricity.poverty`)" in [e.label for e in at.expander]


def test_a_value_changed_here_is_what_the_explorer_runs() -> None:
    at = open_electric()
    before = current(at)
    edit(at, PRICE, 0.15)
    now = current(at)
    assert now.energy_poverty.other_heating_price_eur_per_kwh == 0.15
    assert now == before.model_copy(
        update={"energy_poverty": before.energy_poverty.model_copy(update={PRICE.split(".")[1]: 0.15})}
    )
    assert at.dataframe[0].value.set_index("Clé").loc[PRICE, "Scénario courant"] == "0,15"
    assert any("0,15" in s.value for s in at.success)
    at.switch_page(EXPLORER).run()
    assert not at.exception, [e.value for e in at.exception]
    run = share.store().get(share.run_key(now))  # the run shown is of that very scenario
    assert run is not None and run.scenario == now


def test_a_refused_value_says_where_and_changes_nothing() -> None:
    at = open_electric()
    before = current(at)
    at.selectbox(key=sources.EDIT_PATH).set_value("households.count").run()
    at.number_input(key=sources.EDIT_PREFIX + "households.count").set_value(500_000)
    at.button(key="sources_apply").click().run()
    assert current(at) == before
    assert any("households.count" in e.value for e in at.error)


def test_a_named_choice_is_offered_in_words() -> None:
    at = open_electric()
    at.selectbox(key=sources.EDIT_PATH).set_value("tariff.pricing").run()
    box = at.selectbox(key=sources.EDIT_PREFIX + "tariff.pricing")
    assert "regulated" not in box.options and "local" not in box.options, box.options
    assert box.value == "regulated"  # the code is what the scenario keeps

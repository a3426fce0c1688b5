"""The Compare page's « Régie multiservice » choice (issue 12): the shipped multi-service régie
against the two services run separately, in French and in English; the figures shown are those of
:func:`sim.experiments.multi.against_separate`; the three inputs go through the one safe loader
and what runs is what was entered (the text downloaded reads back to the same scenario)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from test_dashboard_electricity import english_words, page_texts

from sim.dashboard import compare as compare_page
from sim.dashboard import compare_multi, explorer
from sim.experiments.multi import STEPS, against_separate
from sim.i18n import fmt_number
from sim.scenario.errors import ScenarioError
from sim.scenario.multi import load_multiservice, loads_multiservice

APP = str(explorer.__file__).replace("sim/dashboard/explorer.py", "app.py")
COMPARE = "sim/dashboard/compare.py"
TIMEOUT = 300

#: a small multi-service town (600 households, 3 years): the page's mechanics, quickly
SMALL_TEXT = """\
service: multi
name: Petite régie multiservice
horizon_years: 3
seed: 1
services:
  water:
    extends: regie.yaml
    households: {count: 600}
  electricity:
    extends: electricity/regie.yaml
    households: {count: 600}
    network: {storm_crew_share_pct: 100, storm_crew_hours: 24}
shared:
  crews: true
  overheads_pooled: true
  overhead_saving_pct: 10
  one_bill: true
  bill_cost_eur: 3
  households_served_by_all_pct: 100
  split_key: overheads
"""


@pytest.fixture
def small_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The section reads a small multi-service file instead of the shipped one."""
    f = tmp_path / "multiservice.yaml"
    f.write_text(SMALL_TEXT, encoding="utf-8")
    monkeypatch.setattr(compare_multi, "SCENARIO_FILE", f)
    return f


def open_multi(lang: str | None = None, **inputs: Any) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if lang:
        at.query_params["lang"] = lang
    at.session_state[compare_page.MODE_KEPT] = "multi"
    for key, value in inputs.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(COMPARE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _waterfall(at: AppTest) -> dict[str, Any]:
    specs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    falls = [s for s in specs if s["data"] and s["data"][0]["type"] == "waterfall"]
    assert len(falls) == 1
    return falls[0]


# ------------------------------------------------------------------------------------------
# without a page run
# ------------------------------------------------------------------------------------------
def test_the_entered_text_reads_back_to_what_was_entered() -> None:
    text = compare_multi.entered_text("customers", 15.0, 4.5)
    ms = compare_multi.entered_scenario(text)
    assert (ms.shared.split_key, ms.shared.overhead_saving_pct, ms.shared.bill_cost_eur) == (
        "customers",
        15,
        4.5,
    )
    # the rest is the shipped file, untouched
    shipped = load_multiservice(compare_multi.SCENARIO_FILE)
    assert ms.services == shipped.services
    assert ms.spec.model_copy(update={"shared": shipped.shared}) == shipped.spec
    # the downloaded text is the text that ran: read back, the same scenario
    assert loads_multiservice(text, "regie-multiservice.yaml") == ms
    # the defaults of the inputs are the shipped file's
    assert compare_multi.shipped_shared() == shipped.shared.model_dump(mode="json")


def test_an_entered_value_out_of_bounds_is_refused_by_the_loader() -> None:
    with pytest.raises(ScenarioError) as exc:
        compare_multi.entered_scenario(compare_multi.entered_text("overheads", 80.0, 3.0))
    assert [p.path for p in exc.value.problems] == ["shared.overhead_saving_pct"]


def test_the_shipped_files_and_the_multi_choice_share_the_mode_list() -> None:
    assert compare_page.MODES == ("files", "current", "multi")


# ------------------------------------------------------------------------------------------
# the page (AppTest: slow tier)
# ------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_compare_shows_the_shipped_multiservice_regie_in_french() -> None:
    at = open_multi()
    assert at.radio(key=compare_page.MODE_WIDGET).value == "multi"
    ms = load_multiservice(compare_multi.SCENARIO_FILE)
    cmp = against_separate(ms)
    # the table: one row per measure, the figures of against_separate, French-formatted
    table = at.dataframe[0].value
    assert list(table.columns) == [
        "Mesure",
        "Services séparés",
        "+ équipes partagées",
        "+ frais généraux",
        "+ une seule facture",
        "Écart",
    ]
    assert len(table) == len(cmp.table.index)
    opex = table.iloc[0]
    assert opex["Mesure"] == "Charges d'exploitation (M€)"
    for col, step in zip(table.columns[1:5], STEPS, strict=True):
        assert opex[col] == fmt_number(cmp.table.at["opex_eur", step] / 1e6, "fr", 2)
    assert opex["Écart"] == fmt_number(cmp.parts.at["opex_eur", "gap"] / 1e6, "fr", 2)
    assert "," in opex["Services séparés"] and "\u202f" in table.iloc[4]["Services séparés"]  # 1 143,94
    wait = table.loc[table["Mesure"] == "Attente d'une équipe, eau (h)"].iloc[0]
    assert wait["Écart"] == "+" + fmt_number(cmp.parts.at["water_crew_wait_hours", "gap"], "fr", 1)
    # the waterfall: separate, each sharing, the régie; the parts add up to the gap
    fall = _waterfall(at)["data"][0]
    assert fall["y"][0] == pytest.approx(cmp.table.at["opex_eur", "separate"] / 1e6)
    assert fall["y"][1:4] == pytest.approx([cmp.parts.at["opex_eur", p] / 1e6 for p in STEPS[1:]])
    assert fall["y"][-1] == pytest.approx(cmp.table.at["opex_eur", "bill"] / 1e6)
    assert sum(fall["y"][1:4]) == pytest.approx(fall["y"][-1] - fall["y"][0])
    assert _waterfall(at)["layout"]["separators"].startswith(",")
    # per-service effects: the water price falls, the electricity reserves rise
    labels = [m.label for m in at.metric]
    assert labels[:2] == ["Prix de l'eau en 2055 (120 m3)", "Trésorerie de l'électricité fin 2055"]
    price = cmp.steps["bill"].results["water"].years["price_120m3_eur_per_m3"].iloc[-1]
    assert at.metric[0].value == f"{fmt_number(price, 'fr', 2)}\u00a0€/m3"
    assert at.metric[0].proto.delta.startswith("-")
    assert at.metric[1].proto.delta.startswith("+")
    # the overhead saving and what is sourced
    total = -cmp.parts.at["overheads_eur", "gap"] / 1e6
    assert any(f"**{fmt_number(total, 'fr', 2)} M€**" in m.value for m in at.markdown)
    assert any("**Hypothèses**" in m.value and "electricity.md §1.2" in m.value for m in at.markdown)
    assert english_words(page_texts(at)) == set()


@pytest.mark.slow
def test_compare_shows_the_multiservice_regie_in_english(small_file: Path) -> None:
    at = open_multi("en")
    table = at.dataframe[0].value
    assert list(table.columns)[0] == "Measure" and table.iloc[0]["Measure"] == "Operating costs (M€)"
    cmp = against_separate(load_multiservice(small_file))
    assert table.iloc[0]["Separate services"] == fmt_number(
        cmp.table.at["opex_eur", "separate"] / 1e6, "en", 2
    )
    assert re.fullmatch(r"-?\d+\.\d{2}", table.iloc[0]["Separate services"])
    assert [m.label for m in at.metric][:2] == [
        "Water price in 2028 (120 m3)",
        "Electricity cash, end of 2028",
    ]
    assert any("What is sourced" in h.value for h in at.subheader)


@pytest.mark.slow
def test_what_runs_is_what_was_entered(small_file: Path) -> None:
    at = open_multi()
    at.selectbox(key=compare_multi.SPLIT_WIDGET).set_value("customers")
    at.number_input(key=compare_multi.SAVING_WIDGET).set_value(20.0)
    at.number_input(key=compare_multi.BILL_WIDGET).set_value(8.0).run()
    assert not at.exception and not at.error
    want = loads_multiservice(SMALL_TEXT).with_shared(
        split_key="customers", overhead_saving_pct=20.0, bill_cost_eur=8.0
    )
    cmp = against_separate(want)
    table = at.dataframe[0].value
    overheads = table.loc[table["Mesure"] == "dont frais généraux (M€)"].iloc[0]
    for col, step in zip(table.columns[1:5], STEPS, strict=True):
        assert overheads[col] == fmt_number(cmp.table.at["overheads_eur", step] / 1e6, "fr", 2)
    # the downloaded text is what ran, and reads back to the scenario entered
    text = compare_multi.entered_text("customers", 20.0, 8.0)
    assert loads_multiservice(text) == want

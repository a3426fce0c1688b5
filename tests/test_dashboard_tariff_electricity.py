"""Dashboard tests (AppTest): the tariff designer for electricity in French and English, its
"what if" under the regulated tariff, and the designed tariff applied to the Explorer's scenario
through the safe loader (what runs is what was entered); the Explorer's tornado on electricity."""

from __future__ import annotations

import json
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from sim import dumps_scenario, loads_scenario, scale_town, simulate
from sim.dashboard import common, share
from sim.dashboard import tariff_design_electricity as page
from sim.experiments.electricity_tariff_designer import designer_for
from sim.scenario.electricity import ElectricityScenario
from tests.test_dashboard_electricity import english_words, open_page, page_texts

pytestmark = pytest.mark.slow

PAGE = "sim/dashboard/tariff_design.py"
EXPLORER = "sim/dashboard/explorer.py"


@pytest.fixture(scope="module")
def small() -> ElectricityScenario:
    s = share.apply_changes(
        scale_town(share.load_preset("electricity/town"), 2000), {"horizon_years": 3}, "t"
    )
    assert isinstance(s, ElectricityScenario)
    return s


def metric(at: AppTest, key: str, lang: str, **kw: Any) -> str:
    label = common.t(key, lang, **kw)
    found = [str(m.value) for m in at.metric if m.label == label]
    assert len(found) == 1, [m.label for m in at.metric]
    return found[0]


def table_texts(at: AppTest) -> list[str]:
    out: list[str] = []
    for tb in at.table:
        df = tb.value
        out += [str(c) for c in df.columns] + [str(v) for v in df.astype(str).to_numpy().ravel()]
    return out


def test_the_designer_shows_the_electricity_town_in_french(small: ElectricityScenario) -> None:
    at = open_page(PAGE, small, "fr")
    assert at.session_state[page.BASE_KEY] == page.EXPLORER_BASE
    # the regulated tariff is national: said plainly
    assert common.t("eltariff.regulated", "fr") in [w.value for w in at.warning]
    revenue = metric(at, "eltariff.metric.revenue", "fr")
    assert revenue.endswith("\u00a0€") and "\u202f" in revenue  # French grouping, euro after
    assert "," in metric(at, "eltariff.metric.price", "fr")
    assert metric(at, "tariff.metric.more", "fr") == "0\u00a0%"
    assert len(at.get("plotly_chart")) == 2 and len(at.table) == 3
    texts = page_texts(at) + table_texts(at)
    assert english_words(texts) == set()
    assert (
        common.t("eltariff.band.low", "fr") in texts and common.t("eltariff.heating.electric", "fr") in texts
    )
    # the inputs are the town's grid
    assert at.number_input(key=page.fixed_key(6)).value == small.tariff.fixed_eur_per_year_by_kva[6]
    assert at.number_input(key=page.energy_key("base")).value == small.tariff.energy_eur_per_kwh["base"]


def test_the_designer_in_english(small: ElectricityScenario) -> None:
    at = open_page(PAGE, small, "en")
    assert metric(at, "eltariff.metric.revenue", "en").startswith("€")
    assert common.t("eltariff.taxes.header", "en") in [h.value for h in at.subheader]


def test_a_changed_regulated_price_is_labelled_what_if_and_a_local_offer_is_not(
    small: ElectricityScenario,
) -> None:
    at = open_page(PAGE, small, "fr")
    at.number_input(key=page.energy_key("base")).set_value(0.23).run()
    assert not at.exception
    assert common.t("eltariff.regulated.what_if", "fr") in [w.value for w in at.warning]
    assert metric(at, "tariff.metric.more", "fr") == "100\u00a0%"
    at.button(key=page.APPLY).click().run()
    done = common.t("eltariff.apply.done", "fr", name="town-tarif.yaml")
    assert f"{done} {common.t('eltariff.apply.what_if', 'fr')}" in [s.value for s in at.success]
    at.radio(key=page.PRICING).set_value("local").run()
    assert common.t("eltariff.local", "fr") in [i.value for i in at.info]
    assert not at.warning


def test_hphc_and_a_rebate_then_apply_runs_exactly_what_was_entered(small: ElectricityScenario) -> None:
    at = open_page(PAGE, small, "fr")
    at.radio(key=page.PRICING).set_value("local").run()
    at.radio(key=page.OPTION).set_value("hphc").run()
    assert not at.exception
    hp = at.number_input(key=page.energy_key("hp")).value
    assert hp == pytest.approx(small.tariff.energy_eur_per_kwh["base"] * small.cost_stack.hp_factor, abs=1e-4)
    at.number_input(key=page.energy_key("hc")).set_value(0.16).run()
    at.checkbox(key=page.K + "social.on").check().run()
    at.multiselect(key=page.K + "social.deciles").set_value([1, 2]).run()
    at.number_input(key=page.K + "social.rebate").set_value(25.0).run()
    at.number_input(key=page.fixed_key(9)).set_value(210.0).run()
    assert not at.exception and not at.error
    at.button(key=page.APPLY).click().run()
    assert not at.exception
    assert common.t("eltariff.apply.done", "fr", name="town-tarif.yaml") in [s.value for s in at.success]
    ran = loads_scenario(at.session_state[share.CURRENT], other_services=share.OTHER_SERVICES)
    assert isinstance(ran, ElectricityScenario)
    tar = ran.tariff
    assert (tar.pricing, tar.option) == ("local", "hphc")
    assert tar.energy_eur_per_kwh == {"hp": hp, "hc": 0.16}
    assert tar.fixed_eur_per_year_by_kva[9] == 210.0
    assert tar.social.enabled and tar.social.eligible_deciles == (1, 2) and tar.social.rebate_pct == 25.0
    # everything else is the base town's
    assert ran.model_copy(update={"tariff": small.tariff}) == small
    assert at.session_state[share.SOURCE] == "town-tarif.yaml"
    # the Explorer runs it, and its first year bills the designer's revenue (normal weather aside)
    one = ran.model_copy(update={"horizon_years": 1})
    still = one.model_copy(update={"households": one.households.model_copy(update={"temperature_sd_c": 0.0})})
    revenue = designer_for(still).evaluate(tar).revenue_eur
    assert simulate(still, still.seed).years["revenue_eur"].iloc[0] == pytest.approx(revenue, rel=1e-9)
    at.switch_page(EXPLORER).run()
    assert not at.exception
    assert dumps_scenario(share._parse(at.session_state[share.CURRENT])) == dumps_scenario(ran)


def test_a_grid_without_the_households_power_says_where(small: ElectricityScenario) -> None:
    at = open_page(PAGE, small, "fr")
    at.radio(key=page.PRICING).set_value("local").run()
    before = metric(at, "eltariff.metric.revenue", "fr")
    at.number_input(key=page.energy_key("base")).set_value(0.005).run()  # below its excise and VAT
    assert not at.exception
    assert any(common.t("eltariff.error.below_taxes", "fr") in e.value for e in at.error)
    assert metric(at, "eltariff.metric.revenue", "fr") == before  # the last valid tariff stays
    assert at.button(key=page.APPLY).disabled


def test_the_explorer_draws_an_electricity_tornado(small: ElectricityScenario) -> None:
    at = open_page(EXPLORER, small, "fr")
    assert common.t("tornado.header.electricity", "fr") in [e.label for e in at.expander]
    at.selectbox(key="explorer-tornado-indicator").set_value("saidi_min").run()
    at.button(key="explorer-tornado").click().run(timeout=300)
    assert not at.exception
    charts = [c for c in at.get("plotly_chart") if "explorer-tornado-chart" in str(c.proto.id)]
    assert charts
    names = {y for trace in json.loads(charts[0].proto.spec)["data"] for y in trace["y"]}
    # parameters in words, not paths
    assert any(n.startswith("Tempêtes coupant les lignes aériennes") for n in names)
    assert not any("." in n and " " not in n for n in names), names
    assert english_words([str(e.label) for e in at.expander] + table_texts(at)) == set()

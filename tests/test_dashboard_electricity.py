"""Dashboard tests (AppTest): the Explorer and Compare pages for an electricity town, in French and
English; the service selector; uploads and share links of an electricity scenario, through the
page (what runs is what was entered); the water-only pages saying so."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from sim import dumps_scenario, loads_scenario, scale_town, simulate
from sim.dashboard import common, ensembles, explorer, share
from sim.dashboard import compare as compare_page
from sim.dashboard.explain_panel import INDICATOR_KEY
from sim.experiments.compare import ELECTRICITY_HEADLINES, INDICATORS, compare
from sim.scenario.electricity import ElectricityScenario
from sim.show.report import ELECTRICITY_FANS, ELECTRICITY_FIGURES
from sim.show.report import ELECTRICITY_HEADLINES as EXPLORER_HEADLINES

# pages run through Streamlit's AppTest: the slow tier
pytestmark = pytest.mark.slow

APP = str(explorer.__file__).replace("sim/dashboard/explorer.py", "app.py")
EXPLORER = "sim/dashboard/explorer.py"
COMPARE = "sim/dashboard/compare.py"
TIMEOUT = 180
NBSP, NNBSP = "\u00a0", "\u202f"
#: English words that have no business on a French page (whole words, lower case)
ENGLISH = {
    "the", "and", "of", "per", "with", "price", "bill", "bills", "cuts", "households", "energy",
    "network", "share", "staff", "debt", "money", "year", "years", "yes", "poverty", "underground",
    "reference", "regime", "water", "electricity", "storm", "storms", "decile", "tariff", "law",
    "reserves", "upload", "file", "run", "seed", "assumption", "derived",
}  # fmt: skip


@pytest.fixture(scope="module")
def small() -> ElectricityScenario:
    """The electricity base town scaled to 2,000 households, over 5 years."""
    s = share.apply_changes(
        scale_town(share.load_preset("electricity/town"), 2000), {"horizon_years": 5}, "t"
    )
    assert isinstance(s, ElectricityScenario)
    return s


def open_page(
    page: str,
    scenario: Any,
    lang: str | None = None,
    *,
    preset: str | None = "electricity/town",
    mode: str = "current",
) -> AppTest:
    """The app on ``page`` with ``scenario`` as the current one."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if lang:
        at.query_params["lang"] = lang
    if scenario is not None:
        for key, value in share.session_values(scenario, preset, f"{preset or 'mine'}.yaml").items():
            at.session_state[key] = value
    at.session_state[compare_page.MODE_KEPT] = mode
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def current(at: AppTest) -> Any:
    return loads_scenario(at.session_state[share.CURRENT], other_services=share.OTHER_SERVICES)


def metric(at: AppTest, column: str, lang: str = "fr") -> str:
    label = explorer.metric_label(column, lang)
    found = [m.value for m in at.metric if m.label == label]
    assert len(found) == 1, [m.label for m in at.metric]
    return str(found[0])


def page_texts(at: AppTest) -> list[str]:
    """Every text a reader sees on the page (the share link's address aside)."""
    out: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "error",
        "warning",
        "success",
    ):
        out += [str(x.value) for x in getattr(at, kind)]
    for m in at.metric:
        out += [str(m.label), str(m.value), str(m.proto.delta), str(m.help)]
    out += [str(x.label) for x in at.tabs] + [str(x.label) for x in at.expander]
    for w in [*at.number_input, *at.selectbox, *at.button, *at.radio]:
        out += [str(w.label), str(getattr(w, "help", "") or "")]
    for w in at.selectbox:
        out += [str(o) for o in w.options]
    for df in at.dataframe:
        table = df.value
        out += [str(c) for c in table.columns]
        out += [str(v) for v in table.astype(str).to_numpy().ravel()]
    return out


def english_words(texts: list[str]) -> set[str]:
    """The words of ``texts`` that are in :data:`ENGLISH` (file names, keys and codes left out)."""
    found = set()
    for text in texts:
        # code, file names, dotted keys, codes_with_underscores and --flags are not prose
        text = re.sub(r"`[^`]*`|[\w./-]+\.ya?ml|\b[a-z_]+(\.[a-z_\[\]0-9*]+)+\b|\w+_\w+|--[\w-]+", " ", text)
        found |= {w for w in re.findall(r"[a-z]+", text.lower()) if w in ENGLISH}
    return found


def specs(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


# ------------------------------------------------------------------------------------------
# Explorer
# ------------------------------------------------------------------------------------------
def test_explorer_shows_an_electricity_town_in_french(small: ElectricityScenario) -> None:
    at = open_page(EXPLORER, small)
    assert not at.error
    assert at.segmented_control(key=share.SERVICE_WIDGET).value == "electricity"
    # the headline figures are the electricity ones, read from the run, French-formatted
    labels = [m.label for m in at.metric]
    assert labels == [explorer.metric_label(h.column, "fr") for h in EXPLORER_HEADLINES]
    result = simulate(small, seed=small.seed)
    last = result.years.iloc[-1]
    # the card's name says « du kWh »: the value in euros fits a laptop's card (« 0,3262 €/… » did not)
    assert metric(at, "price_ref_eur_per_kwh") == f"{last['price_ref_eur_per_kwh']:.4f}".replace(".", ",") + (
        f"{NBSP}€"
    )
    assert re.fullmatch(rf"\d{{1,3}}({NNBSP}\d{{3}})*{NBSP}€", metric(at, "bill_ref_eur"))
    assert metric(at, "saidi_min") == f"{round(last['saidi_min'])}{NBSP}min"
    assert re.fullmatch(rf"\d+,\d{NBSP}%", metric(at, "energy_poverty_pct"))
    # what the law fixes, and the regulated price said in words
    assert any("Ce que la loi fixe" in m.value and "TURPE" in m.value for m in at.markdown)
    assert any("tarif réglementé" in i.value and "le prix est le même" in i.value for i in at.info)
    # the electricity charts, in French, and the decisions
    assert [x.label for x in at.tabs] == [
        *(common.t(f"explorer.tab.{n}", "fr") for n in ELECTRICITY_FIGURES),
        "Décisions",
    ]
    titles = [s["layout"]["title"]["text"] for s in specs(at)]
    assert any(x.startswith("Continuité de la fourniture : coupures, tempêtes") for x in titles)
    assert all(s["layout"]["separators"].startswith(",") for s in specs(at))
    decisions = at.dataframe[0].value
    assert "Tarif de l'électricité" in set(decisions.astype(str).to_numpy().ravel())
    assert "État (tarif réglementé)" in set(decisions.astype(str).to_numpy().ravel())
    # no English anywhere on the page
    assert english_words(page_texts(at)) == set()


def test_explorer_shows_an_electricity_town_in_english(small: ElectricityScenario) -> None:
    at = open_page(EXPLORER, small, "en")
    assert not at.error
    assert [m.label for m in at.metric][:3] == ["Price per kWh", "Reference bill", "Energy poverty"]
    assert re.fullmatch(r"0\.\d{4} €", metric(at, "price_ref_eur_per_kwh", "en"))
    assert re.fullmatch(r"\d{1,3}(,\d{3})* €", metric(at, "bill_ref_eur", "en"))
    assert any("What the law fixes" in m.value for m in at.markdown)
    assert "Cuts and network" in [x.label for x in at.tabs]
    assert all(s["layout"]["separators"] == ".," for s in specs(at))


def test_the_explorer_widgets_are_the_electricity_schemas(small: ElectricityScenario) -> None:
    at = open_page(EXPLORER, small)
    paths = [p for ps in explorer.groups(ElectricityScenario).values() for p in ps]
    for path in ("households.count", "households.electric_heating_share", "households.price_elasticity"):
        assert path in paths
    assert "network.renewal_rate_pct" in paths
    assert not any(p.startswith("tariff.blocks") for p in paths)  # water's price blocks
    for path in paths:
        widget = at.sidebar.get("number_input") + at.sidebar.get("selectbox")
        keys = {w.key for w in widget}
        assert explorer.widget_key(path) in keys, path
    # a named choice is shown in words, the value stays the code
    option = at.selectbox(key=explorer.widget_key("tariff.option"))
    assert option.value == "base" and "Heures pleines / heures creuses" in option.options


def test_a_widget_change_runs_the_electricity_town_with_it(small: ElectricityScenario) -> None:
    at = open_page(EXPLORER, small)
    before = metric(at, "underground_share_pct")
    at.number_input(key=explorer.widget_key("network.renewal_rate_pct")).set_value(6.0)
    at.button(key="explorer_run").click().run()
    assert not at.exception and not at.error
    s = current(at)
    assert s.network.renewal_rate_pct == 6.0 and isinstance(s, ElectricityScenario)
    changed = share.apply_changes(small, {"network.renewal_rate_pct": 6.0}, "t")
    want = simulate(changed, seed=changed.seed).years["underground_share_pct"].iloc[-1]
    assert metric(at, "underground_share_pct") == f"{want:.1f}".replace(".", ",") + f"{NBSP}%"
    assert metric(at, "underground_share_pct") != before
    # the address bar is a link to exactly that scenario
    assert at.query_params["p"] == "electricity/town"
    assert share.scenario_from_link(dict(at.query_params), "fr") == s


def test_the_service_selector_switches_between_the_base_towns() -> None:
    at = open_page(EXPLORER, None)  # a fresh session: water's base town
    assert at.segmented_control(key=share.SERVICE_WIDGET).value == "water"
    assert any("town.yaml — Ville\\-sur\\-Eau" in c.value for c in at.caption)
    at.segmented_control(key=share.SERVICE_WIDGET).set_value("electricity").run()
    assert not at.exception and not at.error
    assert current(at) == share.load_preset("electricity/town")
    assert any("electricity/town.yaml — Ville\\-sur\\-Courant" in c.value for c in at.caption)
    presets = at.selectbox(key=share.PRESET_WIDGET)
    assert list(presets.options) == [
        share.preset_label(n, "fr") for n in share.service_presets("electricity")
    ]
    assert "Prix du kWh" in [m.label for m in at.metric]
    assert at.query_params["p"] == "electricity/town"
    # a shipped electricity scenario from the list
    presets.set_value("electricity/concession").run()
    assert current(at).governance.regime == "concession"
    at.segmented_control(key=share.SERVICE_WIDGET).set_value("water").run()
    assert current(at) == share.load_preset("town")
    assert "Prix du m³ (120 m³)" in [m.label for m in at.metric]


def test_an_electricity_upload_runs_exactly_what_was_entered(small: ElectricityScenario) -> None:
    entered = share.apply_changes(small, {"households.electric_heating_share": 0.6, "town.name": "Volt"}, "t")
    at = open_page(EXPLORER, share.load_preset("town"), preset="town")  # water on screen
    at.file_uploader(key=share.UPLOAD_WIDGET).set_value(
        ("volt.yaml", dumps_scenario(entered).encode("utf-8"), "application/x-yaml")
    )
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("volt.yaml" in x.value for x in at.success)
    assert current(at) == entered
    assert at.segmented_control(key=share.SERVICE_WIDGET).value == "electricity"
    want = simulate(entered, seed=entered.seed).years.iloc[-1]
    assert (
        metric(at, "energy_poverty_pct") == f"{want['energy_poverty_pct']:.1f}".replace(".", ",") + f"{NBSP}%"
    )
    # shared as changes to the electricity base town, and the link opens the same scenario
    assert at.query_params["p"] == "electricity/town"
    assert share.scenario_from_link(dict(at.query_params), "fr") == entered


def test_an_electricity_share_link_opens_exactly_that_scenario(small: ElectricityScenario) -> None:
    wanted = share.apply_changes(
        small, {"governance.regime": "commons", "network.renewal_rate_pct": 3.0}, "t"
    )
    params = share.link_params(wanted, "electricity/town", "explorer")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in {**params, "lang": "en"}.items():
        at.query_params[k] = v
    at.run()  # the home page follows the link to the Explorer
    assert not at.exception, [e.value for e in at.exception]
    assert [x.value for x in at.title] == ["Explore a scenario"]
    assert current(at) == wanted
    want = simulate(wanted, seed=wanted.seed).years.iloc[-1]
    assert metric(at, "saidi_min", "en") == f"{round(want['saidi_min'])} min"


def test_a_link_to_an_electricity_preset_with_bad_changes_says_why(small: ElectricityScenario) -> None:
    params = share.link_params(small, "electricity/town", "explorer")
    params["c"] = share.encode_changes({"households.electric_heating_share": 3})
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    text = " ".join(e.value for e in at.error)
    assert "households.electric\\_heating\\_share" in text or "households.electric_heating_share" in text
    assert current(at) == share.load_preset("town")  # nothing changed


# ------------------------------------------------------------------------------------------
# Compare
# ------------------------------------------------------------------------------------------
def test_compare_shows_the_electricity_regimes_in_french(small: ElectricityScenario) -> None:
    at = open_page(COMPARE, small)
    assert not at.error
    assert at.segmented_control(key=share.SERVICE_WIDGET).value == "electricity"
    table = at.dataframe[0].value
    assert list(table["Indicateur"]) == [INDICATORS[h.key][0] for h in ELECTRICITY_HEADLINES]
    price = table.loc[table["Indicateur"] == INDICATORS["price_ref_kwh_last"][0]].iloc[0, 1:]
    assert len(set(price)) == 1 and "," in price.iloc[0]  # regulated: one price, decimal comma
    cmp = compare(compare_page.scenarios_for("current", small, "fr"), seed=small.seed)
    reserves = table.loc[table["Indicateur"] == INDICATORS["reserves_eur_last"][0]].iloc[0]
    assert reserves["Régie publique"] == common.format_value(
        round(cmp.table.at["regie", "reserves_eur_last"]), "fr"
    )
    assert any("mêmes tempêtes" in i.value for i in at.info)
    assert any("prix fixé nationalement" in m.value for m in at.markdown)
    charts = specs(at)
    assert len(charts) == len(compare_page.ELECTRICITY_BARS) + 1  # and the waterfall
    # the explained gap: the reserves by default, as the price gap is zero
    assert at.selectbox(key=INDICATOR_KEY).value == "reserves_eur"
    fall = charts[-1]["data"][0]
    assert fall["meta"] == "reserves_eur"
    assert fall["y"][0] == pytest.approx(cmp.results["regie"].years["reserves_eur"].iloc[-1])
    assert fall["y"][-1] == pytest.approx(cmp.results["concession"].years["reserves_eur"].iloc[-1])
    assert sum(fall["y"][1:-1]) == pytest.approx(fall["y"][-1] - fall["y"][0], abs=1e-6)
    assert english_words(page_texts(at)) == set()


def test_compare_lets_the_reader_choose_the_gap_explained(small: ElectricityScenario) -> None:
    at = open_page(COMPARE, small)
    at.selectbox(key=INDICATOR_KEY).set_value("saidi_min").run()
    assert not at.exception and not at.error
    fall = specs(at)[-1]["data"][0]
    assert fall["meta"] == "saidi_min"
    parts = at.dataframe[-1].value
    assert list(parts.columns) == ["Différence basculée", "Effet (min)"]
    # the price, under the regulated tariff: zero from end to end
    at.selectbox(key=INDICATOR_KEY).set_value("price_ref_eur_per_kwh").run()
    fall = specs(at)[-1]["data"][0]
    assert fall["y"][0] == pytest.approx(fall["y"][-1])


def test_compare_shows_the_electricity_regimes_in_english(small: ElectricityScenario) -> None:
    at = open_page(COMPARE, small, "en")
    table = at.dataframe[0].value
    assert list(table["Indicator"]) == [INDICATORS[h.key][1] for h in ELECTRICITY_HEADLINES]
    assert any("same storms" in i.value for i in at.info)
    assert at.selectbox(key=INDICATOR_KEY).label == "Gap explained"
    assert re.fullmatch(r"0\.\d{4}", table.loc[0].iloc[1])
    assert any("What the law fixes" in m.value for m in at.markdown)


def test_compare_files_are_the_shipped_electricity_regimes() -> None:
    at = open_page(COMPARE, share.load_preset("electricity/town"), mode="files")
    assert not at.error
    diff = at.dataframe[1].value
    assert "governance.regime" in set(diff["Clé"])
    # meanings come from the electricity schema
    assert all(m for m in diff["Signification"])


# ------------------------------------------------------------------------------------------
# pages that simulate water only
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_tariff_page_designs_the_chosen_service(small: ElectricityScenario, lang: str) -> None:
    """The tariff page follows the service selector: an electricity scenario opens the electricity
    designer (no water-only note any more), a water one the water designer."""
    at = open_page("sim/dashboard/tariff_design.py", small, lang)
    note = common.t("page.water_only", lang)
    assert note not in [i.value for i in at.info]
    assert common.t("eltariff.intro", lang) in [m.value for m in at.markdown]
    water = open_page("sim/dashboard/tariff_design.py", share.load_preset("town"), lang, preset="town")
    assert common.t("tariff.intro", lang) in [m.value for m in water.markdown]
    assert common.t("eltariff.intro", lang) not in [m.value for m in water.markdown]


# ------------------------------------------------------------------------------------------
# many futures
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("page", "key"), [(EXPLORER, "explorer"), (COMPARE, "comparer")])
def test_electricity_futures_draw_the_electricity_fans(
    small: ElectricityScenario, page: str, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ensembles.EXECUTOR_ENV, "sequential")
    monkeypatch.setattr(ensembles, "RUN_CHOICES", (0, 4))
    share.store().clear()
    at = open_page(page, small)
    at.segmented_control(key=ensembles.runs_widget_key(key)).set_value(4).run()
    assert not at.exception and not at.error, [e.value for e in at.exception]
    fans = [s for s in specs(at) if all(isinstance(d.get("meta"), dict) for d in s["data"])]
    assert [s["data"][0]["meta"]["indicator"] for s in fans] == list(ELECTRICITY_FANS)
    if page == EXPLORER:  # each headline figure is the futures' median, with its odds in words
        assert any("futurs simulés sur 4" in c.value and "kWh" in c.value for c in at.caption)
    assert english_words(page_texts(at)) == set()


def test_the_workshop_landing_no_longer_says_it_simulates_water_only(
    small: ElectricityScenario, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workshop runs electricity sessions now (tests/test_workshop_electricity.py): its landing
    does not send an electricity reader elsewhere."""
    import streamlit as st

    monkeypatch.setenv("REGIE_SIM_WORKSHOP_DB", str(tmp_path / "page.sqlite3"))
    monkeypatch.delenv("REGIE_SIM_FACILITATOR_SECRET", raising=False)
    st.cache_resource.clear()
    try:
        at = open_page("sim/dashboard/workshop.py", small)
        assert common.t("page.water_only", "fr") not in [i.value for i in at.info]
    finally:
        st.cache_resource.clear()

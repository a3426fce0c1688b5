"""Dashboard smoke tests (AppTest): the « Hypothèses et sources » page and the helpers it uses."""

from __future__ import annotations

import io
import json
from pathlib import Path

import apptest
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sim.dashboard import common, share, sources
from sim.i18n import t
from sim.scenario.model import Scenario, loads_scenario

# pages run through Streamlit's AppTest: the slow tier
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = "sim/dashboard/sources.py"
KNOWN = "households.consumption_l_per_person_day"
TIMEOUT = 60


def open_sources(lang: str | None = None) -> AppTest:
    return apptest.open_page(PAGE, lang, TIMEOUT)


def shown_table(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def known_source(lang: str = "fr") -> str:
    return common.param_at(Scenario, KNOWN).source_in(lang)


# ------------------------------------------------------------------------------------------
# the page in the app
# ------------------------------------------------------------------------------------------
def test_page_renders_in_french_by_default() -> None:
    at = open_sources()
    assert [e.value for e in at.title] == ["Hypothèses et sources"]
    table = shown_table(at)
    assert "Clé" in table.columns and "Source" in table.columns
    row = table[table["Clé"] == KNOWN]
    assert len(row) == 1
    assert "water.md §1.7" in known_source()
    assert row["Source"].iloc[0] == known_source()
    assert row["Signification"].iloc[0] == "Consommation domestique moyenne par personne au prix de référence"
    assert row["Par défaut"].iloc[0] == "146"
    assert row["Bornes"].iloc[0] == "]20 ; 600]"
    assert row["Statut"].iloc[0] == "✔ source publiée"
    assert at.query_params["lang"] == "fr"


def test_page_renders_in_english_from_the_url() -> None:
    at = open_sources("en")
    assert [e.value for e in at.title] == ["Assumptions and sources"]
    table = shown_table(at)
    row = table[table["Key"] == KNOWN]
    assert row["Meaning"].iloc[0] == "Mean domestic consumption per person at the reference price"
    assert row["Source"].iloc[0] == known_source("en")
    assert row["Bounds"].iloc[0] == "(20, 600]"


def test_language_switch_changes_page_and_url() -> None:
    at = open_sources()
    at.segmented_control(key=common.LANG_WIDGET_KEY).set_value("en").run()
    assert not at.exception
    assert [e.value for e in at.title] == ["Assumptions and sources"]
    assert at.session_state[common.LANG_KEY] == "en"
    assert at.query_params["lang"] == "en"
    at.segmented_control(key=common.LANG_WIDGET_KEY).set_value("fr").run()
    assert [e.value for e in at.title] == ["Hypothèses et sources"]


def test_unknown_language_in_url_falls_back_to_french() -> None:
    at = open_sources("xx")
    assert [e.value for e in at.title] == ["Hypothèses et sources"]


def test_assumptions_carry_a_badge() -> None:
    table = shown_table(open_sources())
    # French page: sources of assumptions are written « Hypothèse : … »
    assumption_rows = table[table["Source"].str.startswith("Hypothèse")]
    assert len(assumption_rows) > 10
    assert set(assumption_rows["Statut"]) == {"⚠ hypothèse"}
    others = table[~table["Source"].str.startswith("Hypothèse")]
    assert "⚠ hypothèse" not in set(others["Statut"])


def test_filter_box_and_assumptions_only() -> None:
    at = open_sources()
    at.text_input(key="sources.filter").input("consommation personne").run()
    table = shown_table(at)
    assert KNOWN in set(table["Clé"])
    assert len(table) < 10
    at.text_input(key="sources.filter").input("").run()
    at.checkbox(key="sources.only_assumptions").check().run()
    assert set(shown_table(at)["Statut"]) == {"⚠ hypothèse"}
    at.text_input(key="sources.filter").input("zzz-nothing").run()
    assert len(at.dataframe) == 1  # only the restriction-level table remains
    assert any(t("sources.none") in i.value for i in at.info)


def test_every_mechanism_is_explained_with_its_formula() -> None:
    at = open_sources()
    subheaders = [s.value for s in at.subheader]
    for key in sources.FORMULAS:
        assert t(f"mech.{key}.title") in subheaders
    latex = " ".join(x.value for x in at.latex)
    for expected in (
        "18\\,L_m",
        "0{,}8\\,N_c",
        "25\\,L_p",
        "N_0\\, e^{A\\,t}",
        "^{\\varepsilon}",
        "\\text{ILI}",
        "30\\,\\%",
    ):
        assert expected in latex, expected
    markdown = " ".join(m.value for m in at.markdown)
    assert "146 L/personne/jour" in markdown.replace("\u202f", " ")  # defaults quoted from the schema


# ------------------------------------------------------------------------------------------
# the table, without the page
# ------------------------------------------------------------------------------------------
def test_table_lists_every_parameter_once_with_meaning_and_source() -> None:
    table = sources.parameter_table("fr")
    assert table["path"].is_unique
    assert len(table) == len(list(common.iter_params()))
    for path in (
        "town.urban",
        "tariff.blocks[0].price_eur_per_m3",
        "network.materials.pe.life_years",
        "network.cohorts[0].length_km",
        "resource.usage_rules.crise.outdoor_cut_pct",
        "shocks[*].year",
        "finance.interest_rate_pct",
        KNOWN,
    ):
        assert path in set(table["path"]), path
    assert (table["meaning"].str.strip() != "").all()
    assert (table["source"].str.strip() != "").all()


def test_csv_download_round_trips() -> None:
    table = sources.parameter_table("fr")
    back = pd.read_csv(
        io.BytesIO(sources.to_csv(table, "fr")),
        sep=";",
        encoding="utf-8-sig",
        dtype=str,
        keep_default_na=False,
    )
    assert list(back.columns) == [t(f"sources.col.{c}") for c in sources.COLUMNS]
    assert list(back["Clé"]) == list(table["path"])
    assert back.loc[back["Clé"] == KNOWN, "Source"].iloc[0] == known_source()


def test_download_button_is_on_the_page() -> None:
    at = open_sources()
    assert len(at.get("download_button")) == 1


@pytest.mark.parametrize(
    ("path", "lang", "expected"),
    [
        ("households.price_elasticity", "fr", "[-2 ; 0]"),
        ("households.outdoor_share_garden", "en", "[0, 1)"),
        ("households.outdoor_share_garden", "fr", "[0 ; 1["),
        (
            "finance.initial_cash_eur",
            "fr",
            "[-10\u202f000\u202f000\u202f000 ; 10\u202f000\u202f000\u202f000]",
        ),
        ("network.materials.pe.hazard_model", "en", "possible values: shamir_howard, weibull"),
        ("town.name", "fr", "—"),
    ],
)
def test_bounds_are_readable(path: str, lang: str, expected: str) -> None:
    assert common.format_bounds(common.param_at(Scenario, path), lang) == expected


def test_values_are_formatted_in_the_language() -> None:
    assert common.format_value(0.006, "fr") == "0,006"
    assert common.format_value(150_000.0, "fr") == "150\u202f000"
    assert common.format_value((0.37, 0.33), "fr") == "0,37 ; 0,33"
    assert common.format_value((0.37, 0.33), "en") == "0.37, 0.33"
    assert common.format_value(True, "fr") == "oui"
    assert common.format_value((), "en") == "none"


def test_param_at_reports_a_bad_path() -> None:
    with pytest.raises(KeyError, match="nope"):
        common.param_at(Scenario, "households.nope")
    with pytest.raises(KeyError):
        common.param_at(Scenario, "households")  # a block, not a parameter


# ------------------------------------------------------------------------------------------
# widgets from the schema
# ------------------------------------------------------------------------------------------
WIDGET_KEYS = [
    "households.consumption_l_per_person_day",
    "network.active_leak_detection",
    "network.materials.pe.hazard_model",
    "tariff.blocks[0].price_eur_per_m3",
    "workforce.crews",
]


def _widgets_page() -> None:
    import streamlit as st

    from sim.dashboard.common import widgets_for
    from sim.scenario.model import Scenario

    keys = st.session_state.get("keys")
    st.session_state["changes"] = widgets_for(Scenario, Scenario(), keys, st.session_state.get("wl", "fr"))


def widgets_app(keys: list[str] | None, lang: str = "fr") -> AppTest:
    at = AppTest.from_function(_widgets_page, default_timeout=TIMEOUT)
    at.session_state["keys"] = keys
    at.session_state["wl"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_widgets_follow_the_schema_and_return_changes_by_path() -> None:
    at = widgets_app(WIDGET_KEYS)
    assert at.session_state["changes"] == {}
    consumption = at.number_input(key="w." + WIDGET_KEYS[0])
    assert (
        consumption.label
        == "Consommation domestique moyenne par personne au prix de référence (L/personne/jour)"
    )
    assert consumption.value == 146.0
    assert consumption.min > 20 and consumption.max == 600  # gt 20, le 600
    assert "water.md §1.7" in consumption.help
    assert at.checkbox(key="w.network.active_leak_detection").value is False
    assert at.selectbox(key="w.network.materials.pe.hazard_model").options == [
        "shamir_howard",
        "weibull",
    ]
    crews = at.number_input(key="w.workforce.crews")
    assert crews.value == 3 and crews.step == 1

    consumption.set_value(120.0)
    at.checkbox(key="w.network.active_leak_detection").check()
    at.number_input(key="w.tariff.blocks[0].price_eur_per_m3").set_value(1.5)
    at.run()
    assert at.session_state["changes"] == {
        "households.consumption_l_per_person_day": 120.0,
        "network.active_leak_detection": True,
        "tariff.blocks[0].price_eur_per_m3": 1.5,
    }
    # the changes are what sim.scenario.model.with_changes takes
    from sim.scenario.model import with_changes

    changed = with_changes(Scenario(), at.session_state["changes"])
    assert changed.households.consumption_l_per_person_day == 120.0
    assert changed.tariff.blocks[0].price_eur_per_m3 == 1.5


def test_widgets_default_to_the_parameters_marked_for_widgets_in_english() -> None:
    at = widgets_app(None, "en")
    marked = [p.path for p in common.iter_params() if p.widget and not p.container and "[*]" not in p.path]
    assert marked
    drawn = {w.key for w in [*at.number_input, *at.checkbox, *at.selectbox]}
    assert drawn == {"w." + p for p in marked}
    assert at.number_input(key=f"w.{KNOWN}").label.endswith("(L/person/day)")
    assert at.number_input(key=f"w.{KNOWN}").label.startswith("Mean domestic consumption")


# ------------------------------------------------------------------------------------------
# cached runs
# ------------------------------------------------------------------------------------------
def test_cached_simulate_runs_from_yaml_and_caches() -> None:
    sim = pytest.importorskip("sim")
    if not hasattr(sim, "simulate"):
        pytest.skip("sim.simulate is not written yet")
    from sim.scenario.model import dumps_scenario, with_changes

    text = dumps_scenario(with_changes(Scenario(), {"households.count": 150, "horizon_years": 2}))
    common.cached_simulate.clear()
    first = common.cached_simulate(text, 7)
    again = common.cached_simulate(text, 7)
    assert first.seed == 7 and len(first.years) == 2
    pd.testing.assert_frame_equal(first.years, again.years)
    direct = sim.simulate(sim.loads_scenario(text), seed=7)
    pd.testing.assert_frame_equal(first.years, direct.years)


def test_regimes_explained_on_the_sources_page_in_both_languages() -> None:
    from streamlit.testing.v1 import AppTest

    for lang, title, rule in (
        ("fr", "Comment fonctionne chaque mode de gestion", "Veto citoyen"),
        ("en", "How each regime works", "Citizens' veto"),
    ):
        at = AppTest.from_file("../sim/dashboard/sources.py", default_timeout=60)
        at.session_state["lang"] = lang
        at.run()
        assert not at.exception
        exp = [e for e in at.expander if e.label == title]
        assert exp, [e.label for e in at.expander]
        assert any(rule in m.value for m in exp[0].markdown)


def test_the_value_its_unit_its_reference_and_its_source_fit_a_laptop_screen() -> None:
    """At 1366 px the table shows about 900 px: meaning, the current and default values, unit,
    source and its link come first and fit in it; the key comes last."""
    proto = open_sources().dataframe[0].proto
    order = list(proto.column_order)
    assert order[:6] == ["Signification", "Scénario courant", "Par défaut", "Unité", "Source", "Lien"]
    assert order[-1] == "Clé"
    widths = json.loads(proto.columns)
    assert sum(widths[c]["width"] for c in order[:6]) <= 910
    row = shown_table(open_sources()).set_index("Clé").loc[KNOWN]
    assert row["Référence"] == "water.md §1.7 — Consommation et prélèvements"


# ------------------------------------------------------------------------------------------
# changing a parameter from here, into the Explorer's scenario (issue 14)
# ------------------------------------------------------------------------------------------
EXPLORER = "sim/dashboard/explorer.py"


def current_scenario(at: AppTest) -> Scenario:
    return loads_scenario(at.session_state[share.CURRENT])


def edit(at: AppTest, path: str, value: object) -> AppTest:
    """Pick ``path`` in the editor, enter ``value`` and apply."""
    at.selectbox(key=sources.EDIT_PATH).set_value(path).run()
    assert not at.exception, [e.value for e in at.exception]
    info = common.param_at(Scenario, path)
    if sources._plain(info):
        widget = {"float": at.number_input, "int": at.number_input, "bool": at.checkbox}.get(
            info.kind, at.selectbox
        )
        widget(key=sources.EDIT_PREFIX + path).set_value(value)
    else:
        at.text_area(key=sources.EDIT_YAML + path).input(str(value))
    at.button(key="sources_apply").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_value_changed_here_is_what_the_explorer_runs() -> None:
    at = apptest.open_page(PAGE, None, 120)
    path = "network.renewal_rate_pct"  # one of the Explorer's own widgets
    before = current_scenario(at)
    assert before.network.renewal_rate_pct != 1.5
    edit(at, path, 1.5)
    assert any("1,5" in s.value for s in at.success)
    assert current_scenario(at).network.renewal_rate_pct == 1.5
    row = shown_table(at).set_index("Clé").loc[path]
    assert row["Scénario courant"] == "1,5" and row["Par défaut"] != "1,5"
    # a parameter the Explorer has no widget for goes the same way
    edit(at, "workforce.subcontract_premium_pct", 35.0)
    now = current_scenario(at)
    assert now.workforce.subcontract_premium_pct == 35.0 and now.network.renewal_rate_pct == 1.5
    assert now == before.model_copy(
        update={
            "network": before.network.model_copy(update={"renewal_rate_pct": 1.5}),
            "workforce": before.workforce.model_copy(update={"subcontract_premium_pct": 35.0}),
        }
    )
    at.switch_page(EXPLORER).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="explorer.w." + path).value == 1.5  # its widget shows it
    run = share.store().get(share.run_key(now))  # and the run shown is of that very scenario
    assert run is not None and run.scenario == now


def test_an_explorer_change_shows_in_the_current_column() -> None:
    at = apptest.open_page(EXPLORER, None, 120)
    at.number_input(key="explorer.w.network.renewal_rate_pct").set_value(1.25)
    at.button(key="explorer_run").click().run()
    assert not at.exception
    at.switch_page(PAGE).run()
    row = shown_table(at).set_index("Clé").loc["network.renewal_rate_pct"]
    assert row["Scénario courant"] == "1,25"


def test_lists_are_entered_as_yaml_and_refused_values_change_nothing() -> None:
    at = apptest.open_page(PAGE, None, 120)
    before = current_scenario(at)
    edit(at, "households.size_shares", "[0.3, 0.3, 0.2, 0.1, 0.05]")  # sums to 0.95
    assert current_scenario(at) == before
    assert any("households.size\\_shares" in e.value for e in at.error)
    edit(at, "households.size_shares", "{a: !!python/object:os.system ls}")  # the safe loader
    assert current_scenario(at) == before and at.error
    edit(at, "households.size_shares", "[0.35, 0.33, 0.15, 0.12, 0.05]")
    assert current_scenario(at).households.size_shares == (0.35, 0.33, 0.15, 0.12, 0.05)
    edit(at, "households.count", 500_000)  # beyond the dashboard's limit, as in the Explorer
    assert current_scenario(at).households.count == before.households.count
    assert any("households.count" in e.value for e in at.error)


def test_every_parameter_of_the_current_scenario_can_be_picked() -> None:
    at = apptest.open_page(PAGE, None, 120)
    s = current_scenario(at)
    options = at.selectbox(key=sources.EDIT_PATH).options
    params = sources.editable_params(s)
    assert len(options) == len(params) > 250
    leaves = {p.path for p in common.iter_params() if "[*]" not in p.path and not p.container}
    assert leaves <= {p.path for p in params} | {
        p for p in leaves if common.get_path(s, p) is None and "[" in p
    }  # every parameter, but list items the current scenario does not have


# ------------------------------------------------------------------------------------------
# links to the publications, and why an assumption is one
# ------------------------------------------------------------------------------------------
def test_sources_link_to_the_publication_they_cite() -> None:
    table = sources.parameter_table("fr").set_index("path")
    assert table.loc[KNOWN, "link"].startswith("https://www.tf1info.fr/")  # the « 146 L » line
    assert table.loc["households.decile_mean_income_eur", "link"].startswith("https://www.insee.fr/")
    linked = table["link"].notna()
    assert linked.sum() >= 90
    assert table.loc[linked, "link"].str.match(r"https?://").all()
    # a row that cites no section has no link; assumptions and choices have none unless they cite one
    assert (table.loc[table["reference"] == "—", "link"].isna()).all()
    at = open_sources()
    shown = shown_table(at).set_index("Clé")
    assert shown.loc[KNOWN, "Lien"] == table.loc[KNOWN, "link"]
    # a row without a link shows an empty cell, not Python's « None »
    assert shown["Lien"].notna().all() and (shown.loc[table["link"].isna(), "Lien"] == "").all()
    config = json.loads(at.dataframe[0].proto.columns)["Lien"]
    assert config["type_config"]["type"] == "link"  # drawn as a link, the site's name shown
    assert config["type_config"]["display_text"] == sources.LINK_TEXT


def test_every_assumption_says_why() -> None:
    for lang, word in (("fr", "Hypothèse"), ("en", "assumption")):
        table = sources.parameter_table(lang)
        bare = table["status"] == t("sources.status.assumption", lang)
        assert bare.sum() > 10
        # « Hypothèse » alone is never the whole source: a reason follows it
        assert (table.loc[bare, "source"].str.len() > len(word) + 10).all()
    row = sources.parameter_table("fr").set_index("path").loc["network.materials.pe.weibull_shape"]
    assert "Weibull" in row["source"] and row["source"].startswith("Hypothèse")

"""Dashboard tests (AppTest): the « Comparer les régimes » page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sim import Scenario
from sim.dashboard import compare as page
from sim.dashboard import share
from sim.experiments.compare import HEADLINES, INDICATORS, compare, differences

# pages run through Streamlit's AppTest: the slow tier
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = "sim/dashboard/compare.py"
TIMEOUT = 90
NNBSP = "\u202f"


@pytest.fixture(scope="module")
def small() -> Scenario:
    """The base town, made small: 2,000 households over 5 years."""
    return share.apply_changes(
        share.load_preset("town"), {"households.count": 2000, "horizon_years": 5}, "test"
    )


def open_compare(small: Scenario, lang: str | None = None, mode: str = "current") -> AppTest:
    """The app on the Compare page, comparing ``small`` with its regime switched."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if lang:
        at.query_params["lang"] = lang
    for key, value in share.session_values(small, "town", "town.yaml").items():
        at.session_state[key] = value
    at.session_state[page.MODE_KEPT] = mode
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_compare_renders_in_french(small: Scenario) -> None:
    at = open_compare(small)
    assert [x.value for x in at.title] == ["Comparer les modes de gestion"]
    assert not at.error
    assert any("même graine (1)" in i.value for i in at.info)
    table = at.dataframe[0].value
    assert list(table.columns) == [
        "Indicateur",
        "Délégation de service public (concession)",
        "Régie publique",
        "Communs co-gouvernés",
    ]
    assert list(table["Indicateur"]) == [INDICATORS[h.key][0] for h in HEADLINES]  # water's rows
    price = table.loc[table["Indicateur"] == INDICATORS["price_120m3_first"][0]]
    assert all("," in v for v in price.iloc[0, 1:])  # decimal comma
    debt = table.loc[table["Indicateur"] == INDICATORS["debt_eur_last"][0]]
    assert all(NNBSP in v for v in debt.iloc[0, 1:])  # thousands separator
    assert len(at.get("plotly_chart")) == len(page.BARS) + 1  # and the waterfall of the gap
    diff = at.dataframe[1].value
    assert list(diff["Clé"]) == ["decision_rule", "governance.regime"]  # only the regime was switched
    assert diff.iloc[0]["Régie publique"] == "Conseil municipal"  # the rule that sets the tariff
    assert diff.iloc[1]["Régie publique"] == "Régie publique"
    assert at.query_params["page"] == "comparer" and at.query_params["m"] == "current"


def test_compare_renders_in_english(small: Scenario) -> None:
    at = open_compare(small, "en")
    assert [x.value for x in at.title] == ["Compare management regimes"]
    table = at.dataframe[0].value
    assert list(table["Indicator"]) == [INDICATORS[h.key][1] for h in HEADLINES]
    assert "Public régie" in table.columns
    assert list(at.dataframe[1].value.columns[:2]) == ["Key", "Meaning"]
    assert any("same seed (1)" in i.value for i in at.info)


def test_the_regimes_share_one_seed_and_differ_only_by_their_rules(small: Scenario) -> None:
    scenarios = page.scenarios_for("current", small, "fr")
    assert {s.governance.regime for s in scenarios.values()} == set(page.REGIMES_SHOWN)
    cmp = compare(scenarios, seed=small.seed)
    assert {r.seed for r in cmp.results.values()} == {small.seed}
    # same weather: the drought years are the same under every regime
    droughts = {name: tuple(r.years["drought_year"]) for name, r in cmp.results.items()}
    assert len(set(droughts.values())) == 1
    assert list(cmp.differences["key"]) == ["decision_rule", "governance.regime"]


def test_the_shipped_files_say_why_they_differ() -> None:
    scenarios = page.scenarios_for("files", share.load_preset("town"), "fr")
    keys = set(differences(scenarios)["key"])
    assert {"governance.regime", "finance.operator_margin_pct"} <= keys


def test_the_comparison_table_and_csv_use_the_language(small: Scenario) -> None:
    cmp = compare(page.scenarios_for("current", small, "fr"), seed=1)
    fr = page.display_table(cmp, "fr")
    en = page.display_table(cmp, "en")
    assert fr.shape == en.shape == (len(HEADLINES), 4)
    csv_fr = page.comparison_csv(cmp, "fr").decode("utf-8-sig")
    assert (
        csv_fr.splitlines()[0] == ";Délégation de service public (concession);Régie publique;"
        "Communs co-gouvernés"
    )
    assert "," in csv_fr.splitlines()[1]  # decimal comma
    csv_en = page.comparison_csv(cmp, "en").decode("utf-8-sig")
    assert csv_en.splitlines()[0].startswith(",Private concession")
    fig = page.bar_figure(cmp, "price_120m3_last", "unit.eur_per_m3", "fr")
    lines = fig.layout.title.text.split("<br>")
    assert " ".join(lines) == INDICATORS["price_120m3_last"][0]
    # on lines that a half-width chart shows whole on a laptop, in both services
    assert len(lines) > 1 and max(map(len, lines)) <= page.TITLE_CHARS
    assert fig.layout.margin.t >= 60 + 22 * len(lines)
    assert fig.layout.yaxis.title.text == "€/m³"
    assert list(fig.data[0].customdata) == ["concession", "regie", "commons"]


def test_the_gap_between_two_regimes_is_decomposed_as_on_the_command_line(small: Scenario) -> None:
    """« D'où vient l'écart ? »: régie → concession by default, a waterfall whose bars add up to
    the gap, the parts table, and the same numbers as ``sim.experiments.explain``."""
    import json

    from sim.dashboard import explain_panel
    from sim.experiments.explain import explain

    at = open_compare(small)
    assert any(h.value == "D'où vient l'écart ?" for h in at.subheader)
    assert at.selectbox(key=explain_panel.A_KEY).value == "regie"
    assert at.selectbox(key=explain_panel.B_KEY).value == "concession"
    specs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    fall = next(s for s in specs if s["data"][0]["type"] == "waterfall")
    scenarios = page.scenarios_for("current", small, "fr")
    ex = explain(scenarios["regie"], scenarios["concession"], seed=int(small.seed))
    ys = fall["data"][0]["y"]
    assert ys[0] == pytest.approx(ex.a_value) and ys[-1] == pytest.approx(ex.b_value)
    assert len(ys) == len(ex.parts) + 2
    parts = at.dataframe[-1].value
    assert list(parts.columns) == ["Différence basculée", "Effet sur le prix (€/m3)"]
    assert "règle de décision" in parts.iloc[0, 0]
    # the other way round
    at.selectbox(key=explain_panel.A_KEY).set_value("concession").run()
    at.selectbox(key=explain_panel.B_KEY).set_value("commons").run()
    assert not at.exception


def test_the_first_view_shows_the_table_and_leaves_the_charts_to_the_next_run(
    small: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a session's first view the table of figures is sent without any Plotly chart (the browser
    shows it while it fetches Plotly) and the decomposition is not computed yet; the run after it
    draws the bars and the gap's waterfall (sim/dashboard/firstview.py, issue 14)."""
    from sim.dashboard import firstview
    from sim.i18n import t

    loading = t("firstview.loading", "fr")
    calls: list[str] = []
    monkeypatch.setattr(firstview, "draw_deferred", lambda page: calls.append(page))  # never drawn
    at = open_compare(small)
    assert calls and set(calls) == {page.PAGE}
    assert at.dataframe[0].value is not None and not at.get("plotly_chart")
    assert sum(loading in c.value for c in at.caption) == 2  # the bars and the waterfall
    monkeypatch.undo()
    at.run()  # the run the first view asks for
    assert not at.exception
    assert len(at.get("plotly_chart")) == len(page.BARS) + 1
    assert all(loading not in c.value for c in at.caption)


def test_the_price_of_each_regime_is_said_under_the_title(small: Scenario) -> None:
    """The first bar's figure (the price per m³ in the last year) of each regime stands also in a
    sentence right under the title, the table's numbers (text: a new visitor's browser draws it
    with the title, before it has the table's scripts; sim/dashboard/firstview.py, issue 14)."""
    at = open_compare(small)
    words = at.markdown[1].value  # after the introduction, before any widget
    label = INDICATORS["price_120m3_last"][0]
    assert words.startswith(f"**{label}**"), words
    table = at.dataframe[0].value
    row = table.loc[table["Indicateur"] == label].iloc[0]
    for regime in table.columns[1:]:
        assert f"{regime} **{row[regime]}**" in words, (regime, words)

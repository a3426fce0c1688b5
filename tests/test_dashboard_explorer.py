"""Dashboard tests (AppTest): the Explorer page, uploads and share links (sim/dashboard/share.py).

Every app test starts from a small town (2,000 households, 5 years) put in the session before the
first run, so each run of the model takes a few hundredths of a second.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sim import Scenario, ScenarioError, dumps_scenario, load_scenario, loads_scenario, simulate
from sim.dashboard import common, explorer, firstview, share
from sim.i18n import t
from sim.show.report import figures_for

# pages run through Streamlit's AppTest: the slow tier
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 60
NNBSP, NBSP = "\u202f", "\u00a0"
PRICE = "tariff.blocks[0].price_eur_per_m3"
SMALL = {"households.count": 2000, "horizon_years": 5}


@pytest.fixture(scope="module")
def small() -> Scenario:
    """The base town, made small: 2,000 households over 5 years."""
    return share.apply_changes(share.load_preset("town"), SMALL, "test")


def open_app(
    scenario: Scenario | None, *, query: dict[str, str] | None = None, preset: str | None = "town"
) -> AppTest:
    """The app opened at / (the home page, which follows a share link), then on the Explorer, with
    ``scenario`` as the current one."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if scenario is not None:
        for key, value in share.session_values(scenario, preset, "town.yaml").items():
            at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if not (query or {}).get("page"):
        at.switch_page("sim/dashboard/explorer.py").run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def current(at: AppTest) -> Scenario:
    return loads_scenario(at.session_state[share.CURRENT])


def metric(at: AppTest, column: str, lang: str = "fr") -> str:
    """The value shown by the metric of a headline column (``price_120m3_eur_per_m3``…)."""
    label = explorer.metric_label(column, lang)
    found = [m.value for m in at.metric if m.label == label]
    assert len(found) == 1, [m.label for m in at.metric]
    return found[0]


def price_value(at: AppTest, lang: str = "fr") -> float:
    text = metric(at, "price_120m3_eur_per_m3", lang).split(NBSP if lang == "fr" else " ")[0]
    return float(text.replace(",", ".")) if lang == "fr" else float(text.replace(",", ""))


def errors(at: AppTest) -> str:
    """The error messages shown, as the reader sees them (markdown escapes removed)."""
    return re.sub(r"\\(.)", r"\1", " ".join(e.value for e in at.error))


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key=share.UPLOAD_WIDGET).set_value((name, data, "application/x-yaml"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ------------------------------------------------------------------------------------------
# the page in both languages
# ------------------------------------------------------------------------------------------
def test_explorer_renders_in_french(small: Scenario) -> None:
    at = open_app(small)
    assert [x.value for x in at.title] == ["Explorer un scénario"]
    assert not at.error
    assert len(at.metric) == 7
    # French number format: decimal comma, no-break space before the unit
    assert re.fullmatch(rf"\d+,\d\d{NBSP}€/m³", metric(at, "price_120m3_eur_per_m3"))
    assert re.fullmatch(rf"\d+,\d{NBSP}%", metric(at, "yield_pct"))
    assert re.fullmatch(rf"\d+,\d{NBSP}M€", metric(at, "debt_eur"))  # millions of euros
    assert re.fullmatch(r"\d+", metric(at, "breaks"))  # its unit is in its label
    labels = [tab.label for tab in at.tabs]
    assert "Prix et factures" in labels and "Décisions" in labels
    decisions = at.dataframe[0].value
    assert {"Date", "Instance", "Sujet", "Adoptée", "Motif"} <= set(decisions.columns)
    assert set(decisions["Adoptée"]) <= {"oui", "non"}
    assert "reason_fr" not in decisions.columns
    run = share.store().get(share.run_key(small))
    assert decisions["Motif"].tolist() == run.decisions["reason_fr"].tolist()  # reasons in French
    assert at.query_params["lang"] == "fr" and at.query_params["page"] == "explorer"


def test_explorer_renders_in_english(small: Scenario) -> None:
    at = open_app(small, query={"lang": "en"})
    assert [x.value for x in at.title] == ["Explore a scenario"]
    assert re.fullmatch(r"\d+\.\d\d €/m³", metric(at, "price_120m3_eur_per_m3", "en"))
    assert re.fullmatch(r"\d+\.\d M€", metric(at, "debt_eur", "en"))
    decisions = at.dataframe[0].value
    assert {"Date", "Body", "Item", "Adopted", "Reason"} <= set(decisions.columns)
    run = share.store().get(share.run_key(small))
    assert decisions["Reason"].tolist() == run.decisions["reason"].tolist()
    assert [x.label for x in at.button if x.key == "explorer_run"] == ["Simulate"]


def test_widgets_come_from_the_schema(small: Scenario) -> None:
    at = open_app(small)
    info = common.param_at(Scenario, "tariff.standing_charge_eur_per_year")
    w = at.number_input(key=explorer.widget_key("tariff.standing_charge_eur_per_year"))
    assert w.label == common.widget_label(info, "fr")
    assert info.source_in("fr") in w.help and "[0 ; 5" in w.help  # source and bounds in the help
    assert w.value == small.tariff.standing_charge_eur_per_year
    # the dashboard's own limits on the model size
    assert at.number_input(key=explorer.widget_key("households.count")).max == 200_000
    assert at.number_input(key=explorer.widget_key("horizon_years")).max == 60
    regime = at.selectbox(key=explorer.widget_key("governance.regime"))
    assert regime.options == [  # the schema's order (sim.scenario.model.REGIMES)
        "Régie publique",
        "Délégation de service public (concession)",
        "Communs co-gouvernés",
    ]
    assert {e.label for e in at.expander} >= {"Tarif", "Ménages", "Réseau", "Simulation"}


# ------------------------------------------------------------------------------------------
# changing parameters
# ------------------------------------------------------------------------------------------
def test_a_higher_block_price_raises_the_price_and_every_decile_bill(small: Scenario) -> None:
    at = open_app(small)
    before = price_value(at)
    old = share.store().get(share.run_key(current(at))).deciles
    at.number_input(key=explorer.widget_key(PRICE)).set_value(2.0)
    at.button(key="explorer_run").click().run()
    assert not at.exception and not at.error
    assert current(at).tariff.blocks[0].price_eur_per_m3 == 2.0
    assert price_value(at) > before
    new = share.store().get(share.run_key(current(at))).deciles
    assert (new["mean_bill_eur"].to_numpy() > old["mean_bill_eur"].to_numpy()).all()
    # the address bar now links to the changed scenario
    assert share.decode_changes(at.query_params["c"], "t", "fr")[PRICE] == 2.0


def test_unchanged_inputs_are_not_run_again(small: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(small)
    calls: list[int] = []
    import sim

    monkeypatch.setattr(sim, "simulate", lambda *a, **k: calls.append(1) or simulate(*a, **k))
    at.run()
    at.segmented_control(key=common.LANG_WIDGET_KEY).set_value("en").run()
    assert calls == [] and not at.exception


def test_an_invalid_change_is_refused_with_a_located_message(small: Scenario) -> None:
    at = open_app(small)
    # a standing charge above the legal cap of 30 % of the 120 m3 bill
    at.number_input(key=explorer.widget_key("tariff.standing_charge_eur_per_year")).set_value(900.0)
    at.button(key="explorer_run").click().run()
    assert not at.exception
    message = errors(at)
    assert "tariff.standing_charge_eur_per_year" in message and "30" in message
    assert current(at) == small
    assert len(at.metric) == 7  # the last valid run is still shown


def test_language_switch_keeps_the_scenario_and_the_widgets(small: Scenario) -> None:
    at = open_app(small)
    at.number_input(key=explorer.widget_key(PRICE)).set_value(1.75)
    at.button(key="explorer_run").click().run()
    fr_price = price_value(at)
    at.segmented_control(key=common.LANG_WIDGET_KEY).set_value("en").run()
    assert not at.exception
    assert [x.value for x in at.title] == ["Explore a scenario"]
    assert at.number_input(key=explorer.widget_key(PRICE)).value == 1.75
    assert price_value(at, "en") == fr_price


def test_choosing_a_shipped_scenario_resets_the_widgets(small: Scenario) -> None:
    at = open_app(small)
    at.number_input(key=explorer.widget_key(PRICE)).set_value(1.75)
    at.button(key="explorer_run").click().run()
    at.selectbox(key=share.PRESET_WIDGET).set_value("commons").run()
    assert not at.exception
    assert current(at) == share.load_preset("commons")
    assert at.number_input(key=explorer.widget_key(PRICE)).value == 1.30
    assert at.selectbox(key=explorer.widget_key("governance.regime")).value == "commons"


# ------------------------------------------------------------------------------------------
# uploads
# ------------------------------------------------------------------------------------------
BAD = b"tariff:\n  standing_charge_eur_per_year: lots\n"


def test_a_bad_upload_shows_a_located_error_and_changes_nothing(small: Scenario) -> None:
    at = upload(open_app(small), "bad.yaml", BAD)
    message = errors(at)
    assert "bad.yaml" in message and "tariff.standing_charge_eur_per_year" in message
    assert "n'est pas un nombre" in message
    assert current(at) == small
    assert len(at.metric) == 7


def test_a_bad_upload_is_explained_in_english(small: Scenario) -> None:
    at = upload(open_app(small, query={"lang": "en"}), "bad.yaml", BAD)
    message = errors(at)
    assert "could not be uploaded" in message and "is not a number" in message
    assert current(at) == small


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"households:\n  count: 500000\n", f"households.count : 500{NNBSP}000 est trop grand"),
        (b"horizon_years: 80\n", "horizon_years : 80 est trop grand : au plus 60"),
        (b"extends: /etc/hostname\n", "ne peut étendre qu'un scénario fourni"),
        (b"extends: ../scenarios/town.yaml\n", "par son nom : commons.yaml"),
        (b"a: &x [1, 2]\nb: *x\n", "alias YAML"),
        (b"\xff\xfe\x00tariff", "UTF-8"),
        (b"tariff: [1, 2\n", "YAML est mal formé"),
        (b"# padding\n" * 25_000, "fichier trop gros"),
    ],
)
def test_uploads_outside_the_dashboard_limits_are_refused(
    small: Scenario, data: bytes, expected: str
) -> None:
    with pytest.raises(ScenarioError) as err:
        share.scenario_from_upload(data, "mine.yaml", "fr")
    assert expected in err.value.format("fr")
    assert "mine.yaml" in err.value.format("fr")


def test_a_good_upload_becomes_the_current_scenario(small: Scenario) -> None:
    text = "extends: commons.yaml\nhouseholds:\n  count: 1500\nhorizon_years: 4\n"
    at = upload(open_app(small), "mine.yaml", text.encode())
    assert not at.error
    assert any("mine.yaml" in s.value for s in at.success)
    s = current(at)
    assert (s.governance.regime, s.households.count, s.horizon_years) == ("commons", 1500, 4)
    assert at.selectbox(key=share.PRESET_WIDGET).value == share.UPLOADED
    assert at.number_input(key=explorer.widget_key("households.count")).value == 1500
    # an upload is shared as changes to the base town
    assert at.query_params["p"] == "town"
    assert share.scenario_from_link(dict(at.query_params), "fr") == s


# ------------------------------------------------------------------------------------------
# share links
# ------------------------------------------------------------------------------------------
def test_share_link_round_trips(small: Scenario) -> None:
    base = share.load_preset("commons")
    changed = share.apply_changes(
        base,
        {
            PRICE: 1.85,
            "households.count": 3000,
            "seed": 7,
            "town.name": "2026",  # text that YAML would read as a number
            "governance.committee.citizen_veto": False,
        },
        "test",
    )
    params = share.link_params(changed, "commons", "explorer")
    assert params["p"] == "commons" and params["page"] == "explorer"
    assert re.fullmatch(r"[A-Za-z0-9_-]+", params["c"])  # url-safe, no padding
    assert share.scenario_from_link(params, "fr") == changed
    assert share.link_params(base, "commons", "explorer").keys() == {"p", "page"}


def test_share_link_round_trips_a_scenario_of_another_shape() -> None:
    text = dumps_scenario(share.load_preset("town")).replace(
        "blocks:\n  - up_to_m3: null\n    price_eur_per_m3: 1.3",
        "blocks:\n  - up_to_m3: 30.0\n    price_eur_per_m3: 1.0\n"
        "  - up_to_m3: null\n    price_eur_per_m3: 2.0",
    )
    s = loads_scenario(text)
    assert len(s.tariff.blocks) == 2
    params = share.link_params(s, None, "explorer")
    assert share.scenario_from_link(params, "en") == s


def test_opening_a_share_link_restores_the_view(small: Scenario) -> None:
    wanted = share.apply_changes(share.load_preset("commons"), {**SMALL, PRICE: 1.6}, "test")
    params = share.link_params(wanted, "commons", "explorer")
    at = open_app(None, query={**params, "lang": "en"})
    assert [x.value for x in at.title] == ["Explore a scenario"]
    assert current(at) == wanted
    assert at.number_input(key=explorer.widget_key(PRICE)).value == 1.6
    assert at.selectbox(key=share.PRESET_WIDGET).value == "commons"
    assert not at.error


def test_a_share_link_can_open_the_compare_page(small: Scenario) -> None:
    params = share.link_params(small, "town", "comparer", {"m": "current"})
    at = open_app(None, query={**params, "lang": "fr"})
    assert [x.value for x in at.title] == ["Comparer les modes de gestion"]
    assert current(at) == small


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"p": "town", "c": "not base64 !"}, "le paramètre c du lien est illisible"),
        ({"p": "nowhere"}, "scénario « nowhere » inconnu"),
        ({"p": "town", "c": share.encode_changes({"households.count": 10**6})}, "au plus 200"),
        ({"p": "town", "c": share.encode_changes({"no.such.key": 1})}, "clé inconnue « no »"),
    ],
)
def test_a_bad_share_link_says_why_and_changes_nothing(
    query: dict[str, str], expected: str, small: Scenario
) -> None:
    # opened at /: the home page says why and stays (the link's page is not followed)
    at = open_app(small, query={**query, "page": "explorer"})
    message = errors(at)
    assert "Ce lien n'a pas pu être ouvert" in message and expected in message
    assert current(at) == small


# ------------------------------------------------------------------------------------------
# files
# ------------------------------------------------------------------------------------------
def test_downloads_are_offered(small: Scenario) -> None:
    at = open_app(small)
    labels = {b.label for b in at.download_button}
    assert {t("share.download.yaml"), t("share.download.csv"), t("share.download.report")} <= labels


def test_results_zip_is_the_run_folder(small: Scenario) -> None:
    result = simulate(small)
    data = share.results_zip(result, "run")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        assert {
            "run/years.csv",
            "run/deciles.csv",
            "run/decisions.csv",
            "run/summary.json",
            "run/scenario.yaml",
        } <= names
        assert loads_scenario(zf.read("run/scenario.yaml").decode()) == small
        years = zf.read("run/years.csv").decode().splitlines()
        assert years[0].startswith("year,") and len(years) == 1 + small.horizon_years


def test_downloaded_yaml_loads_back(small: Scenario) -> None:
    assert loads_scenario(dumps_scenario(small)) == small
    assert load_scenario(ROOT / "scenarios" / "town.yaml") == share.load_preset("town")


@pytest.mark.parametrize("preset", ["town", "remunicipalisation", "commons"])
def test_the_decisions_table_has_no_raw_code_in_french(preset: str) -> None:
    """Bodies, items and options are labelled; no ``None``, ``council``, ``ccspl``,
    ``tariff_opinion``; decimals take a comma."""
    scenario = share.apply_changes(share.load_preset(preset), SMALL, "test")
    table = explorer.decisions_table(simulate(scenario, 1).decisions, "fr")
    cells = {str(v) for col in table.columns for v in table[col]}
    for code in (
        "None",
        "nan",
        "council",
        "ccspl",
        "tariff_opinion",
        "committee",
        "contract",
        "favourable",
        "unfavourable",
        "keep",
        "freeze",
    ):
        assert code not in cells, code
    option = t("explorer.decisions.col.option", "fr")
    assert not any(re.search(r"\d\.\d", str(v)) for v in table[option])
    assert not any(
        re.search(r"[a-z]_[a-z]", str(v))
        for v in cells - set(table[t("explorer.decisions.col.reason", "fr")])
    )


def test_the_tornado_is_drawn_on_request(small: Scenario) -> None:
    at = open_app(small)
    assert not at.get("plotly_chart") or all("Sensibilit" not in str(c.proto) for c in at.get("plotly_chart"))
    at.button(key="explorer-tornado").click().run(timeout=180)
    assert not at.exception
    charts = [c for c in at.get("plotly_chart") if "Sensibilit" in str(c.proto)]
    assert charts


def test_water_choices_are_named_in_words_not_codes() -> None:
    """No raw code on a French page (issue 14): the opening tariff's choices read as words."""
    at = open_app(None, query={"lang": "fr"})
    opening = next(sb for sb in at.selectbox if "Tarif de la 1re année" in sb.label)
    assert opening.options == ["tel que saisi", "mis au niveau du coût du service"]
    assert not any(o in ("entered", "cost_of_service") for sb in at.selectbox for o in sb.options)


def test_the_report_charts_are_drawn_after_the_first_view(small: Scenario) -> None:
    """The session's first run leaves the charts out (the figures show while the browser loads
    Plotly) and a second run draws them: after the page has settled, every report chart is there
    and no « loading » sentence is left (sim/dashboard/firstview.py, issue 14)."""
    at = open_app(small)
    names = {str(c.proto.id).split("-")[-1] for c in at.get("plotly_chart")}
    drawn = [c for c in at.get("plotly_chart") if "explorer_fig_" in str(c.proto.id)]
    assert len(drawn) == len(figures_for("water")), names
    assert at.session_state[firstview._key(explorer.PAGE)]
    assert all(t("firstview.loading", "fr") not in c.value for c in at.caption)
    assert at.metric, "the headline figures are drawn too"


def test_the_first_headline_figures_are_said_under_the_title(small: Scenario) -> None:
    """The first headline figures stand also in a sentence right under the title, the numbers of
    the metrics below (text: a new visitor's browser draws it with the title, before it has the
    metrics' script; sim/dashboard/firstview.py, issue 14)."""
    at = open_app(small)
    words = at.markdown[1].value  # after the introduction, before any widget
    assert words.startswith("**En "), words
    columns = [r.column for r in explorer.readings(simulate(small, seed=small.seed), 2030, "fr")]
    for column in columns[: explorer.WORDS_SHOWN]:
        assert f"**{metric(at, column)}**" in words, (column, words)
    assert f"**{metric(at, columns[explorer.WORDS_SHOWN])}**" not in words  # three, not all


def test_the_sentence_of_figures_gives_the_median_and_its_range_of_many_futures() -> None:
    """With many futures, the sentence says each median and the range 8 futures in 10 fall in;
    with one run, the change since the first year, as the metrics do."""
    price = "price_120m3_eur_per_m3"
    many = explorer.Reading(price, "Prix", 2, 2026, 2055, 2.1, 2.5, 2.3, 2.8, 20, short="P")
    text = explorer.headline_words([many], "fr")
    assert text.startswith("**En 2055**") and "P **2,50" in text
    assert explorer.range_text(many, "fr") in text and "depuis" not in text
    one = explorer.Reading(price, "Prix", 2, 2026, 2055, 2.1, 2.5, short="P")
    text = explorer.headline_words([one], "en")
    assert text.startswith("**In 2055**") and "+0.40" in text and "since 2026" in text
    assert explorer.headline_words([], "fr") == ""

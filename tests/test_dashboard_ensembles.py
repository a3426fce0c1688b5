"""Dashboard tests (AppTest): many simulated futures on the Explorer and Compare pages.

A small town (1,500 households, 4 years), a handful of futures, made in this process
(``REGIE_SIM_ENSEMBLE_EXECUTOR=sequential``): fan charts equal to ``Ensemble.bands``, odds in
French and English under the headline figures, « Arrêter » keeping the futures made so far, and
the regimes of the Compare page on one seed family.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import sim.experiments.ensemble
from sim import Scenario
from sim.dashboard import common, ensembles, explorer, share
from sim.dashboard import compare as compare_page
from sim.experiments.ensemble import Ensemble, simulate_many

# many futures per test, through the pages: the slow tier
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 120
RUNS = 6


@pytest.fixture(scope="module")
def small() -> Scenario:
    """The base town, made small: 1,500 households over 4 years."""
    return share.apply_changes(
        share.load_preset("town"), {"households.count": 1500, "horizon_years": 4}, "test"
    )


@pytest.fixture(autouse=True)
def _in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Futures made in this process, a choice of a few, and no ensemble kept from another test."""
    monkeypatch.setenv(ensembles.EXECUTOR_ENV, "sequential")
    monkeypatch.setattr(ensembles, "RUN_CHOICES", (0, 4, RUNS))
    share.store().clear()


def open_page(scenario: Scenario, page: str, lang: str = "fr", **session: Any) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    for key, value in {**share.session_values(scenario, "town", "town.yaml"), **session}.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ask_futures(at: AppTest, page: str, runs: int) -> AppTest:
    at.segmented_control(key=ensembles.runs_widget_key(page)).set_value(runs).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def fan_specs(at: AppTest) -> list[dict[str, Any]]:
    """The figures of the page that are fan charts (their traces carry a ``band``)."""
    specs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    return [s for s in specs if all(isinstance(d.get("meta"), dict) for d in s["data"])]


def bands_of(spec: dict[str, Any], scenario: str | None = None) -> dict[str, np.ndarray]:
    """The bands a fan chart draws (of one scenario on a Compare chart), by percentile."""
    return {
        d["meta"]["band"]: values(d["y"])
        for d in spec["data"]
        if "band" in d["meta"] and d["meta"].get("scenario") == scenario
    }


def values(y: Any) -> np.ndarray:
    """A trace's ``y`` as sent to the browser: a list, or plotly's typed array (base64)."""
    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"]))
    return np.asarray(y, dtype=float)


def explorer_ensemble(scenario: Scenario, runs: int = RUNS) -> Ensemble:
    return share.store().get(explorer.ensemble_key(scenario, runs))["scenario"]


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


# ------------------------------------------------------------------------------------------
# Explorer
# ------------------------------------------------------------------------------------------
def test_one_future_by_default_no_fan(small: Scenario) -> None:
    at = open_page(small, "sim/dashboard/explorer.py")
    control = at.segmented_control(key=ensembles.runs_widget_key("explorer"))
    assert control.label == "Incertitude : nombre de futurs simulés" and control.value == 0
    assert fan_specs(at) == []
    assert not any("futurs simulés sur" in c for c in captions(at))


def test_explorer_fan_charts_equal_the_ensemble_bands(small: Scenario) -> None:
    at = ask_futures(open_page(small, "sim/dashboard/explorer.py"), "explorer", RUNS)
    assert not at.error and not at.warning
    ens = explorer_ensemble(small)
    assert ens.runs == RUNS and not ens.cancelled
    # made in parts between script runs, it is the ensemble made at once on the same seeds
    whole = simulate_many(small, RUNS, seed=small.seed, executor="sequential")
    pd.testing.assert_frame_equal(ens.years, whole.years)
    specs = fan_specs(at)
    assert [s["data"][0]["meta"]["indicator"] for s in specs] == list(explorer.FANS)
    for spec in specs:
        indicator = spec["data"][0]["meta"]["indicator"]
        bands = ens.bands(indicator)
        got = bands_of(spec)
        assert list(got) == ["p5", "p95", "p25", "p75", "p50"]
        for band, y in got.items():
            np.testing.assert_allclose(y, bands[band].to_numpy(), rtol=1e-12)
        assert (got["p5"] <= got["p25"]).all() and (got["p25"] <= got["p50"]).all()
        assert (got["p50"] <= got["p75"]).all() and (got["p75"] <= got["p95"]).all()
        assert spec["layout"]["title"]["subtitle"]["text"] == f"{RUNS} futurs simulés"
        assert "(" in spec["layout"]["yaxis"]["title"]["text"]  # the unit
    assert [h.value for h in at.subheader][0] == f"Incertitude : {RUNS} futurs simulés"


def test_odds_sentences_under_the_headline_figures_in_french_and_english(
    small: Scenario,
) -> None:
    at = ask_futures(open_page(small, "sim/dashboard/explorer.py"), "explorer", RUNS)
    ens = explorer_ensemble(small)
    shown = captions(at)
    last = ens.years_list[-1]
    for column in ("price_120m3_eur_per_m3", "share_households_above_3pct", "yield_pct"):
        sentence = ens.statement(column, None, "fr")
        assert sentence in shown
        assert re.match(r"Dans (\d+ futurs? simulés? sur \d+,|tous les futurs simulés)", sentence)
        assert sentence.endswith(f"en {last}.")
    assert any(f"résume {RUNS} futurs simulés" in c for c in shown)

    calls: list[int] = []
    real = sim.experiments.ensemble.simulate_many

    def counting(*a: Any, **k: Any) -> Ensemble:
        calls.append(1)
        return real(*a, **k)

    sim.experiments.ensemble.simulate_many = counting  # type: ignore[assignment]
    try:
        at.segmented_control(key=common.LANG_WIDGET_KEY).set_value("en").run()
    finally:
        sim.experiments.ensemble.simulate_many = real  # type: ignore[assignment]
    assert not at.exception and calls == []  # the ensemble is kept: no new run
    shown = captions(at)
    for column in ("price_120m3_eur_per_m3", "share_households_above_3pct", "yield_pct"):
        sentence = ens.statement(column, None, "en")
        assert sentence in shown and sentence.endswith(f"in {last}.")
        assert re.match(r"In (\d+ of \d+ simulated futures?|every simulated future)", sentence)
    assert f"Uncertainty: {RUNS} simulated futures" in [h.value for h in at.subheader]
    spec = fan_specs(at)[0]
    assert spec["layout"]["title"]["subtitle"]["text"] == f"{RUNS} simulated futures"


def test_stop_keeps_the_futures_already_made_and_says_so(
    small: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader presses « Arrêter » while the first future runs: the flag is set, and the
    ``cancel`` callable given to ``simulate_many`` stops before the next future."""
    real = sim.experiments.ensemble.simulate_many
    seen: list[int] = []

    def pressed_during_the_first_future(*a: Any, progress: Any = None, **k: Any) -> Ensemble:
        def progress_and_press(fraction: float) -> None:
            st.session_state[ensembles.cancel_key("explorer")] = True
            progress(fraction)

        out = real(*a, progress=progress_and_press, **k)
        seen.append(out.runs)
        return out

    monkeypatch.setattr(sim.experiments.ensemble, "simulate_many", pressed_during_the_first_future)
    at = ask_futures(open_page(small, "sim/dashboard/explorer.py"), "explorer", RUNS)
    assert seen == [1]  # one part, stopped by its cancel callable after one future
    job = at.session_state[ensembles.job_key("explorer")]
    assert job.stopped and job.done == 1 < RUNS
    warnings = [w.value for w in at.warning]
    assert warnings == [
        f"Calcul arrêté : un seul futur simulé sur {RUNS} demandés. "
        "Les bandes et les phrases ne portent que sur ce futur."
    ]
    assert share.store().get(explorer.ensemble_key(small, RUNS)) is None  # partial: not kept
    specs = fan_specs(at)
    assert specs and specs[0]["layout"]["title"]["subtitle"]["text"] == "un seul futur simulé"
    assert any(c.startswith("Dans ") and "futurs simulés" in c for c in captions(at))


def test_a_click_during_a_part_keeps_the_futures_the_bar_counted(
    small: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the browser, a click while a part computes makes Streamlit stop the script run at the
    progress bar's next update (it raises there). The future under way is finished and kept, the
    part stops, the click is honoured on the next run: the warning counts what the bar showed."""
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData

    real_text = ensembles._progress_text
    clicked: list[float] = []

    def text_then_click(done: float, runs: int, lang: str) -> str:
        if done > 0.3 and not clicked:  # a third of the first future made: the reader clicks
            clicked.append(done)
            st.session_state[ensembles.cancel_key("explorer")] = True  # « Arrêter »'s callback
            raise RerunException(RerunData())  # what Streamlit raises at the next element update
        return real_text(done, runs, lang)

    monkeypatch.setattr(ensembles, "_progress_text", text_then_click)
    at = ask_futures(open_page(small, "sim/dashboard/explorer.py"), "explorer", RUNS)
    assert clicked and clicked[0] < 1
    at.run()  # the script run Streamlit starts for the click
    assert not at.exception, [e.value for e in at.exception]
    job = at.session_state[ensembles.job_key("explorer")]
    assert job.stopped and job.done == 1  # the future under way was finished and kept
    assert [w.value for w in at.warning] == [
        f"Calcul arrêté : un seul futur simulé sur {RUNS} demandés. "
        "Les bandes et les phrases ne portent que sur ce futur."
    ]
    whole = simulate_many(small, RUNS, seed=small.seed, executor="sequential")
    kept = job.ensembles()["scenario"]
    pd.testing.assert_frame_equal(kept.years, whole.years[whole.years["run"] == 0])


def test_a_part_stopped_with_a_gap_keeps_its_runs_before_the_gap(
    small: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A part stopped while its runs were shared out between workers can hold run 0 and run 2
    without run 1 (a cluster finishes runs in any order): the page keeps run 0, not nothing."""
    real = sim.experiments.ensemble.simulate_many

    def stopped_with_a_gap(*a: Any, **k: Any) -> Ensemble:
        out = real(*a, **k)
        years = out.years[out.years["run"] != 1].reset_index(drop=True)
        sums = out.summaries[out.summaries["run"] != 1].reset_index(drop=True)
        st.session_state[ensembles.cancel_key("explorer")] = True  # « Arrêter » was pressed
        return Ensemble(years, sums, out.deciles, out.scenario, out.seed, out.seeds, True, out.meta)

    monkeypatch.setattr(sim.experiments.ensemble, "simulate_many", stopped_with_a_gap)
    monkeypatch.setattr(ensembles, "FIRST_PART_PER_WORKER", 3)  # a first part of runs 0, 1, 2
    at = ask_futures(open_page(small, "sim/dashboard/explorer.py"), "explorer", RUNS)
    job = at.session_state[ensembles.job_key("explorer")]
    assert job.stopped and job.done == 1
    kept = job.ensembles()["scenario"]
    assert set(kept.years["run"]) == {0} and set(kept.summaries["run"]) == {0}
    assert [w.value for w in at.warning] == [
        f"Calcul arrêté : un seul futur simulé sur {RUNS} demandés. "
        "Les bandes et les phrases ne portent que sur ce futur."
    ]


def test_stop_between_parts_then_resume_completes_the_same_ensemble(
    small: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """« Arrêter » pressed while the first part runs is seen before the second part starts; the
    two futures made are kept; « Reprendre » makes the rest, equal to the ensemble made at once."""
    real = sim.experiments.ensemble.simulate_many
    parts: list[tuple[int, int]] = []

    def press_after_the_first_part(*a: Any, **k: Any) -> Ensemble:
        out = real(*a, **k)
        parts.append((k["first_run"], out.runs))
        if len(parts) == 1:
            st.session_state[ensembles.cancel_key("explorer")] = True
        return out

    monkeypatch.setattr(sim.experiments.ensemble, "simulate_many", press_after_the_first_part)
    at = ask_futures(open_page(small, "sim/dashboard/explorer.py"), "explorer", RUNS)
    first = ensembles.FIRST_PART_PER_WORKER  # one worker: the page's own process
    assert parts == [(0, first)]
    assert any(f"{first} futurs simulés sur {RUNS} demandés" in w.value for w in at.warning)
    assert fan_specs(at)

    at.button(key="explorer_ensemble_resume").click().run()
    assert not at.exception and not at.warning
    assert parts[0] == (0, first) and parts[1][0] == first
    assert sum(n for _, n in parts) == RUNS
    whole = simulate_many(small, RUNS, seed=small.seed, executor="sequential")
    pd.testing.assert_frame_equal(explorer_ensemble(small).years, whole.years)
    assert ensembles.job_key("explorer") not in at.session_state  # done: kept in the store


def test_a_finished_ensemble_is_kept_by_scenario_runs_and_seed(
    small: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = ask_futures(open_page(small, "sim/dashboard/explorer.py"), "explorer", RUNS)
    calls: list[int] = []
    real = sim.experiments.ensemble.simulate_many
    monkeypatch.setattr(
        sim.experiments.ensemble, "simulate_many", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    ask_futures(at, "explorer", 0)
    assert fan_specs(at) == []
    ask_futures(at, "explorer", RUNS)
    assert calls == [] and len(fan_specs(at)) == len(explorer.FANS)
    # another number of futures is another ensemble
    ask_futures(at, "explorer", 4)
    assert calls and explorer_ensemble(small, 4).runs == 4


# ------------------------------------------------------------------------------------------
# Compare
# ------------------------------------------------------------------------------------------
def test_compare_fans_use_one_seed_family_for_every_regime(small: Scenario) -> None:
    runs = 4
    at = open_page(small, "sim/dashboard/compare.py", **{compare_page.MODE_KEPT: "current"})
    at = ask_futures(at, "comparer", runs)
    assert not at.error and not at.warning
    scenarios = compare_page.scenarios_for("current", small, "fr")
    got = share.store().get(compare_page.ensemble_key(scenarios, small.seed, runs))
    assert list(got) == list(compare_page.REGIMES_SHOWN)
    years = {name: e.years for name, e in got.items()}
    ref = years["concession"]
    for name, y in years.items():
        assert got[name].runs == runs
        # run r of every regime has the same seed, hence the same weather
        assert y["seed"].tolist() == ref["seed"].tolist()
        assert y["drought_year"].tolist() == ref["drought_year"].tolist()
    assert ref.groupby("run")["seed"].first().nunique() == runs  # and the runs differ
    assert got["regie"].seeds == got["commons"].seeds == got["concession"].seeds

    specs = fan_specs(at)
    assert [s["data"][0]["meta"]["indicator"] for s in specs] == list(compare_page.FANS)
    for spec in specs:
        indicator = spec["data"][0]["meta"]["indicator"]
        for name, e in got.items():
            bands = e.bands(indicator)
            drawn = bands_of(spec, name)
            assert set(drawn) == {"p5", "p25", "p50", "p75", "p95"}
            for band, y in drawn.items():
                np.testing.assert_allclose(y, bands[band].to_numpy())
        subtitle = spec["layout"]["title"]["subtitle"]["text"]
        assert subtitle.startswith(f"{runs} futurs simulés")
    text = " ".join(m.value for m in at.markdown)
    for name, e in got.items():
        label = share.md_escape(compare_page.regime_label(name, "fr"))  # « (concession) »
        assert f"**{label}** — {e.statement('yield_pct', None, 'fr')}" in text
    assert any("mêmes pour chaque mode de gestion" in i.value for i in at.info)


def test_compare_odds_in_english(small: Scenario) -> None:
    at = open_page(small, "sim/dashboard/compare.py", "en", **{compare_page.MODE_KEPT: "current"})
    at = ask_futures(at, "comparer", 4)
    scenarios = compare_page.scenarios_for("current", small, "en")
    got = share.store().get(compare_page.ensemble_key(scenarios, small.seed, 4))
    text = " ".join(m.value for m in at.markdown)
    assert "**Public régie** — " + got["regie"].statement("debt_eur", None, "en") in text
    assert any("the same for every regime" in i.value for i in at.info)


# ------------------------------------------------------------------------------------------
# the number of futures in the share link; the futures as a zip
# ------------------------------------------------------------------------------------------
def open_link(params: dict[str, str], lang: str = "fr") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in {**params, "lang": lang}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def small_link(page: str, **extra: str) -> dict[str, str]:
    c = share.encode_changes({"households.count": 1500, "horizon_years": 4})
    return {"p": "town", "c": c, "page": page, **extra}


def test_the_link_carries_the_number_of_futures(small: Scenario) -> None:
    at = ask_futures(open_page(small, "sim/dashboard/explorer.py"), "explorer", RUNS)
    assert at.query_params["f"] == str(RUNS)
    # the same link opened by someone else shows the same futures
    other = open_link(dict(at.query_params, lang="fr"))
    assert other.segmented_control(key=ensembles.runs_widget_key("explorer")).value == RUNS
    assert len(fan_specs(other)) == len(explorer.FANS) and not other.warning
    # back to one future: the parameter leaves the link
    at = ask_futures(at, "explorer", 0)
    assert "f" not in at.query_params


def test_a_link_with_a_number_of_futures_not_offered_says_so(small: Scenario) -> None:
    at = open_link(small_link("explorer", f="37"))
    assert at.segmented_control(key=ensembles.runs_widget_key("explorer")).value == 0
    assert [w.value for w in at.warning] == [
        f"Le lien demande 37 futurs simulés, un nombre que le tableau de bord ne propose pas "
        f"(choix : 4, {RUNS}). Un seul futur est affiché ; choisissez-en plus ci-dessous."
    ]
    assert fan_specs(at) == [] and "f" not in at.query_params


def test_compare_link_keeps_mode_and_futures(small: Scenario) -> None:
    at = open_link(small_link("comparer", m="current", f="4"), "en")
    assert at.query_params["m"] == "current" and at.query_params["f"] == "4"
    assert at.segmented_control(key=ensembles.runs_widget_key("comparer")).value == 4
    assert len(fan_specs(at)) == len(compare_page.FANS)


def unzip(data: bytes) -> dict[str, bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_the_futures_zip_holds_bands_runs_and_odds(small: Scenario) -> None:
    ens = simulate_many(small, 4, seed=small.seed, executor="sequential")
    files = unzip(ensembles.futures_zip({"scenario": ens}, "fr", "futurs"))
    assert {
        "futurs/bands.csv",
        "futurs/ensemble_years.csv",
        "futurs/ensemble.json",
        "futurs/scenario.yaml",
        "futurs/probabilites.txt",
    } <= set(files)
    import io

    bands = pd.read_csv(io.BytesIO(files["futurs/bands.csv"]))
    pd.testing.assert_frame_equal(bands, ens.all_bands(), check_dtype=False)
    odds = files["futurs/probabilites.txt"].decode("utf-8").splitlines()
    assert odds == [f"- {x}" for x in ens.statements(lang="fr")] and odds


def test_the_compare_futures_zip_has_one_folder_per_regime(small: Scenario) -> None:
    scenarios = compare_page.scenarios_for("current", small, "en")
    many = sim.experiments.ensemble.compare_many(scenarios, 3, seed=small.seed, executor="sequential")
    labels = {n: compare_page.regime_label(n, "en") for n in many}
    files = unzip(ensembles.futures_zip(many, "en", "futures", labels))
    for name in many:
        assert f"futures/{name}/bands.csv" in files
    odds = files["futures/odds.txt"].decode("utf-8")
    for name, e in many.items():
        assert f"{labels[name]}:" in odds and e.statement("yield_pct", None, "en") in odds


def test_the_download_button_appears_with_the_futures(small: Scenario) -> None:
    at = open_page(small, "sim/dashboard/explorer.py")
    assert not at.get("download_button") or all(
        "Futurs simulés" not in b.proto.label for b in at.get("download_button")
    )
    at = ask_futures(at, "explorer", 4)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Futurs simulés (CSV, zip)" in labels

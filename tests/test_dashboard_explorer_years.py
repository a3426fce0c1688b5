"""Dashboard tests (AppTest): the Explorer's headline figures in any year, and over many futures.

A year slider reads the figures of any simulated year (the last one at first); with several
futures, each figure is their median with the range where 8 futures in 10 fall (P10–P90) under
it, and the odds sentence is that of the year shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from sim import Scenario, simulate
from sim.dashboard import ensembles, explorer, share
from sim.experiments.ensemble import Ensemble, simulate_many
from sim.show.report import HEADLINES

# pages run through Streamlit's AppTest: the slow tier
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = "sim/dashboard/explorer.py"
TIMEOUT = 120
RUNS = 6
PRICE = "price_120m3_eur_per_m3"


@pytest.fixture(scope="module")
def small() -> Scenario:
    """The base town, made small: 1,500 households over 4 years."""
    return share.apply_changes(
        share.load_preset("town"), {"households.count": 1500, "horizon_years": 4}, "test"
    )


@pytest.fixture(autouse=True)
def _in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ensembles.EXECUTOR_ENV, "sequential")
    monkeypatch.setattr(ensembles, "RUN_CHOICES", (0, 4, RUNS))
    share.store().clear()


def open_page(scenario: Scenario, lang: str = "fr") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    for key, value in share.session_values(scenario, "town", "town.yaml").items():
        at.session_state[key] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, column: str, lang: str = "fr") -> Any:
    label = explorer.metric_label(column, lang)
    found = [m for m in at.metric if m.label == label]
    assert len(found) == 1, [m.label for m in at.metric]
    return found[0]


def slider(at: AppTest) -> Any:
    return at.select_slider(key=explorer.YEAR_KEY)


def text(x: float, column: str, lang: str = "fr", *, signed: bool = False) -> str:
    decimals = next(h.decimals for h in HEADLINES if h.column == column)
    return explorer.metric_text(x, column, decimals, lang, signed=signed)


def run_years(scenario: Scenario) -> Any:
    return share.store().get(share.run_key(scenario)).years.set_index("year")


def test_the_year_slider_reads_any_simulated_year(small: Scenario) -> None:
    at = open_page(small)
    years = run_years(small)
    first, last = int(years.index[0]), int(years.index[-1])
    s = slider(at)
    assert s.label == "Année affichée"
    assert list(s.options) == [str(y) for y in years.index] and s.value == last
    assert metric(at, PRICE).value == text(years.at[last, PRICE], PRICE)

    middle = first + 1
    slider(at).set_value(middle).run()
    assert not at.exception
    for column in (PRICE, "yield_pct", "debt_eur", "breaks"):
        m = metric(at, column)
        assert m.value == text(years.at[middle, column], column), column
        change = years.at[middle, column] - years.at[first, column]
        assert m.delta == f"{text(change, column, signed=True)} depuis {first}", column
    caption = f"Année {middle} et changement depuis la première ({first})"
    assert any(c.value.startswith(caption) for c in at.caption)
    # the figures of the year shown differ from those of the last year (the test can fail)
    assert metric(at, PRICE).value != text(years.at[last, PRICE], PRICE)


def test_the_year_slider_speaks_english(small: Scenario) -> None:
    at = open_page(small, "en")
    assert slider(at).label == "Year shown"
    years = run_years(small)
    slider(at).set_value(int(years.index[0])).run()
    assert metric(at, PRICE, "en").value == text(years.at[years.index[0], PRICE], PRICE, "en")


def _futures(at: AppTest) -> AppTest:
    at.segmented_control(key=ensembles.runs_widget_key("explorer")).set_value(RUNS).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _ensemble(scenario: Scenario) -> Ensemble:
    return share.store().get(explorer.ensemble_key(scenario, RUNS))["scenario"]


def test_with_futures_each_figure_is_their_median_with_the_p10_p90_range(small: Scenario) -> None:
    at = _futures(open_page(small))
    ens = _ensemble(small)
    assert ens.runs == RUNS
    captions = [c.value for c in at.caption]
    assert any("médiane des futurs simulés" in c and f"résume {RUNS} futurs simulés" in c for c in captions)
    last = ens.years_list[-1]
    for column in (PRICE, "share_households_above_3pct", "debt_eur"):
        v = ens.values(column, last)
        assert metric(at, column).value == text(float(np.median(v)), column)
        low, high = np.percentile(v, [10, 90])
        assert f"8 futurs sur 10 entre {text(low, column)} et {text(high, column)}" in captions, column
        assert ens.statement(column, last, "fr") in captions
    # the median is not the seed's own run (6 futures of a random town: the test can fail)
    seed_run = run_years(small)
    assert any(metric(at, c).value != text(seed_run.at[last, c], c) for c in (PRICE, "debt_eur", "yield_pct"))

    # another year: medians, ranges and odds of that year
    year = ens.years_list[1]
    slider(at).set_value(year).run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    v = ens.values(PRICE, year)
    assert metric(at, PRICE).value == text(float(np.median(v)), PRICE)
    low, high = np.percentile(v, [10, 90])
    assert f"8 futurs sur 10 entre {text(low, PRICE)} et {text(high, PRICE)}" in captions
    assert ens.statement(PRICE, year, "fr") in captions
    assert ens.statement(PRICE, last, "fr") not in captions or year == last


def test_readings_are_the_run_or_the_median_of_the_futures(small: Scenario) -> None:
    result = simulate(small)
    years = result.years.set_index("year")
    y = int(years.index[2])
    alone = {r.column: r for r in explorer.readings(result, y, "fr")}
    assert alone[PRICE].value == years.at[y, PRICE] and alone[PRICE].low is None
    ens = simulate_many(small, 4, seed=small.seed, executor="sequential")
    many = {r.column: r for r in explorer.readings(result, y, "fr", ens)}
    v = ens.values(PRICE, y)
    r = many[PRICE]
    assert r.value == pytest.approx(np.median(v)) and r.runs == 4
    assert r.first == pytest.approx(np.median(ens.values(PRICE, int(years.index[0]))))
    assert (r.low, r.high) == pytest.approx(tuple(np.percentile(v, [10, 90])))
    assert r.low <= r.value <= r.high
    with pytest.raises(KeyError):
        explorer.readings(result, 1900, "fr")


def test_the_year_shown_is_in_the_share_link_and_a_link_opens_on_it(small: Scenario) -> None:
    at = open_page(small)
    years = run_years(small)
    first, last = int(years.index[0]), int(years.index[-1])
    assert "y" not in at.query_params  # the last year is the default: not written
    slider(at).set_value(first + 1).run()
    assert at.query_params["y"] == str(first + 1)
    slider(at).set_value(last).run()
    assert "y" not in at.query_params

    linked = AppTest.from_file(APP, default_timeout=TIMEOUT)
    linked.query_params["lang"] = "fr"
    linked.query_params["y"] = str(first + 2)
    for key, value in share.session_values(small, "town", "town.yaml").items():
        linked.session_state[key] = value
    linked.run()
    linked.switch_page(PAGE).run()
    assert not linked.exception
    assert slider(linked).value == first + 2
    assert metric(linked, PRICE).value == text(years.at[first + 2, PRICE], PRICE)

"""Figure builders: titles, axis units, palette, and exactly the data they were given."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from sim.measure.indicators import BY_NAME as INDICATOR_TABLE
from sim.show import plots

YEARS = [2026, 2027, 2028, 2029]
UNIT_IN_TITLE = re.compile(r"\(.+\)\s*$")


def years_table() -> pd.DataFrame:
    n = len(YEARS)
    rng = np.random.default_rng(0)
    cols = [
        "households",
        "population",
        "produced_m3",
        "billed_m3",
        "real_losses_m3",
        "yield_pct",
        "ilp_m3_per_km_day",
        "ili",
        "breaks",
        "breaks_per_100km",
        "mean_repair_hours",
        "interruptions_per_1000_customers",
        "renewal_km",
        "renewal_rate_pct",
        "network_mean_age_years",
        "price_120m3_eur_per_m3",
        "bill_120m3_eur",
        "consumption_l_per_person_day",
        "unpaid_rate_pct",
        "share_households_above_3pct",
        "revenue_eur",
        "receipts_eur",
        "opex_eur",
        "capex_eur",
        "debt_eur",
        "interest_eur",
        "outflow_eur",
        "reserves_eur",
        "fte",
        "restriction_days",
        "resource_stock_m3",
        "shortfall_m3",
    ]
    df = pd.DataFrame({c: rng.uniform(1, 100, n).round(3) for c in cols})
    df["share_households_above_3pct"] = [10.0, 12.5, 15.0, 11.0]  # percent, as the engine gives
    df.insert(0, "year", YEARS)
    return df


def deciles_table() -> pd.DataFrame:
    rows = []
    for y in YEARS:
        for d in range(1, 11):
            rows.append(
                {
                    "year": y,
                    "decile": d,
                    "households": 100,
                    "mean_income_eur": 10_000.0 * d,
                    "mean_volume_m3": 50.0 + d,
                    "mean_bill_eur": 200.0 + 10 * d + (y - 2026),
                    "burden_pct": 3.5 - 0.3 * d + 0.01 * (y - 2026),
                    "burden_with_sewerage_pct": 6.0 - 0.5 * d + 0.01 * (y - 2026),
                    "share_above_3pct": max(0.0, 50.0 - 5.0 * d),
                }
            )
    return pd.DataFrame(rows)


def workforce_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": YEARS,
            "fte_in_house": [20.0, 21, 22, 22],
            "fte_subcontracted": [4.0, 4, 3, 2],
            "wage_bill_eur": [1.1e6, 1.15e6, 1.2e6, 1.2e6],
            "repairs_per_crew": [30.0, 32, 35, 31],
            "overtime_hours": [100.0, 120, 90, 80],
            "staff_transferred": [0.0, 0, 0, 0],
        }
    )


def compare_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "regime": ["concession", "regie", "commons"],
            "price_120m3_eur_per_m3": [2.4, 2.1, 2.0],
            "price_120m3_eur_per_m3_low": [2.3, 2.0, 1.9],
            "price_120m3_eur_per_m3_high": [2.5, 2.2, 2.2],
        }
    )


BUILDERS: dict[str, Callable[[str], go.Figure]] = {
    "price_and_bills": lambda lang: plots.price_and_bills(years_table(), deciles_table(), lang),
    "affordability": lambda lang: plots.affordability(years_table(), deciles_table(), lang),
    "yield_and_breaks": lambda lang: plots.yield_and_breaks(years_table(), lang),
    "money_flows": lambda lang: plots.money_flows(years_table(), lang),
    "debt_and_reserves": lambda lang: plots.debt_and_reserves(years_table(), lang),
    "resource": lambda lang: plots.resource(years_table(), lang),
    "workforce": lambda lang: plots.workforce(workforce_table(), lang),
    "bills_by_decile": lambda lang: plots.bills_by_decile(deciles_table(), 2028, lang),
    "compare_bars": lambda lang: plots.compare_bars(compare_table(), "price_120m3_eur_per_m3", lang),
}


def axes(fig: go.Figure, prefix: str) -> dict[str, str]:
    """Title text of every x or y axis of the figure that holds a trace.

    An axis shared with the one below it (``matches``, stacked panels) needs no title of its own.
    """
    layout = fig.to_plotly_json()["layout"]
    used = {tr.get(f"{prefix}axis") or prefix for tr in fig.to_plotly_json()["data"]}
    out = {}
    for name in used:
        key = prefix + "axis" + name[1:]
        axis = layout.get(key, {})
        if axis.get("matches"):
            continue
        out[key] = (axis.get("title") or {}).get("text") or ""
    return out


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("name", sorted(BUILDERS))
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_figure_has_titles_and_units(name: str, lang: str) -> None:
    fig = BUILDERS[name](lang)
    assert isinstance(fig, go.Figure)
    assert fig.layout.title.text and fig.layout.title.text.strip()
    assert fig.data, "a figure without data"
    for axis, title in axes(fig, "x").items():
        assert title.strip(), f"{name}: {axis} has no title"
    for axis, title in axes(fig, "y").items():
        assert UNIT_IN_TITLE.search(title), f"{name}: {axis} title {title!r} states no unit"


@pytest.mark.parametrize("name", sorted(BUILDERS))
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_french_and_english_differ(name: str) -> None:
    assert BUILDERS[name]("fr").layout.title.text != BUILDERS[name]("en").layout.title.text


@pytest.mark.parametrize("name", sorted(BUILDERS))
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_palette_is_okabe_ito(name: str) -> None:
    fig = BUILDERS[name]("fr")
    assert list(fig.layout.colorway) == list(plots.OKABE_ITO)
    for tr in fig.data:
        colour = tr.line.color if isinstance(tr, go.Scatter) else tr.marker.color
        colours = colour if isinstance(colour, tuple | list) else [colour]
        assert all(c is None or c in plots.OKABE_ITO for c in colours), (name, tr.name, colour)


def _trace(fig: go.Figure, meta: str, name: str | None = None) -> go.BaseTraceType:
    found = [tr for tr in fig.data if tr.meta == meta and (name is None or tr.name == name)]
    assert len(found) == 1, f"expected one trace for {meta}/{name}, got {len(found)}"
    return found[0]


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("yield_and_breaks", ["yield_pct", "breaks_per_100km"]),
        ("money_flows", list(plots.MONEY_COLUMNS)),
        ("debt_and_reserves", ["debt_eur", "reserves_eur"]),
        ("resource", ["resource_stock_m3", "restriction_days", "shortfall_m3"]),
        ("price_and_bills", ["price_120m3_eur_per_m3"]),
        ("affordability", ["share_households_above_3pct", "unpaid_rate_pct"]),
    ],
)
def test_year_figures_show_the_columns_they_were_given(name: str, columns: list[str]) -> None:
    fig, years = BUILDERS[name]("fr"), years_table()
    for col in columns:
        tr = _trace(fig, col)
        np.testing.assert_array_equal(tr.x, years["year"])
        np.testing.assert_array_equal(tr.y, years[col])


def test_price_and_bills_draws_the_chosen_deciles() -> None:
    deciles = deciles_table()
    fig = plots.price_and_bills(years_table(), deciles, "fr", shown_deciles=(1, 10))
    bills = [tr for tr in fig.data if tr.meta == "mean_bill_eur"]
    assert [tr.name for tr in bills] == ["Décile 1", "Décile 10"]
    expected = deciles[deciles["decile"] == 10].sort_values("year")["mean_bill_eur"]
    np.testing.assert_array_equal(bills[1].y, expected)


def test_affordability_compares_first_and_last_year_with_threshold() -> None:
    deciles = deciles_table()
    fig = plots.affordability(years_table(), deciles, "en", threshold_pct=3.0)
    # the 3 % norm covers water and sewerage, so the bars are the burden with sewerage
    bars = [tr for tr in fig.data if tr.meta == "burden_with_sewerage_pct"]
    assert [tr.name for tr in bars] == ["2026", "2029"]
    np.testing.assert_array_equal(bars[1].y, deciles[deciles["year"] == 2029]["burden_with_sewerage_pct"])
    assert [s.y0 for s in fig.layout.shapes] == [3.0]


def test_affordability_falls_back_to_water_only_burden() -> None:
    deciles = deciles_table().drop(columns="burden_with_sewerage_pct")
    fig = plots.affordability(years_table(), deciles, "fr")
    assert len([tr for tr in fig.data if tr.meta == "burden_pct"]) == 2


def test_workforce_stacks_in_house_and_subcontracted() -> None:
    wf = workforce_table()
    fig = plots.workforce(wf, "fr")
    assert fig.layout.barmode == "stack"
    for col in (
        "fte_in_house",
        "fte_subcontracted",
        "wage_bill_eur",
        "repairs_per_crew",
        "overtime_hours",
    ):
        np.testing.assert_array_equal(_trace(fig, col).y, wf[col])


def test_bills_by_decile_shows_one_year() -> None:
    deciles = deciles_table()
    fig = plots.bills_by_decile(deciles, 2027, "fr")
    sub = deciles[deciles["year"] == 2027]
    np.testing.assert_array_equal(_trace(fig, "mean_bill_eur").y, sub["mean_bill_eur"])
    np.testing.assert_array_equal(_trace(fig, "burden_pct").y, sub["burden_pct"])
    np.testing.assert_array_equal(_trace(fig, "burden_pct").x, list(range(1, 11)))
    assert "2027" in fig.layout.title.text


def test_bills_by_decile_unknown_year_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no decile rows for year 1999"):
        plots.bills_by_decile(deciles_table(), 1999, "fr")


def test_compare_bars_one_bar_per_regime_with_error_bars() -> None:
    table = compare_table()
    fig = plots.compare_bars(table, "price_120m3_eur_per_m3", "fr")
    bar = _trace(fig, "price_120m3_eur_per_m3")
    assert list(bar.x) == [
        "Délégation de service public (concession)",
        "Régie publique",
        "Communs co-gouvernés",
    ]
    np.testing.assert_array_equal(bar.y, table["price_120m3_eur_per_m3"])
    np.testing.assert_allclose(bar.error_y.array, [0.1, 0.1, 0.2])
    np.testing.assert_allclose(bar.error_y.arrayminus, [0.1, 0.1, 0.1])
    assert list(bar.marker.color) == [plots.REGIME_COLOURS[r] for r in table["regime"]]
    assert fig.layout.yaxis.title.text == "Prix du m3 (120 m3) TTC (€/m³)"  # the indicator table's


def test_compare_bars_accepts_regimes_as_index_and_unknown_indicators() -> None:
    table = pd.DataFrame({"summary_cost_eur": [1.0, 2.0]}, index=pd.Index(["regie", "other"], name="regime"))
    fig = plots.compare_bars(table, "summary_cost_eur", "en")
    bar = fig.data[0]
    assert list(bar.x) == ["Public régie", "other"]
    assert fig.layout.yaxis.title.text == "summary_cost_eur (€)"  # unit from the name suffix


def test_missing_column_names_it() -> None:
    with pytest.raises(KeyError, match="yield_pct"):
        plots.yield_and_breaks(years_table().drop(columns="yield_pct"), "fr")


def test_french_figures_use_french_separators() -> None:
    assert plots.money_flows(years_table(), "fr").layout.separators == ",\u202f"
    assert plots.money_flows(years_table(), "en").layout.separators == ".,"


def test_every_result_column_has_a_label_and_unit_in_both_languages() -> None:
    cols = set(years_table().columns) | set(deciles_table().columns) | set(workforce_table().columns)
    for lang in ("fr", "en"):
        for col in cols:
            assert plots.indicator_label(col, lang) != col, (lang, col)
            assert plots.indicator_unit(col, lang)


@pytest.fixture(scope="module")
def real_run():  # type: ignore[no-untyped-def]
    """A tiny run of the real engine, when it is importable."""
    sim = pytest.importorskip("sim")
    if not hasattr(sim, "simulate"):
        pytest.skip("sim.simulate is not written yet")
    scenario = sim.with_changes(sim.Scenario(), {"households.count": 200, "horizon_years": 3})
    return sim.simulate(scenario, seed=3)


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_builders_accept_a_real_run(real_run) -> None:  # type: ignore[no-untyped-def]
    r = real_run
    last = int(r.years["year"].max())
    figs = [
        plots.price_and_bills(r.years, r.deciles, "fr"),
        plots.affordability(r.years, r.deciles),
        plots.yield_and_breaks(r.years),
        plots.money_flows(r.years),
        plots.debt_and_reserves(r.years),
        plots.resource(r.years),
        plots.workforce(r.workforce),
        plots.bills_by_decile(r.deciles, last),
    ]
    assert all(isinstance(f, go.Figure) and f.data for f in figs)
    np.testing.assert_array_equal(_trace(figs[2], "yield_pct").y, r.years["yield_pct"])


def test_every_column_of_a_real_run_has_a_label_and_unit(real_run) -> None:  # type: ignore[no-untyped-def]
    cols = set(real_run.years.columns) | set(real_run.deciles.columns) | set(real_run.workforce.columns)
    unlabelled = sorted(c for c in cols if plots.indicator_label(c, "fr") == c)
    assert unlabelled == []
    # a unit is written once: the indicator table's for an indicator, else plots.UNITS
    unknown_unit = sorted(c for c in cols if c not in plots.UNITS and c not in INDICATOR_TABLE)
    assert unknown_unit == []
    assert not set(plots.UNITS) & set(INDICATOR_TABLE)

"""Fan charts of ensembles: titles, units, the palette, and exactly the bands they were given."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.experiments.ensemble import Ensemble
from sim.i18n import t
from sim.show import plots

YEARS = [2026, 2027, 2028]
BANDS = list(plots.BAND_COLUMNS)


def bands_table(shift: float = 0.0) -> pd.DataFrame:
    """Year × p5 … p95 as ``Ensemble.bands`` gives it: the year as the index."""
    rows = [[100 + 10 * i + shift + d for d in (0, 5, 10, 15, 20)] for i in range(len(YEARS))]
    df = pd.DataFrame(rows, index=pd.Index(YEARS, name="year"), columns=BANDS)
    return df


def traces_by_band(fig, scenario: str | None = None) -> dict[str, np.ndarray]:
    out = {}
    for tr in fig.data:
        if "band" in tr.meta and (scenario is None or tr.meta.get("scenario") == scenario):
            out[tr.meta["band"]] = np.asarray(tr.y, dtype=float)
    return out


def test_fan_chart_draws_the_bands_it_is_given_in_order() -> None:
    b = bands_table()
    fig = plots.fan_chart(b, "bill_120m3_eur", "fr", runs=50)
    # P5, P95 (filled down to P5), P25, P75 (filled down to P25), median
    assert [tr.meta["band"] for tr in fig.data] == ["p5", "p95", "p25", "p75", "p50"]
    assert [tr.fill for tr in fig.data] == [None, "tonexty", None, "tonexty", None]
    for band, y in traces_by_band(fig).items():
        np.testing.assert_array_equal(y, b[band].to_numpy())
    for tr in fig.data:
        assert list(tr.x) == YEARS and tr.meta["indicator"] == "bill_120m3_eur"
    # the bands are nested around the median
    y = traces_by_band(fig)
    assert (y["p5"] <= y["p25"]).all() and (y["p25"] <= y["p50"]).all()
    assert (y["p50"] <= y["p75"]).all() and (y["p75"] <= y["p95"]).all()


def test_fan_chart_accepts_the_year_as_a_column() -> None:
    b = bands_table()
    fig = plots.fan_chart(b.reset_index(), "yield_pct", "en")
    np.testing.assert_array_equal(traces_by_band(fig)["p50"], b["p50"].to_numpy())
    with pytest.raises(KeyError, match="p95"):
        plots.fan_chart(b.drop(columns="p95"), "yield_pct", "en")


def test_fan_chart_title_axis_units_legend_and_palette() -> None:
    fr = plots.fan_chart(bands_table(), "bill_120m3_eur", "fr", runs=50)
    assert fr.layout.title.text == "Facture de 120 m3 TTC"
    assert fr.layout.title.subtitle.text == "50 futurs simulés"
    assert fr.layout.yaxis.title.text == "Facture de 120 m3 TTC (€/an)"
    assert fr.layout.yaxis.tickformat == ",.0f"  # euros in full, not « 1,2M »
    assert fr.layout.xaxis.title.text == "Année"
    legend = [tr.name for tr in fr.data if tr.showlegend]
    assert legend == ["P5–P95 : 9 futurs sur 10", "P25–P75 : 1 futur sur 2", "Médiane"]
    assert fr.data[4].line.color == plots.OKABE_ITO[0]  # the median in Okabe–Ito blue
    assert fr.data[1].fillcolor == "rgba(0,114,178,0.18)"  # the wide band, lighter
    assert fr.data[3].fillcolor == "rgba(0,114,178,0.38)"
    assert fr.layout.separators == ",\u202f"  # French decimal comma

    en = plots.fan_chart(bands_table(), "price_120m3_eur_per_m3", "en", runs=1)
    assert en.layout.title.text == "Price per m3 (120 m3) incl. VAT"
    assert en.layout.title.subtitle.text == "just 1 simulated future"
    assert en.layout.yaxis.title.text.endswith("(€/m³)") and en.layout.yaxis.tickformat is None
    assert en.layout.xaxis.title.text == "Year"
    assert [tr.name for tr in en.data if tr.showlegend] == [
        "P5–P95: 9 futures in 10",
        "P25–P75: 1 future in 2",
        "Median",
    ]
    plain = plots.fan_chart(bands_table(), "yield_pct", "en")
    assert plain.layout.title.text == plots.indicator_label("yield_pct", "en")
    assert not plain.layout.title.subtitle.text


def test_fan_chart_of_a_real_ensemble_equals_its_bands() -> None:
    years = pd.DataFrame(
        {
            "run": np.repeat(range(8), 3),
            "seed": np.repeat(range(8), 3),
            "year": YEARS * 8,
            "debt_eur": np.random.default_rng(1).uniform(1e6, 2e6, 24),
        }
    )
    e = Ensemble(years=years)
    fig = plots.fan_chart(e.bands("debt_eur"), "debt_eur", "fr", runs=e.runs)
    for band, y in traces_by_band(fig).items():
        np.testing.assert_array_equal(y, e.bands("debt_eur")[band].to_numpy())
    assert fig.layout.yaxis.title.text == "Dette (€)"


def test_fan_compare_one_fan_per_regime_in_its_colour() -> None:
    given = {"concession": bands_table(30), "regie": bands_table(0), "commons": bands_table(-10)}
    fig = plots.fan_compare(given, "bill_120m3_eur", "fr", runs=20)
    assert fig.layout.title.text == "Facture de 120 m3 TTC"
    assert fig.layout.title.subtitle.text == "20 futurs simulés · lignes : médianes"
    assert fig.layout.yaxis.title.text == "Facture de 120 m3 TTC (€/an)"
    assert len(fig.data) == 5 * 3 + 2
    # two grey legend entries, without data, say what the band and the dotted lines are
    keys = [tr for tr in fig.data if "key" in tr.meta]
    assert [tr.name for tr in keys] == [
        "Bande : 1 futur sur 2 (P25–P75)",
        "Entre les pointillés : 9 futurs sur 10 (P5–P95)",
    ]
    assert all(list(tr.y) == [None] and tr.showlegend for tr in keys)
    for name, b in given.items():
        y = traces_by_band(fig, name)
        assert set(y) == set(BANDS)
        for band in BANDS:
            np.testing.assert_array_equal(y[band], b[band].to_numpy())
        mine = [tr for tr in fig.data if tr.meta.get("scenario") == name]
        assert {tr.legendgroup for tr in mine} == {name}  # one legend entry hides them all
        median = next(tr for tr in mine if tr.meta["band"] == "p50")
        assert median.line.color == plots.REGIME_COLOURS[name]
        assert median.name == plots.regime_label(name, "fr") and median.showlegend
        assert sum(tr.showlegend for tr in mine) == 1
    # each regime's median has its own dash, so the lines differ in greyscale too
    dashes = [tr.line.dash for tr in fig.data if tr.meta.get("band") == "p50"]
    assert len(set(dashes)) == 3


def test_fan_compare_in_english_and_with_unknown_names() -> None:
    fig = plots.fan_compare({"A": bands_table(), "B": bands_table(5)}, "yield_pct", "en")
    assert fig.layout.title.text == plots.indicator_label("yield_pct", "en")
    assert fig.layout.title.subtitle.text == "lines: medians"
    assert fig.layout.yaxis.title.text.endswith("(%)")
    medians = [tr for tr in fig.data if tr.meta.get("band") == "p50"]
    assert [tr.name for tr in medians] == ["A", "B"]
    assert [tr.line.color for tr in medians] == list(plots.OKABE_ITO[:2])
    assert t("ensemble.plot.compare.band50", "en") in [tr.name for tr in fig.data]
    with pytest.raises(ValueError):
        plots.fan_compare({}, "yield_pct", "en")

"""Hover labels show each value with its indicator's digits; plotly writes them with the figure's
separators (« 2,19 » on a French page, « 2.19 » on an English one)."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.dashboard import compare as page
from sim.experiments.compare import HEADLINES, Comparison
from sim.show import plots

YEARS = pd.DataFrame(
    {
        "year": [2026, 2027],
        "price_120m3_eur_per_m3": [2.19, 2.31],
        "bill_120m3_eur": [262.8, 277.2],
        "yield_pct": [80.1, 79.5],
        "breaks": [31, 28],
        "breaks_per_100km": [14.2, 12.8],
    }
)


@pytest.mark.parametrize(("lang", "colon", "sep"), [("fr", " : ", ",\u202f"), ("en", ": ", ".,")])
def test_line_and_bar_traces_carry_their_indicators_hover_format(lang: str, colon: str, sep: str) -> None:
    fig = plots.yield_and_breaks(YEARS, lang)
    by_meta = {tr.meta: tr for tr in fig.data}
    assert (
        by_meta["yield_pct"].hovertemplate == f"{by_meta['yield_pct'].name}{colon}%{{y:,.1f}}<extra></extra>"
    )
    line = plots._line(YEARS, "price_120m3_eur_per_m3", lang)
    assert line.hovertemplate.endswith(f"{colon}%{{y:,.2f}}<extra></extra>")
    bar = plots._bar(YEARS, "breaks", lang)
    assert bar.hovertemplate.endswith("%{y:,.0f}<extra></extra>")
    assert plots._bar(YEARS, "bill_120m3_eur", lang).hovertemplate.endswith("%{y:,.0f}<extra></extra>")
    assert fig.layout.separators == sep


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_compare_bars_hover_with_the_tables_digits_and_euros_in_full(lang: str) -> None:
    table = pd.DataFrame(
        {h.key: [1.0, 2.0, 3.0] for h in HEADLINES}, index=["concession", "regie", "commons"]
    )
    cmp = Comparison(table=table, results={}, differences=pd.DataFrame())
    bars = dict(page.BARS)
    price = page.bar_figure(cmp, "price_120m3_last", bars["price_120m3_last"], lang)
    assert price.data[0].hovertemplate.endswith("%{y:,.2f}<extra></extra>")
    debt = page.bar_figure(cmp, "debt_eur_last", bars["debt_eur_last"], lang)
    assert debt.data[0].hovertemplate.endswith("%{y:,.0f}<extra></extra>")
    assert debt.layout.yaxis.tickformat == ",.0f"
    assert price.layout.yaxis.tickformat is None

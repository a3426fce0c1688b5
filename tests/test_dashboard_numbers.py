"""Dashboard tests (AppTest): every table and chart writes numbers the language's way.

French pages: decimal comma, narrow no-break space (U+202F) between thousands, a no-break space
before € and %; English pages: decimal point, comma between thousands. Tables are pre-formatted
text (a float column would be drawn by the browser in its own locale, not the page's), and every
plotly figure carries the language's ``separators`` (decimal mark, then thousands mark), which
plotly applies to its ticks and hover labels.
"""

from __future__ import annotations

import json
import re
from typing import Any

import apptest
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sim.dashboard import workshop
from sim.dashboard.pages import PAGES

# pages run through Streamlit's AppTest: the slow tier
pytestmark = pytest.mark.slow

SEPARATORS = {"fr": ",\u202f", "en": ".,"}
# pages whose first view has tables or charts without a session, an upload or a click
DRAWN = ("explorer.py", "compare.py", "tariff_design.py", "remunicipalisation.py", "sources.py")
EN_DECIMAL = re.compile(r"\d\.\d")  # 2.5 : never on a French page
FR_DECIMAL = re.compile(r"\d,\d")  # 2,5 : the French decimal mark
FR_THOUSANDS = re.compile(r"\d\u202f\d{3}")  # 1 234
EN_THOUSANDS = re.compile(r"\d,\d{3}")  # 1,234
VALUE = re.compile(r"[+\-\u2212]?[\d\u202f,]+\s?[€%]")  # a cell that is one amount: "-5,0 %"


def _tables(at: AppTest) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe] + [x.value for x in at.table]


# a reference section (water.md §3.4) or a SISPEA code (P154.0): names, not numbers
SECTION = re.compile(r"§\s?\d+(\.\d+)*|\b[DP]\d{3}\.\d\b")


def _cells(frames: list[pd.DataFrame]) -> list[str]:
    return [SECTION.sub("§", str(v)) for df in frames for col in df.columns for v in df[col]]


def _figures(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


@pytest.fixture(scope="module", params=["fr", "en"])
def pages(request: pytest.FixtureRequest) -> tuple[str, dict[str, AppTest]]:
    lang = request.param
    by_file = {p.file: p for p in PAGES}
    return lang, {f: apptest.open_page(by_file[f].path, lang, 180) for f in DRAWN}


def test_every_table_is_text_in_the_pages_number_style(pages: tuple[str, dict[str, AppTest]]) -> None:
    lang, apps = pages
    cells: list[str] = []
    for name, at in apps.items():
        frames = _tables(at)
        assert frames, f"{name}: no table drawn"
        for df in frames:
            floats = [c for c in df.columns if df[c].dtype.kind == "f"]
            assert not floats, f"{name}: float columns left to the browser's locale: {floats}"
        cells += _cells(frames)
    text = "\n".join(cells)
    if lang == "fr":
        assert not EN_DECIMAL.findall(text), [c for c in cells if EN_DECIMAL.search(c)][:5]
        assert FR_DECIMAL.search(text) and FR_THOUSANDS.search(text)
        # a value's unit follows its number after a no-break space, never a plain one or none
        values = [c for c in cells if VALUE.fullmatch(c)]
        assert values and all("\u00a0" in c for c in values), [c for c in values if "\u00a0" not in c][:5]
    else:
        comma_decimal = re.compile(r"\d,(\d{1,2}|\d{4,})(?!\d)")  # 2,5 but not 1,234
        wrong = [c for c in cells if comma_decimal.search(c) or FR_THOUSANDS.search(c)]
        assert not wrong, wrong[:5]
        assert EN_THOUSANDS.search(text)
        assert EN_DECIMAL.search(text)


def test_every_figure_has_the_pages_separators(pages: tuple[str, dict[str, AppTest]]) -> None:
    lang, apps = pages
    seen = 0
    for name, at in apps.items():
        for spec in _figures(at):
            assert spec["layout"].get("separators") == SEPARATORS[lang], (name, spec["layout"].get("title"))
            seen += 1
    assert seen >= 20  # explorer 8, compare 8, tariff 1, remunicipalisation 3


# ------------------------------------------------------------------------------------------
# the workshop's option effects (drawn only inside a session: checked on the builders)
# ------------------------------------------------------------------------------------------
ITEM = {
    "item": "tariff",
    "options": [
        {
            "name": "a",
            "label_fr": "Statu quo",
            "label_en": "Status quo",
            "effects": {
                "price_120m3_eur_per_m3": 2.345,
                "share_above_pct": 12.5,
                "recovery": 1.02,
                "median_bill_change_pct": 3.25,
                "extra_cost_eur_per_year": -1234.0,
                "bill_by_decile_eur": [310.5 + 10 * i for i in range(10)],
            },
        },
        {
            "name": "b",
            "label_fr": "Tranche sociale",
            "label_en": "Social block",
            "effects": {"price_120m3_eur_per_m3": 2.5, "bill_by_decile_eur": [1200.0] * 10},
        },
    ],
}


def test_workshop_effects_are_written_the_french_way() -> None:
    row = workshop._effects_table(ITEM, "fr").iloc[0].tolist()
    assert "2,35\u00a0€" in row  # price of the m3: decimal comma, no-break space, € after
    assert "12,5\u00a0%" in row
    assert "102\u00a0%" in row  # cost recovery as a share
    assert "+3,2\u00a0%" in row or "+3,3\u00a0%" in row
    assert "\u22121\u202f234\u00a0€" in row  # minus sign, narrow space between thousands


def test_workshop_effects_are_written_the_english_way() -> None:
    row = workshop._effects_table(ITEM, "en").iloc[0].tolist()
    assert "€2.35" in row and "12.5%" in row and "102%" in row
    assert "\u2212€1,234" in row


@pytest.mark.parametrize(("lang", "sep"), list(SEPARATORS.items()))
def test_workshop_bills_chart_uses_the_pages_separators(lang: str, sep: str) -> None:
    fig = workshop.bills_figure(ITEM, lang)
    assert fig is not None
    assert fig.layout.separators == sep
    assert fig.layout.yaxis.tickformat == ",.0f"  # 1 200 in French, 1,200 in English
    assert [tr.name for tr in fig.data] == (
        ["Statu quo", "Tranche sociale"] if lang == "fr" else ["Status quo", "Social block"]
    )
    assert list(fig.data[1].y) == [1200.0] * 10
    assert workshop.bills_figure({"item": "x", "options": []}, lang) is None

"""In a real browser: chart ticks and a table's column picker follow the page's language.

Plotly draws the tick labels itself from the figure's ``separators``: on a French page a decimal
is written with a comma (« 0,5 »), on an English page with a point. Streamlit's column picker
(« Show/hide columns » in a table's toolbar) has an English « Select all » box that the French
style sheet writes again in French, and an « (index) » box for a column every table hides.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

TICKS_JS = """els => els.flatMap(e =>
    Array.from(e.querySelectorAll('.xtick text, .ytick text, .y2tick text')).map(t => t.textContent))"""


def _ticks(page: Any, app_url: str, lang: str) -> list[str]:
    page.goto(f"{app_url}/explorer?lang={lang}")
    plots = page.locator(".js-plotly-plot")
    plots.first.wait_for(timeout=120_000)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .ytick text').length > 20")
    return list(plots.evaluate_all(TICKS_JS))


def test_chart_ticks_use_the_decimal_comma_in_french_and_the_point_in_english(
    app_url: str, page: Any, screenshot: Callable[[Any, str], Path]
) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    fr = _ticks(page, app_url, "fr")
    screenshot(page, "explorer-ticks-fr")
    assert [x for x in fr if re.search(r"\d,\d", x)], fr  # e.g. « 0,5 »
    assert not [x for x in fr if re.search(r"\d\.\d", x)], fr
    en = _ticks(page, app_url, "en")
    assert [x for x in en if re.search(r"\d\.\d", x)], en  # e.g. « 0.5 »
    assert not [x for x in en if re.search(r"\d,\d(?!\d\d)", x)], en


def _open_column_picker(page: Any, app_url: str, lang: str) -> Any:
    page.goto(f"{app_url}/sources?lang={lang}")
    table = page.get_by_test_id("stDataFrame").first
    table.wait_for(timeout=60_000)
    table.scroll_into_view_if_needed()
    table.hover()
    # its screen-reader name is in the page's language (sim.dashboard.common.a11y_script)
    name = "Show/hide columns" if lang == "en" else "Afficher ou masquer des colonnes"
    button = page.get_by_role("button", name=name).first
    button.wait_for()
    # the toolbar slides in over the table: a pointer click can land while it moves (or on a
    # phone, on the table under it), so the button's own click is sent
    button.dispatch_event("click")
    menu = page.get_by_test_id("stDataFrameColumnVisibilityMenu").first
    menu.wait_for()
    return menu


SELECT_ALL_JS = """m => {
  const s = m.querySelector(':scope > div > label:first-child > span:last-child');
  return [s.textContent, getComputedStyle(s, '::after').content, getComputedStyle(s).fontSize];
}"""


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)], ids=["desktop", "phone"])
def test_the_column_picker_says_select_all_in_french(
    app_url: str, page: Any, screenshot: Callable[[Any, str], Path], size: tuple[int, int]
) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    menu = _open_column_picker(page, app_url, "fr")
    text, after, font = menu.evaluate(SELECT_ALL_JS)
    assert text == "Select all"  # Streamlit's own text, not settable: hidden and written again
    assert after == '"Tout sélectionner"' and font == "0px"
    assert not menu.locator('label:has(input[aria-label="(index)"])').is_visible()
    assert menu.locator('label:has(input[aria-label="Référence"])').is_visible()
    screenshot(page, f"column-picker-fr-{size[0]}")


def test_the_column_picker_is_left_as_it_is_in_english(app_url: str, page: Any) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    menu = _open_column_picker(page, app_url, "en")
    text, after, font = menu.evaluate(SELECT_ALL_JS)
    assert text == "Select all" and after in ("none", "normal") and font != "0px"

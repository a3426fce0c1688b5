"""In a real browser: Streamlit's own widget texts do not show in English on French pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

ENGLISH = ("Drag and drop", "Limit 200MB", "Upload", "Browse files")


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)], ids=["desktop", "phone"])
def test_the_scenario_uploader_speaks_french(
    app_url: str, page: Any, screenshot: Callable[[Any, str], Path], size: tuple[int, int]
) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{app_url}/explorer?lang=fr")
    zone = page.get_by_test_id("stFileUploaderDropzone").first
    zone.wait_for(timeout=60_000)
    zone.scroll_into_view_if_needed()
    expect(zone).to_be_visible()
    shown = zone.inner_text()
    for word in ENGLISH:
        assert word not in shown, (word, shown)
    pseudo = zone.evaluate(
        """z => {
          const i = z.querySelector('[data-testid="stFileUploaderDropzoneInstructions"] > div');
          const b = z.querySelector('button');
          return [getComputedStyle(i, '::before').content,
                  getComputedStyle(i, '::after').content,
                  getComputedStyle(b, '::after').content];
        }"""
    )
    assert pseudo == [
        '"Glissez-déposez un fichier ici"',
        '"Fichier YAML (.yaml, .yml)"',
        '"Choisir un fichier"',
    ], pseudo
    screenshot(page, f"uploader-fr-{size[0]}")


#: a table toolbar's buttons (their fixed English label) and the tooltip a French page shows
TOOLBAR_FR = {
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Download as CSV": "Télécharger en CSV",
    "Search": "Rechercher",
    "Fullscreen": "Plein écran",
}
SHOWN_TIP = """() => {
  const p = document.querySelector('[role="tooltip"] [data-testid="stTooltipContent"] p');
  if (!p) return null;
  const after = getComputedStyle(p, '::after').content;
  // what the reader sees: the text drawn after the hidden one, or the text itself
  return getComputedStyle(p).fontSize === '0px' ? after : p.textContent;
}"""


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_table_toolbar_tooltips_speak_the_pages_language(app_url: str, page: Any, lang: str) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{app_url}/sources?lang={lang}")
    table = page.get_by_test_id("stDataFrame").first
    table.wait_for(timeout=60_000)
    for label, french in TOOLBAR_FR.items():
        table.hover()
        button = page.locator(f'[data-testid="stElementToolbar"] button[aria-label="{label}"]').first
        expect(button).to_be_visible()
        button.hover()
        page.wait_for_function(f"({SHOWN_TIP})() !== null")
        page.wait_for_timeout(200)  # the style applies once the tooltip is tied to its button
        want = f'"{french}"' if lang == "fr" else label
        assert page.evaluate(SHOWN_TIP) == want, label
        page.mouse.move(0, 0)
        page.wait_for_function(f"({SHOWN_TIP})() === null")


def test_the_table_search_shows_no_english_count(app_url: str, page: Any) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{app_url}/sources?lang=fr")
    table = page.get_by_test_id("stDataFrame").first
    table.wait_for(timeout=60_000)
    table.hover()
    page.locator('[data-testid="stElementToolbar"] button[aria-label="Search"]').first.click()
    page.get_by_test_id("search-input").fill("eau")
    count = page.get_by_test_id("search-result-area")
    expect(count).to_be_attached()
    expect(count).to_be_hidden()  # « 121 results » is English: not shown on a French page

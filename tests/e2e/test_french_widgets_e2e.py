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
        # its screen-reader label is the page's language too (common.a11y_script)
        named = label if lang == "en" else french
        button = page.locator(f'[data-testid="stElementToolbar"] button[aria-label="{named}"]').first
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
    page.locator('[data-testid="stElementToolbar"] button[aria-label="Rechercher"]').first.click()
    page.get_by_test_id("search-input").fill("eau")
    count = page.get_by_test_id("search-result-area")
    expect(count).to_be_attached()
    expect(count).to_be_hidden()  # « 121 results » is English: not shown on a French page


#: every screen-reader text (and placeholder, and Plotly's button titles) of the page
ACCESSIBLE_TEXTS = """() => {
  const out = [];
  for (const e of document.querySelectorAll('[aria-label],[placeholder],[data-title]'))
    for (const a of ['aria-label', 'placeholder', 'data-title'])
      if (e.getAttribute(a)) out.push(e.getAttribute(a));
  return out;
}"""


def _english(texts: list[str]) -> list[str]:
    from sim.dashboard.common import A11Y_PREFIXES, A11Y_TEXTS

    return sorted(
        {
            x
            for x in texts
            if x in A11Y_TEXTS
            or x.startswith(tuple(A11Y_PREFIXES))
            or (x.endswith(" icon") and x[:-5].replace("_", "").isalpha())
        }
    )


def _open_toolbars(page: Any) -> None:
    """Hover the first table and open a select box: their buttons and lists are drawn then."""
    tables = [d for d in page.get_by_test_id("stDataFrame").all() if d.is_visible()]
    if tables:
        tables[0].hover()
        page.locator('[data-testid="stElementToolbar"] button').first.wait_for()


@pytest.mark.parametrize(
    "path,size",
    [
        ("explorer", (1366, 768)),
        ("comparer", (1366, 768)),
        ("sources", (1366, 768)),
        ("atelier?role=facilitator", (1366, 768)),
        ("tarif", (390, 844)),
        ("ma-commune", (390, 844)),
    ],
)
def test_no_english_screen_reader_text_on_a_french_page(
    app_url: str, page: Any, path: str, size: tuple[int, int]
) -> None:
    """Streamlit's own ``aria-label``s (« Help for … », « Increment », the table toolbar, Plotly's
    buttons, « Choose an option »…) are read out in French on a French page."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sep = "&" if "?" in path else "?"
    page.goto(f"{app_url}/{path}{sep}lang=fr")
    page.get_by_test_id("stMain").locator("h1, h2").first.wait_for(timeout=90_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000
    )
    page.wait_for_timeout(1500)  # the last elements drawn
    _open_toolbars(page)
    texts = page.evaluate(ACCESSIBLE_TEXTS)
    assert len(texts) > 5, texts  # the page has them: the check reads something
    assert _english(texts) == [], path
    assert "Menu principal" in texts or size[0] < 500  # the script ran (a French text is there)


def test_an_english_page_keeps_streamlits_texts_and_a_switch_gives_them_back(app_url: str, page: Any) -> None:
    """In English the texts are Streamlit's; switching from French to English in the same tab
    gives the English texts back (the script keeps each element's own)."""
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{app_url}/explorer?lang=fr")
    page.get_by_test_id("stMain").locator("h1").first.wait_for(timeout=90_000)
    page.wait_for_function("() => document.querySelector('[aria-label=\"Menu principal\"]')")
    assert _english(page.evaluate(ACCESSIBLE_TEXTS)) == []
    page.locator(".st-key-lang_switch").get_by_text("English", exact=True).click()
    page.wait_for_function("() => document.querySelector('[aria-label=\"Main menu\"]')", timeout=60_000)
    page.wait_for_timeout(1500)
    texts = page.evaluate(ACCESSIBLE_TEXTS)
    assert "Increment" in texts and any(x.startswith("Help for ") for x in texts)
    assert not [x for x in texts if x.startswith("Aide : ") or x in ("Augmenter", "Menu principal")]


HINT_JS = """f => {
  const s = f.querySelector('[data-testid="InputInstructions"] > span:first-child');
  return [s.textContent, getComputedStyle(s).fontSize, getComputedStyle(s, '::after').content,
          getComputedStyle(s, '::after').fontSize];
}"""


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_hint_under_a_number_being_typed_speaks_the_pages_language(
    app_url: str, page: Any, screenshot: Callable[[Any, str], Path], lang: str
) -> None:
    """A price typed in the tariff designer, before Enter: Streamlit writes « Press Enter to apply »
    under the field, which a French page hides and writes again in French."""
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{app_url}/tarif?lang={lang}")
    field = page.get_by_test_id("stNumberInput").first
    field.wait_for(timeout=60_000)
    field.locator("input").click()
    field.locator("input").press("End")
    field.locator("input").press_sequentially("1")  # typed, not yet applied: the hint shows
    field.get_by_test_id("InputInstructions").locator("span").first.wait_for(state="attached", timeout=30_000)
    text, font, after, after_font = field.evaluate(HINT_JS)
    assert text == "Press Enter to apply"  # Streamlit's own text, not settable
    if lang == "fr":
        assert font == "0px" and after == '"Entrée pour appliquer"' and after_font != "0px"
        screenshot(page, "number-hint-fr")
    else:
        assert font != "0px" and after in ("none", "normal")


def _electricity_field(app_url: str, page: Any, lang: str, figure: str) -> Any:
    """The number field of ``figure`` on « Ma commune » for electricity, in ``lang``."""
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{app_url}/ma-commune?lang={lang}")
    service = page.locator(".st-key-share_service")
    service.wait_for(timeout=60_000)
    service.get_by_text("Électricité" if lang == "fr" else "Electricity", exact=True).click()
    field = page.locator(f".st-key-mce_{figure} input")
    field.wait_for(timeout=60_000)
    return field


#: the message of a number field's error icon, as its tooltip shows it
ERROR_TIP = """() => {
  const t = document.querySelector('[role="tooltip"] [data-testid="stTooltipErrorContent"]');
  return t ? t.textContent : null;
}"""


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_number_out_of_its_bounds_is_said_in_the_pages_language(
    app_url: str, page: Any, screenshot: Callable[[Any, str], Path], lang: str
) -> None:
    """Streamlit says « Number is outside the allowed range. Please enter a value between 0.01 and
    20. » under a number typed outside its field's bounds, in English only: on a French page the
    tooltip of the field's error icon and its screen-reader text say it in French, bounds with a
    decimal comma (common.RANGE_MESSAGES)."""
    from playwright.sync_api import expect

    field = _electricity_field(app_url, page, lang, "saifi")
    field.fill("200")
    field.press("Tab")
    icon = page.locator(".st-key-mce_saifi [data-testid='stTooltipErrorHoverTarget']")
    expect(icon).to_be_visible()
    icon.hover()
    page.wait_for_function(f"({ERROR_TIP})() !== null")
    page.wait_for_timeout(300)
    shown = page.evaluate(ERROR_TIP)
    if lang == "fr":
        assert shown == "Erreur : Nombre hors des limites. Entrez une valeur entre 0,01 et 20.", shown
    else:
        assert "Number is outside the allowed range" in shown and "0.01 and 20" in shown, shown
    # what a screen reader reads out: the field's alert
    alert = page.locator(".st-key-mce_saifi [role='alert']").text_content()
    if lang == "fr":
        assert alert == "Erreur : Nombre hors des limites. Entrez une valeur entre 0,01 et 20.", alert
        assert "allowed range" not in page.locator("body").inner_text()
    else:
        assert alert == (
            "Error: Number is outside the allowed range. Please enter a value between 0.01 and 20."
        )
    screenshot(page, f"range-error-{lang}")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_decimal_comma_typed_in_a_number_field_is_kept(app_url: str, page: Any, lang: str) -> None:
    """« 40,5 » typed in a number field, as French is written: the browser would drop the comma
    and read « 405 »; the page script types a decimal point instead, so the field reads 40.5, is
    valid (405 would be above the field's 100 %)."""
    field = _electricity_field(app_url, page, lang, "underground_pct")
    field.click()
    field.press_sequentially("40,5")
    field.press("Tab")
    assert field.input_value() == "40.5"
    assert field.get_attribute("aria-invalid") != "true"

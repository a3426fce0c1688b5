"""In a real browser: the Sources page shows each source's link on a laptop screen, and a value
changed there is the one the Explorer shows and runs (laptop 1366×768 and phone 390×844)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

SIZES = {"laptop": (1366, 768), "phone": (390, 844)}
LABEL = "Part du linéaire renouvelée chaque année"  # network.renewal_rate_pct, a widget of the Explorer


def open_sources(browser: Any, app_url: str, size: str) -> Any:
    width, height = SIZES[size]
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{app_url}/sources?lang=fr")
    page.get_by_test_id("stDataFrame").first.wait_for()
    return page


def headers(page: Any) -> list[str]:
    """The column headers the table draws (it draws only the columns on screen)."""
    grid = page.get_by_test_id("stDataFrame").first.locator('table[role="grid"]')
    return [h.text_content() for h in grid.locator("th").all()]


def test_the_source_and_its_link_are_on_a_laptop_screen(browser: Any, app_url: str) -> None:
    from playwright.sync_api import expect

    page = open_sources(browser, app_url, "laptop")
    try:
        th = page.get_by_test_id("stDataFrame").first.locator('table[role="grid"] th')
        expect(th.first).to_be_attached()
        shown = headers(page)
        assert shown[:6] == ["Signification", "Scénario courant", "Par défaut", "Unité", "Source", "Lien"]
        page.get_by_label("Filtrer (clé, signification ou source)").fill("consommation personne")
        page.keyboard.press("Enter")
        cells = page.get_by_test_id("stDataFrame").first.locator('table[role="grid"] td')
        expect(cells.filter(has_text="tf1info.fr").first).to_be_attached()
    finally:
        page.context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_a_value_changed_on_sources_is_the_explorers(browser: Any, app_url: str, size: str) -> None:
    from playwright.sync_api import expect

    page = open_sources(browser, app_url, size)
    try:
        pick = page.get_by_test_id("stSelectbox").filter(has_text="Paramètre")
        pick.click()
        page.keyboard.type("network.renewal_rate_pct")
        page.get_by_role("option", name="network.renewal_rate_pct").first.click()
        box = page.get_by_role("spinbutton", name=LABEL)
        box.fill("1.5")
        page.get_by_role("button", name="Appliquer au scénario courant").click()
        expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("→ 1,5")
        page.get_by_role("link", name="Simuler le scénario courant dans l'Explorer").click()
        expect(page.get_by_role("heading", name="Explorer").first).to_be_visible()
        # the Explorer's widget, in its folded « Réseau » section of the sidebar
        widget = page.locator(f'input[aria-label^="{LABEL}"]')
        expect(widget).to_have_value("1.50", timeout=60_000)
    finally:
        page.context.close()

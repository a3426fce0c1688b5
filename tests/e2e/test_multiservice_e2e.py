"""In a real browser on a laptop screen (1366×768): on Compare, choose « Régie multiservice », read
the shipped régie against two separate services in French (table, waterfall, per-service effects),
change the cost of one bill and see the figures follow.

Screenshots are kept in ``test-artifacts/`` (multiservice-compare-fr).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

WAIT_MS = 120_000  # four 30-year runs of two towns of 20,000 households


def test_compare_shows_the_multiservice_regie(
    app_url: str, browser: Any, screenshot: Callable[[Any, str], Path]
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(f"{app_url}/comparer")
        expect(page.locator("h1", has_text="Comparer les modes de gestion")).to_be_visible(timeout=WAIT_MS)
        page.get_by_text("Régie multiservice : l'eau et l'électricité", exact=False).click()
        expect(page.get_by_text("Une régie pour l'eau et l'électricité", exact=False)).to_be_visible(
            timeout=WAIT_MS
        )
        table = page.get_by_test_id("stDataFrame").first
        expect(table).to_be_visible(timeout=WAIT_MS)
        expect(page).to_have_url(re.compile(r"/comparer\?.*m=multi"), timeout=WAIT_MS)
        # the waterfall, titled in French, and the per-service effects
        expect(page.get_by_text("De quoi est fait l'écart des charges", exact=False).first).to_be_visible(
            timeout=WAIT_MS
        )
        price = page.get_by_test_id("stMetric").filter(has_text="Prix de l'eau en 2055").first
        expect(price.get_by_test_id("stMetricValue")).to_have_text(
            re.compile(r"^\d,\d{2}\s€/m3$"), timeout=WAIT_MS
        )
        saving = page.get_by_text("Frais généraux économisés sur 30 ans", exact=False).first
        expect(saving).to_be_visible(timeout=WAIT_MS)
        before = saving.inner_text()
        expect(page.get_by_text("Ce qui est sourcé, ce qui est une hypothèse")).to_be_visible(timeout=WAIT_MS)
        # nothing wider than the laptop's screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        screenshot(page, "multiservice-compare-fr")

        # a dearer bill: more is saved by sending one
        bill = page.get_by_role("spinbutton", name="Coût d'une facture (€)")
        bill.fill("8")
        bill.press("Enter")
        expect(page.get_by_text("Frais généraux économisés sur 30 ans", exact=False).first).not_to_have_text(
            before, timeout=WAIT_MS
        )
    finally:
        context.close()

"""In a real browser on a laptop screen (1366×768): choose electricity on the Explorer, read its
figures and its reliability chart in French, then open Compare, which shows the three electricity
regimes and explains the gap in reserves.

Screenshots are kept in ``test-artifacts/`` (electricity-explorer-fr, electricity-compare-fr).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sim.show.plots import indicator_label

pytestmark = pytest.mark.browser

WAIT_MS = 90_000  # Compare runs three 30-year towns of 20,000 households, then the explained gap


def test_explorer_then_compare_for_electricity(
    app_url: str, browser: Any, screenshot: Callable[[Any, str], Path]
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(f"{app_url}/explorer")
        expect(page.locator("h1", has_text="Explorer un scénario")).to_be_visible(timeout=WAIT_MS)

        # the service selector loads the electricity base town, and the page runs it
        page.locator(".st-key-share_service").get_by_text("Électricité", exact=True).click()
        expect(
            page.get_by_text("Scénario en cours : electricity/town.yaml — Ville-sur-Courant")
        ).to_be_visible(timeout=WAIT_MS)
        price = page.get_by_test_id("stMetric").filter(has_text="Prix du kWh").first
        expect(price.get_by_test_id("stMetricValue")).to_have_text(
            re.compile(r"^0,\d{4}\s€$"), timeout=WAIT_MS
        )
        # the whole price is drawn in its card on a laptop's screen, not cut to « 0,3262 €/… »
        value = price.get_by_test_id("stMetricValue")
        fits = "e => { const d = e.querySelector('div') || e; return d.scrollWidth <= d.clientWidth }"
        assert value.evaluate(fits)
        saidi = page.get_by_test_id("stMetric").filter(has_text="Coupure par client (SAIDI)").first
        expect(saidi.get_by_test_id("stMetricValue")).to_have_text(re.compile(r"^\d+\smin$"), timeout=WAIT_MS)
        bill = page.get_by_test_id("stMetric").filter(has_text="Facture de référence").first
        expect(bill.get_by_test_id("stMetricValue")).to_have_text(
            re.compile(r"^\d{1,3}(\s\d{3})*\s€$"), timeout=WAIT_MS
        )
        expect(page.get_by_text("Ce que la loi fixe, ce que l'opérateur décide.")).to_be_visible(
            timeout=WAIT_MS
        )
        expect(page.get_by_text("le prix est le même", exact=False).first).to_be_visible(timeout=WAIT_MS)
        expect(page).to_have_url(re.compile(r"[?&]p=electricity(%2F|/)town\b"), timeout=WAIT_MS)
        # the electricity parameters in the sidebar (in closed blocks), in French
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_text("Part des ménages chauffés à l'électricité", exact=False)).to_be_attached(
            timeout=WAIT_MS
        )

        # the reliability chart, drawn in its tab
        page.get_by_role("tab", name="Coupures et réseau").click()
        expect(page.get_by_text("Continuité de la fourniture", exact=False).first).to_be_visible(
            timeout=WAIT_MS
        )
        # nothing wider than the laptop's screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        screenshot(page, "electricity-explorer-fr")

        # Compare: the three electricity regimes, the same storms, the gap in reserves explained
        page.get_by_test_id("stSidebarNav").get_by_text("Comparer les régimes").click()
        expect(page.locator("h1", has_text="Comparer les modes de gestion")).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_text("mêmes tempêtes", exact=False)).to_be_visible(timeout=WAIT_MS)
        table = page.get_by_test_id("stDataFrame").first
        expect(table).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_text("D'où vient l'écart ?")).to_be_visible(timeout=WAIT_MS)
        chosen = page.get_by_role("combobox", name="Écart expliqué")
        expect(chosen).to_have_accessible_name("Écart expliqué", timeout=WAIT_MS)
        reserves = indicator_label("reserves_eur", "fr")  # the indicator table's label, written once
        assert reserves in page.locator(".st-key-compare_explain_indicator").aria_snapshot()
        expect(page.get_by_text("l'écart de prix est nul", exact=False)).to_be_visible(timeout=WAIT_MS)
        expect(page).to_have_url(re.compile(r"/comparer\?.*p=electricity(%2F|/)town"), timeout=WAIT_MS)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        screenshot(page, "electricity-compare-fr")
    finally:
        context.close()

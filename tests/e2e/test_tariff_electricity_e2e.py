"""In a real browser, on a laptop (1366×768) and a phone (390×844): choose electricity on the tariff
page, change the price of a kWh and see every decile pay more, the "what if" label of the
regulated tariff, then apply the tariff and find it as the Explorer's scenario.

Screenshots are kept in ``test-artifacts/`` (tariff-electricity-laptop, tariff-electricity-phone).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

WAIT_MS = 90_000  # the first visit builds the town's 20,000 households and runs one year of it
SIZES = {"laptop": (1366, 768), "phone": (390, 844)}


@pytest.mark.parametrize("size", list(SIZES))
def test_design_an_electricity_tariff_and_apply_it(
    app_url: str, browser: Any, size: str, screenshot: Callable[[Any, str], Path]
) -> None:
    from playwright.sync_api import expect

    width, height = SIZES[size]
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(f"{app_url}/tarif?lang=fr")
        expect(page.locator("h1", has_text="Concevoir un tarif")).to_be_visible(timeout=WAIT_MS)
        dialog = page.get_by_role("dialog")
        if dialog.count():
            page.keyboard.press("Escape")
        page.locator(".st-key-share_service").get_by_text("Électricité", exact=True).click()
        expect(page.get_by_text("Concevez l'offre locale d'électricité", exact=False)).to_be_visible(
            timeout=WAIT_MS
        )
        expect(page.get_by_text("Tarif réglementé (TRVE) : le prix est fixé nationalement")).to_be_visible(
            timeout=WAIT_MS
        )
        row = page.get_by_test_id("stTable").first.locator("tbody tr").first
        row.wait_for(timeout=WAIT_MS)
        expect(row).to_contain_text("D1")
        before = row.inner_text()

        price = page.get_by_role("spinbutton", name="Base (€/kWh)")
        price.fill("0.2500")
        price.press("Enter")
        expect(row).not_to_have_text(before, timeout=WAIT_MS)
        expect(row).to_contain_text(re.compile(r"\+\d"))  # the decile pays more
        expect(row).to_contain_text("100\u00a0%")
        expect(page.get_by_text("Et si (hors loi)", exact=False)).to_be_visible(timeout=WAIT_MS)
        revenue = page.get_by_test_id("stMetric").filter(has_text="Recettes de l'opérateur").first
        expect(revenue.get_by_test_id("stMetricValue")).to_have_text(
            re.compile(r"^\d{1,3}(\s\d{3})*\s€$"), timeout=WAIT_MS
        )
        expect(page.get_by_text("Où va la facture du ménage de référence").first).to_be_attached(
            timeout=WAIT_MS
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"tariff-electricity-{size}")

        page.get_by_role("button", name="Ouvrir dans l'Explorer").click()
        expect(page.get_by_text("est maintenant celui de l'Explorer", exact=False)).to_be_visible(
            timeout=WAIT_MS
        )
        page.get_by_role("link", name="Aller à l'Explorer").click()
        expect(page.locator("h1", has_text="Explorer un scénario")).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_text("Scénario en cours : town-tarif.yaml", exact=False)).to_be_visible(
            timeout=WAIT_MS
        )
        kwh = page.get_by_test_id("stMetric").filter(has_text="Prix du kWh").first
        # the card says « 0,3262 € » (its name says « du kWh »: explorer.card_text)
        expect(kwh.get_by_test_id("stMetricValue")).to_have_text(re.compile(r"^0,\d{4}\s€$"), timeout=WAIT_MS)
    finally:
        context.close()

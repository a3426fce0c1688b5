"""In a real browser: the Remunicipalisation page for electricity (the service selector on the
page), with no label cut, on a laptop (1366×768) and a phone (390×844), in French: an ELD's return
to a municipal régie, the IEG statute and what the law fixes nationally."""

from __future__ import annotations

from typing import Any

import pytest
from test_remunicipalisation_e2e import CUT, SIZES

from sim.i18n import t

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", list(SIZES))
def test_the_electricity_return_on_a_laptop_and_a_phone(browser: Any, app_url: str, size: str) -> None:
    from playwright.sync_api import expect

    width, height = SIZES[size]
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        page.goto(f"{app_url}/remunicipalisation?lang=fr")
        expect(page.get_by_role("heading", name="Les salariés")).to_be_visible(timeout=90_000)
        page.locator(".st-key-share_service").get_by_text("Électricité", exact=True).click()
        header = t("remun.electricity.price.header", "fr")
        expect(page.get_by_role("heading", name=header)).to_be_visible(timeout=90_000)
        expect(page.get_by_test_id("stPlotlyChart")).to_have_count(3, timeout=90_000)
        expect(page.get_by_text(t("remun.electricity.national.title", "fr"))).to_be_visible()
        expect(
            page.get_by_text("statut du personnel des industries électriques", exact=False)
        ).to_be_visible()
        labels = page.get_by_test_id("stMetricLabel")
        expect(labels.filter(has_text="Personnel transféré")).to_be_visible()
        assert page.evaluate(CUT) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    finally:
        context.close()

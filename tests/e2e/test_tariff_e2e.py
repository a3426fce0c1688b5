"""In a real browser: the tariff page answers a change of price, and the remunicipalisation page
draws its comparison."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PRICE_LABEL = "Tranche 1 : prix (€ HT par m3)"


def open_page(page: Any, app_url: str, path: str, title: str) -> None:
    """Go to ``path`` and wait until the page's title and first table are drawn."""
    from playwright.sync_api import expect

    page.goto(f"{app_url}/{path}")
    expect(page.locator("h1", has_text=title)).to_be_visible(timeout=60_000)
    dialog = page.get_by_role("dialog")
    if dialog.count():
        page.keyboard.press("Escape")
        dialog.wait_for(state="detached")


def first_row(page: Any) -> Any:
    """The D1 row of the decile table (the first ``st.table`` of the page), once drawn.

    The first visit after the server starts builds the town's households and imports the
    plotting stack: on a loaded machine that takes several seconds, hence the long wait.
    """
    row = page.get_by_test_id("stTable").first.locator("tbody tr").first
    row.wait_for(timeout=60_000)
    return row


def test_changing_a_price_updates_the_decile_table(
    app_url: str, page: Any, screenshot: Callable[[Any, str], Path]
) -> None:
    from playwright.sync_api import expect

    open_page(page, app_url, "tarif?lang=fr", "Concevoir un tarif")
    row = first_row(page)
    expect(row).to_contain_text("D1")
    expect(row).to_contain_text("0,00\u00a0€")  # the current tariff: no change yet
    before = row.inner_text()
    expect(page.get_by_text("Plafond légal de la part fixe respecté")).to_be_visible()
    screenshot(page, "tariff-fr-before")

    price = page.get_by_role("spinbutton", name=PRICE_LABEL)
    price.fill("1.60")
    price.press("Enter")
    expect(row).not_to_have_text(before, timeout=30_000)
    expect(row).to_contain_text(re.compile(r"\+\d"))  # every decile now pays more
    expect(row).to_contain_text("100\u00a0%")
    assert price.input_value() in ("1.60", "1,60")
    page.get_by_test_id("stTable").first.scroll_into_view_if_needed()
    screenshot(page, "tariff-fr-after")


def test_an_invalid_standing_charge_is_explained_and_changes_nothing(
    app_url: str, page: Any, screenshot: Callable[[Any, str], Path]
) -> None:
    from playwright.sync_api import expect

    open_page(page, app_url, "tarif?lang=fr", "Concevoir un tarif")
    row = first_row(page)
    before = row.inner_text()
    standing = page.get_by_role("spinbutton", name="Part fixe (abonnement), € HT par an")
    standing.fill("400")
    standing.press("Enter")
    expect(page.get_by_text("Plafond légal de la part fixe dépassé", exact=False)).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_text("Les résultats ci-dessous sont ceux du dernier tarif valide.")).to_be_visible()
    assert row.inner_text() == before
    screenshot(page, "tariff-fr-invalid")


def test_remunicipalisation_page_in_english(
    app_url: str, page: Any, screenshot: Callable[[Any, str], Path]
) -> None:
    from playwright.sync_api import expect

    open_page(page, app_url, "remunicipalisation?lang=en", "Remunicipalisation")
    expect(page.get_by_text("Money leaving the service, by line", exact=False).first).to_be_visible(
        timeout=60_000
    )
    expect(page.get_by_test_id("stMetric").first).to_be_visible()
    screenshot(page, "remunicipalisation-en")

"""In a real browser (issue 11): an imported scenario fills the Explorer's widgets, and « Simuler »
runs it as imported: the first-year price shown after the import stays the same after « Simuler »,
and the share link carries the imported scenario.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sim import Scenario
from sim.dashboard import common, share

pytestmark = pytest.mark.browser

IMPORT = (
    b"extends: town.yaml\nhorizon_years: 3\nhouseholds:\n  count: 2000\n"
    b"tariff:\n  standing_charge_eur_per_year: 90\n"
    b"  blocks:\n    - {price_eur_per_m3: 1.80}\n"
)
WAIT_MS = 60_000


def _label(path: str) -> str:
    return common.widget_label(common.param_at(Scenario, path), "fr")


def _price(page: Any) -> str:
    metric = page.get_by_test_id("stMetric").filter(has_text="Prix du m³").first
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def test_an_imported_tariff_is_what_runs_and_what_is_shared(app_url: str, page: Any) -> None:
    from playwright.sync_api import expect

    page.set_default_timeout(WAIT_MS)
    page.goto(f"{app_url}/explorer")
    expect(page.locator("h1", has_text="Explorer un scénario")).to_be_visible(timeout=WAIT_MS)
    page.get_by_role("button", name="Simuler").click()
    expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=WAIT_MS)

    page.locator(".st-key-share_upload input[type=file]").set_input_files(
        files=[{"name": "mine.yaml", "mimeType": "application/x-yaml", "buffer": IMPORT}]
    )
    expect(page.get_by_text(re.compile("mine.yaml")).first).to_be_visible(timeout=WAIT_MS)
    sidebar = page.get_by_test_id("stSidebar")
    price_box = sidebar.get_by_label(_label("tariff.blocks[0].price_eur_per_m3"), exact=True)
    expect(price_box).to_have_value(re.compile(r"^1[.,]8"), timeout=WAIT_MS)
    standing = sidebar.get_by_label(_label("tariff.standing_charge_eur_per_year"), exact=True)
    expect(standing).to_have_value(re.compile(r"^90"), timeout=WAIT_MS)
    page.wait_for_timeout(1500)
    before = _price(page)

    page.get_by_role("button", name="Simuler").click()
    page.wait_for_timeout(3000)
    expect(price_box).to_have_value(re.compile(r"^1[.,]8"), timeout=WAIT_MS)
    assert _price(page) == before
    params = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}
    imported = share.scenario_from_upload(IMPORT, "mine.yaml", "fr")
    assert share.scenario_from_link(params, "fr") == imported

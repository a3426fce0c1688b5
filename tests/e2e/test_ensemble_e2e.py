"""In a real browser: many simulated futures from a share link, their download, and « Arrêter ».

The part-by-part design of sim/dashboard/ensembles.py exists because of how a real Streamlit
server applies clicks between script runs, which AppTest does not reproduce: this test clicks
« Arrêter » while the server is computing and checks the futures made so far are kept.
Screenshots: ensemble-fans, ensemble-stopped.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sim.dashboard import share

pytestmark = pytest.mark.browser

WAIT_MS = 90_000  # the first futures start the server's worker processes


def link(app_url: str, changes: dict[str, Any], futures: int) -> str:
    c = share.encode_changes(changes)
    return f"{app_url}/explorer?p=town&c={c}&page=explorer&f={futures}&lang=fr"


def test_futures_from_a_link_download_and_stop(
    app_url: str, page: Any, screenshot: Callable[[Any, str], Path]
) -> None:
    from playwright.sync_api import expect

    page.set_default_timeout(WAIT_MS)
    # a small town, 20 futures asked by the link
    page.goto(link(app_url, {"households.count": 1500, "horizon_years": 4}, 20))
    expect(page.locator("h1", has_text="Explorer un scénario")).to_be_visible(timeout=WAIT_MS)
    page.get_by_role("button", name="Simuler").click()
    expect(page.get_by_role("heading", name="Incertitude : 20 futurs simulés")).to_be_visible(timeout=WAIT_MS)
    # the odds count the 20 futures run (issue 11), never a share "out of 10"
    expect(page.get_by_text(re.compile(r"Dans \d+ futurs? simulés? sur 20,")).first).to_be_visible(
        timeout=WAIT_MS
    )
    expect(page.locator(".js-plotly-plot", has_text="20 futurs simulés").first).to_be_visible(timeout=WAIT_MS)
    expect(page).to_have_url(re.compile(r"[?&]f=20\b"), timeout=WAIT_MS)
    screenshot(page, "ensemble-fans")

    # the futures as a zip: bands, every run, odds in French
    with page.expect_download() as download:
        page.get_by_role("button", name="Futurs simulés (CSV, zip)").click()
    data = Path(download.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        root = names[0].split("/")[0]
        assert {f"{root}/bands.csv", f"{root}/ensemble_years.csv", f"{root}/probabilites.txt"} <= set(names)
        odds = zf.read(f"{root}/probabilites.txt").decode("utf-8")
    assert "sur 20," in odds or "Dans tous les futurs simulés" in odds
    assert "sur 10," not in odds

    # a long ensemble (the whole base town, 200 futures), stopped while it runs
    page.goto(link(app_url, {}, 200))
    page.get_by_role("button", name="Simuler").click()
    stop = page.get_by_role("button", name="Arrêter")
    expect(stop).to_be_visible(timeout=WAIT_MS)
    # once a first future is counted (a click during a part keeps the futures the bar counted)
    made = page.get_by_text(re.compile(r"Futurs simulés : [1-9]\d* sur 200"))
    expect(made).to_be_visible(timeout=WAIT_MS)
    stop.click()
    stopped = page.get_by_test_id("stAlertContentWarning").filter(has_text="Calcul arrêté")
    expect(stopped).to_be_visible(timeout=WAIT_MS)
    text = stopped.inner_text()
    done = re.search(r"(\d+) futurs simulés sur 200", text)
    assert done is not None and 0 < int(done.group(1)) < 200, text
    expect(page.get_by_role("button", name="Reprendre le calcul")).to_be_visible(timeout=WAIT_MS)
    heading = page.get_by_role("heading", name=f"Incertitude : {done.group(1)} futurs simulés")
    expect(heading).to_be_visible(timeout=WAIT_MS)
    screenshot(page, "ensemble-stopped")

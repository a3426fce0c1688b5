"""In a real browser: run the Explorer, switch language, upload a bad file, open Compare.

Screenshots are kept in ``test-artifacts/`` (explorer-fr, explorer-en, explorer-bad-upload,
compare-en). The printable report is downloaded on the way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

BAD_YAML = b"tariff:\n  standing_charge_eur_per_year: lots\n"
WAIT_MS = 60_000  # a page's first run imports the model; Compare runs three 30-year towns


def test_explorer_run_language_upload_and_compare(
    app_url: str, page: Any, screenshot: Callable[[Any, str], Path]
) -> None:
    from playwright.sync_api import expect

    page.set_default_timeout(WAIT_MS)
    page.goto(f"{app_url}/explorer")  # the home page is at /, the Explorer has its own address
    expect(page.locator("h1", has_text="Explorer un scénario")).to_be_visible(timeout=WAIT_MS)

    # run the default scenario (the base town) and read a headline figure in French
    page.get_by_role("button", name="Simuler").click()
    price = page.get_by_test_id("stMetric").filter(has_text="Prix du m³").first
    expect(price).to_be_visible(timeout=WAIT_MS)
    expect(price.get_by_test_id("stMetricValue")).to_have_text(
        re.compile(r"^\d+,\d\d\s€/m³$"), timeout=WAIT_MS
    )
    expect(page.get_by_text("Scénario en cours : town.yaml — Ville-sur-Eau")).to_be_visible(timeout=WAIT_MS)
    expect(page).to_have_url(re.compile(r"[?&]p=town\b"), timeout=WAIT_MS)
    screenshot(page, "explorer-fr")

    # the printable report is made when its button is pressed, and is a whole HTML page
    with page.expect_download() as report:
        page.get_by_role("button", name="Rapport imprimable (HTML)").click()
    path = report.value.path()
    html = Path(path).read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Chiffres clés" in html
    assert report.value.suggested_filename.startswith("rapport-town-seed1")

    # switch language: same scenario, English words and numbers
    page.locator(".st-key-lang_switch").get_by_text("English", exact=True).click()
    expect(page.locator("h1", has_text="Explore a scenario")).to_be_visible(timeout=WAIT_MS)
    price = page.get_by_test_id("stMetric").filter(has_text="Price per m³").first
    expect(price.get_by_test_id("stMetricValue")).to_have_text(
        re.compile(r"^\d+\.\d\d\s€/m³$"), timeout=WAIT_MS
    )
    expect(page).to_have_url(re.compile(r"[?&]lang=en\b"), timeout=WAIT_MS)
    screenshot(page, "explorer-en")

    # a bad upload: a located message, and the scenario stays as it was
    page.locator(".st-key-share_upload input[type=file]").set_input_files(
        files=[{"name": "bad.yaml", "mimeType": "application/x-yaml", "buffer": BAD_YAML}]
    )
    alert = page.get_by_test_id("stAlertContentError").filter(has_text="could not be uploaded")
    expect(alert).to_be_visible(timeout=WAIT_MS)
    expect(alert).to_contain_text("bad.yaml", timeout=WAIT_MS)
    expect(alert).to_contain_text("tariff.standing_charge_eur_per_year", timeout=WAIT_MS)
    expect(page.get_by_text("Current scenario: town.yaml — Ville-sur-Eau")).to_be_visible(timeout=WAIT_MS)
    screenshot(page, "explorer-bad-upload")

    # open Compare from the navigation: the three regimes side by side
    page.get_by_test_id("stSidebarNav").get_by_text("Compare regimes").click()
    expect(page.locator("h1", has_text="Compare management regimes")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("same seed (1)")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("Why the results differ")).to_be_visible(timeout=WAIT_MS)
    expect(page).to_have_url(re.compile(r"/comparer\?.*lang=en"), timeout=WAIT_MS)
    screenshot(page, "compare-en")


#: records when the page's first figure (FIGURE), the first view's « loading » sentence (in the
#: charts' places), the first drawn Plotly chart and the headline figures' sentence under the title
#: (sim/dashboard/firstview.py, words) appear
FIRST_MARKS = """
window.__marks = {};
new MutationObserver(() => {
  const m = window.__marks, now = performance.now();
  if (m.figure === undefined && document.querySelector('[data-testid="stMain"] FIGURE')) m.figure = now;
  if (m.loading === undefined && document.body.textContent.includes('Graphique en cours de chargement'))
    m.loading = now;
  if (m.chart === undefined && document.querySelector('[data-testid="stMain"] .js-plotly-plot .main-svg'))
    m.chart = now;
  if (m.words === undefined && document.querySelector(
      '[data-testid="stMain"] .st-key-firstview-words [data-testid="stMarkdown"]'))
    m.words = now;
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


def figures_before_charts(page: Any, url: str, figure: str) -> None:
    """A new visitor of ``url`` sees the page's first ``figure`` (a test id) and the first view's
    sentence in the charts' places before any chart (a page drawing its charts at once never shows
    the sentence), then the charts, and no sentence is left. The headline figures' sentence under
    the title is there no later than the first figure (text: it waits for no element script)."""
    from playwright.sync_api import expect

    page.set_default_timeout(WAIT_MS)
    page.add_init_script(FIRST_MARKS.replace("FIGURE", f'[data-testid="{figure}"]'))
    page.goto(url)
    expect(page.get_by_test_id(figure).first).to_be_visible(timeout=WAIT_MS)
    expect(page.locator('[data-testid="stMain"] .js-plotly-plot .main-svg').first).to_be_attached(
        timeout=WAIT_MS
    )
    marks = page.evaluate("window.__marks")
    assert marks["figure"] < marks["chart"] and marks.get("loading", 1e12) < marks["chart"], marks
    assert marks["words"] <= marks["figure"], marks
    expect(page.get_by_text("Graphique en cours de chargement")).to_have_count(0, timeout=WAIT_MS)


def test_explorer_numbers_show_before_the_charts(app_url: str, page: Any) -> None:
    """A new visitor sees the headline figures before the charts (sim/dashboard/firstview.py: the
    charts are drawn 1 s after the rest of the first run is sent), then every report chart."""
    figures_before_charts(page, f"{app_url}/explorer?lang=fr", "stMetric")


def test_compare_table_shows_before_the_charts(app_url: str, page: Any) -> None:
    """On Compare, a new visitor sees the table of figures before the charts, then the bars and the
    waterfall of the gap (sim/dashboard/firstview.py, issue 14)."""
    from playwright.sync_api import expect

    from sim.dashboard.compare import BARS

    figures_before_charts(page, f"{app_url}/comparer?lang=fr", "stDataFrame")
    expect(page.locator('[data-testid="stMain"] .js-plotly-plot')).to_have_count(
        len(BARS) + 1, timeout=WAIT_MS
    )

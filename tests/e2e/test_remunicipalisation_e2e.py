"""In a real browser: the Remunicipalisation page tells the workers' story, with no label cut, on a
laptop (1366×768) and a phone (390×844), in French and in English."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

SIZES = {"laptop": (1366, 768), "phone": (390, 844)}

#: texts of the main area that are cut: a box narrower than its text, shown with an ellipsis or
#: hidden overflow (Streamlit's checkbox and metric labels cut that way)
CUT = """() => {
  const out = [];
  for (const e of document.querySelectorAll('[data-testid="stMain"] *')) {
    if (e.closest('[data-testid="stPlotlyChart"], [data-testid="stDataFrame"]')) continue;
    const text = e.textContent.trim();
    if (!text) continue;
    const s = getComputedStyle(e);
    const clips = s.textOverflow === 'ellipsis' || s.overflow === 'hidden' || s.overflowX === 'hidden';
    if (clips && e.scrollWidth > e.clientWidth + 1) out.push(text.slice(0, 80));
  }
  return out;
}"""


def open_remun(browser: Any, app_url: str, size: str, lang: str) -> Any:
    from playwright.sync_api import expect

    width, height = SIZES[size]
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{app_url}/remunicipalisation?lang={lang}")
    header = "Les salariés" if lang == "fr" else "The workers"
    expect(page.get_by_role("heading", name=header)).to_be_visible(timeout=90_000)
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(3, timeout=90_000)
    return page


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_remunicipalisation_labels_are_whole(browser: Any, app_url: str, size: str, lang: str) -> None:
    from playwright.sync_api import expect

    page = open_remun(browser, app_url, size, lang)
    try:
        labels = page.get_by_test_id("stMetricLabel")
        expect(labels).to_have_count(13)
        transferred = "Personnel transféré" if lang == "fr" else "Staff transferred"
        expect(labels.filter(has_text=transferred)).to_be_visible()
        overtime = "Heures supplémentaires : aucune" if lang == "fr" else "Overtime: none"
        expect(page.get_by_text(overtime)).to_be_visible()
        assert page.evaluate(CUT) == []
    finally:
        page.context.close()


def test_bringing_subcontracting_in_house_in_the_browser(browser: Any, app_url: str) -> None:
    from playwright.sync_api import expect

    page = open_remun(browser, app_url, "laptop", "fr")
    try:
        box = page.get_by_role("spinbutton", name="Travail sous-traité après le retour")
        box.fill("0")
        box.press("Enter")
        metric = page.get_by_test_id("stMetric").filter(has_text="Part sous-traitée")
        expect(metric.get_by_test_id("stMetricValue")).to_have_text("0\u00a0%", timeout=90_000)
        row = page.get_by_test_id("stMetric").filter(has_text="Effectif interne")
        expect(row.get_by_test_id("stMetricValue")).to_have_text("28,0 ETP")
    finally:
        page.context.close()

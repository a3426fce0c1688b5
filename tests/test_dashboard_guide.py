"""The facilitator guide: in the repo in both languages, a dashboard page, a printable HTML file,
linked from the workshop page."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import open_page
from streamlit.testing.v1 import AppTest

from sim.workshop import guide
from sim.workshop.strings import t

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = {
    "fr": [
        "Préparer la séance",
        "trois collèges",
        "deux heures",
        "Que dire à chaque tour",
        "bilan",
        "Ce que le modèle ne dit pas",
    ],
    "en": [
        "Preparing the session",
        "three colleges",
        "two-hour",
        "What to say at each round",
        "debrief",
        "What the model does not say",
    ],
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_guide_has_every_section_and_prints_as_one_html_file(lang: str) -> None:
    md = guide.text(lang)
    for section in SECTIONS[lang]:
        assert section in md, section
    page = guide.html(lang)
    assert page.startswith("<!doctype html>") and f'lang="{lang}"' in page
    assert "<table>" in page and "@media print" in page
    assert "http" not in page.split("<body>")[0]  # nothing fetched from elsewhere


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_the_guide_page_shows_the_guide_and_its_download(lang: str) -> None:
    at = open_page("sim/dashboard/guide.py", lang)
    text = " ".join(m.value for m in at.markdown)
    assert SECTIONS[lang][-1] in text
    assert at.get("download_button")


def test_the_workshop_page_links_the_guide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import streamlit as st

    monkeypatch.setenv("REGIE_SIM_WORKSHOP_DB", str(tmp_path / "g.sqlite3"))
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "sim" / "dashboard" / "workshop.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert any(t("guide_link", "fr") in m.value and "](guide" in m.value for m in at.markdown)
    assert at.get("download_button")
    st.cache_resource.clear()

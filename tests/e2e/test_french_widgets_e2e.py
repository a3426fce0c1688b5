"""In a real browser: Streamlit's own widget texts do not show in English on French pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

ENGLISH = ("Drag and drop", "Limit 200MB", "Upload", "Browse files")


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)], ids=["desktop", "phone"])
def test_the_scenario_uploader_speaks_french(
    app_url: str, page: Any, screenshot: Callable[[Any, str], Path], size: tuple[int, int]
) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{app_url}/explorer?lang=fr")
    zone = page.get_by_test_id("stFileUploaderDropzone").first
    zone.wait_for(timeout=60_000)
    zone.scroll_into_view_if_needed()
    expect(zone).to_be_visible()
    shown = zone.inner_text()
    for word in ENGLISH:
        assert word not in shown, (word, shown)
    pseudo = zone.evaluate(
        """z => {
          const i = z.querySelector('[data-testid="stFileUploaderDropzoneInstructions"] > div');
          const b = z.querySelector('button');
          return [getComputedStyle(i, '::before').content,
                  getComputedStyle(i, '::after').content,
                  getComputedStyle(b, '::after').content];
        }"""
    )
    assert pseudo == [
        '"Glissez-déposez un fichier ici"',
        '"Fichier YAML (.yaml, .yml)"',
        '"Choisir un fichier"',
    ], pseudo
    screenshot(page, f"uploader-fr-{size[0]}")

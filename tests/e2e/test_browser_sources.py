"""In a real browser: the Sources page in French, then in English after one click."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def open_sources(page: Any, app_url: str, query: str = "") -> None:
    """Go to /sources and wait for its title.

    While Sources is the app's only page it is served at "/" and Streamlit shows a "Page not
    found" notice over it for "/sources"; the notice is closed so the page can be used.
    """
    page.goto(f"{app_url}/sources{query}")
    page.locator("h1").first.wait_for()
    dialog = page.get_by_role("dialog")
    if dialog.count():
        page.keyboard.press("Escape")
        dialog.wait_for(state="detached")


def test_sources_page_switches_language(
    app_url: str, page: Any, screenshot: Callable[[Any, str], Path]
) -> None:
    from playwright.sync_api import expect

    open_sources(page, app_url)
    expect(page.locator("h1", has_text="Hypothèses et sources")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]lang=fr\b"))
    # the parameter table is drawn and the mechanisms are explained
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    expect(page.get_by_text("Le bilan de l'eau")).to_be_visible()
    screenshot(page, "sources-fr")

    switch = page.locator(".st-key-lang_switch")  # Streamlit's class for the widget keyed lang_switch
    switch.get_by_text("English", exact=True).click()
    expect(page.locator("h1", has_text="Assumptions and sources")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]lang=en\b"))
    expect(page.get_by_text("The water balance")).to_be_visible()
    screenshot(page, "sources-en")


def test_a_shared_english_link_opens_in_english(app_url: str, page: Any) -> None:
    from playwright.sync_api import expect

    open_sources(page, app_url, "?lang=en")
    expect(page.locator("h1", has_text="Assumptions and sources")).to_be_visible()
    expect(page.locator(".st-key-lang_switch")).to_be_visible()

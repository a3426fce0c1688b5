"""In a real browser (issue 11): one seat per participant. Re-opening the join link in the same
browser returns the same seat, not a new voter; another browser gets its own seat.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_workshop_e2e import PAGE_TIMEOUT_MS, AppServer, close_not_found, query

from sim.workshop import Store
from sim.workshop.strings import t

pytestmark = [pytest.mark.browser]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[AppServer]:
    srv = AppServer(tmp_path / "workshop.sqlite3", tmp_path / "streamlit.log")
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def _join(page: Any, url: str, name: str) -> dict[str, str]:
    page.goto(url)
    close_not_found(page)
    page.get_by_label(t("name_label", "fr")).fill(name)
    page.get_by_role("button", name=t("join_button", "fr")).click()
    page.wait_for_url("**p=*")
    page.get_by_text(t("you_are", "fr")).wait_for()
    return query(page)


def test_reopening_the_join_link_returns_the_same_seat(server: AppServer, browser: Any) -> None:
    ctx = browser.new_context(locale="fr-FR")
    fac = ctx.new_page()
    fac.set_default_timeout(PAGE_TIMEOUT_MS)
    fac.goto(f"{server.url}/atelier?role=facilitator&lang=fr")
    close_not_found(fac)
    fac.get_by_role("button", name=t("create_button", "fr")).click()
    fac.wait_for_url("**t=*")
    code = query(fac)["s"]
    join_url = f"{server.url}/atelier?s={code}&lang=fr"

    phone = browser.new_context(locale="fr-FR").new_page()
    phone.set_default_timeout(PAGE_TIMEOUT_MS)
    first = _join(phone, join_url, "Aïcha")
    phone.wait_for_timeout(1500)  # the seat is kept by the browser
    phone.goto(join_url)  # the join link again, as from the QR code
    phone.wait_for_url("**p=*")
    phone.get_by_text(t("you_are", "fr")).wait_for()
    assert query(phone)["p"] == first["p"]

    other = browser.new_context(locale="fr-FR").new_page()
    other.set_default_timeout(PAGE_TIMEOUT_MS)
    second = _join(other, join_url, "Bruno")
    assert second["p"] != first["p"]
    names = [p["name"] for p in Store(server.db).participants(code)]
    assert names == ["Aïcha", "Bruno"]
    for page in (fac, phone, other):
        page.context.close()

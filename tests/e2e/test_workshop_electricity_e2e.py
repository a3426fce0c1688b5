"""In a real browser: a facilitator on a laptop (1366×768) opens an electricity workshop with the
storm story; a participant on a phone (390×844) sees the service's items as cards and the storm's
panel, votes for the renewal plan, proposes a tariff variant (a local social rebate: the regulated
price is national) and votes for it; the room's decisions then record both.

Screenshots are kept in ``test-artifacts/`` (workshop-electricity-facilitator,
workshop-electricity-phone). Uses ``AppServer`` of ``test_workshop_e2e.py`` (its own session file).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_workshop_e2e import ARTIFACTS, PAGE_TIMEOUT_MS, AppServer, close_not_found, query, vote

from sim.workshop import Store, Workshop
from sim.workshop.strings import item_label, t, ts

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
LIVE_TIMEOUT_MS = 60_000


@pytest.fixture
def server(tmp_path: Path) -> Iterator[AppServer]:
    srv = AppServer(tmp_path / "workshop.sqlite3", tmp_path / "streamlit.log")
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def ws_token_ok(server: AppServer, code: str, token: str) -> bool:
    return Store(server.db).is_facilitator(code, token)


def test_a_storm_workshop_on_a_laptop_and_a_phone(server: AppServer, browser: Any) -> None:
    from playwright.sync_api import expect

    contexts = [browser.new_context(locale="fr-FR", viewport=v) for v in (LAPTOP, PHONE)]
    fac, phone = (c.new_page() for c in contexts)
    for p in (fac, phone):
        p.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        # the facilitator chooses electricity, then the storm story
        fac.goto(f"{server.url}/atelier?role=facilitator&lang=fr")
        fac.get_by_text(t("new_session", "fr")).wait_for()
        close_not_found(fac)
        fac.locator(".st-key-ws-create-service").get_by_text("Électricité", exact=True).click()
        story = fac.locator(".st-key-ws-create-story")
        story.wait_for()
        story.click()
        fac.get_by_role("option", name=ts("story.storm", "fr")).click()
        fac.get_by_role("button", name=t("create_button", "fr")).click()
        fac.locator("h1", has_text="Atelier ").wait_for()
        code = query(fac)["s"]
        assert ws_token_ok(server, code, query(fac)["t"])
        ws = Workshop(Store(server.db))
        assert ws.service(code) == "electricity" and ws.story(code) == "storm"
        expect(fac.get_by_text(ts("storm.title", "fr")).first).to_be_visible()
        join_url = fac.get_by_test_id("stCode").inner_text().strip()

        # a participant joins on a phone
        phone.goto(join_url)
        close_not_found(phone)
        phone.get_by_label(t("name_label", "fr")).fill("Élise")
        phone.get_by_role("button", name=t("join_button", "fr")).click()
        expect(phone.get_by_text("Élise — ", exact=False)).to_be_visible()

        fac.get_by_role("button", name=t("open_vote", "fr", n=1)).click()
        phone.locator(".st-key-choice-1-renewal").wait_for(timeout=LIVE_TIMEOUT_MS)
        expect(phone.get_by_role("heading", name=item_label("tariff", "fr", "electricity"))).to_be_visible()
        card = phone.locator(".st-key-card-tariff-keep")
        expect(card).to_contain_text(t("cards_low", "fr"))
        expect(card).to_contain_text(t("cards_budget", "fr"))
        box = card.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        expect(phone.get_by_text(ts("storm.title", "fr")).first).to_be_visible()
        # nothing wider than the phone: no sideways scrolling
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
        agenda = ws.current_agenda(code)
        renewal = next(i for i in agenda if i["item"] == "renewal")
        plan = next(o["label_fr"] for o in renewal["options"] if o["name"] == "plan")
        vote(phone, 1, "renewal", plan)
        ARTIFACTS.mkdir(exist_ok=True)
        phone.screenshot(path=str(ARTIFACTS / "workshop-electricity-phone.png"))

        # she proposes a tariff variant: at the regulated tariff, a local social rebate only
        phone.get_by_text(ts("tve.title", "fr")).click()
        expect(phone.get_by_text(ts("tve.intro_regulated", "fr", n=3))).to_be_visible()
        expect(phone.get_by_label(ts("tve.fixed", "fr"))).to_have_count(0)  # the price is national
        phone.get_by_label(ts("tve.social_rebate_pct", "fr")).fill("10")
        phone.get_by_role("button", name=t("tv_button", "fr")).click()
        option = t("tv_option", "fr", n=1)
        expect(phone.get_by_text(t("tv_ok", "fr", option=option))).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        (proposed,) = ws.store.tariff_variants(code, 1)
        assert proposed["tariff"]["social"]["rebate_pct"] == 10.0
        assert proposed["tariff"]["social"]["eligible_deciles"] == [1, 2]  # the form's default
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
        vote(phone, 1, "tariff", option)  # on the table, voted like any option
        phone.screenshot(path=str(ARTIFACTS / "workshop-electricity-phone-variant.png"), full_page=True)

        # the facilitator's laptop lists it, with the button that withdraws it
        fac.reload()
        expect(fac.get_by_role("heading", name=t("tv_list", "fr"))).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        expect(fac.get_by_role("button", name=t("tv_delete", "fr", n=1))).to_be_visible()
        assert fac.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"] + 1
        fac.get_by_role("button", name=t("close_vote", "fr")).click()
        expect(fac.get_by_text(t("closed_ok", "fr", n=1))).to_be_visible()
        fac.screenshot(path=str(ARTIFACTS / "workshop-electricity-facilitator.png"))
        decided = {d["item"]: d for d in ws.store.decisions(code)}
        assert decided["renewal"]["option"] == "plan" and decided["renewal"]["reason"] == "adopted"
        assert decided["tariff"]["option"] == "variant_1" and decided["tariff"]["adopted"]
        assert decided["tariff"]["tariff"] == proposed["tariff"]
    finally:
        for c in contexts:
            c.close()

"""In a real browser: a facilitator runs a round with thirty participants (issue 14).

Twenty-eight participants join through the store (as their phones would, through the same calls);
two join in Chromium through the join link, one on a laptop (1366×768) and one on a phone
(390×844). The facilitator's page, on a laptop screen, lists every one of the thirty in its college's
table, counts the votes live, and after the close shows the round's decision with its votes and the
citizens' veto, which the phone participant used. Nothing is cut at 1366 px, nor on the phone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_workshop_e2e import LIVE_TIMEOUT_MS, PAGE_TIMEOUT_MS, AppServer, close_not_found, query, vote

import sim
from sim.workshop import Store, Workshop
from sim.workshop import debrief as dbf
from sim.workshop.strings import t
from sim.workshop.tally import WORK_ITEM, veto_eligible

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
#: through the store: 9 + 10 + 9, and the two browsers make it 10 + 10 + 10
STORE_PEOPLE = {"public": 9, "operators": 10, "citizens": 9}

#: what is cut on the page: text in a box narrower than itself that clips it, a page wider than the
#: screen and, with ``grids`` (a laptop), a table beyond the screen or whose grid scrolls sideways (a
#: phone's tables scroll sideways inside their frame)
CUT = """(grids) => {
  const out = [];
  for (const e of document.querySelectorAll('[data-testid="stMain"] *')) {
    if (e.closest('[data-testid="stPlotlyChart"], [data-testid="stDataFrame"]')) continue;
    const text = e.textContent.trim();
    if (!text) continue;
    const s = getComputedStyle(e);
    const clips = s.textOverflow === 'ellipsis' || s.overflow === 'hidden' || s.overflowX === 'hidden';
    if (clips && e.scrollWidth > e.clientWidth + 1) out.push('text: ' + text.slice(0, 80));
  }
  const tables = document.querySelectorAll('[data-testid="stMain"] [data-testid="stDataFrame"]');
  for (const d of grids ? tables : []) {
    if (!d.offsetParent) continue;  // in a closed expander
    const r = d.getBoundingClientRect();
    if (r.right > window.innerWidth + 1) out.push('table beyond the screen: ' + d.textContent.slice(0, 60));
    const grid = d.querySelector('.dvn-scroller');
    const scrolls = grid && grid.scrollWidth > grid.clientWidth + 1;
    if (scrolls) out.push('table scrolls: ' + d.textContent.slice(0, 60));
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push('page wider than the screen');
  return out;
}"""

#: the cells of the tables drawn in the main area (a grid draws only the rows on screen)
CELLS = """() => Array.from(document.querySelectorAll(
  '[data-testid="stMain"] [data-testid="stDataFrame"] table[role="grid"] td,'
  + '[data-testid="stMain"] [data-testid="stTable"] td')).map(td => td.textContent.trim())"""


def veto_town() -> sim.Scenario:
    """The base town with households whose size and use do not follow income (as in
    test_workshop_e2e's phone test): its first tariff item has an option the citizens may veto."""
    ones = [1.0] * 10
    return sim.with_changes(
        sim.load_scenario(ROOT / "scenarios" / "town.yaml"),
        {
            "households.count": 1500,
            "households.size_decile_factor": ones,
            "households.consumption_decile_factor": ones,
            "households.income_growth_pct_per_year": 0.0,
            "governance.committee.veto_tolerance_pp": 0.0,
        },
    )


@pytest.fixture
def server(tmp_path: Path) -> Any:
    srv = AppServer(tmp_path / "workshop.sqlite3", tmp_path / "streamlit.log")
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def join_in_browser(browser: Any, url: str, name: str, college: str, viewport: dict[str, int]) -> Any:
    ctx = browser.new_context(locale="fr-FR", viewport=viewport)
    page = ctx.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(url)
    close_not_found(page)
    page.get_by_label(t("name_label", "fr")).fill(name)
    page.get_by_test_id("stSelectbox").filter(has_text=t("college_label", "fr")).click()
    page.get_by_role("option", name=t("college_" + college, "fr")).click()
    page.get_by_role("button", name=t("join_button", "fr")).click()
    page.get_by_text(f"{name} — {t('college_' + college, 'fr')}").wait_for()
    return page


def test_a_round_with_thirty_participants(server: AppServer, browser: Any) -> None:
    from playwright.sync_api import expect

    ws = Workshop(Store(server.db))
    code, token = ws.create_session(veto_town(), "commons", 1)
    people = [
        ws.join(code, f"{college[:3].capitalize()}-{i:02d}", college)
        for college, n in STORE_PEOPLE.items()
        for i in range(1, n + 1)
    ]

    fac_ctx = browser.new_context(locale="fr-FR", viewport=LAPTOP)
    fac = fac_ctx.new_page()
    fac.set_default_timeout(PAGE_TIMEOUT_MS)
    pages = [fac]
    try:
        fac.goto(f"{server.url}/atelier?role=facilitator&s={code}&t={token}&lang=fr")
        close_not_found(fac)
        expect(fac.locator("h1")).to_have_text(t("session_title", "fr", code=code))
        join_url = f"{server.url}/atelier?s={code}&lang=fr"
        desk = join_in_browser(browser, join_url, "Bureau Bernard", "public", LAPTOP)
        phone = join_in_browser(browser, join_url, "Téléphone Zoé", "citizens", PHONE)
        pages += [desk, phone]
        desk_me = ws.me(code, query(desk)["p"])
        phone_me = ws.me(code, query(phone)["p"])
        assert (desk_me["college"], phone_me["college"]) == ("public", "citizens")

        # every one of the thirty is in the facilitator's tables, on a laptop screen, uncut
        expect(fac.get_by_text(t("participants_count", "fr", n=30))).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        names = [p["name"] for p in people] + ["Bureau Bernard", "Téléphone Zoé"]
        fac.wait_for_function(f"({CELLS})().includes('Téléphone Zoé')", timeout=LIVE_TIMEOUT_MS)
        shown = fac.evaluate(CELLS)
        assert sorted(n for n in shown if n in names) == sorted(names)
        assert fac.evaluate(CUT, True) == []

        # the vote opens; both browsers' pages show it by themselves
        fac.get_by_role("button", name=t("open_vote", "fr", n=1)).click()
        agenda = ws.current_agenda(code)
        tariff = next(i for i in agenda if i["item"] == "tariff")
        keep = tariff["options"][0]
        rule = ws.veto_rule(code)
        target = next(
            o for o in tariff["options"][1:] if o["admissible"] and veto_eligible(o, tariff["options"], rule)
        )
        for p in (desk, phone):
            p.locator(".st-key-choice-1-tariff").wait_for(timeout=LIVE_TIMEOUT_MS)

        # the public and the operators want the option the citizens may veto; the citizens do not
        for p in people:
            for item in agenda:
                if item["item"] == WORK_ITEM and p["college"] != "operators":
                    continue
                ok = [o["name"] for o in item["options"] if o["admissible"]]
                if item["item"] == "tariff":
                    choice = keep["name"] if p["college"] == "citizens" else target["name"]
                else:
                    choice = ok[0]
                ws.vote(code, p["token"], item["item"], choice)
        vote(desk, 1, "tariff", target["label_fr"])
        veto = phone.locator(".st-key-veto-1-tariff")
        expect(veto).to_contain_text(t("veto_title", "fr"))
        button = veto.get_by_role("button", name=t("veto_button", "fr", option=target["label_fr"]))
        button.scroll_into_view_if_needed()
        button.click()
        expect(phone.get_by_text(t("veto_ok", "fr", keep=keep["label_fr"]))).to_be_visible()
        assert phone.evaluate(CUT, False) == []

        # every vote is counted live on the facilitator's screen (never what was chosen)
        live = fac.get_by_text(f"{t('item_tariff', 'fr')} — {t('voters_n', 'fr', n=30)}")
        expect(live).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        assert fac.evaluate(CUT, True) == []
        fac.get_by_role("button", name=t("close_vote", "fr")).click()
        expect(fac.locator("h2", has_text=t("debrief_title", "fr"))).to_be_visible()

        # the decision: the citizens' veto blocked the option, with every college's votes
        d = next(d for d in ws.store.decisions(code) if d["item"] == "tariff")
        assert d["veto"] and d["option"] == keep["name"]
        counts = d["tally"]["counts"]
        assert counts[target["name"]] == {"public": 10, "operators": 10, "citizens": 0}
        assert counts[keep["name"]] == {"public": 0, "operators": 0, "citizens": 10}
        used = t(
            "veto_used",
            "fr",
            item=t("item_tariff", "fr"),
            option=target["label_fr"],
            why=dbf.reason_text(d, "fr").capitalize() + ".",
            kept=keep["label_fr"],
        )
        for p in (fac, desk, phone):
            expect(p.get_by_text(used)).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        fac.wait_for_function(f"({CELLS})().includes({dbf._votes(d)!r})", timeout=LIVE_TIMEOUT_MS)
        assert dbf._votes(d) == "0 / 0 / 10"
        assert fac.evaluate(CUT, True) == []
        assert phone.evaluate(CUT, False) == []
        ARTIFACTS.mkdir(exist_ok=True)
        fac.get_by_test_id("stTable").first.scroll_into_view_if_needed()
        fac.screenshot(path=str(ARTIFACTS / "workshop-room-facilitator.png"))
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        for n, p in enumerate(pages):
            p.screenshot(path=str(ARTIFACTS / f"FAILED-room-{n}.png"), full_page=True)
        raise
    finally:
        for p in pages:
            p.context.close()

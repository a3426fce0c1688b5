"""The workshop for an electricity service: its committee items put to the room, the college rules
and the veto, the store, the debrief and the export, and the two stories (a storm, the 2022
crisis)."""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.electricity.service import ElectricityService
from sim.governance import electricity_options as eo
from sim.governance.base import GovernedPolicy
from sim.scenario.model import loads_scenario, with_changes
from sim.workshop import BadInput, Store, Workshop
from sim.workshop import debrief as dbf
from sim.workshop.debrief import ELECTRICITY_INDICATORS, INDICATORS
from sim.workshop.export import export_files
from sim.workshop.stories import (
    INCOME_GROUPS,
    STORIES,
    income_group_bills,
    story_of,
    story_scenario,
    without_shield,
)
from sim.workshop.strings import FR, item_label, t, ts
from sim.workshop.tally import VetoRule, tally_item

ROOT = Path(__file__).resolve().parent.parent
HOUSEHOLDS = 2000


def small(s: sim.Scenario) -> sim.Scenario:
    """The town scaled down (network, fixed costs and crews with it): for tests that do not weigh
    the service's margin, which a smaller town does not keep (the committee's facilitation and
    meetings are not scaled), so the options paid from it are refused there."""
    return sim.scale_town(s, HOUSEHOLDS)


@pytest.fixture
def ws(tmp_path: Path) -> Workshop:
    return Workshop(Store(tmp_path / "ws.sqlite3"))


@pytest.fixture(scope="module")
def town() -> sim.Scenario:
    """The electricity base town at its own size (20,000 households): its margin at the regulated
    tariff pays for the committee's options (a workshop run is 2 to 4 years, a fraction of a second)."""
    return sim.load_scenario(ROOT / "scenarios" / "electricity" / "town.yaml")


def service_items() -> tuple[str, ...]:
    """The committee's items an electricity service names, in the agenda's order (never a list
    written here: items added to the service show up on their own)."""
    return tuple(i for i in GovernedPolicy.AGENDA if i in ElectricityService.committee_items)


def everyone(ws: Workshop, code: str) -> dict[str, str]:
    """Two participants per college: college -> token of the first (all tokens in ``_all``)."""
    people = [ws.join(code, f"{c}{i}", c) for i in range(2) for c in ("public", "operators", "citizens")]
    out = {p["college"]: p["token"] for p in people}
    out["_all"] = json.dumps([(p["college"], p["token"]) for p in people])
    return out


def vote_all(ws: Workshop, code: str, tokens: dict[str, str], choice: dict[str, str]) -> None:
    for college, token in json.loads(tokens["_all"]):
        for item, option in choice.items():
            if item == "work_organisation" and college != "operators":
                continue
            ws.vote(code, token, item, option)


def admissible(item: dict) -> list[str]:
    return [o["name"] for o in item["options"] if o.get("admissible", True)]


# -- session, items, tally -------------------------------------------------------------------
def test_an_electricity_session_puts_the_services_items_to_the_room(ws: Workshop, town: sim.Scenario) -> None:
    code, token = ws.create_session(town, "commons", 2)
    assert ws.service(code) == "electricity" and ws.regulated(code)
    assert ws.story(code) is None
    ws.open_vote(code, token)
    agenda = ws.current_agenda(code)
    items = tuple(i["item"] for i in agenda)
    # the service's items in the agenda's order; an optional one only when it has a choice to offer
    assert items == tuple(i for i in service_items() if i not in eo.OPTIONAL_ITEMS or i in items)
    assert set(service_items()) - set(eo.OPTIONAL_ITEMS) <= set(items)
    assert all(i["binding"] for i in agenda)  # commons: the committee decides
    tariff = next(i for i in agenda if i["item"] == "tariff")
    for o in tariff["options"]:  # each option's bill for every decile: low / middle / high incomes
        assert len(o["effects"]["bill_by_decile_eur"]) == 10
        assert o["effects"]["recovery"] > 0
    assert item_label("tariff", "fr", "electricity") == "Tarif de l'électricité"
    assert item_label("tariff", "en", "electricity") == "Electricity tariff"
    assert item_label("tariff", "fr") == t("item_tariff", "fr")  # water's unchanged
    for item in service_items():
        for lang in ("fr", "en"):
            assert "_" not in item_label(item, lang, "electricity")


def test_an_item_the_service_adds_later_is_named_as_on_the_explorer() -> None:
    # an item with no workshop text of its own falls back to the Explorer's, then to words
    assert item_label("contract_end", "fr", "electricity") == sim.i18n.t(
        "explorer.decisions.item.contract_end", "fr"
    )
    assert item_label("some_new_item", "fr", "electricity") == "some new item"


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_the_rooms_binding_decisions_are_replayed_and_change_the_run(
    ws: Workshop, town: sim.Scenario
) -> None:
    s = with_changes(town, {"governance.committee.renewal_plan_pct": 1.5})
    code, token = ws.create_session(s, "commons", 1)
    tokens = everyone(ws, code)
    ws.open_vote(code, token)
    agenda = {i["item"]: i for i in ws.current_agenda(code)}
    assert "plan" in admissible(agenda["renewal"])
    # the room refuses the procedure's renewal plan and the PV, and keeps the crews
    vote_all(ws, code, tokens, {"renewal": "keep", "community_pv": "keep", "work_organisation": "keep"})
    decisions = ws.close_vote(code, token)
    by_item = {d["item"]: d for d in decisions}
    assert by_item["renewal"]["option"] == "keep" and by_item["renewal"]["reason"] == "adopted"
    assert by_item["work_organisation"]["reason"] == "workers_decide"
    assert by_item["tariff"]["reason"] == "no_votes"  # nobody voted: the procedure's choice
    log = ws.log(code)
    assert {d["item"] for d in log} == set(agenda)
    room, base = ws.run(code), ws.run(code, with_log=False)
    # the procedure adopts the plan: the room's network is less underground, its reserves differ
    assert room.years["underground_share_pct"].iloc[-1] < base.years["underground_share_pct"].iloc[-1]
    assert room.years["reserves_eur"].iloc[-1] != base.years["reserves_eur"].iloc[-1]


def test_the_citizens_veto_is_the_same_rule_on_an_electricity_item(ws: Workshop, town: sim.Scenario) -> None:
    code, token = ws.create_session(
        with_changes(town, {"governance.committee.tariff_step_pct": 10.0}), "commons", 1
    )
    ws.open_vote(code, token)
    tariff = copy.deepcopy(next(i for i in ws.current_agenda(code) if i["item"] == "tariff"))
    rule = ws.veto_rule(code)
    assert rule == VetoRule(enabled=True, tolerance_pp=town.governance.committee.veto_tolerance_pp)
    social = next(o for o in tariff["options"] if o["name"] == "social")
    assert social["admissible"], social["why_not"]
    present = {"public": 2, "operators": 2, "citizens": 2}
    votes = [("public", "social")] * 2 + [("operators", "social")] * 2 + [("citizens", "keep")] * 2
    # the rebate lowers energy poverty: nothing to veto, two colleges of three adopt it
    assert social["effects"]["share_above_pct"] <= tariff["options"][0]["effects"]["share_above_pct"]
    assert tally_item(tariff, votes, present, rule)["option"] == "social"
    # were it to raise energy poverty beyond the tolerance, the citizens' college would block it
    social["effects"]["share_above_pct"] = tariff["options"][0]["effects"]["share_above_pct"] + 5.0
    vetoed = tally_item(tariff, votes, present, rule)
    assert vetoed["veto"] and vetoed["reason"] == "vetoed" and vetoed["option"] == "keep"


def test_a_consultative_electricity_committee_gives_its_opinion(ws: Workshop, town: sim.Scenario) -> None:
    code, token = ws.create_session(town, "regie", 1)
    ws.open_vote(code, token)
    agenda = ws.current_agenda(code)
    assert [i["item"] for i in agenda] == ["tariff"] and not agenda[0]["binding"]
    d = ws.close_vote(code, token)
    assert not d[0]["binding"] and ws.log(code) == []


def test_the_store_keeps_an_electricity_session_across_a_restart(tmp_path: Path, town: sim.Scenario) -> None:
    path = tmp_path / "ws.sqlite3"
    first = Workshop(Store(path))
    code, token = first.create_session(town, "commons", 1)
    first.open_vote(first_code := code, token)
    p = first.join(first_code, "Élise", "citizens")
    first.vote(code, p["token"], "community_pv", "add_pv")
    again = Workshop(Store(path))  # a server restart: a new process reads the same file
    assert again.service(code) == "electricity"
    assert loads_scenario(
        again.store.session(code)["scenario_yaml"], other_services=("electricity",)
    ).service == ("electricity")
    assert again.my_votes(code, p["token"]) == {"community_pv": "add_pv"}


def test_an_uploaded_electricity_scenario_opens_a_session(ws: Workshop) -> None:
    text = "extends: electricity/town.yaml\nhouseholds: {count: 1500}\n"
    code, _ = ws.create_session(text, "commons", 1)
    assert ws.service(code) == "electricity"


def test_tariff_variants_are_waters_and_refused_for_electricity(ws: Workshop, town: sim.Scenario) -> None:
    code, token = ws.create_session(town, "commons", 1)
    p = ws.join(code, "Jo", "citizens")
    ws.open_vote(code, token)
    with pytest.raises(BadInput):
        ws.propose_tariff(code, p["token"], 30.0, 0.0, [(None, 1.0)])
    assert ws.store.tariff_variants(code, 1) == []


# -- debrief and export ----------------------------------------------------------------------
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_the_debrief_of_an_electricity_session(ws: Workshop, town: sim.Scenario) -> None:
    code, token = ws.create_session(town, "commons", 2)
    tokens = everyone(ws, code)
    for _ in range(2):
        ws.open_vote(code, token)
        vote_all(ws, code, tokens, {"community_pv": "keep"})
        ws.close_vote(code, token)
    d = ws.debrief(code)
    assert d.service == "electricity" and d.indicators == ELECTRICITY_INDICATORS
    assert list(d.outcomes.columns) == ["year", "run", *ELECTRICITY_INDICATORS]
    room = ws.run(code)
    mine = d.outcomes[d.outcomes["run"] == "room"].reset_index(drop=True)
    for ind in ELECTRICITY_INDICATORS:
        assert mine[ind].tolist() == room.years[ind].tolist()
    assert len(d.deciles) == 10
    fr, en = ws.debrief_html(code, "fr"), ws.debrief_html(code, "en")
    assert "Tarif de l&#x27;électricité" in fr and "Tarif de l&#x27;eau" not in fr
    assert ts("ind_saidi_min", "fr", "electricity") in fr
    assert "Electricity tariff" in en and "SAIDI" in en
    assert "sécheresses" not in fr  # the outcomes' intro speaks of storms and prices
    with zipfile.ZipFile(io.BytesIO(ws.debrief_csv_zip(code))) as zf:
        replay = loads_scenario(zf.read("scenario.yaml").decode(), other_services=("electricity",))
    again = sim.simulate(replay)
    assert again.years["reserves_eur"].tolist() == room.years["reserves_eur"].tolist()


def test_a_water_debrief_keeps_waters_indicators(ws: Workshop) -> None:
    s = with_changes(sim.load_scenario(ROOT / "scenarios" / "town.yaml"), {"households.count": 1500})
    code, token = ws.create_session(s, "commons", 1)
    ws.open_vote(code, token)
    ws.close_vote(code, token)
    d = ws.debrief(code)
    assert d.service == "water" and d.indicators == INDICATORS


def test_the_export_of_an_electricity_session(ws: Workshop, town: sim.Scenario) -> None:
    code, token = ws.create_session(town, "commons", 1)
    ws.open_vote(code, token)
    ws.close_vote(code, token)
    files = export_files(ws.store, code, "fr")
    meta = json.loads(files["session.json"])
    assert meta["session"]["service"] == "electricity"
    text = files["cahier.txt"].decode("utf-8")
    assert "Tarif de l'électricité" in text and "Tarif de l'eau" not in text
    assert "Electricity tariff" in export_files(ws.store, code, "en")["cahier.txt"].decode("utf-8")


# -- stories -------------------------------------------------------------------------------------
def test_each_story_is_a_shipped_scenario_the_room_can_decide() -> None:
    for name, story in STORIES.items():
        s = story_scenario(name)
        assert s.service == "electricity" and story_of(s) == name
        assert (ROOT / "scenarios" / story.file).is_file()
    assert story_of(sim.load_scenario(ROOT / "scenarios" / "town.yaml")) is None


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_the_storm_story_shows_saidi_compensation_and_who_waits(ws: Workshop) -> None:
    code, token = ws.create_session(story_scenario("storm"), "commons", 3)
    assert ws.story(code) == "storm"
    storm_year = ws.story_view(code)["storm_years"][0]
    tokens = everyone(ws, code)
    ws.open_vote(code, token)
    before = ws.story_view(code)
    assert int(before["years"]["year"].max()) < storm_year  # the room decides before the storm
    agenda = {i["item"]: i for i in ws.current_agenda(code)}
    assert {"plan", "keep"} <= set(admissible(agenda["renewal"]))  # undergrounding, or not
    assert "social" in admissible(agenda["tariff"])  # ... or the margin for a social rebate
    vote_all(ws, code, tokens, {"renewal": "plan", "tariff": "keep"})
    ws.close_vote(code, token)
    for _ in range(2):
        ws.open_vote(code, token)
        ws.close_vote(code, token)
    after = ws.story_view(code)["years"].set_index("year")
    room = ws.run(code).years.set_index("year")
    assert after.loc[storm_year, "storms"] >= 1
    assert after.loc[storm_year, "compensation_eur"] == room.loc[storm_year, "compensation_eur"] > 0
    # the storm's day is a major event: SAIDI with it is far above SAIDI without it
    assert after.loc[storm_year, "saidi_min"] > 2 * after.loc[storm_year, "saidi_excl_med_min"]
    assert 0 < ws.story_view(code)["overhead_pct"] < 100


def test_in_the_crisis_the_margin_pays_social_measures_then_cannot(ws: Workshop) -> None:
    """Before the shock the room may fund a social fund or a later power limitation from the
    service's margin; once the crisis has eaten the margin, the regulated price cannot move and
    every option that costs money is refused, with the reason (what a local operator cannot do)."""
    code, token = ws.create_session(story_scenario("crisis_2022"), "commons", 3)
    ws.open_vote(code, token)
    first = {i["item"]: i for i in ws.current_agenda(code)}
    assert "fund_up" in admissible(first["social_fund"])
    # the fund's amounts as each language writes euros (they read "EUR/yr" in English before)
    for o in first["social_fund"]["options"]:
        assert re.search(r"\d\u00a0€/an", o["label_fr"]) and re.search(r"€\d[\d,]*/yr", o["label_en"]), o
    assert {o["name"] for o in first["power_limitation"]["options"]} > {"keep"}
    ws.close_vote(code, token)
    ws.open_vote(code, token)
    second = {i["item"]: i for i in ws.current_agenda(code)}
    for item in second.values():
        for o in item["options"][1:]:
            if o["effects"].get("extra_cost_eur_per_year", 0) > 0:
                assert not o["admissible"] and "regulated tariff" in o["why_not"], (item["item"], o)


def test_the_crisis_story_shows_bills_with_and_without_the_shield(ws: Workshop) -> None:
    code, _ = ws.create_session(small(story_scenario("crisis_2022")), "commons", 3)
    view = ws.story_view(code)
    assert view["story"] == "crisis_2022" and view["shield_pct"] == 15.0
    table = view["years"].set_index("year")
    shield = ws.run(code, with_log=False)
    expected = income_group_bills(shield.deciles).set_index("year")
    no_shield = sim.simulate(without_shield(ws.base_scenario(code)))
    expected_no = income_group_bills(no_shield.deciles).set_index("year")
    for name, _, _ in INCOME_GROUPS:
        assert table[f"{name}_shield"].tolist() == expected[name].tolist()
        assert table[f"{name}_no_shield"].tolist() == expected_no[name].tolist()
        for y in view["shock_years"]:  # the shield caps the rise: bills are lower with it
            assert table.loc[y, f"{name}_shield"] < table.loc[y, f"{name}_no_shield"]
    low = shield.deciles[(shield.deciles["decile"] <= 3) & (shield.deciles["year"] == view["shock_years"][0])]
    assert table.loc[view["shock_years"][0], "low_shield"] == pytest.approx(low["mean_bill_eur"].mean())
    assert (table["energy_poverty_shield"] <= table["energy_poverty_no_shield"]).all()


# -- texts -------------------------------------------------------------------------------------------
#: ts("key", …) with a whole literal key (not "ind_" + name)
TS_CALL = re.compile(r"""\bts\(\s*(["'])([A-Za-z0-9_.\-]+)\1\s*[,)]""")


def test_every_workshop_text_of_a_service_exists_in_both_languages() -> None:
    """Each ``ts("key", …)`` with a literal key in the workshop's code resolves in French and
    English, for water and electricity (a missing one raises under tests)."""
    files = [ROOT / "sim" / "dashboard" / "workshop.py", *sorted((ROOT / "sim" / "workshop").glob("*.py"))]
    keys = {m.group(2) for f in files for m in TS_CALL.finditer(f.read_text(encoding="utf-8"))}
    assert {"storm.title", "crisis.national", "regulated_note", "outcomes_intro"} <= keys
    for key in keys:
        # a text only electricity shows (the regulated tariff's note) is not asked of water
        shared = key in FR or sim.i18n.has_key(f"workshop.{key}")
        for lang in ("fr", "en"):
            for service in ("water", "electricity") if shared else ("electricity",):
                text = ts(key, lang, service)  # no fields: the text unformatted; missing: raises
                assert text and text != key


def test_electricity_words_its_own_texts_and_water_keeps_its_own() -> None:
    for key in ("item_tariff", "eff_share_above_pct", "veto_harm_essential", "outcomes_intro"):
        assert ts(key, "fr", "electricity", option="x") != ts(key, "fr", "water", option="x")
    assert ts("outcomes_intro", "fr") == t("outcomes_intro", "fr")
    assert "tempêtes" in ts("outcomes_intro", "fr", "electricity")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_debriefs_chart_titles_fit_a_laptop_and_a_phone(lang: str) -> None:
    """Three charts a row are 291 px wide on a 1366 px laptop: their one-line titles (« Facture de
    référence, 6 kVA et 4 400 kWh (€ TTC) », 337 px) were cut off. Each title line now holds at
    most 36 characters and the words are all there."""
    figures = []
    for service, indicators in dbf.INDICATORS_BY_SERVICE.items():
        for ind in indicators:
            df = pd.DataFrame({"run": ["room", "baseline"], "year": [2027, 2027], ind: [1.0, 1.0]})
            figures.append((dbf.outcome_figure(df, ind, lang, service), ts(f"ind_{ind}", lang, service)))
    deciles = pd.DataFrame({"decile": list(range(1, 11)), "difference_eur": [1.0] * 10})
    figures.append((dbf.deciles_figure(deciles, lang), t("fig_deciles", lang)))
    for fig, text in figures:
        lines = fig.layout.title.text.split("<br>")
        assert max(len(line) for line in lines) <= 36, lines
        assert " ".join(lines) == text
        assert fig.layout.margin.t >= 20 * len(lines) + 20  # room above the plot for every line
    # the debrief's energy poverty is not the vote cards' (electricity bill only): its title says so
    assert ("toute l'énergie du logement" if lang == "fr" else "all housing energy") in ts(
        "ind_energy_poverty_pct", lang, "electricity"
    )

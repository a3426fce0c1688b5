"""The workshop page for an electricity session (AppTest), in French and English: the facilitator
chooses the service and a story, participants see the service's items as cards with low, middle
and high incomes' bills, the storm's and the crisis's panels, and the debrief. No English on a
French page (the words of tests/test_dashboard_electricity.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from test_dashboard_electricity import english_words, page_texts

from sim.dashboard import workshop as page
from sim.workshop import Store, Workshop
from sim.workshop.stories import story_scenario
from sim.workshop.strings import item_label, t, ts, variant_summary

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "sim" / "dashboard" / "workshop.py"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workshop:
    import streamlit as st

    monkeypatch.setenv("REGIE_SIM_WORKSHOP_DB", str(tmp_path / "page.sqlite3"))
    monkeypatch.delenv("REGIE_SIM_FACILITATOR_SECRET", raising=False)
    st.cache_resource.clear()  # the page keeps one Workshop per process
    yield Workshop(Store())
    st.cache_resource.clear()


def _app(params: dict[str, str]) -> Any:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGE), default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def qp(at: Any, key: str) -> str:
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


def markdown(at: Any) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_facilitator_chooses_electricity_and_the_storm(ws: Workshop, lang: str) -> None:
    at = _app({"role": "facilitator", "lang": lang})
    at.segmented_control(key=page.CREATE_SERVICE).set_value("electricity").run()
    story = at.selectbox(key=page.CREATE_STORY)
    assert story.options == [ts(f"story.{n}", lang) for n in ("none", "storm", "crisis_2022")]
    story.set_value("storm").run()
    next(b for b in at.button if b.label == t("create_button", lang)).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    code = qp(at, "s")
    assert ws.service(code) == "electricity" and ws.story(code) == "storm"
    assert ws.store.session(code)["regime"] == "commons"
    assert ts("storm.title", lang) in [e.label for e in at.expander]
    if lang == "fr":
        assert english_words(page_texts(at)) == set()


def test_the_facilitator_lists_the_electricity_scenarios_by_name(ws: Workshop) -> None:
    at = _app({"role": "facilitator"})
    at.segmented_control(key=page.CREATE_SERVICE).set_value("electricity").run()
    scen = next(s for s in at.selectbox if s.label == t("scenario_label", "fr"))
    assert scen.options[0].startswith("Ville-sur-Courant")  # the base town first, by its name
    assert all("(electricity/" in o and o.endswith(".yaml)") for o in scen.options)
    next(b for b in at.button if b.label == t("create_button", "fr")).click().run()
    code = qp(at, "s")
    assert ws.service(code) == "electricity" and ws.story(code) is None


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_participant_sees_the_services_items_as_cards(ws: Workshop, lang: str) -> None:
    code, token = ws.create_session(story_scenario("storm"), "commons", 3)
    me = ws.join(code, "Élise", "citizens")
    ws.open_vote(code, token)
    at = _app({"s": code, "p": me["token"], "lang": lang})
    agenda = ws.current_agenda(code)
    heads = [s.value for s in at.subheader]
    for item in agenda:
        assert item_label(item["item"], lang, "electricity") in heads
    text = markdown(at)
    for key in ("cards_low", "cards_middle", "cards_high", "cards_budget"):
        assert t(key, lang) in text
    # the incomes' bills in the page's style, as the reference bill beside them (€1,005 in
    # English: the card read "1,005 €" over "€1,034")
    low = f"{t('cards_low', lang)}{t('sep', lang)}**"
    assert re.search(
        re.escape(low) + (r"\d[\d\u202f]*\u00a0€\*\*" if lang == "fr" else r"€\d[\d,]*\*\*"), text
    )
    tariff = next(i for i in agenda if i["item"] == "tariff")
    for o in tariff["options"]:
        if o["admissible"]:
            assert f"**{o['label_' + lang]}**" in text
    # community PV's card says what it costs to build and what it yields, not only its yearly
    # cost net of the energy it saves (0 € in the storm's town: it read as free)
    pv = next(
        o for o in next(i for i in agenda if i["item"] == "community_pv")["options"] if o["name"] == "add_pv"
    )
    for k in ("capex_eur", "kwh_per_year"):
        shown = page._fmt_effect(k, pv["effects"][k], lang)
        assert f"{ts('eff_' + k, lang, 'electricity')}{t('sep', lang)}{shown}" in text, k
    assert ts("regulated_note", lang, "electricity") in [c.value for c in at.caption]
    # the room may propose a variant within what is local: the regulated price is national
    assert ts("tve.title", lang) in [e.label for e in at.expander]
    assert ts("tve.intro_regulated", lang, n=3) in [c.value for c in at.caption]
    # the storm's panel: the years simulated so far, before the storm
    assert ts("storm.before", lang) in [c.value for c in at.caption]
    table = next(df.value for df in at.dataframe if ts("storm.col.saidi_min", lang) in df.value.columns)
    assert ts("storm.col.compensation_eur", lang) in table.columns
    if lang == "fr":
        assert english_words(page_texts(at)) == set()
        assert "Tarif de l'eau" not in page_texts(at)
    else:
        assert "Tarif de l'électricité" not in page_texts(at)


def test_a_participant_votes_on_an_electricity_item(ws: Workshop) -> None:
    code, token = ws.create_session(story_scenario("storm"), "commons", 3)
    me = ws.join(code, "Élise", "citizens")
    ws.open_vote(code, token)
    at = _app({"s": code, "p": me["token"]})
    radio = next(r for r in at.radio if r.label == item_label("renewal", "fr", "electricity"))
    radio.set_value("plan")
    idx = at.radio.index(radio) if hasattr(at.radio, "index") else list(at.radio).index(radio)
    vote_buttons = [b for b in at.button if b.label == t("vote_button", "fr")]
    vote_buttons[idx].click().run()
    assert not at.exception and not at.error
    assert ws.my_votes(code, me["token"]) == {"renewal": "plan"}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_crisis_panel_says_what_is_national_and_what_is_local(ws: Workshop, lang: str) -> None:
    code, token = ws.create_session(story_scenario("crisis_2022"), "commons", 3)
    me = ws.join(code, "Élise", "public")
    ws.open_vote(code, token)
    at = _app({"s": code, "p": me["token"], "lang": lang})
    assert ts("crisis.title", lang) in [e.label for e in at.expander]
    text = markdown(at)
    for key in ("crisis.national_title", "crisis.national", "crisis.local_title", "crisis.local"):
        assert ts(key, lang) in text
    view = ws.story_view(code)
    table = next(df.value for df in at.dataframe if ts("crisis.col.low_shield", lang) in df.value.columns)
    first_shock = view["shock_years"][0]
    row = table[table[ts("crisis.col.year", lang)] == str(first_shock)].iloc[0]
    expected = view["years"].set_index("year").loc[first_shock]
    for col in ("low_shield", "low_no_shield", "high_no_shield"):
        assert row[ts(f"crisis.col.{col}", lang)] == page.dbf.fmt(expected[col], lang)
    if lang == "fr":
        assert english_words(page_texts(at)) == set()
        assert "\u202f" in row[ts("crisis.col.low_no_shield", "fr")]  # 2 033: French thousands


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_debrief_of_an_electricity_session_on_the_page(ws: Workshop, lang: str) -> None:
    code, token = ws.create_session(story_scenario("storm"), "commons", 1)
    ws.open_vote(code, token)
    ws.close_vote(code, token)
    at = _app({"role": "facilitator", "s": code, "t": token, "lang": lang})
    assert t("debrief_title", lang) in [h.value for h in at.header]
    import json

    titles = [
        (json.loads(c.proto.spec)["layout"].get("title", {}).get("text") or "").replace("<br>", " ")
        for c in at.get("plotly_chart")
    ]  # a long title is on two lines (debrief.TITLE_CHARS)
    for ind in ("bill_ref_eur", "energy_poverty_pct", "saidi_min", "compensation_eur", "reserves_eur"):
        assert ts(f"ind_{ind}", lang, "electricity") in titles
    assert ts("outcomes_intro", lang, "electricity") in [c.value for c in at.caption]
    if lang == "fr":
        assert english_words(page_texts(at)) == set()


# -- the room's own tariff variants, within what a local operator decides ---------------------
LOCAL_OFFER = "extends: electricity/town.yaml\ntariff: {pricing: local}\n"


def _inputs(at: Any) -> dict[str, Any]:
    return {ni.label: ni for ni in at.number_input}


def test_a_participant_proposes_a_local_offers_variant_in_french(ws: Workshop) -> None:
    code, token = ws.create_session(LOCAL_OFFER, "commons", 2)
    me = ws.join(code, "Zoé", "citizens")
    ws.open_vote(code, token)
    at = _app({"s": code, "p": me["token"]})
    assert ts("tve.title", "fr") in [e.label for e in at.expander]
    assert ts("tve.intro_local", "fr", n=3) in [c.value for c in at.caption]
    at.selectbox(key="tve-opt-1").set_value("hphc").run()
    fields = _inputs(at)
    fields[ts("tve.fixed", "fr")].set_value(15.0)
    fields[ts("tve.price_hp", "fr")].set_value(0.15)
    fields[ts("tve.price_hc", "fr")].set_value(0.2)  # off-peak above peak: refused, located
    next(b for b in at.button if b.label == t("tv_button", "fr")).click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        t("err_variant", "fr", where=ts("vf_price_hc", "fr"), problem=ts("vp_hc_above_hp", "fr"))
    ]
    assert ws.store.tariff_variants(code, 1) == []
    fields = _inputs(at)
    fields[ts("tve.price_hc", "fr")].set_value(0.12)
    fields[ts("tve.essential_kwh", "fr")].set_value(1000.0)
    fields[ts("tve.social_rebate_pct", "fr")].set_value(10.0)
    next(b for b in at.button if b.label == t("tv_button", "fr")).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (v,) = ws.store.tariff_variants(code, 1)
    tariff = v["tariff"]
    assert tariff["option"] == "hphc" and tariff["energy_eur_per_kwh"] == {"hp": 0.15, "hc": 0.12}
    assert tariff["fixed_eur_per_year_by_kva"]["6"] == 90.0  # 15 €/kVA/yr at 6 kVA
    assert tariff["essential_block"]["enabled"] and tariff["social"]["rebate_pct"] == 10.0
    assert [s.value for s in at.success] == [t("tv_ok", "fr", option=t("tv_option", "fr", n=1))]
    # on the table, voted like any option, with the summary in electricity's units
    radio = next(r for r in at.radio if r.label == item_label("tariff", "fr", "electricity"))
    assert "variant_1" in radio.options or t("tv_option", "fr", n=1) in radio.options
    texts = page_texts(at)
    summary = variant_summary(tariff, "fr")
    assert summary in texts and "€/kVA/an HT" in summary and "m3" not in " ".join(texts)
    # its card says what it is and the reference household's bill the room is shown
    tariff_item = next(i for i in ws.current_agenda(code) if i["item"] == "tariff")
    shown = next(o for o in tariff_item["options"] if o["name"] == "variant_1")
    assert summary in [c.value for c in at.caption]
    bill = page._fmt_effect("bill_ref_eur", shown["effects"]["bill_ref_eur"], "fr")
    line = f"{ts('eff_bill_ref_eur', 'fr', 'electricity')}{t('sep', 'fr')}{bill}"
    assert any(line in m for m in texts), line
    # the facilitator sees it, in French too, and may withdraw it
    f = _app({"role": "facilitator", "s": code, "t": token})
    assert t("tv_list", "fr") in [h.value for h in f.subheader]
    assert summary in page_texts(f)
    f.button(key=f"ws-del-{v['id']}").click().run()
    assert not f.exception and ws.store.tariff_variants(code, 1) == []
    assert english_words(texts) == set()


def test_under_the_regulated_tariff_the_form_offers_only_what_is_local(ws: Workshop) -> None:
    code, token = ws.create_session(story_scenario("storm"), "commons", 2)
    me = ws.join(code, "Élise", "public")
    ws.open_vote(code, token)
    at = _app({"s": code, "p": me["token"], "lang": "en"})
    labels = set(_inputs(at))
    assert ts("tve.fixed", "en") not in labels and ts("tve.price_base", "en") not in labels
    assert {ts("tve.essential_kwh", "en"), ts("tve.social_rebate_pct", "en")} <= labels
    _inputs(at)[ts("tve.social_rebate_pct", "en")].set_value(5.0)
    next(s for s in at.selectbox if s.label == ts("tve.social_deciles", "en")).set_value(1)
    next(b for b in at.button if b.label == t("tv_button", "en")).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (v,) = ws.store.tariff_variants(code, 1)
    assert v["tariff"]["pricing"] == "regulated" and v["tariff"]["social"]["eligible_deciles"] == [1]
    assert variant_summary(v["tariff"], "en") in page_texts(at)


def test_a_percentage_typed_with_a_decimal_is_shown_as_proposed(ws: Workshop) -> None:
    """12,5 % typed in the form is shown 12,5 in the field and goes to the vote as 12,5 %: the
    field showed 13 (format "%.0f") while the variant kept 12,5."""
    code, token = ws.create_session(story_scenario("storm"), "commons", 1)
    me = ws.join(code, "Élise", "public")
    ws.open_vote(code, token)
    at = _app({"s": code, "p": me["token"]})
    field = _inputs(at)[ts("tve.social_rebate_pct", "fr")]
    field.set_value(12.5)
    next(b for b in at.button if b.label == t("tv_button", "fr")).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (v,) = ws.store.tariff_variants(code, 1)
    assert v["tariff"]["social"]["rebate_pct"] == 12.5
    assert "12,5 %" in variant_summary(v["tariff"], "fr")
    for key in ("tve-social_rebate_pct", "tve-essential_price_pct"):
        fmt = at.number_input(key=key).proto.format
        assert fmt % 12.5 == "12.5", (key, fmt)  # what the browser shows for 12,5

"""Tariff variants proposed by the room for an electricity service (issue 12, the workshop part).

What a local operator decides (electricity.md §1.2, §1.4): under the regulated tariff (TRVE) only
an essential-kWh block and a local social rebate, the price being national; a local offer's
structure too (Base or HP/HC, a fixed part per kVA, the prices per kWh). Checked here: the door's
bounds and its located bilingual refusals (nothing stored), a fuzz of the door, the summaries in
electricity's units, the store, the export and the debrief, and the round trip: the variant stored
is the tariff the model runs, and the reference household's bill (6 kVA, 4,400 kWh) the room was
shown is the one billed in the year after the vote.
"""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import sim
from sim.scenario.electricity import ElectricityTariff
from sim.workshop import BadInput, Store, VariantRefused, Workshop
from sim.workshop.export import export_files
from sim.workshop.session import ELECTRICITY_VARIANT_BOUNDS
from sim.workshop.strings import electricity_variant_summary, variant_summary

ROOT = Path(__file__).resolve().parent.parent
#: a local offer: the base town whose regime sets its own prices (the shipped towns sell at the TRVE)
LOCAL = "extends: electricity/town.yaml\ntariff: {pricing: local}\n"
REGULATED = "extends: electricity/town.yaml\n"
HPHC: dict[str, Any] = {
    "option": "hphc",
    "fixed_per_kva": 15.0,
    "price_hp": 0.2,
    "price_hc": 0.15,
    "essential_kwh": 1000.0,
    "essential_price_pct": 50.0,
    "social_rebate_pct": 10.0,
    "social_deciles": 2,
}
#: a rebate for the first decile only: small enough to fit the base town's margin at the TRVE
REBATE: dict[str, Any] = {"social_rebate_pct": 10.0, "social_deciles": 1}


@pytest.fixture
def ws(tmp_path: Path) -> Workshop:
    return Workshop(Store(tmp_path / "ws.sqlite3"))


def item_of(agenda: list[dict[str, Any]], item: str) -> dict[str, Any]:
    return next(i for i in agenda if i["item"] == item)


def option_of(agenda: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(o for o in item_of(agenda, "tariff")["options"] if o["name"] == name)


def room(ws: Workshop, code: str) -> list[dict[str, Any]]:
    return [ws.join(code, f"{c}", c) for c in ("public", "operators", "citizens")]


# -- summaries ------------------------------------------------------------------------------
def _tariff(**changes: Any) -> dict[str, Any]:
    return ElectricityTariff.model_validate(changes).model_dump(mode="json")


def test_the_summary_speaks_electricitys_units_in_both_languages() -> None:
    local = _tariff(
        pricing="local",
        option="hphc",
        prices_include_taxes=False,
        fixed_eur_per_year_by_kva={6: 90.0, 9: 135.0},
        energy_eur_per_kwh={"hp": 0.1834, "hc": 0.15},
        essential_block={"enabled": True, "kwh_per_unit_year": 1200, "price_factor": 0.5},
        social={"enabled": True, "eligible_deciles": [1, 2], "rebate_pct": 12.5},
    )
    assert variant_summary(local, "fr") == (
        "part fixe 15 €/kVA/an HT, heures pleines 0,1834 €/kWh, heures creuses 0,15 €/kWh HT, "
        "tranche essentielle de 1\u202f200 kWh par unité de consommation et par an à 50 % du prix, "
        "remise sociale de 12,5 % pour les déciles 1 et 2"  # not « 1 à 2 »
    )
    assert variant_summary(local, "en") == (
        "fixed part 15 €/kVA/yr excl. tax, peak 0.1834 €/kWh, off-peak 0.15 €/kWh excl. tax, "
        "essential block 1,200 kWh per consumption unit a year at 50 % of the price, "
        "social rebate 12.5 % for deciles 1 and 2"
    )
    regulated = _tariff(social={"enabled": True, "eligible_deciles": [1], "rebate_pct": 10})
    assert electricity_variant_summary(regulated, "fr") == (
        "tarif réglementé (prix national), sans tranche essentielle, remise sociale de 10 % pour le décile 1"
    )
    assert electricity_variant_summary(regulated, "en") == (
        "regulated tariff (national price), no essential block, social rebate 10 % for decile 1"
    )
    three = _tariff(social={"enabled": True, "eligible_deciles": [1, 2, 3], "rebate_pct": 10})
    assert electricity_variant_summary(three, "fr").endswith("remise sociale de 10 % pour les déciles 1 à 3")
    for text in (variant_summary(local, "fr"), variant_summary(regulated, "en")):
        assert "m3" not in text


def test_the_summary_keeps_the_decimal_a_participant_typed_in_the_blocks_price() -> None:
    """The form takes 12,5 % for the essential block's price: the summary the room votes on says
    12,5 %, not 13 % (it rounded to a whole percent while the variant kept 12,5)."""
    block = _tariff(essential_block={"enabled": True, "kwh_per_unit_year": 800, "price_factor": 0.125})
    assert "à 12,5 % du prix" in variant_summary(block, "fr")
    assert "at 12.5 % of the price" in variant_summary(block, "en")


# -- the door: bounds, located refusals, nothing stored ---------------------------------------
@pytest.mark.parametrize(
    ("changes", "where", "fr_text"),
    [
        ({"fixed_per_kva": 150}, "fixed_per_kva", "part fixe (€/kVA/an HT) : doit être entre 0 et 100"),
        ({"price_hp": 0.0}, "price_hp", "prix heures pleines (€/kWh HT) : doit être entre 0,01 et 1"),
        ({"price_hc": 0.3}, "price_hc", "ne doit pas dépasser le prix des heures pleines"),
        ({"price_base": 0.2}, "price_base", "n'est pas un prix de cette option"),
        ({"option": "tempo"}, "option", "option tarifaire : doit être Base ou heures pleines"),
        ({"essential_kwh": 5000}, "essential_kwh", "tranche essentielle (kWh par unité de consommation"),
        ({"essential_price_pct": 120}, "essential_price_pct", "prix dans la tranche (% du prix du kWh)"),
        ({"social_rebate_pct": 60}, "social_rebate_pct", "remise sociale (%) : doit être entre 0 et 50"),
        ({"social_deciles": 4}, "social_deciles", "déciles de la remise sociale : doit être entre 1 et 3"),
        ({"social_deciles": 2.0}, "social_deciles", "déciles de la remise sociale"),
        ({"fixed_per_kva": "20"}, "fixed_per_kva", "part fixe"),
        ({"price_hp": float("nan")}, "price_hp", "prix heures pleines"),
    ],
)
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_a_local_variant_out_of_bounds_is_refused_with_a_located_message(
    ws: Workshop, changes: dict[str, Any], where: str, fr_text: str
) -> None:
    code, _ = ws.create_session(LOCAL, "commons", 1)
    p = ws.join(code, "A", "citizens")
    with pytest.raises(VariantRefused) as err:
        ws.propose_electricity_tariff(code, p["token"], **{**HPHC, **changes})
    assert err.value.where == where
    assert fr_text in err.value.message("fr")
    assert err.value.message("en").startswith("Variant refused — ")
    assert "m3" not in err.value.message("fr") + err.value.message("en")
    assert ws.store.tariff_variants(code, 1) == []


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_under_the_regulated_tariff_the_price_is_national(ws: Workshop) -> None:
    code, _ = ws.create_session(REGULATED, "commons", 1)
    p = ws.join(code, "A", "citizens")
    for field, value in (("fixed_per_kva", 20.0), ("price_base", 0.15), ("option", "base")):
        with pytest.raises(VariantRefused) as err:
            ws.propose_electricity_tariff(code, p["token"], **{**REBATE, field: value})
        assert err.value.where == field and err.value.problem == "national"
        assert "fixé nationalement" in err.value.message("fr")
        assert "set nationally" in err.value.message("en")
    assert ws.store.tariff_variants(code, 1) == []
    # water's variant is not electricity's, nor the other way round
    with pytest.raises(BadInput):
        ws.propose_tariff(code, p["token"], 30.0, 0.0, [(None, 1.0)])
    water, _ = ws.create_session(sim.scale_town(sim.load_scenario(ROOT / "scenarios" / "town.yaml"), 500))
    w = ws.join(water, "B", "citizens")
    with pytest.raises(BadInput):
        ws.propose_electricity_tariff(water, w["token"], **REBATE)
    assert ws.store.tariff_variants(code, 1) == [] and ws.store.tariff_variants(water, 1) == []


# -- a fuzz of the door -----------------------------------------------------------------------
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.sampled_from(["base", "hphc", "tempo", "Base"]),
)
FIELDS = tuple(HPHC) + ("price_base",)


def _plausible(where: str) -> st.SearchStrategy[Any]:
    """A value within the field's bounds (or the whole strategy's edges)."""
    lo, hi, _ = ELECTRICITY_VARIANT_BOUNDS[where]
    if where == "social_deciles":
        return st.integers(min_value=int(lo), max_value=int(hi))
    return st.floats(min_value=lo, max_value=hi)


@st.composite
def variant_fields(draw: st.DrawFn) -> dict[str, Any]:
    """A variant of plausible values for its option (or none), some replaced by anything."""
    option = draw(st.sampled_from(["base", "hphc", None]))
    fields: dict[str, Any] = {}
    if option is not None:
        fields["option"] = option
        for where in ("fixed_per_kva", *(("price_base",) if option == "base" else ("price_hp", "price_hc"))):
            fields[where] = draw(_plausible(where))
    for where in ("essential_kwh", "essential_price_pct", "social_rebate_pct", "social_deciles"):
        if draw(st.booleans()):
            fields[where] = draw(_plausible(where))
    fields.update(draw(st.dictionaries(st.sampled_from(FIELDS), ANY_VALUE, max_size=2)))
    return fields


Sessions = tuple[Workshop, dict[str, tuple[str, str, str]]]  # the workshop, kind -> code, tokens


@pytest.fixture(scope="module")
def fuzz_sessions(tmp_path_factory: pytest.TempPathFactory) -> Sessions:
    ws = Workshop(Store(tmp_path_factory.mktemp("fuzz") / "ws.sqlite3"))
    out = {}
    for name, text in (("local", LOCAL), ("regulated", REGULATED)):
        code, token = ws.create_session(text, "commons", 1)
        out[name] = (code, token, ws.join(code, "Fuzz", "citizens")["token"])
    return ws, out


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_a_variant_that_changes_nothing_is_refused(ws: Workshop) -> None:
    """An emptied form under the regulated tariff (no block, no rebate) is the tariff in force: it
    was put on the ballot as a second "keep the tariff", splitting that option's votes."""
    code, _ = ws.create_session(REGULATED, "commons", 1)
    p = ws.join(code, "A", "citizens")
    with pytest.raises(VariantRefused) as err:
        ws.propose_electricity_tariff(code, p["token"], essential_kwh=0.0, social_rebate_pct=0.0)
    assert err.value.where == "tariff" and err.value.problem == "no_change"
    assert "ne changerait rien" in err.value.message("fr")
    assert "would change nothing" in err.value.message("en")
    assert ws.store.tariff_variants(code, 1) == []
    assert ws.propose_electricity_tariff(code, p["token"], **REBATE) == "variant_1"  # a change is taken


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["local", "regulated"]), fields=variant_fields())
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_fuzz_the_electricity_variant_door(
    fuzz_sessions: Sessions,
    kind: str,
    fields: dict[str, Any],
) -> None:
    """Any values: the only refusal is a located VariantRefused (nothing stored); what is accepted
    is within bounds, stored as given and valid as a tariff."""
    ws, sessions = fuzz_sessions
    code, token, me = sessions[kind]
    try:
        ws.propose_electricity_tariff(code, me, **fields)
    except VariantRefused as exc:
        assert exc.where in {*ELECTRICITY_VARIANT_BOUNDS, "option", "tariff"}
        for lang in ("fr", "en"):
            text = exc.message(lang)
            assert text and "{" not in text and "vf_" not in text and "vp_" not in text
        assert ws.store.tariff_variants(code, 1) == []
        event(f"refused at {exc.where}")
        return
    event(f"accepted ({kind})")
    (v,) = ws.store.tariff_variants(code, 1)
    tariff = ElectricityTariff.model_validate(v["tariff"])
    ws.delete_tariff_variant(code, token, v["id"])
    assert tariff.pricing == kind
    soc, eb = tariff.social, tariff.essential_block
    assert 0 <= soc.rebate_pct <= 50 and (not soc.enabled or soc.eligible_deciles[0] == 1)
    assert not eb.enabled or (0 < eb.kwh_per_unit_year <= 3000 and eb.above_factor == 1.0)
    if kind == "local":
        assert tariff.option in ("base", "hphc") and not tariff.prices_include_taxes
        assert all(0.01 <= p <= 1.0 for p in tariff.energy_eur_per_kwh.values())
    for lang in ("fr", "en"):
        assert "m3" not in variant_summary(v["tariff"], lang)


# -- the round trip: stored, run, billed as shown ---------------------------------------------
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_a_local_offers_variant_is_billed_as_the_room_was_shown(ws: Workshop) -> None:
    code, token = ws.create_session(LOCAL, "commons", 2)
    people = room(ws, code)
    assert ws.propose_electricity_tariff(code, people[2]["token"], **HPHC) == "variant_1"
    (stored,) = ws.store.tariff_variants(code, 1)
    t = stored["tariff"]
    in_force = ws.base_scenario(code).tariff
    assert (t["option"], t["pricing"], t["prices_include_taxes"]) == ("hphc", "local", False)
    assert {int(k): v for k, v in t["fixed_eur_per_year_by_kva"].items()} == {
        k: 15.0 * k for k in in_force.fixed_eur_per_year_by_kva
    }
    assert t["energy_eur_per_kwh"] == {"hp": 0.2, "hc": 0.15}
    assert t["essential_block"]["enabled"] and t["essential_block"]["kwh_per_unit_year"] == 1000.0
    assert t["social"]["eligible_deciles"] == [1, 2] and t["social"]["rebate_pct"] == 10.0
    # what stays national: the network tariff and the taxes
    assert t["turpe_fixed_eur_per_kva_year"] == in_force.turpe_fixed_eur_per_kva_year
    assert t["what_if_vat_pct"] is None and t["what_if_excise_eur_per_mwh"] is None
    assert stored["text"] == variant_summary(t, "fr")

    ws.open_vote(code, token)
    shown = option_of(ws.current_agenda(code), "variant_1")
    assert shown["admissible"], shown["why_not"]
    assert shown["proposed_by"] == "citizens"
    assert 0.97 < shown["effects"]["recovery"] < 1.03  # scaled to the revenue needed
    assert len(shown["effects"]["bill_by_decile_eur"]) == 10
    keep = option_of(ws.current_agenda(code), "keep")
    assert shown["effects"]["bill_ref_eur"] != keep["effects"]["bill_ref_eur"]
    for p in people:
        ws.vote(code, p["token"], "tariff", "variant_1")
    d1 = next(d for d in ws.close_vote(code, token) if d["item"] == "tariff")
    assert (d1["option"], d1["adopted"], d1["tariff"]) == ("variant_1", True, t)
    (entry,) = [x for x in ws.log(code) if x["item"] == "tariff"]
    assert entry["tariff"] == t

    # the tariff in force at the next meeting is the variant, exactly
    ws.open_vote(code, token)
    assert ws.current_tariff(code) == t
    ws.close_vote(code, token)

    # the reference household's bill of the year after the vote is the one the room was shown
    years = ws.run(code).years
    start = ws.base_scenario(code).town.start_year
    billed = float(years.loc[years["year"] == start + 1, "bill_ref_eur"].iloc[0])
    assert math.isclose(billed, shown["effects"]["bill_ref_eur"], rel_tol=1e-9)
    # and the debrief's scenario replays it offline
    deb = ws.debrief(code)
    offline = sim.simulate(sim.loads_scenario(deb.scenario_yaml, other_services=("electricity",))).years
    assert math.isclose(
        float(offline.loc[offline["year"] == start + 1, "bill_ref_eur"].iloc[0]), billed, rel_tol=1e-12
    )

    # the debrief and the export say it in electricity's units
    for lang in ("fr", "en"):
        html = ws.debrief_html(code, lang)
        assert variant_summary(t, lang) in html
    files = export_files(ws.store, code, "fr")
    (row,) = list(csv.DictReader(io.StringIO(files["variants.csv"].decode("utf-8"))))
    assert row["text"] == variant_summary(t, "fr") and json.loads(row["tariff"]) == t
    assert "€/kVA/an" in row["text"] and "m3" not in row["text"]
    assert variant_summary(t, "fr") in files["cahier.txt"].decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(ws.debrief_csv_zip(code))) as zf:
        assert "€/kVA/an" not in zf.read("decisions.csv").decode("utf-8")  # decisions name options


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_a_regulated_variant_rebates_the_first_decile_and_is_paid_from_the_margin(ws: Workshop) -> None:
    code, token = ws.create_session(REGULATED, "commons", 2)
    people = room(ws, code)
    ws.propose_electricity_tariff(code, people[0]["token"], **REBATE)
    (stored,) = ws.store.tariff_variants(code, 1)
    t = stored["tariff"]
    in_force = ws.base_scenario(code).tariff.model_dump(mode="json")
    # the price is the national one: only the rebate differs from the tariff in force
    assert {k for k in t if t[k] != in_force[k]} == {"social"}
    ws.open_vote(code, token)
    agenda = ws.current_agenda(code)
    shown, keep = option_of(agenda, "variant_1"), option_of(agenda, "keep")
    assert shown["admissible"], shown["why_not"]
    assert shown["effects"]["extra_cost_eur_per_year"] > 0  # what the margin pays
    by_decile, kept = shown["effects"]["bill_by_decile_eur"], keep["effects"]["bill_by_decile_eur"]
    assert by_decile[0] < kept[0] and by_decile[1:] == kept[1:]
    assert shown["effects"]["bill_ref_eur"] == keep["effects"]["bill_ref_eur"]
    for p in people:
        ws.vote(code, p["token"], "tariff", "variant_1")
    ws.close_vote(code, token)
    ws.open_vote(code, token)
    assert ws.current_tariff(code) == t
    ws.close_vote(code, token)
    years = ws.run(code).years
    start = ws.base_scenario(code).town.start_year
    billed = float(years.loc[years["year"] == start + 1, "bill_ref_eur"].iloc[0])
    assert math.isclose(billed, shown["effects"]["bill_ref_eur"], rel_tol=1e-9)
    baseline = ws.debrief(code).outcomes
    assert not baseline.empty


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_a_scenarios_variant_that_changes_the_regulated_price_is_not_admissible() -> None:
    """The scenario door too: a variant written in a file may not move the national price."""
    s = sim.load_scenario(ROOT / "scenarios" / "electricity" / "town.yaml")
    dearer = s.tariff.model_copy(update={"energy_part_factor": 1.2}).model_dump(mode="json")
    run = sim.simulate(
        sim.with_changes(
            s,
            {
                "horizon_years": 2,
                "governance.regime": "commons",
                "governance.committee.variants": [dearer],
                "governance.committee.stop_at_meeting": 1,
            },
        )
    )
    v = option_of(run.agenda, "variant_1")
    assert not v["admissible"]
    assert "set nationally" in v["why_not"]

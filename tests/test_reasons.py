"""Decision reasons: recorded as codes with parameters, worded in French and English at the edges.

The rules record :data:`sim.i18n.Reason` values; :func:`sim.i18n.reason_text` words them from the
``reason.<code>`` messages of ``sim/locales``, the one way to translate.
"""

from __future__ import annotations

import json
import re
import string
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from sim import load_scenario, scale_town, simulate, with_changes
from sim.dashboard.common import decision_reasons
from sim.experiments.run import _decisions_table
from sim.i18n import (
    LANGS,
    MissingTranslation,
    catalogue,
    reason,
    reason_code,
    reason_params,
    reason_params_json,
    reason_text,
    word_reason,
)
from sim.scenario.loader import builtin_names

ROOT = Path(__file__).resolve().parent.parent
#: water's shipped scenarios and electricity's
SCENARIOS = ROOT / "scenarios"
SHIPPED = [SCENARIOS / n for n in builtin_names()] + sorted(SCENARIOS.glob("electricity/*.yaml"))
REGIMES = ("concession", "regie", "commons")
NNBSP = "\u202f"

#: words of English sentences that no French reason may hold
ENGLISH = {
    "the", "of", "and", "by", "not", "at", "with", "from", "over", "needed", "households", "bills",
    "votes", "more", "than", "supported", "tolerated", "margin", "winning", "financed", "EUR",
    "FTE", "cannot", "does", "fell", "ended", "re-tender", "nothing", "passed", "logged",
}  # fmt: skip


@cache
def shipped_decisions(path: Path, regime: str) -> pd.DataFrame:
    """The decisions of a shipped scenario under ``regime``: 12 years, 400 households."""
    s = load_scenario(path)
    s = with_changes(scale_town(s, 400), {"horizon_years": 12, "governance.regime": regime})
    return simulate(s, seed=1).decisions


def _fields(code: str, lang: str) -> set[str]:
    fields = set()
    for c in code.split("+"):
        fields |= {f for _, f, _, _ in string.Formatter().parse(catalogue(lang)[f"reason.{c}"]) if f}
    return fields - {"rest"}


@pytest.mark.parametrize("regime", REGIMES)
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.stem}")
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_every_reason_of_the_shipped_scenarios_is_worded_in_both_languages(path: Path, regime: str) -> None:
    d = shipped_decisions(path, regime)
    assert len(d)
    for code, params in zip(d["reason_code"], d["reason_params"], strict=True):
        assert code, "a rule recorded an English sentence instead of a reason code"
        given = set(json.loads(params))
        for lang in LANGS:
            assert all(f"reason.{c}" in catalogue(lang) for c in code.split("+")), (code, lang)
            # every figure the rule recorded is said, and every field of the text is given
            assert _fields(code, lang) == given, (code, lang)
            text = reason_text(code, params, lang)  # raises under tests if a field is missing
            assert text and "{" not in text


@pytest.mark.parametrize(
    ("name", "regime"),
    [("remunicipalisation", "concession"), ("commons", "commons"), ("electricity/crisis-2022", "commons")],
)
def test_the_french_reasons_of_a_shipped_run_hold_no_english_sentence(name: str, regime: str) -> None:
    d = shipped_decisions(ROOT / "scenarios" / f"{name}.yaml", regime)
    assert len(d)
    for code, params, fr in zip(d["reason_code"], d["reason_params"], d["reason_fr"], strict=True):
        said = reason_text(code, params, "fr")
        assert said == fr
        words = set(re.findall(r"[A-Za-z][\w'-]*", said))
        assert not words & ENGLISH, (code, said)


def test_a_reason_is_codes_with_parameters_composed_explicitly() -> None:
    r = reason("colleges_support", colleges=2) + reason("outvoted")
    assert r == (("colleges_support", {"colleges": 2}), ("outvoted", {}))
    assert reason_code(r) == "colleges_support+outvoted"
    assert reason_params_json(r) == '{"colleges":2}'
    assert word_reason(r, "en") == "supported by 2 of 3 colleges; another option had more votes"
    assert word_reason(r, "fr") == "soutenue par 2 collège(s) sur 3 ; une autre option a eu plus de voix"


def test_a_message_with_rest_holds_the_parts_after_it() -> None:
    r = reason("not_admissible") + reason("standing_charge_above_cap", standing_charge_pct=41.6, cap_pct=40)
    assert word_reason(r, "en") == "not admissible: standing charge 42 % > cap 40 %"
    assert word_reason(r, "fr") == "irrecevable : part fixe 42 % > plafond 40 %"


def test_numbers_yes_no_and_named_amounts_are_worded_the_language_s_way() -> None:
    r = reason(
        "contract_ended",
        staff_transferred_fte=12.345,
        transition_eur=1234567.8,
        assets_returned=True,
        provisions_returned=False,
        provisions_eur=0.0,
    )
    assert word_reason(r, "en") == (
        "contract ended; 12.3 FTE transferred; transition 1,234,568 EUR; assets returned: True; "
        "provisions returned: False (0 EUR)"
    )
    assert word_reason(r, "fr") == (
        f"fin du contrat ; 12,3 ETP transférés ; transition 1{NNBSP}234{NNBSP}568 € ; biens de retour "
        "rendus : oui ; provisions rendues : non (0 €)"
    )
    amounts = [("staff", 2500.0), ("overheads", 1000)]
    parts = reason("opening_cost_of_service", cost_eur=3500.0, cost_parts=amounts)
    said = word_reason(parts, "en")
    assert said == "opening tariff at the cost of service: 3,500 EUR (staff 2,500, overheads 1,000)"
    said = word_reason(parts, "fr")
    assert said.endswith(f"3{NNBSP}500 € (personnel 2{NNBSP}500, frais généraux 1{NNBSP}000)")


def test_the_params_column_words_the_same_as_the_recorded_reason() -> None:
    r = reason("cost_recovery_bounded", needed_pct=-6.54321, bound_pct=5.0)
    for lang in LANGS:
        assert reason_text(reason_code(r), reason_params_json(r), lang) == word_reason(r, lang)
    assert reason_text("", "{}", "fr") == ""


def test_two_parts_may_not_give_one_parameter_two_values() -> None:
    with pytest.raises(ValueError, match="colleges"):
        reason_params(reason("colleges_support", colleges=2) + reason("colleges_support", colleges=3))


def test_an_unknown_code_or_a_missing_parameter_is_a_bug() -> None:
    with pytest.raises(MissingTranslation):
        reason_text("no_such_reason", {}, "fr")
    with pytest.raises(MissingTranslation):
        reason_text("cost_recovery_bounded", {"needed_pct": 1.0}, "en")


def test_a_rule_still_writing_english_shows_it_without_a_code() -> None:
    """A rule in the old style (an English sentence) keeps its words, with no code: the tests above
    then fail on the shipped runs until it records a code."""

    class Eng:
        decisions = [
            {"item": "x", "reason": "an English sentence"},
            {"item": "tariff", "reason": reason("frozen_before_election")},
        ]

    d = _decisions_table(Eng())  # type: ignore[arg-type]
    assert d["reason_code"].tolist() == ["", "frozen_before_election"]
    assert d["reason_fr"].tolist() == ["an English sentence", "tarif gelé l'année précédant l'élection"]
    assert decision_reasons(d, "fr") == d["reason_fr"].tolist()
    assert decision_reasons(d, "en") == d["reason"].tolist()


def test_every_reason_message_fills_in_both_languages() -> None:
    """Codes that the shipped runs above may not reach (a veto, a room's log, a return's terms):
    each message is filled from the fields it names, in both languages."""
    codes = [k.removeprefix("reason.") for k in catalogue("en") if k.startswith("reason.")]
    codes = [c for c in codes if not c.startswith("part.") and c not in ("sep", "true", "false")]
    assert len(codes) >= 29
    for code in codes:
        params = {f: 1.5 for f in _fields(code, "en")}
        if "cost_parts" in params:
            params["cost_parts"] = [["staff", 1.5]]  # type: ignore[assignment]
        for lang in LANGS:
            text = reason_text(code, params, lang)
            assert text and "{" not in text, (code, lang)

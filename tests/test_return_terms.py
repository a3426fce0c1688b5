"""The workers' terms of a return to public hands: subcontracting and pay at the switch
(:mod:`sim.governance.return_terms`, parameters of ``governance.concession``)."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import simulate
from sim.experiments.run import make_policy
from sim.governance.base import GovernedPolicy
from sim.governance.return_terms import ReturnTerms
from sim.scenario.model import load_scenario, scenarios_dir, with_changes

C = "governance.concession."
SWITCH = 2031  # scenarios/remunicipalisation.yaml: the contract ends at the start of 2031


@pytest.fixture(scope="module")
def base():  # type: ignore[no-untyped-def]
    return with_changes(load_scenario(scenarios_dir() / "remunicipalisation.yaml"), {"horizon_years": 8})


@pytest.fixture(scope="module")
def plain(base):  # type: ignore[no-untyped-def]
    return simulate(base)


def sub_share(result) -> pd.Series:  # type: ignore[no-untyped-def]
    w = result.workforce.set_index("year")
    return 100 * w["fte_subcontracted"] / (w["fte_in_house"] + w["fte_subcontracted"])


def test_without_terms_the_policy_is_the_regimes_own(base) -> None:  # type: ignore[no-untyped-def]
    assert type(make_policy(base)) is GovernedPolicy
    assert isinstance(make_policy(with_changes(base, {C + "wage_change_at_return_pct": 3})), ReturnTerms)


def test_subcontracting_brought_in_house_at_the_switch(base, plain) -> None:  # type: ignore[no-untyped-def]
    r = simulate(with_changes(base, {C + "subcontracted_pct_after_return": 0}))
    share, before = sub_share(r), sub_share(plain)
    assert (share.loc[:2030] == before.loc[:2030]).all()  # nothing changes before the switch
    assert before.loc[SWITCH:].round(6).eq(base.workforce.subcontracted_pct).all()  # default: carried on
    assert (share.loc[SWITCH:] == 0).all()
    w, w0 = r.workforce.set_index("year"), plain.workforce.set_index("year")
    assert (w.loc[SWITCH:, "fte_in_house"] > w0.loc[SWITCH:, "fte_in_house"]).all()
    # the work brought in is paid in-house: a higher wage bill, a lower subcontracting bill
    assert (w.loc[SWITCH:, "wage_bill_eur"] > w0.loc[SWITCH:, "wage_bill_eur"]).all()
    sub = r.periods.groupby("year")["subcontracting_eur"].sum()
    assert (sub.loc[SWITCH:] == 0).all() and (sub.loc[:2030] > 0).all()
    row = r.decisions[r.decisions["item"] == "return_terms"]
    assert list(row["option"]) == ["insourced"] and list(row["date"]) == [f"{SWITCH}-01-01"]
    assert row["reason_fr"].iloc[0].startswith("travail sous-traité 15 % -> 0 %")


def test_a_pay_agreement_moves_the_wage_bill_by_its_rate(base, plain) -> None:  # type: ignore[no-untyped-def]
    r = simulate(with_changes(base, {C + "wage_change_at_return_pct": 10}))
    w, w0 = r.workforce.set_index("year"), plain.workforce.set_index("year")
    pd.testing.assert_series_equal(w.loc[:2030, "wage_bill_eur"], w0.loc[:2030, "wage_bill_eur"])
    # no overtime in this town: the wage bill is FTE × wage, so it moves by exactly 10 %
    assert (w0["overtime_hours"] == 0).all()
    ratio = w.loc[SWITCH:, "wage_bill_eur"] / w0.loc[SWITCH:, "wage_bill_eur"]
    assert ratio.to_numpy() == pytest.approx(1.10, rel=1e-9)


def test_a_concession_that_continues_ignores_the_terms(base, plain) -> None:  # type: ignore[no-untyped-def]
    retender = with_changes(base, {C + "at_end": "retender"})
    r0 = simulate(retender)
    r = simulate(
        with_changes(retender, {C + "subcontracted_pct_after_return": 0, C + "wage_change_at_return_pct": 10})
    )
    pd.testing.assert_frame_equal(r.workforce, r0.workforce)
    pd.testing.assert_frame_equal(r.years, r0.years)
    assert "return_terms" not in set(r.decisions["item"])

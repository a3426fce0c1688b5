"""Dashboard tests (AppTest): the « Remunicipalisation » page and its pure helpers."""

from __future__ import annotations

from pathlib import Path

import apptest
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sim import simulate
from sim.dashboard import remunicipalisation as page
from sim.i18n import t
from sim.scenario.model import load_scenario, scenarios_dir

# pages run through Streamlit's AppTest: the slow tier
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = "sim/dashboard/remunicipalisation.py"
TIMEOUT = 120


def open_page(lang: str | None = None) -> AppTest:
    return apptest.open_page(PAGE, lang, TIMEOUT)


def decisions_of(at: AppTest) -> pd.DataFrame:
    """The contract's decisions under your choice (the tables: workforce, financing, decisions)."""
    return at.dataframe[2].value


def metric(at: AppTest, label: str) -> object:
    found = [m for m in at.metric if m.label == label]
    assert found, [m.label for m in at.metric]
    return found[0]


@pytest.fixture(scope="module")
def base():  # type: ignore[no-untyped-def]
    return load_scenario(scenarios_dir() / page.SCENARIO_FILE)


@pytest.fixture(scope="module")
def runs(base):  # type: ignore[no-untyped-def]
    chosen, baseline = page.scenario_pair(base, 2031, "regie")
    return simulate(chosen), simulate(baseline)


# ------------------------------------------------------------------------------------------
# the page in the app
# ------------------------------------------------------------------------------------------
def test_page_renders_in_french() -> None:
    at = open_page()
    assert [x.value for x in at.title] == ["Remunicipalisation"]
    assert at.number_input(key="remun.end_year").value == 2031
    assert at.radio(key="remun.at_end").value == "regie"
    assert len(at.get("plotly_chart")) == 3  # outflow, price, workforce
    decisions = decisions_of(at)
    assert "Fin du contrat" in set(decisions["Décision"])
    assert "Retour en régie publique" in set(decisions["Choix"])
    assert metric(at, "Personnel transféré").value == "27,4 ETP"  # 0.98 × 1.4 × 20 000 / 1000


def test_page_renders_in_english() -> None:
    at = open_page("en")
    assert [x.value for x in at.title] == ["Remunicipalisation"]
    assert metric(at, "Before 2031, per year").value.startswith("€")
    decisions = decisions_of(at)
    assert "End of the contract" in set(decisions["Decision"])


def test_the_page_shows_the_outflow_drop_after_the_switch() -> None:
    at = open_page()
    before = metric(at, t("remun.metric.before", "fr", year=2031))
    after = metric(at, t("remun.metric.after", "fr", year=2031))
    continuing = metric(at, t("remun.metric.baseline_after", "fr", year=2031))
    assert after.delta.startswith("-")  # less money leaves after the switch

    def euros(text: str) -> float:
        return float(text.replace("\u202f", "").replace("\xa0", "").replace("€", "").replace(" ", ""))

    # the switch cuts it more than a continuing concession (whose re-tender is a competitive bid)
    assert euros(after.delta) < euros(continuing.delta)
    kept = metric(at, t("remun.metric.kept", "fr", year=2031))
    assert not kept.value.startswith("-")
    assert before.value != after.value


def test_a_later_end_year_moves_the_switch() -> None:
    at = open_page()
    at.number_input(key="remun.end_year").set_value(2036).run()
    assert not at.exception
    decisions = decisions_of(at)
    row = decisions[decisions["Décision"] == "Fin du contrat"]
    assert list(row["Date"]) == ["2036-01-01"]
    assert metric(at, t("remun.metric.before", "fr", year=2036))


def test_commons_and_retender_options() -> None:
    at = open_page()
    at.radio(key="remun.at_end").set_value("commons").run()
    assert not at.exception
    assert "Passage en communs co-gouvernés" in set(decisions_of(at)["Choix"])
    at.radio(key="remun.at_end").set_value("retender").run()
    assert not at.exception
    assert any(t("remun.same_as_baseline") == i.value for i in at.info)


def euros(text: str) -> int:
    """Whole euros from a formatted amount (``847 029 €`` -> 847029)."""
    return int("".join(ch for ch in text if ch.isdigit()))


def test_contract_parameters_come_from_the_schema() -> None:
    at = open_page()
    label = t("remun.metric.transition")
    before = euros(metric(at, label).value)
    key = "remun.w.governance.concession.transition_cost_eur"
    assert at.number_input(key=key).value == 800_000.0
    at.number_input(key=key).set_value(2_000_000.0).run()
    assert not at.exception
    after = euros(metric(at, label).value)
    # the cost is paid in current euros of the switch year: both scale by the same price index
    assert after / before == pytest.approx(2_000_000 / 800_000, rel=1e-6)


# ------------------------------------------------------------------------------------------
# pure helpers
# ------------------------------------------------------------------------------------------
def test_outflow_by_year_sums_the_periods(runs) -> None:  # type: ignore[no-untyped-def]
    chosen, _ = runs
    by_year = page.outflow_by_year(chosen.periods)
    assert len(by_year) == chosen.scenario.horizon_years
    first = chosen.periods[chosen.periods["year"] == 2026]
    for col in page.OUTFLOW_COLUMNS:
        assert by_year.loc[2026, col] == pytest.approx(first[col].sum())
    assert by_year["total_eur"].to_numpy() == pytest.approx(
        by_year[list(page.OUTFLOW_COLUMNS)].sum(axis=1).to_numpy()
    )
    # the engine's own yearly total agrees
    assert by_year["total_eur"].to_numpy() == pytest.approx(chosen.years["outflow_eur"].to_numpy())


def test_margin_and_fees_stop_at_the_switch(runs) -> None:  # type: ignore[no-untyped-def]
    chosen, baseline = runs
    out, base_out = page.outflow_by_year(chosen.periods), page.outflow_by_year(baseline.periods)
    fees = [
        "margin_eur",
        "head_office_eur",
        "delegation_overhead_eur",
        "corporate_tax_eur",
        "provision_kept_eur",
    ]
    assert (out.loc[out.index >= 2031, fees] == 0).all().all()
    assert (out.loc[out.index < 2031, "margin_eur"] > 0).all()
    assert (base_out.loc[base_out.index >= 2031, "margin_eur"] > 0).all()
    before, after = page.before_after(out, 2031)
    _, base_after = page.before_after(base_out, 2031)
    assert after < before and after < base_after
    # before the switch both runs are the same run (same seed, same contract)
    pd.testing.assert_frame_equal(out.loc[out.index < 2031], base_out.loc[base_out.index < 2031])


def test_contract_decisions_keep_avenants_and_the_end(runs) -> None:  # type: ignore[no-untyped-def]
    chosen, _ = runs
    table = page.contract_decisions(chosen.decisions, "fr")
    assert set(table["Décision"]) <= {"Revoyure (avenant)", "Fin du contrat"}
    assert (table["Décision"] == "Fin du contrat").sum() == 1


def test_scenario_pair_sets_end_year_and_baseline(base) -> None:  # type: ignore[no-untyped-def]
    chosen, baseline = page.scenario_pair(
        base, 2035, "commons", {"governance.concession.staff_transferred_share": 0.5}
    )
    c = chosen.governance.concession
    assert page.contract_end_year(chosen) == 2035 and c.at_end == "commons"
    assert c.staff_transferred_share == 0.5
    assert baseline.governance.concession.at_end == "retender"
    assert baseline.model_copy(update={"governance": chosen.governance}) == chosen
    lo, hi = page.end_year_bounds(base)
    assert (lo, hi) == (2027, 2055)


def test_outflow_figure_stacks_every_line_for_both_runs(runs) -> None:  # type: ignore[no-untyped-def]
    chosen, baseline = runs
    fig = page.outflow_figure(
        page.outflow_by_year(chosen.periods), page.outflow_by_year(baseline.periods), 2031, "regie", "fr"
    )
    assert fig.layout.barmode == "relative"
    assert [tr.meta for tr in fig.data] == list(page.OUTFLOW_COLUMNS) * 2
    assert sum(tr.showlegend for tr in fig.data) == len(page.OUTFLOW_COLUMNS)


# ------------------------------------------------------------------------------------------
# the workers' side and the transition's financing (issue 14)
# ------------------------------------------------------------------------------------------
TERMS = "remun.w.governance.concession."


def test_the_workers_story_and_subcontracting_brought_in_house() -> None:
    at = open_page()
    assert t("remun.workforce.header") in [h.value for h in at.header]
    sub = metric(at, t("remun.metric.subcontracted"))
    assert sub.value == "15\xa0%" and sub.delta == "15\xa0% en 2030"  # unchanged by default
    wage = metric(at, t("remun.metric.wage_bill", year=2031))
    assert wage.delta.startswith("0\xa0€")  # same wage bill as the concession that continues
    assert any("L1224-1" in m.value for m in at.markdown)  # the statute, in words
    at.number_input(key=TERMS + "subcontracted_pct_after_return").set_value(0.0).run()
    assert not at.exception
    assert metric(at, t("remun.metric.subcontracted")).value == "0\xa0%"
    assert metric(at, t("remun.metric.in_house")).value == "28,0 ETP"
    assert euros(metric(at, t("remun.metric.wage_bill", year=2031)).delta) > 100_000
    table = decisions_of(at)
    row = table[table["Décision"] == t("remun.item.return_terms")]
    assert list(row["Choix"]) == [t("remun.option.insourced")]
    at.number_input(key=TERMS + "wage_change_at_return_pct").set_value(5.0).run()
    assert metric(at, t("remun.metric.wage")).value == "5,0\xa0%"


def test_the_workers_story_in_english() -> None:
    at = open_page("en")
    assert "The workers" in [h.value for h in at.header]
    assert metric(at, "Staff transferred").delta == "of 28.0 FTE"
    assert metric(at, "Share subcontracted").value == "15%"
    assert any(i.value.startswith("**Overtime: none**") for i in at.info)


def test_no_overtime_is_said_in_words_not_drawn_empty(runs) -> None:  # type: ignore[no-untyped-def]
    chosen, baseline = runs
    assert (chosen.workforce["overtime_hours"] == 0).all()
    at = open_page()
    assert any(i.value.startswith("**Heures supplémentaires : aucune**") for i in at.info)
    fig = page.workforce_figure(chosen.workforce, baseline.workforce, 2031, "regie", "fr")
    assert "overtime_hours" not in {tr.meta for tr in fig.data}
    assert len(fig.layout.annotations) == 3  # three panel titles, no empty fourth panel


def test_overtime_is_drawn_when_crews_work_it(base) -> None:  # type: ignore[no-untyped-def]
    # a threshold of 0.2 repairs per crew and month: the crews work overtime
    busy = base.model_copy(
        update={
            "workforce": base.workforce.model_copy(update={"overtime_threshold_repairs_per_crew_month": 0.2})
        }
    )
    chosen_s, baseline_s = page.scenario_pair(busy, 2031, "regie")
    chosen, baseline = simulate(chosen_s), simulate(baseline_s)
    assert chosen.workforce["overtime_hours"].sum() > 0
    fig = page.workforce_figure(chosen.workforce, baseline.workforce, 2031, "regie", "fr")
    traces = [tr for tr in fig.data if tr.meta == "overtime_hours"]
    assert len(traces) == 1 and max(traces[0].y) > 0
    assert t("ind.overtime_hours", "fr") in [a.text for a in fig.layout.annotations]


def test_transition_cost_and_its_financing_add_up(runs) -> None:  # type: ignore[no-untyped-def]
    chosen, baseline = runs
    cost = page.transition_cost(chosen.periods)
    reserves, loan = page.transition_split(chosen.decisions)
    assert cost > 0 and reserves + loan == pytest.approx(cost, abs=1.0)  # the reason rounds to 1 €
    assert page.transition_split(baseline.decisions) is None
    frame = page.financing_frame(chosen.years, baseline.years, chosen.periods, 2031)
    assert list(frame.index) == [2030, 2031, 2032, 2033, 2034, 2035]
    assert frame.loc[2031, "transition_eur"] == pytest.approx(cost)
    # the loan is taken in the switch year, on top of what the continuing concession borrows
    extra = frame.loc[2031, "loan_proceeds_eur"] - frame.loc[2031, "loan_proceeds_eur_baseline"]
    assert extra >= loan - 1.0
    assert frame.loc[2030, "loan_proceeds_eur"] == frame.loc[2030, "loan_proceeds_eur_baseline"]
    at = open_page()
    assert euros(metric(at, t("remun.metric.loan")).value) + euros(
        metric(at, t("remun.metric.from_reserves")).value
    ) == pytest.approx(euros(metric(at, t("remun.metric.transition")).value), abs=2)
    financing = at.dataframe[1].value
    assert list(financing[t("ind.year")]) == ["2030", "2031", "2032", "2033", "2034", "2035"]
    assert t("remun.fin.col.unfinanced") in financing.columns


def test_the_money_figures_are_said_under_the_title() -> None:
    """The money leaving the service before and after the end of the contract, under your choice
    and if the concession continues, stands also in a sentence right under the title, the
    metrics' numbers (text: a new visitor's browser draws it with the title, before it has the
    metrics' script; sim/dashboard/firstview.py, issue 14)."""
    at = open_page()
    words = at.markdown[1].value  # after the introduction, before any widget
    assert words.startswith("**Argent qui quitte le service"), words
    for key in ("remun.metric.before", "remun.metric.after", "remun.metric.baseline_after"):
        assert metric(at, t(key, "fr", year=2031)).value in words, (key, words)

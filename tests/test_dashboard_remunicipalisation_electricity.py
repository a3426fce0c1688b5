"""The « Remunicipalisation » page for electricity (AppTest): a local distribution company's return
from a private concession to a municipal régie, in French and English, through the same functions
as water's; the figures shown are the run's; what the law fixes nationally is said in words."""

from __future__ import annotations

from typing import Any

import apptest
import pytest
from streamlit.testing.v1 import AppTest
from test_dashboard_electricity import english_words, page_texts

from sim import simulate
from sim.dashboard import remunicipalisation as page
from sim.dashboard import share
from sim.i18n import fmt_eur, fmt_number, t
from sim.scenario.model import load_scenario, scenarios_dir

pytestmark = pytest.mark.slow

PAGE = "sim/dashboard/remunicipalisation.py"
TIMEOUT = 180
SWITCH = 2031


def open_electricity(lang: str | None = None) -> AppTest:
    at = apptest.open_page(PAGE, lang, TIMEOUT)
    at.segmented_control(key=share.SERVICE_WIDGET).set_value("electricity").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> Any:
    found = [m for m in at.metric if m.label == label]
    assert len(found) == 1, [m.label for m in at.metric]
    return found[0]


@pytest.fixture(scope="module")
def runs() -> tuple[Any, Any]:
    """The page's two runs, computed here from the shipped scenario (not through the page)."""
    base = load_scenario(scenarios_dir() / "electricity" / "remunicipalisation.yaml")
    chosen, baseline = page.scenario_pair(base, SWITCH, "regie")
    return simulate(chosen), simulate(baseline)


@pytest.fixture(scope="module")
def fr() -> AppTest:
    return open_electricity()


def test_the_page_runs_the_electricity_return_in_french(fr: AppTest) -> None:
    at = fr
    assert [x.value for x in at.title] == ["Remunicipalisation"]
    text = "\n".join(m.value for m in at.markdown)
    assert "scenarios/electricity/remunicipalisation.yaml" in text
    assert t("remun.electricity.national", "fr") in text
    assert t("remun.electricity.statute", "fr") in text
    assert "IEG" in text and "§1.2" in text
    for name in ("TURPE", "TRVE", "L.2224-31", "L.111-52"):
        assert name in text
    assert t("remun.electricity.price.header", "fr") in [h.value for h in at.header]
    assert at.number_input(key="remun.electricity.end_year").value == SWITCH
    assert at.radio(key="remun.electricity.at_end").value == "regie"
    assert len(at.get("plotly_chart")) == 3  # outflow, price, workforce
    assert english_words(page_texts(at)) == set()


def test_the_figures_shown_are_those_of_the_run(fr: AppTest, runs: tuple[Any, Any]) -> None:
    chosen, baseline = runs
    c_out, b_out = page.outflow_by_year(chosen.periods), page.outflow_by_year(baseline.periods)
    # the money that leaves the service, summed from the run's periods here
    years = chosen.periods.groupby("year")[list(page.OUTFLOW_COLUMNS)].sum().sum(axis=1)
    before = float(years[years.index < SWITCH].mean())
    after = float(years[years.index >= SWITCH].mean())
    assert metric(fr, t("remun.metric.before", "fr", year=SWITCH)).value == fmt_eur(before, "fr", 0)
    assert metric(fr, t("remun.metric.after", "fr", year=SWITCH)).value == fmt_eur(after, "fr", 0)
    kept = float(
        b_out.loc[b_out.index >= SWITCH, "total_eur"].sum()
        - c_out.loc[c_out.index >= SWITCH, "total_eur"].sum()
    )
    assert kept > 0  # the operator's surplus no longer leaves
    assert metric(fr, t("remun.metric.kept", "fr", year=SWITCH)).value == fmt_eur(kept, "fr", 0)
    # the workers: staff transferred from the run's workforce table
    transferred = float(chosen.workforce["staff_transferred"].sum())
    assert transferred > 0
    assert metric(fr, t("remun.metric.transferred", "fr")).value == f"{fmt_number(transferred, 'fr', 1)} ETP"
    wage = chosen.workforce.set_index("year")["wage_bill_eur"]
    shown = metric(fr, t("remun.metric.wage_bill", "fr", year=SWITCH)).value
    assert shown == fmt_eur(float(wage[wage.index >= SWITCH].mean()), "fr", 0)
    # the transition and its financing, as the contract's end recorded them
    cost = float(chosen.periods["transition_eur"].sum())
    assert metric(fr, t("remun.metric.transition", "fr")).value == fmt_eur(cost, "fr", 0)
    reserves, loan = page.transition_split(chosen.decisions)
    assert reserves + loan == pytest.approx(cost, abs=2.0)
    assert metric(fr, t("remun.metric.loan", "fr")).value == fmt_eur(loan, "fr", 0)
    # the price: the reference bill, the same in both runs under the regulated tariff
    spec = next(c for c in fr.get("plotly_chart") if "bill_ref_eur" in c.proto.spec)
    assert '"bill_ref_eur"' in spec.proto.spec
    assert chosen.years["bill_ref_eur"].tolist() == baseline.years["bill_ref_eur"].tolist()


def test_the_page_in_english() -> None:
    at = open_electricity("en")
    text = "\n".join(m.value for m in at.markdown)
    assert t("remun.electricity.national.title", "en") in text
    assert "IEG" in text
    assert metric(at, t("remun.metric.transferred", "en")).value.endswith("FTE")
    assert t("remun.electricity.price.header", "en") in [h.value for h in at.header]
    decisions = at.dataframe[2].value
    assert "End of the contract" in set(decisions["Decision"])


def test_water_keeps_its_own_choices_when_electricity_is_shown() -> None:
    at = open_electricity()
    at.number_input(key="remun.electricity.end_year").set_value(SWITCH + 2).run()
    at.segmented_control(key=share.SERVICE_WIDGET).set_value("water").run()
    assert not at.exception
    assert at.number_input(key="remun.end_year").value == SWITCH  # water's own default
    text = "\n".join(m.value for m in at.markdown)
    assert t("remun.intro", "fr") in text and t("remun.electricity.national", "fr") not in text

"""Issue 15, finding 4: crews are a resource with a wage bill and an effect.

They were inert: 1 crew or 6 gave the same repair time and cost the same. Crews now also do
planned work (sim.core.workforce.Crews.plan), so a break found during a planned job waits for its
end, and each crew is paid (workforce.crew_size_fte FTE)."""

from __future__ import annotations

import pytest
import simpy

from sim import load_scenario, simulate
from sim.core.workforce import HOURS_PER_YEAR_WORKED, WORKDAY_H, Crews


def run(crews: int):
    return simulate(
        load_scenario("scenarios/regie.yaml", {"workforce.crews": crews, "horizon_years": 6}), seed=1
    )


@pytest.fixture(scope="module")
def one_and_six():
    return run(1), run(6)


def test_fewer_crews_mean_longer_waits(one_and_six) -> None:
    one, six = one_and_six
    w1 = one.events.query("kind == 'break'")["wait_h"].mean()
    w6 = six.events.query("kind == 'break'")["wait_h"].mean()
    assert w1 > 3 * w6 > 0
    # the same breaks on one seed (common random numbers): only the waits differ
    assert len(one.events) == len(six.events)


def test_a_crew_is_a_wage_bill(one_and_six) -> None:
    one, six = one_and_six
    s = load_scenario("scenarios/regie.yaml")
    assert six.years["fte"].iloc[0] - one.years["fte"].iloc[0] == pytest.approx(5 * s.workforce.crew_size_fte)
    # year 1 (prices of the first year): 15 FTE more; the single crew's overtime is paid on top of its wage
    extra = 5 * s.workforce.crew_size_fte * s.workforce.wage_cost_eur_per_fte_year
    sub = s.workforce.subcontracted_pct / 100
    base_gap = six.workforce["wage_bill_eur"].iloc[0] - one.workforce["wage_bill_eur"].iloc[0]
    assert base_gap < extra * (1 - sub) + 1e-6  # in-house share, less the single crew's overtime
    assert one.workforce["overtime_hours"].iloc[0] > 0 == six.workforce["overtime_hours"].iloc[0]


def test_planned_work_is_shared_and_its_excess_is_overtime() -> None:
    crews = Crews(simpy.Environment(), 2, start_weekday=0)  # hour 0 is a Monday
    crews.plan(2 * HOURS_PER_YEAR_WORKED * 0.5)  # half of two crews' time
    assert crews.planned_h_per_day == pytest.approx(WORKDAY_H / 2)
    assert crews.planned_release(9.0) == pytest.approx(8.0 + 3.5)  # Monday 9:00: job ends 11:30
    assert crews.planned_release(12.0) == 12.0  # after the job
    assert crews.planned_release(5 * 24 + 9.0) == 5 * 24 + 9.0  # Saturday: no planned work
    crews.plan(3 * HOURS_PER_YEAR_WORKED)  # more than two crews can do
    assert crews.planned_h_per_day == WORKDAY_H
    assert crews.planned_overtime_h_year == pytest.approx(HOURS_PER_YEAR_WORKED)

"""Issues 12 and 17: the crews' queue computed a month at a time (sim.core.workforce.CrewQueue) does
what a SimPy process per job on the crews' store did, to the last bit.

What is proven here: on random jobs (hours and repair times on a coarse grid, so that jobs ask at
the same hour, a crew comes back at the hour another job asks, at a month's end), with the number
of crews changing at month starts (up, and down: a crew leaving waits its turn), the queue starts
the same jobs at the same hours in the same order, and brings the same crews back in the same
month, as the SimPy store the engine uses; and whole electricity and water runs whose crews queue
are the runs whose incidents and breaks are SimPy processes, every table equal.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import load_scenario, scale_town, with_changes
from sim.core.engine import Engine
from sim.core.result import TABLES
from sim.core.workforce import Crews, first_weekday
from sim.experiments.run import engine_for, make_policy, new_service, result_of
from sim.scenario.loader import scenarios_dir

MONTH_H = 720.0

jobs_st = st.lists(  # (month, hour in the month, hours kept)
    st.tuples(
        st.integers(0, 5),
        st.integers(0, 2 * int(MONTH_H)).map(lambda k: k / 2.0),
        st.one_of(st.integers(1, 96), st.integers(1, 3 * int(MONTH_H))).map(lambda k: k / 2.0),
    ),
    max_size=60,
)
sizes_st = st.lists(st.integers(1, 4), min_size=6, max_size=6)


def by_simpy(jobs: list[tuple[int, float, float]], sizes: list[int]) -> list[tuple[Any, ...]]:
    """What the SimPy store does: a process per job, as an electricity incident's."""
    env = simpy.Environment()
    crews = Crews(env, sizes[0])
    log: list[tuple[Any, ...]] = []

    def job(hour: float, hold: float, name: int) -> Generator[Any, Any, None]:
        yield env.timeout(max(hour - env.now, 0.0))
        token = yield crews.store.get()
        log.append(("start", env.now, name))
        yield env.timeout(hold)
        crews.store.put(token)
        log.append(("back", env.now, name))

    def main() -> Generator[Any, Any, None]:
        for m, size in enumerate(sizes):
            crews.set_size(size)
            for i, (jm, hour, hold) in enumerate(jobs):
                if jm == m:
                    env.process(job(m * MONTH_H + hour, hold, i))
            yield env.timeout((m + 1) * MONTH_H - env.now)
            log.append(("end", m))

    env.run(until=env.process(main()))
    return sorted_within_months(log)


def by_queue(jobs: list[tuple[int, float, float]], sizes: list[int]) -> list[tuple[Any, ...]]:
    env = simpy.Environment()
    crews = Crews(env, sizes[0])
    queue = crews.use_queue()
    log: list[tuple[Any, ...]] = []

    def main() -> Generator[Any, Any, None]:
        for m, size in enumerate(sizes):
            crews.set_size(size)
            now = env.now
            for i, (jm, hour, hold) in enumerate(jobs):
                if jm == m:
                    queue.ask(now + max(m * MONTH_H + hour - now, 0.0), hold, i)
            yield env.timeout((m + 1) * MONTH_H - env.now)
            started, back = queue.advance((m + 1) * MONTH_H, m * MONTH_H)
            log.extend([("start", t, i) for t, i in started] + [("back", t, i) for t, i in back])
            log.append(("end", m))

    env.run(until=env.process(main()))
    return sorted_within_months(log)


def sorted_within_months(log: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Starts, then returns, each in its own order, month by month (an incident's effects are its
    start's, in order, and its return's count)."""
    out: list[tuple[Any, ...]] = []
    month: list[tuple[Any, ...]] = []
    for row in log:
        if row[0] == "end":
            out += [r for r in month if r[0] == "start"] + [r for r in month if r[0] == "back"] + [row]
            month = []
        else:
            month.append(row)
    return out


@settings(max_examples=300, deadline=None)
@given(jobs_st, sizes_st)
def test_the_queue_is_the_simpy_store(jobs: list[tuple[int, float, float]], sizes: list[int]) -> None:
    assert by_queue(jobs, sizes) == by_simpy(jobs, sizes)


def test_a_job_longer_than_a_month_ending_at_a_month_end() -> None:
    """A repair started in January that ends exactly at the end of February is back in February's
    accounts (SimPy set its return before February's end), while the job waiting for that crew
    starts in March's (its start is set at that hour, after the month's end)."""
    jobs = [(0, 100.0, 2 * MONTH_H - 100.0), (0, 200.0, 5.0)]
    log = by_queue(jobs, [1] * 6)
    assert log[:6] == [
        ("start", 100.0, 0),
        ("end", 0),
        ("back", 2 * MONTH_H, 0),
        ("end", 1),
        ("start", 2 * MONTH_H, 1),
        ("back", 2 * MONTH_H + 5.0, 1),
    ]
    assert log == by_simpy(jobs, [1] * 6)


def test_a_crew_leaving_waits_its_turn() -> None:
    """Two crews busy until 10 h and 20 h, a job waiting since 5 h; one crew leaves at 8 h, and a
    job asks at 9 h: the job waiting since 5 h takes the crew back at 10 h; the crew leaving is next,
    and goes with it when it is back at 11 h; the job of 9 h waits for the other, back at 20 h."""
    crews = Crews(simpy.Environment(), 2)
    q = crews.use_queue()
    q.ask(0.0, 10.0, "a")
    q.ask(0.0, 20.0, "b")
    q.ask(5.0, 1.0, "c")
    assert q.advance(8.0) == ([(0.0, "a"), (0.0, "b")], [])
    q.resize(2, 1, 8.0)
    q.ask(9.0, 1.0, "d")
    assert q.advance(100.0) == (
        [(10.0, "c"), (20.0, "d")],
        [(10.0, "a"), (11.0, "c"), (20.0, "b"), (21.0, "d")],
    )
    assert q.free_h == [21.0]


def test_crews_in_use_by_processes_cannot_become_a_queue() -> None:
    env = simpy.Environment()
    crews = Crews(env, 2)
    crews.store.get()
    with pytest.raises(RuntimeError):
        crews.use_queue()


def busy_electricity_town() -> Any:
    """Few crews and long repairs: incidents wait for days, across months and years."""
    s = load_scenario(scenarios_dir() / "electricity" / "town.yaml")
    return with_changes(
        scale_town(s, 3_000),
        {
            "horizon_years": 4,
            "workforce.crews": 1,
            "network.incidents_saifi": 6.0,
            "network.customers_per_incident": 20,
            "network.repair_hours_per_incident": 30.0,
        },
    )


def busy_water_town() -> Any:
    """Repairs of 200 h on average (some longer than a month) and the crews' planned work: breaks
    wait for the planned job, then for weeks for a crew."""
    s = load_scenario(scenarios_dir() / "town.yaml")
    return with_changes(s, {"horizon_years": 4, "network.repair_h": 200.0})


def run(s: Any, *, queue: bool) -> dict[str, Any]:
    policy = make_policy(s)
    base = type(policy)

    class CrewsChange(base):  # type: ignore[misc, valid-type]
        """The regime's decisions, then crews 2, 1, 3, 1 (a crew leaves while jobs wait)."""

        def year_start(self, eng: Engine, year: int) -> list[dict[str, Any]]:
            rows = base.year_start(self, eng, year)
            eng.state.crews = (2, 1, 3, 1)[year - s.town.start_year]
            return rows

    changed = CrewsChange.__new__(CrewsChange)
    changed.__dict__.update(policy.__dict__)
    if queue:
        eng = engine_for(s, 1, policy=changed)
    else:  # crews handed to the engine are never a queue: a SimPy process per job
        env = simpy.Environment()
        crews = Crews(env, s.workforce.crews, start_weekday=first_weekday(s.town.start_year))
        eng = Engine(s, 1, new_service(s), policy=changed, env=env, crews=crews)
    eng.run()
    assert (eng.crews.queue is not None) == queue
    res = result_of(eng)
    return {t: res.table(t) for t in TABLES}


def test_an_electricity_run_with_the_queue_is_the_run_with_processes() -> None:
    s = busy_electricity_town()
    fast, slow = run(s, queue=True), run(s, queue=False)
    assert fast["years"]["crew_wait_hours"].min() > 100.0  # incidents did wait
    assert list(fast["workforce"]["crews"]) == [2, 1, 3, 1]
    for t in TABLES:
        assert fast[t].equals(slow[t]), t


def test_a_water_run_with_the_queue_is_the_run_with_processes() -> None:
    s = busy_water_town()
    fast, slow = run(s, queue=True), run(s, queue=False)
    breaks = fast["events"].query("kind == 'break'")
    assert breaks["wait_h"].max() > 200.0 and (breaks["repair_h"] > 720.0).any()
    assert list(fast["workforce"]["crews"]) == [2, 1, 3, 1]
    for t in TABLES:
        assert fast[t].equals(slow[t]), t

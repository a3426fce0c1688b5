"""Ensembles made in parts (``first_run``, ``Ensemble.concat``), a pool kept across calls, and the
statement when every future agrees — what the dashboard's fan charts stand on."""

from __future__ import annotations

import multiprocessing
import sys
import types
from concurrent.futures import Executor, Future
from typing import Any

import pandas as pd
import pytest

from sim import Scenario, with_changes
from sim.core.rng import child_seeds
from sim.experiments.ensemble import Ensemble, _started, compare_many, make_pool, simulate_many

# process pools and many runs: the slow tier
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return with_changes(Scenario(), {"households.count": 300, "horizon_years": 3})


def test_seeds_are_prefix_stable() -> None:
    assert child_seeds(7, 20)[:5] == child_seeds(7, 5)


def test_an_ensemble_made_in_parts_equals_the_ensemble_made_at_once(tiny: Scenario) -> None:
    whole = simulate_many(tiny, 7, seed=3, executor="sequential")
    parts = [
        simulate_many(tiny, 2, seed=3, executor="sequential"),
        simulate_many(tiny, 5, seed=3, executor="sequential", first_run=2),
        simulate_many(tiny, 7, seed=3, executor="sequential", first_run=5),
    ]
    assert sorted(parts[1].years["run"].unique()) == [2, 3, 4]
    assert parts[1].meta["first_run"] == 2
    joined = Ensemble.concat(parts[::-1])  # in any order
    pd.testing.assert_frame_equal(joined.years, whole.years)
    pd.testing.assert_frame_equal(joined.summaries, whole.summaries)
    assert joined.seeds == whole.seeds and joined.runs == 7 and not joined.cancelled
    pd.testing.assert_frame_equal(joined.bands("bill_120m3_eur"), whole.bands("bill_120m3_eur"))
    assert joined.statement("yield_pct", None, "fr") == whole.statement("yield_pct", None, "fr")


def test_concat_refuses_parts_that_do_not_belong_together(tiny: Scenario) -> None:
    a = simulate_many(tiny, 2, seed=3, executor="sequential")
    with pytest.raises(ValueError, match="same run"):
        Ensemble.concat([a, a])
    with pytest.raises(ValueError, match="different"):
        Ensemble.concat([a, simulate_many(tiny, 3, seed=4, executor="sequential", first_run=2)])
    with pytest.raises(ValueError):
        Ensemble.concat([])
    with pytest.raises(ValueError, match="first_run"):
        simulate_many(tiny, 3, seed=3, executor="sequential", first_run=3)


def test_a_cancelled_part_makes_a_cancelled_ensemble(tiny: Scenario) -> None:
    a = simulate_many(tiny, 2, seed=3, executor="sequential")
    b = simulate_many(tiny, 4, seed=3, executor="sequential", first_run=2, cancel=lambda: True)
    assert b.runs == 0 and b.cancelled
    joined = Ensemble.concat([a, b])
    assert joined.cancelled and joined.runs == 2


def test_compare_many_in_parts_keeps_common_random_numbers(tiny: Scenario) -> None:
    scen = {r: with_changes(tiny, {"governance.regime": r}) for r in ("concession", "commons")}
    whole = compare_many(scen, 4, seed=5, executor="sequential")
    first = compare_many(scen, 2, seed=5, executor="sequential")
    rest = compare_many(scen, 4, seed=5, executor="sequential", first_run=2)
    for name in scen:
        joined = Ensemble.concat([first[name], rest[name]])
        pd.testing.assert_frame_equal(joined.years, whole[name].years)
    a, b = whole["concession"].years, whole["commons"].years
    assert (a["seed"].to_numpy() == b["seed"].to_numpy()).all()
    assert (a["drought_year"].to_numpy() == b["drought_year"].to_numpy()).all()


def test_a_kept_pool_gives_the_same_ensemble_and_leaves_main_alone(tiny: Scenario) -> None:
    main = sys.modules["__main__"]
    pool = make_pool(2)
    try:
        assert sys.modules["__main__"] is main
        # both workers are up: two tasks that wait for each other run on a worker each
        with multiprocessing.Manager() as manager:
            barrier = manager.Barrier(2)
            assert len({f.result() for f in [pool.submit(_started, barrier) for _ in range(2)]}) == 2
        got = simulate_many(tiny, 4, seed=3, executor=pool)
        got_again = simulate_many(tiny, 4, seed=3, executor=pool, first_run=2)
    finally:
        pool.shutdown()
    whole = simulate_many(tiny, 4, seed=3, executor="sequential")
    pd.testing.assert_frame_equal(got.years, whole.years)
    assert sorted(got_again.years["run"].unique()) == [2, 3]
    assert isinstance(main, types.ModuleType)


def test_a_statement_says_when_every_future_agrees() -> None:
    years = pd.DataFrame({"run": range(5), "seed": range(5), "year": 2055, "outflow_eur": 0.0, "fte": 12.0})
    e = Ensemble(years=years)
    assert e.statement("outflow_eur", 2055, "fr") == (
        "Dans tous les futurs simulés, l'argent qui quitte le service dans l'année vaut 0\u00a0€ en 2055."
    )
    assert e.statement("outflow_eur", 2055, "en") == (
        "In every simulated future, the money leaving the service in the year is €0 in 2055."
    )
    assert e.statement("fte", 2055, "fr").endswith("vaut 12\u00a0ETP en 2055.")
    assert e.statement("fte", 2055, "en").endswith("is 12 FTE in 2055.")


def test_runs_before_keeps_the_first_runs_only(tiny: Scenario) -> None:
    whole = simulate_many(tiny, 3, seed=3, executor="sequential")
    first = whole.runs_before(2)
    assert first.runs == 2
    assert set(first.years["run"]) == {0, 1} and set(first.summaries["run"]) == {0, 1}
    pd.testing.assert_frame_equal(first.years, simulate_many(tiny, 2, seed=3, executor="sequential").years)


class _Slots(Executor):
    """A fake pool with one free slot: a future leaves the queue for a worker, lowest first,
    whenever a slot frees up; here each cancel call frees one (as a worker does in a real pool,
    between two of the stopping loop's ``cancel`` calls)."""

    def __init__(self) -> None:
        self.futures: list[Future[int]] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[int]:
        pool = self
        i = len(self.futures)

        class Racing(Future):  # type: ignore[type-arg]
            def cancel(self) -> bool:
                out = super().cancel()
                pool.move_next()
                return out

        f: Future[int] = Racing()
        self.futures.append(f)
        if i == 0:  # the first run is made at once
            f.set_running_or_notify_cancel()
            f.set_result(i)
        return f

    def move_next(self) -> None:
        for i, f in enumerate(self.futures):
            if not f.done() and not f.running() and f.set_running_or_notify_cancel():
                f.set_result(i)
                return


def test_a_stopped_batch_keeps_its_first_runs_without_a_gap() -> None:
    """Stopping cancels the runs still queued, from the last: a run a worker takes meanwhile is
    then always the earliest one queued, so what is kept is runs 0, 1, … without a gap (cancelled
    from the first, run 1 was cancelled and run 2 taken: a gap the page would have to drop)."""
    from sim.experiments.ensemble import _run_futures

    asked: list[bool] = []

    def stop() -> bool:
        asked.append(True)
        return len(asked) > 1  # after the first run is counted

    outputs, cancelled = _run_futures(_Slots(), [0, 1, 2, 3], None, stop)  # type: ignore[list-item]
    assert cancelled
    kept = [i for i, o in enumerate(outputs) if o is not None]
    assert kept == list(range(len(kept))) and kept[0] == 0

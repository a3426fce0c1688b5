"""This process as one of an ensemble's workers (``run_tasks`` with local processes).

On ``k`` cores a batch spawns ``k - 1`` workers and runs its share of the tasks here, because this
process has already imported the model (a spawned worker spends about 1 s on it). These tests hold
the sharing to its promises: every task runs once, in this process and in the pool, the outputs are
in task order and equal to a sequential batch, queued tasks are taken back at the end, a stop keeps
the first runs without a gap, and an error stops the batch.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pandas as pd
import pytest

import sim.experiments.ensemble as ensemble
from sim import Scenario, with_changes
from sim.experiments.ensemble import (
    RunOutput,
    _run_shared,
    _take_back,
    _without_gaps,
    run_tasks,
    simulate_many,
)


def _output(key: int) -> RunOutput:
    return RunOutput(key, key, pd.DataFrame(), None, {}, 0.0, threading.get_ident())


@pytest.fixture
def fake_runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """``run_task`` replaced by a 20 ms sleep that records (task, thread) and returns the task."""
    made: list[tuple[int, int]] = []
    lock = threading.Lock()

    def run(task: int, progress: Any = None) -> RunOutput:
        time.sleep(0.02)
        with lock:
            made.append((task, threading.get_ident()))
        return _output(task)

    monkeypatch.setattr(ensemble, "run_task", run)
    return made


def test_the_tasks_are_shared_between_this_process_and_the_pool(fake_runs) -> None:
    seen: list[float] = []
    with ThreadPoolExecutor(1) as pool:
        outputs, cancelled = _run_shared(pool, 1, list(range(12)), seen.append, None)  # type: ignore[arg-type]
    assert not cancelled
    assert [o.key for o in outputs if o is not None] == list(range(12))  # in task order, all made
    assert sorted(t for t, _ in fake_runs) == list(range(12))  # each task once
    here = threading.get_ident()
    by_here = [t for t, who in fake_runs if who == here]
    assert by_here and len(by_here) < 12  # both made runs
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_without_a_pool_this_process_makes_every_run(fake_runs) -> None:
    outputs, cancelled = _run_shared(None, 0, [0, 1, 2], None, None)  # type: ignore[list-item]
    assert not cancelled and [o.key for o in outputs if o is not None] == [0, 1, 2]
    assert {who for _, who in fake_runs} == {threading.get_ident()}


def test_queued_tasks_are_taken_back_from_the_last() -> None:
    gate = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        busy = pool.submit(gate.wait)
        queued = [pool.submit(int, i) for i in range(3)]
        pending: dict[Future[Any], int] = {busy: 0, queued[0]: 1, queued[1]: 2, queued[2]: 3}
        assert _take_back(pending) == 3 and queued[2].cancelled()
        assert _take_back(pending) == 2
        assert _take_back(pending) == 1
        assert _take_back(pending) is None  # the one a worker runs is never taken back
        assert list(pending.values()) == [0]
        gate.set()


def test_a_stop_keeps_the_first_runs_without_a_gap(fake_runs) -> None:
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 3

    with ThreadPoolExecutor(1) as pool:
        outputs, cancelled = _run_shared(pool, 1, list(range(40)), None, stop)  # type: ignore[arg-type]
    assert cancelled
    kept = [i for i, o in enumerate(outputs) if o is not None]
    assert kept and kept == list(range(len(kept))) and len(kept) < 40
    assert _without_gaps([_output(0), None, _output(2)])[2] is None


def test_an_error_in_this_process_stops_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    def run(task: int, progress: Any = None) -> RunOutput:
        if task == 2:
            raise KeyError("unknown indicators")
        time.sleep(0.01)
        return _output(task)

    monkeypatch.setattr(ensemble, "run_task", run)
    with ThreadPoolExecutor(1) as pool, pytest.raises(KeyError, match="unknown indicators"):
        _run_shared(pool, 1, list(range(20)), None, None)  # type: ignore[arg-type]


@pytest.mark.slow
def test_k_workers_spawn_k_minus_one_and_give_the_sequential_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers: one spawned process and this one; one worker: none spawned. The tables are the
    sequential batch's to the bit either way."""
    tiny = with_changes(Scenario(), {"households.count": 300, "horizon_years": 3})
    spawned: list[int] = []
    real = ensemble.ProcessPoolExecutor

    def counting(max_workers: int, **kw: Any) -> Any:
        spawned.append(max_workers)
        return real(max_workers=max_workers, **kw)

    monkeypatch.setattr(ensemble, "ProcessPoolExecutor", counting)
    seq = simulate_many(tiny, 6, seed=5, executor="sequential")
    two = simulate_many(tiny, 6, seed=5, workers=2)
    one = run_tasks([ensemble.RunTask(r, tiny, s, False, None) for r, s in enumerate(seq.seeds)], workers=1)
    assert spawned == [1]  # the second call spawned nothing
    assert two.meta["workers"] == 2 and one.workers == 1
    assert {o.pid for o in one.outputs if o is not None} == {os.getpid()}
    pd.testing.assert_frame_equal(seq.years, two.years, check_exact=True)
    pd.testing.assert_frame_equal(seq.summaries, two.summaries, check_exact=True)
    for out, (_, row) in zip(one.outputs, seq.summaries.iterrows(), strict=True):
        assert out is not None and out.seed == row["seed"]


def test_the_stacked_tables_are_each_runs_table_with_its_run_and_seed() -> None:
    """One concat and two columns give the table a copy and two inserts a run gave (values,
    dtypes, column order, index), text columns included."""
    from sim.experiments.ensemble import _stacked

    tables = []
    for run, seed, rows in ((0, 2**62 + 7, 3), (1, 5, 1), (3, 11, 4)):
        t = pd.DataFrame(
            {
                "year": range(2026, 2026 + rows),
                "price": [1.5 * run + i / 3 for i in range(rows)],
                "level": [f"niveau {i}" for i in range(rows)],
            }
        )
        tables.append((run, seed, t))
    expected = []
    for run, seed, t in tables:
        y = t.copy()
        y.insert(0, "run", run)
        y.insert(1, "seed", seed)
        expected.append(y)
    pd.testing.assert_frame_equal(_stacked(tables), pd.concat(expected, ignore_index=True), check_exact=True)


def test_this_process_reports_its_runs_progress_a_few_hundred_times(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run made here reports every month; the batch passes on a step of 0.2 % at most, in
    order, ending at 1 (the CLI's bar was redrawn ~36,000 times for 200 runs)."""

    def run(task: int, progress: Any = None) -> RunOutput:
        for m in range(360):
            if progress is not None:
                progress((m + 1) / 360)
        return _output(task)

    monkeypatch.setattr(ensemble, "run_task", run)
    seen: list[float] = []
    outputs, _ = _run_shared(None, 0, list(range(50)), seen.append, None)  # type: ignore[arg-type]
    assert all(o is not None for o in outputs)
    assert 400 <= len(seen) <= 502 and seen == sorted(seen) and seen[-1] == 1.0
    assert max(b - a for a, b in zip(seen, seen[1:], strict=False)) < 0.01

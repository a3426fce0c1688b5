"""CPU time of whole runs and of the monthly step, in one process (a measurement, not a test).

    python benchmarks/bench_cpu.py                        # 100,000 households, 12 runs
    python benchmarks/bench_cpu.py --case town --runs 18  # the default town
    python benchmarks/bench_cpu.py --case town --kept     # what an ensemble worker runs

On a shared machine wall times move with the other work; the CPU time of the process
(``time.process_time``) moves much less, and its minimum over many runs is the least disturbed.
This script prints, for one case (``bench_model.build_case``), the minimum and median CPU time of
``simulate`` (or of ``simulate_kept`` with ``--kept``) after one warm-up run, and the monthly
household step (``Engine._month_end``, wrapped on one instance as ``bench_model`` does) of billing
and ordinary months per household: minimum, first quartile and median over every call, in wall
time and, for billing months, in CPU time of the process (both threads when a billing date runs on
two: ``REGIE_SIM_THREADS``, see ``sim.core.billing.thread_count``).

To compare two versions, run it alternately with each on ``PYTHONPATH`` (for instance a copy of
an older commit made with ``git archive``), several times, in the same minutes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(1, str(HERE))  # bench_model, after the sim on PYTHONPATH


def main(argv: list[str] | None = None) -> int:
    from bench_model import build_case

    import sim.experiments.run as runs
    from sim.core.billing import kernel_name

    try:
        from sim.core.billing import thread_count
    except ImportError:  # older code (before the issue-17 threads): one thread

        def thread_count() -> int:
            return 1

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", choices=("town", "town_x5"), default="town_x5")
    ap.add_argument("--runs", type=int, default=12)
    ap.add_argument("--kept", action="store_true", help="time simulate_kept (an ensemble's run)")
    args = ap.parse_args(argv)

    scenario = build_case(args.case)
    n = scenario.households.count
    interval = scenario.billing.interval_months

    def run(seed: int) -> None:
        if args.kept:  # (absent before the issue-17 speed work: compare with simulate there)
            runs.simulate_kept(scenario, seed)
        else:
            runs.simulate(scenario, seed)

    run(1)  # warm-up: lazy imports, numba's cached loops
    cpu = []
    for i in range(args.runs):
        c0 = time.process_time()
        run(1 + i % 3)
        cpu.append(time.process_time() - c0)

    calls: dict[bool, list[float]] = {False: [], True: []}
    cpu_calls: dict[bool, list[float]] = {False: [], True: []}  # CPU of the process: both threads
    for seed in (1, 2, 3):
        eng = runs.engine_for(scenario, seed)
        step = eng._month_end

        def timed(m: int, y: int, cal: int, t0: float, t1: float, step=step) -> None:  # type: ignore[no-untyped-def]
            c = time.process_time()
            s = time.perf_counter()
            step(m, y, cal, t0, t1)
            billing = (cal + 1) % interval == 0
            calls[billing].append(time.perf_counter() - s)
            cpu_calls[billing].append(time.process_time() - c)

        eng._month_end = timed  # type: ignore[method-assign]
        eng.run()

    def ns(values: list[float]) -> str:
        v = sorted(values)
        return (
            f"min {v[0] / n * 1e9:.1f}, first quartile {v[len(v) // 4] / n * 1e9:.1f}, "
            f"median {statistics.median(v) / n * 1e9:.1f} ns per household"
        )

    what = "simulate_kept" if args.kept else "simulate"
    print(
        f"{args.case} ({n:,} households, {scenario.horizon_years} years), billing path {kernel_name()}, "
        f"{thread_count()} thread(s) a billing date, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{what}: CPU min {min(cpu):.3f} s, median {statistics.median(cpu):.3f} s over {len(cpu)} runs")
    print(f"billing month step, wall: {ns(calls[True])} ({len(calls[True])} calls)")
    print(f"billing month step, CPU (all threads): {ns(cpu_calls[True])}")
    print(f"ordinary month step, wall: {ns(calls[False])} ({len(calls[False])} calls)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

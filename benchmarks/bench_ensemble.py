"""Benchmark: 200 replications of the base town on 1 and on 2 local worker processes.

Target (issue "ensembles"): 200 runs of the default town (20,000 households, 30 years) in at most
30 s of wall time with 2 workers.

Wall time is what a user waits for: it includes spawning the workers (each imports the model,
about 1 s) and gathering the tables. With k workers, k - 1 are spawned and this process is the
k-th (it has imported the model already; ``sim.experiments.ensemble.run_tasks``), so "1 worker"
spawns none. The two configurations must give identical tables; the script checks it and says so.

Run it (opt-in, not a test)::

    .venv/bin/python benchmarks/bench_ensemble.py                  # 200 runs, once
    .venv/bin/python benchmarks/bench_ensemble.py --repeat 3       # medians of 3
    .venv/bin/python benchmarks/bench_ensemble.py --runs 40 --sequential

:func:`measure` is also called by ``benchmarks/run.py`` (the summary table of every target).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from sim import Scenario, __version__, load_scenario, simulate
from sim.experiments.ensemble import default_workers, simulate_many

ROOT = Path(__file__).resolve().parent.parent
TARGET_2_WORKERS_S = 30.0


def _startup_cpu() -> float:
    """CPU time a fresh spawned worker spends importing the model (runs in the worker)."""
    import importlib

    importlib.import_module("sim.experiments.ensemble")
    return time.process_time()


def startup_cpu_s() -> float:
    """Measure one worker's start-up CPU: spawn a process and import the model, as a pool does."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_startup_cpu).result()


def sim_bytecode_cached() -> bool:
    """Whether the model's modules have their compiled bytecode (``__pycache__``): without it (an
    editable install run with ``PYTHONDONTWRITEBYTECODE=1``, as on the helpers' machine), every
    worker compiles them from source, ~0.1 s of its start-up that a normal install does not pay."""
    import importlib.util

    import sim.core.engine

    return Path(importlib.util.cache_from_source(sim.core.engine.__file__)).exists()


def measure(
    scenario: Scenario, runs: int, seed: int, repeat: int = 1, sequential: bool = False
) -> dict[str, Any]:
    """Time ``runs`` replications of ``scenario`` on 1 and 2 workers (and in-process if asked).

    Returns the medians by configuration: ``wall`` (s), ``cpu`` (CPU in runs, s), ``idle`` (the
    wall time on idle cores: start-up + the busiest worker's CPU), ``workers``; and ``one_run``
    (one in-process run, s), ``startup`` (a worker's start-up CPU, s), ``identical`` (the
    configurations gave the same tables), ``load`` (load average before, after) and ``ensemble``
    (the last ensemble made, for reuse).
    """
    t = time.perf_counter()
    simulate(scenario, seed=seed)
    one_run = time.perf_counter() - t

    configs: list[tuple[str, dict]] = []
    if sequential:
        configs.append(("sequential (in-process)", {"executor": "sequential"}))
    configs += [("1 worker", {"workers": 1}), ("2 workers", {"workers": 2})]

    startup = startup_cpu_s()
    walls: dict[str, list[float]] = {name: [] for name, _ in configs}
    cpus: dict[str, list[float]] = {name: [] for name, _ in configs}
    crit: dict[str, list[float]] = {name: [] for name, _ in configs}
    here: dict[str, list[float]] = {name: [] for name, _ in configs}
    workers: dict[str, int] = {}
    tables: dict[str, pd.DataFrame] = {}
    load_before = os.getloadavg()[0]
    ens = None
    for _ in range(repeat):
        for name, kw in configs:
            t = time.perf_counter()
            ens = simulate_many(scenario, runs, seed=seed, **kw)
            walls[name].append(time.perf_counter() - t)
            cpus[name].append(ens.meta["run_cpu_s"])
            crit[name].append(ens.meta["worker_cpu_s_max"])
            here[name].append(ens.meta["here_cpu_s"])
            workers[name] = ens.meta["workers"]
            tables[name] = ens.years
    load_after = os.getloadavg()[0]
    ref_name = configs[0][0]
    # on idle cores: the busiest process — this one (its runs; it has imported the model already)
    # or a spawned worker (start-up, the workers importing the model in parallel, + its runs)
    idle = {
        n: max(
            statistics.median(here[n]),
            statistics.median(c) + startup if statistics.median(c) > 0 else 0.0,
        )
        for n, c in crit.items()
    }
    return {
        "wall": {n: statistics.median(w) for n, w in walls.items()},
        "cpu": {n: statistics.median(c) for n, c in cpus.items()},
        "idle": idle,
        "workers": workers,
        "one_run": one_run,
        "startup": startup,
        "identical": all(tables[n].equals(tables[ref_name]) for n in tables),
        "load": (load_before, load_after),
        "ensemble": ens,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--repeat", type=int, default=1, help="repeat each configuration; report medians")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--scenario", default=str(ROOT / "scenarios" / "town.yaml"))
    p.add_argument("--sequential", action="store_true", help="also time the in-process sequential path")
    args = p.parse_args(argv)

    scenario = load_scenario(args.scenario)
    m = measure(scenario, args.runs, args.seed, args.repeat, args.sequential)
    med, cpu, idle, workers, startup = m["wall"], m["cpu"], m["idle"], m["workers"], m["startup"]
    load_before, load_after = m["load"]
    base = med["1 worker"]
    print(
        f"regie-sim {__version__} · Python {platform.python_version()} · "
        f"{default_workers()} usable cores · load average {load_before:.1f} before, "
        f"{load_after:.1f} after (above 0 = other work shared the cores)"
    )
    print(
        f"scenario: {scenario.town.name}, {scenario.households.count:,} households, "
        f"{scenario.horizon_years} years · {args.runs} runs · seed {args.seed} · "
        f"repeat {args.repeat} (median) · one run in-process {m['one_run']:.3f} s"
    )
    print()
    print(f"a spawned worker's start-up (spawn + import the model): {startup:.2f} s CPU")
    if not sim_bytecode_cached():
        print(
            "  (the model's modules have no compiled bytecode here: each worker compiles them from "
            "source, ~0.1 s of that start-up; PYTHONDONTWRITEBYTECODE="
            f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r})"
        )
    print()
    print(
        "| configuration | wall time (s) | runs/s | CPU in runs (s) | CPU per run (s) | "
        "busy share of the workers | speed-up vs 1 worker | on idle cores (s) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in med:
        busy = cpu[name] / (med[name] * workers[name])
        print(
            f"| {name} | {med[name]:.1f} | {args.runs / med[name]:.1f} | {cpu[name]:.1f} | "
            f"{cpu[name] / args.runs:.3f} | {busy:.0%} | {base / med[name]:.2f}× | "
            f"{idle[name]:.1f} |"
        )
    print()
    print(
        "'on idle cores' = the larger of this process's CPU in its runs (it is one of the workers) "
        "and a spawned worker's start-up + the CPU time of the busiest one: the wall time the same "
        "work takes when nothing else shares the cores (measured CPU, not a model)."
    )
    target = TARGET_2_WORKERS_S * args.runs / 200
    ok = med["2 workers"] <= target
    print(
        f"ratio wall(1 worker) / wall(2 workers): {base / med['2 workers']:.2f}; "
        f"on idle cores: {idle['1 worker'] / idle['2 workers']:.2f}"
    )
    print(
        f"target ≤ {target:.0f} s with 2 workers: wall {'met' if ok else 'NOT met'}; "
        f"on idle cores {'met' if idle['2 workers'] <= target else 'NOT met'}"
    )
    print(f"identical years tables across configurations: {'yes' if m['identical'] else 'NO'}")
    return 0 if m["identical"] else 1


if __name__ == "__main__":  # required: workers are spawned and re-import this file
    sys.exit(main())

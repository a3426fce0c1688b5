"""How long does a reader wait on the Explorer and Compare pages? (a measurement, not a test)

    python benchmarks/bench_dashboard.py            # 5 seeds, about half a minute
    python benchmarks/bench_dashboard.py --runs 3

The pages run in Streamlit's ``AppTest`` (the real app script, widgets and all, without a browser),
on the base town ``scenarios/town.yaml`` (20,000 households, 30 years). Each repetition uses a
seed not run before in the process, so the first run of a page is a true miss of the run store:

* ``explorer: new run`` — open the app on the Explorer with the base town: parse, widgets, the
  30-year run with its progress bar, the eight charts, the metrics and tables (target ≤ 2 s);
* ``explorer: rerun, unchanged`` — run the page again with the same inputs, as any widget that
  does not change the scenario does: the run and its charts come from the store (target:
  instant, ≤ 0.25 s);
* ``explorer: language switch`` — the same scenario in English: no new run, the charts are built
  once for the new language;
* ``compare: files, new`` / ``compare: rerun`` — the Compare page on the three shipped files
  (three 30-year runs), then again unchanged.

The functions under the pages are timed alone too: ``simulate`` (the model), the eight figures
(``sim.show.report.figures``), and a store lookup. One warm-up (imports, first script compile) is not
counted. Times are wall-clock medians with min–max; the browser's own drawing is not included.

The app opens on its home page (``/``); the rounds go to the Explorer and Compare pages from
there. :func:`one_round` and :func:`ensemble_rerun` (the Explorer rerun with many simulated
futures shown: fan charts and odds under the headline figures) are also called by
``benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import logging
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TARGET_NEW_S, TARGET_HIT_S = 2.0, 0.25
TIMEOUT_S = 120
EXPLORER = "sim/dashboard/explorer.py"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def open_app(scenario: Any, preset: str) -> Any:
    # the benchmark drives the real pages, so it imports streamlit like the dashboard tests do
    from streamlit.testing.v1 import AppTest  # noqa: TID251

    from sim.dashboard import share

    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    for key, value in share.session_values(scenario, preset, f"{preset}.yaml").items():
        at.session_state[key] = value
    return at


def check(at: Any) -> None:
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    if at.error:
        raise RuntimeError([e.value for e in at.error])


def one_round(seed: int) -> dict[str, float]:
    from sim.dashboard import share
    from sim.dashboard.compare import MODE_KEPT

    town = share.apply_changes(share.load_preset("town"), {"seed": seed}, "bench")
    out: dict[str, float] = {}

    at = open_app(town, "town")
    at.run()  # the home page, at /
    at.switch_page(EXPLORER)
    out["explorer: new run"], _ = timed(at.run)
    check(at)
    if len(at.metric) != 7:
        raise RuntimeError("the Explorer did not show its metrics")
    out["explorer: rerun, unchanged"], _ = timed(at.run)
    check(at)
    at.segmented_control(key="lang_switch").set_value("en")
    out["explorer: language switch"], _ = timed(at.run)
    check(at)

    at = open_app(town, "town")
    at.session_state[MODE_KEPT] = "files"
    at.run()
    at.switch_page("sim/dashboard/compare.py")
    out["compare: files, new"], _ = timed(at.run)
    check(at)
    out["compare: rerun"], _ = timed(at.run)
    check(at)

    from sim import simulate
    from sim.show import report

    out["simulate (model alone)"], result = timed(lambda: simulate(town))
    out["eight figures (build)"], _ = timed(lambda: report.figures(result, "fr"))
    key = share.run_key(town)
    out["store lookup (hit)"], hit = timed(lambda: share.store().get(key))
    if hit is None:
        raise RuntimeError("the Explorer's run is not in the store")
    return out


def ensemble_rerun(scenario: Any, ensemble: Any, reruns: int = 5) -> list[float]:
    """Seconds of ``reruns`` unchanged reruns of the Explorer showing ``ensemble``'s futures.

    ``ensemble`` must be ``simulate_many(scenario, runs, seed=scenario.seed)`` with ``runs`` one
    of the page's choices: it is put in the store under the page's key, so the page shows it
    (fan charts, odds under the headline figures) without running anything.
    """
    import os

    from sim.dashboard import ensembles, explorer, share

    runs = ensemble.runs
    if runs not in ensembles.RUN_CHOICES:
        raise ValueError(f"{runs} futures is not a choice of the page {ensembles.RUN_CHOICES}")
    os.environ.setdefault(ensembles.EXECUTOR_ENV, "sequential")  # a store miss runs in-process
    share.store().put(explorer.ensemble_key(scenario, runs), {"scenario": ensemble})
    at = open_app(scenario, "town")
    at.session_state[ensembles.runs_kept_key(explorer.PAGE)] = runs  # the choice the page keeps
    at.run()
    at.switch_page(EXPLORER).run()
    check(at)
    if ensembles.job_key(explorer.PAGE) in at.session_state or len(at.get("plotly_chart")) < 4:
        raise RuntimeError("the Explorer did not show the stored futures")
    out = []
    for _ in range(reruns):
        s, _ = timed(at.run)
        check(at)
        out.append(s)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions (seeds), default 5")
    args = parser.parse_args()
    # Streamlit warns about a missing ScriptRunContext when store() is called outside a page
    logging.getLogger("streamlit").setLevel(logging.ERROR)

    from sim.dashboard import share

    share.store().clear()
    small = share.apply_changes(
        share.load_preset("town"), {"households.count": 2000, "horizon_years": 5}, "bench"
    )
    warm = open_app(small, "town")
    warm.run()  # imports, script compile, first figures: not counted
    warm.switch_page(EXPLORER).run()
    check(warm)

    rounds = [one_round(1000 + i) for i in range(args.runs)]
    targets = {
        "explorer: new run": TARGET_NEW_S,
        "explorer: rerun, unchanged": TARGET_HIT_S,
        "compare: rerun": TARGET_HIT_S,
    }
    print(f"regie-sim dashboard, base town (20,000 households, 30 years), {args.runs} seeds")
    print(f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}")
    print()
    print(f"{'case':<30} {'median s':>9} {'min–max s':>14} {'target':>9}")
    for case in rounds[0]:
        values = [r[case] for r in rounds]
        med = statistics.median(values)
        target = targets.get(case)
        verdict = "" if target is None else (f"≤ {target:.2f} ok" if med <= target else "MISSED")
        print(f"{case:<30} {med:>9.3f} {min(values):>6.3f}–{max(values):<7.3f} {verdict:>9}")


if __name__ == "__main__":
    main()

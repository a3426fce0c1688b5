"""What a page's script costs the server in a visitor's first run (a measurement, not a test).

    python benchmarks/bench_first_run.py                    # Explorer, Compare, Remunicipalisation
    python benchmarks/bench_first_run.py --sessions 5 --pages explorer

Each page runs in Streamlit's ``AppTest`` (the real app script, without a browser), as a new
session opening the app on that page: first on cold caches (``first``: the server's first
visitor of the page, nothing run yet), then, after :func:`sim.dashboard.warm.run_all` (what the
server computes once when it starts), as ``--sessions`` new sessions (``new``: a new visitor on
a warm server). For each, the wall time and the process CPU time of the page's script run, and
how many model runs (:func:`sim.experiments.run.simulate`) it made: 0 means every run came from
the caches. The first view's pause (:data:`sim.dashboard.firstview.PAUSE_S`) is set to 0 here
and shown apart: it is a wait, not work. What the browser does with the page is measured by
``benchmarks/bench_pages.py --trace``.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["REGIE_SIM_WARM_UP"] = "0"  # the warm-up is run here, in the open, not in a thread

from sim.dashboard import common, firstview, share, warm  # noqa: E402
from sim.experiments import compare as compare_api  # noqa: E402
from sim.experiments import explain as explain_api  # noqa: E402
from sim.experiments import run as run_api  # noqa: E402

APP = str(ROOT / "app.py")
PAGES = {
    "explorer": "sim/dashboard/explorer.py",
    "comparer": "sim/dashboard/compare.py",
    "remunicipalisation": "sim/dashboard/remunicipalisation.py",
}
RUNS = [0]


def _counting(fn: Any) -> Any:
    def counted(*args: Any, **kwargs: Any) -> Any:
        RUNS[0] += 1
        return fn(*args, **kwargs)

    return counted


def _count_model_runs() -> None:
    real = run_api.simulate
    for module in (run_api, share, common, compare_api, explain_api):
        module.simulate = _counting(real)  # type: ignore[attr-defined]


def one_visit(page: str) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and model runs of a new session's first run of ``page``."""
    from streamlit.testing.v1 import AppTest  # noqa: TID251  # the benchmark drives the real pages

    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["lang"] = "fr"
    at.run()  # the home page
    at.switch_page(PAGES[page])
    RUNS[0] = 0
    w0, c0 = time.perf_counter(), time.process_time()
    at.run()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    return wall, cpu, RUNS[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=3)
    parser.add_argument("--pages", nargs="*", default=list(PAGES))
    args = parser.parse_args()
    pause = firstview.PAUSE_S
    firstview.PAUSE_S = 0.0
    _count_model_runs()
    load = os.getloadavg()[0]
    rows: dict[str, Any] = {}
    for page in args.pages:
        rows[page] = {"first": one_visit(page)}
    t0 = time.perf_counter()
    warm.run_all()
    warm_s = time.perf_counter() - t0
    for page in args.pages:
        rows[page]["new"] = [one_visit(page) for _ in range(args.sessions)]
    print(f"regie-sim, a page's first script run in AppTest, {args.sessions} new sessions per page")
    print(f"{platform.python_implementation()} {platform.python_version()}, load {load:.2f}")
    print(f"the first view's pause (not counted below): {pause:.2f} s; the server's warm-up: {warm_s:.2f} s")
    head = f"{'wall s':>8} {'cpu s':>6} {'runs':>5}"
    print(f"{'':<20} {'first visitor':^21}   {'new visitor (median)':^21}")
    print(f"{'page':<20} {head}   {head}")
    for page, r in rows.items():
        fw, fc, fr = r["first"]
        new = r["new"]
        print(
            f"{page:<20} {fw:>8.2f} {fc:>6.2f} {fr:>5d}   "
            f"{statistics.median(w for w, _, _ in new):>8.2f} "
            f"{statistics.median(c for _, c, _ in new):>6.2f} {max(n for _, _, n in new):>5d}"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

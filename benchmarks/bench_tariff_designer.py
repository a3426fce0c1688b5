"""Benchmark: one update of the tariff designer for the default town (20,000 households).

Target (issue "tariff designer"): after the first call, a designer update takes at most 0.3 s, so
the « Concevoir un tarif » page answers a changed price at once.

What is timed, separately:

- **first call**: ``designer_for(scenario)`` on a cold cache — builds the households, the current
  bills and the cost to recover (a one-year run of the base scenario) — then one evaluation;
- **check**: ``check_proposal`` (block order, schema, standing-charge cap), run by the page on
  every change before the evaluation;
- **update**: ``evaluate(tariff)`` of a new tariff on the built town, with and without the price
  response; each repetition uses a different tariff (prices, blocks, social tariff), so nothing
  is served from a cache.

Run it (opt-in, not a test)::

    .venv/bin/python benchmarks/bench_tariff_designer.py               # 3 seeds, 50 updates each
    .venv/bin/python benchmarks/bench_tariff_designer.py --updates 200 --seeds 1 2 3 4 5
    .venv/bin/python benchmarks/bench_tariff_designer.py --page 20   # + whole-page reruns
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from sim import __version__, load_scenario
from sim.experiments.tariff_designer import check_proposal, clear_cache, designer_for
from sim.scenario.model import Scenario, SocialTariff, Tariff, TariffBlock

ROOT = Path(__file__).resolve().parent.parent
TARGET_UPDATE_S = 0.3


def proposals(base: Tariff, n: int, rng: np.random.Generator) -> list[Tariff]:
    """``n`` different tariffs around ``base``: 1-3 blocks, some free volume, some social."""
    out = []
    for i in range(n):
        k = 1 + i % 3
        bounds = sorted(rng.choice(np.arange(20, 300, 10), size=k - 1, replace=False))
        prices = np.sort(rng.uniform(0.6, 2.5, size=k)).round(2)
        blocks = tuple(
            TariffBlock(up_to_m3=float(b), price_eur_per_m3=float(p))
            for b, p in zip(bounds, prices[:-1], strict=True)
        )
        blocks += (TariffBlock(price_eur_per_m3=float(prices[-1])),)
        social = SocialTariff(
            enabled=bool(i % 2),
            eligible_deciles=(1, 2),
            kind="reduced_blocks" if i % 4 < 2 else "bill_cap",
            eligible_share=float(rng.uniform(0.5, 1.0)),
        )
        out.append(
            base.model_copy(
                update={
                    "standing_charge_eur_per_year": float(rng.uniform(10, 45)),
                    "free_volume_m3": float(rng.choice([0.0, 15.0])),
                    "blocks": blocks,
                    "social": social,
                }
            )
        )
    return out


def timed(fn, *args, **kw):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn(*args, **kw)
    return time.perf_counter() - t, out


def bench_seed(scenario: Scenario, seed: int, updates: int) -> dict[str, list[float]]:
    clear_cache()
    rng = np.random.default_rng(seed)
    tariffs = proposals(scenario.tariff, updates + 1, rng)
    build_s, designer = timed(designer_for, scenario, seed)
    first_eval_s, _ = timed(designer.evaluate, tariffs[0])
    rows: dict[str, list[float]] = {
        "first call (build + 1 update)": [build_s + first_eval_s],
        "  of which building the town": [build_s],
    }
    check, upd, upd_rigid = [], [], []
    for tar in tariffs[1:]:
        data = tar.model_dump(mode="json")
        s, _ = timed(check_proposal, scenario, data)
        check.append(s)
        s, _ = timed(designer.evaluate, tar)
        upd.append(s)
        s, _ = timed(designer.evaluate, tar, price_response=False)
        upd_rigid.append(s)
    rows["check (block order, schema, cap)"] = check
    rows["update, with price response"] = upd
    rows["update, without price response"] = upd_rigid
    rows["check + update (what the page waits for)"] = [a + b for a, b in zip(check, upd, strict=True)]
    return rows


def bench_page(n: int) -> list[float]:
    """Seconds of ``n`` reruns of the tariff page (Streamlit's AppTest) after a price change.

    This includes drawing every widget, table and figure, so it is the page's own cost on top of
    the designer's; a browser adds the network round trip and rendering.
    """
    from streamlit.testing.v1 import AppTest  # noqa: TID251 -- times the page itself, opt-in

    from sim.dashboard.tariff_design import block_key

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("sim/dashboard/tariff_design.py").run()
    out = []
    for i in range(n):
        at.number_input(key=block_key(0, "price")).set_value(1.0 + 0.01 * (i + 1))
        s, _ = timed(at.run)
        out.append(s)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--updates", type=int, default=50, help="updates timed per seed")
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    p.add_argument("--scenario", default=str(ROOT / "scenarios" / "town.yaml"))
    p.add_argument(
        "--page",
        type=int,
        default=0,
        metavar="N",
        help="also time N reruns of the whole page in Streamlit's AppTest",
    )
    args = p.parse_args(argv)

    scenario = load_scenario(args.scenario)
    print(
        f"regie-sim {__version__}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs"
    )
    print(
        f"scenario {Path(args.scenario).name}: {scenario.households.count:,} households; "
        f"seeds {args.seeds}; {args.updates} updates per seed\n"
    )
    per_seed = [bench_seed(scenario, seed, args.updates) for seed in args.seeds]
    names = list(per_seed[0])
    print(f"{'step':44s} {'median ms':>10s} {'p95 ms':>9s} {'max ms':>9s} {'n':>5s}")
    worst_update = 0.0
    for name in names:
        values = [v for rows in per_seed for v in rows[name]]
        ms = np.array(values) * 1000.0
        print(
            f"{name:44s} {statistics.median(ms):10.2f} {np.percentile(ms, 95):9.2f} "
            f"{ms.max():9.2f} {len(ms):5d}"
        )
        if name.startswith("check + update"):
            worst_update = float(ms.max()) / 1000.0
    if args.page:
        page_ms = np.array(bench_page(args.page)) * 1000.0
        print(
            f"{'whole page rerun in AppTest (price change)':44s} "
            f"{statistics.median(page_ms):10.2f} {np.percentile(page_ms, 95):9.2f} "
            f"{page_ms.max():9.2f} {len(page_ms):5d}"
        )
    ok = worst_update <= TARGET_UPDATE_S
    print(
        f"\ntarget: every update after the first call ≤ {TARGET_UPDATE_S:.1f} s — "
        f"worst {worst_update * 1000:.1f} ms: {'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

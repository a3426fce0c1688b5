"""Benchmark: one update of the electricity tariff designer for the electricity base town (20,000
households), in CPU time.

What is timed, separately (process CPU time, which a loaded machine disturbs less than wall time):

- **first call**: ``designer_for(scenario)`` on a cold cache — builds the households and the cost to
  recover (a one-year run of the base scenario) — then one evaluation;
- **check**: ``check_proposal`` (schema, kVA grid, prices holding their taxes), run by the page on
  every change before the evaluation;
- **update**: ``evaluate(tariff)`` of a new local offer on the built town (Base or HP/HC, prices
  drawn, a social rebate every other time), with the price response.

Run it (opt-in, not a test)::

    .venv/bin/python benchmarks/bench_tariff_designer_electricity.py
    .venv/bin/python benchmarks/bench_tariff_designer_electricity.py --updates 200 --seeds 1 2 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np

from sim import __version__, load_scenario
from sim.experiments import electricity_tariff_designer as etd
from sim.scenario.electricity import ElectricityScenario, ElectricityTariff

ROOT = Path(__file__).resolve().parent.parent
TARGET_UPDATE_S = 0.3  # as water's designer: the page answers a changed price at once


def proposals(base: ElectricityTariff, n: int, rng: np.random.Generator) -> list[ElectricityTariff]:
    out = []
    for i in range(n):
        data = base.model_dump(mode="json")
        data["pricing"] = "local"
        if i % 2:
            data["option"] = "hphc"
            hp = float(rng.uniform(0.18, 0.30))
            data["energy_eur_per_kwh"] = {"hp": hp, "hc": hp * 0.77}
        else:
            data["energy_eur_per_kwh"] = {"base": float(rng.uniform(0.16, 0.30))}
        scale = float(rng.uniform(0.8, 1.3))
        data["fixed_eur_per_year_by_kva"] = {
            int(k): v * scale for k, v in data["fixed_eur_per_year_by_kva"].items()
        }
        data["social"] = {"enabled": bool(i % 4 < 2), "eligible_deciles": [1, 2], "rebate_pct": 20.0}
        out.append(ElectricityTariff.model_validate(data))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--updates", type=int, default=50)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = ap.parse_args()
    s = load_scenario(ROOT / "scenarios" / "electricity" / "town.yaml")
    assert isinstance(s, ElectricityScenario)
    print(f"regie-sim {__version__}, {s.households.count} households, load {os.getloadavg()[0]:.1f}")
    for seed in args.seeds:
        etd._cache.clear()
        t0 = time.process_time()
        d = etd.designer_for(s, seed)
        d.evaluate(s.tariff)
        first = time.process_time() - t0
        tariffs = proposals(s.tariff, args.updates, np.random.default_rng(seed))
        checks, updates = [], []
        for tar in tariffs:
            t0 = time.process_time()
            etd.check_proposal(s, tar.model_dump(mode="json"))
            checks.append(time.process_time() - t0)
            t0 = time.process_time()
            d.evaluate(tar)
            updates.append(time.process_time() - t0)
        med = statistics.median(updates)
        print(
            f"seed {seed}: first call {first:.3f} s CPU; "
            f"check median {1000 * statistics.median(checks):.1f} ms; "
            f"update median {1000 * med:.1f} ms, max {1000 * max(updates):.1f} ms "
            f"({'within' if med <= TARGET_UPDATE_S else 'ABOVE'} the {TARGET_UPDATE_S} s target)"
        )


if __name__ == "__main__":
    main()

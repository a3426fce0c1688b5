"""Every table of a set of large runs, saved and compared to the last bit (a check, not a test).

The golden tables (tests/golden) hold 2,000-household towns; the speed work of issue 17 changes
paths that only large towns take (a billing date on two threads from 20,000 households). This
script runs larger towns and tariffs that take every branch of the bill, and electricity towns
whose incidents queue for the crews (calm, and busy: incidents waiting for hours), and saves every
table::

    python benchmarks/same_results.py --save /tmp/before.pkl   # with the older code on PYTHONPATH
    python benchmarks/same_results.py --save /tmp/after.pkl
    python benchmarks/same_results.py --compare /tmp/before.pkl /tmp/after.pkl

Run it under each ``REGIE_SIM_KERNEL`` and ``REGIE_SIM_THREADS``; ``--compare`` says which tables
differ (``DataFrame.equals``: same values, same dtypes, NaN equal to NaN).
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(1, str(HERE))

TABLES = ("years", "periods", "deciles", "events", "decisions", "workforce")

#: name -> (scenario file or bench case, households, years, changes)
CASES: dict[str, tuple[str, int, int, dict[str, Any]]] = {
    "town_x5": ("town_x5", 100_000, 30, {}),
    "town": ("town", 20_000, 30, {}),
    "regie": ("regie", 30_000, 30, {}),
    "concession": ("concession", 30_000, 20, {}),
    "commons": ("commons", 30_000, 20, {}),
    "remunicipalisation": ("remunicipalisation", 30_000, 20, {}),
    "three_blocks_free": (
        "town",
        25_000,
        15,
        {
            "tariff.free_volume_m3": 10.0,
            "tariff.blocks": [
                {"price_eur_per_m3": 0.9, "up_to_m3": 40},
                {"price_eur_per_m3": 1.4, "up_to_m3": 150},
                {"price_eur_per_m3": 2.1},
            ],
            "tariff.seasonal.eur_per_m3": 0.5,
        },
    ),
    "per_person_social_reduced": (
        "town",
        25_000,
        15,
        {
            "tariff.blocks_per_person": True,
            "tariff.blocks": [{"price_eur_per_m3": 1.0, "up_to_m3": 15}, {"price_eur_per_m3": 1.8}],
            "tariff.social.enabled": True,
            "tariff.social.kind": "reduced_blocks",
        },
    ),
    "social_cap": (
        "town",
        25_000,
        15,
        {"tariff.social.enabled": True, "tariff.social.kind": "bill_cap"},
    ),
    # electricity: the incidents' queue for the crews (sim.core.workforce.CrewQueue), calm and busy
    "electricity_regie": ("electricity/regie", 100_000, 30, {}),
    "electricity_busy": (
        "electricity/regie",
        20_000,
        15,
        {"workforce.crews": 1, "network.repair_hours_per_incident": 30.0},  # a crew busy ~70 % of the time
    ),
}


def scenario_for(name: str) -> Any:
    from bench_model import build_case

    from sim.scenario.model import load_scenario, with_changes

    base, households, years, changes = CASES[name]
    root = HERE.parent / "scenarios"
    s = build_case(base) if base in ("town", "town_x5") else load_scenario(root / f"{base}.yaml")
    return with_changes(s, {"households.count": households, "horizon_years": years, **changes})


def run_all(names: list[str], seeds: tuple[int, ...]) -> dict[str, dict[str, Any]]:
    import sim.experiments.run as runs

    out = {}
    for name in names:
        s = scenario_for(name)
        for seed in seeds:
            r = runs.simulate(s, seed)
            out[f"{name}/seed{seed}"] = {t: r.table(t) for t in TABLES} | {"summary": r.summary}
            print(f"ran {name} seed {seed}", flush=True)
    return out


def compare(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> int:
    bad = 0
    for key in sorted(set(a) | set(b)):
        if key not in a or key not in b:
            print(f"{key}: only in one file")
            bad += 1
            continue
        for t, x in a[key].items():
            y = b[key][t]
            same = x == y if t == "summary" else x.equals(y)
            if not same:
                print(f"{key} {t}: DIFFERENT")
                bad += 1
    print(f"{len(set(a) & set(b))} runs compared, {bad} difference(s)")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--save", type=Path)
    ap.add_argument("--compare", nargs=2, type=Path)
    ap.add_argument("--cases", nargs="*", default=list(CASES))
    ap.add_argument("--seeds", nargs="*", type=int, default=[1, 2])
    args = ap.parse_args(argv)
    if args.compare:
        a, b = (pickle.loads(p.read_bytes()) for p in args.compare)
        return compare(a, b)
    if not args.save:
        ap.error("--save or --compare")
    args.save.write_bytes(pickle.dumps(run_all(args.cases, tuple(args.seeds))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

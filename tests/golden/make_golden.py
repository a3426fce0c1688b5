"""Golden regression tables: every output table of the shipped scenarios, stored and compared exactly.

Each shipped scenario (water, and the electricity regimes) is run for 10 years with 2,000 households
(the town scaled with ``sim.scale_town``, so the network and the money shrink with it) on two seeds;
every table of the result (years, periods, deciles, events, decisions, workforce) is written as CSV
with full float precision under ``tests/golden/<scenario>-seed<N>/``.

Regenerate on purpose only, after a change that is meant to move the figures, and say in the commit
what moved and why::

    python tests/golden/make_golden.py            # rewrite every table
    python tests/golden/make_golden.py --check    # compare only (what the test does)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCENARIOS = (
    "town",
    "concession",
    "regie",
    "commons",
    "remunicipalisation",
    "electricity/regie",
    "electricity/concession",
    "electricity/commons",
)
SEEDS = (1, 2)
YEARS = 10
HOUSEHOLDS = 2_000
TABLES = ("years", "periods", "deciles", "events", "decisions", "workforce")
FLOAT_FORMAT = "%.17g"
TOLERANCE = 1e-9


def cases() -> list[tuple[str, int]]:
    return [(name, seed) for name in SCENARIOS for seed in SEEDS]


def folder(name: str, seed: int) -> Path:
    return HERE / f"{name.replace('/', '-')}-seed{seed}"


def run_tables(name: str, seed: int) -> dict[str, pd.DataFrame]:
    """The six tables of one golden case, as freshly computed by the model."""
    from sim import load_scenario, scale_town, simulate, with_changes

    scen = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    scen = with_changes(scale_town(scen, HOUSEHOLDS), {"horizon_years": YEARS})
    result = simulate(scen, seed)
    return {t: result.table(t) for t in TABLES}


def write(name: str, seed: int) -> None:
    out = folder(name, seed)
    out.mkdir(parents=True, exist_ok=True)
    for table, df in run_tables(name, seed).items():
        df.to_csv(out / f"{table}.csv", index=False, float_format=FLOAT_FORMAT)


def read(name: str, seed: int, table: str) -> pd.DataFrame:
    path = folder(name, seed) / f"{table}.csv"
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def differences(expected: pd.DataFrame, got: pd.DataFrame) -> list[str]:
    """What differs between a stored table and a fresh one (empty when they agree to 1e-9)."""
    # a fresh table goes through the same CSV text as the stored one, so dtypes compare alike
    from io import StringIO

    text = got.to_csv(index=False, float_format=FLOAT_FORMAT)
    got = pd.read_csv(StringIO(text)) if text.strip() else pd.DataFrame()
    if list(expected.columns) != list(got.columns):
        return [f"columns {list(expected.columns)} != {list(got.columns)}"]
    if len(expected) != len(got):
        return [f"{len(expected)} rows stored, {len(got)} now"]
    problems = []
    for col in expected.columns:
        a, b = expected[col], got[col]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            av, bv = a.to_numpy(float), b.to_numpy(float)
            ok = np.isclose(av, bv, rtol=TOLERANCE, atol=TOLERANCE, equal_nan=True)
        else:
            ok = ((a.isna() & b.isna()) | (a.astype(str) == b.astype(str))).to_numpy()
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            problems.append(
                f"{col}: {int((~ok).sum())} rows differ, first row {i}: "
                f"{a.iloc[i]!r} stored, {b.iloc[i]!r} now"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare only, write nothing")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    bad = 0
    for name, seed in cases():
        if args.check:
            fresh = run_tables(name, seed)
            for table in TABLES:
                for p in differences(read(name, seed, table), fresh[table]):
                    bad += 1
                    print(f"{name} seed {seed} {table}: {p}")
        else:
            write(name, seed)
            print(f"wrote {folder(name, seed).relative_to(ROOT)}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Result of a run: tidy pandas tables, a summary, and a folder that reproduces the run.

``to_dir(path)`` writes ``years.csv``, ``periods.csv``, ``deciles.csv``, ``events.csv``,
``decisions.csv``, ``workforce.csv`` (and Parquet copies where pyarrow is installed),
``summary.json`` and the resolved ``scenario.yaml`` with the seed, atomically: the files are written
to a temporary folder that is renamed into place, so a failed write never leaves half a folder.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.scenario.model import Scenario, dumps_scenario, load_scenario

TABLES = ("years", "periods", "deciles", "events", "decisions", "workforce")


@dataclass
class Result:
    """Tables of one run (see the README for every column and its unit)."""

    scenario: Scenario
    seed: int
    years: pd.DataFrame
    periods: pd.DataFrame
    deciles: pd.DataFrame
    events: pd.DataFrame
    decisions: pd.DataFrame
    workforce: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    agenda: list[dict[str, Any]] | None = None  # set when a run stopped at a meeting

    def table(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}; tables are {TABLES}")
        table: pd.DataFrame = getattr(self, name)
        return table

    def to_dir(self, path: str | Path) -> Path:
        """Write every table, the summary and the resolved scenario into ``path``.

        Only regie-sim's own files (:func:`own_files`) are replaced, each atomically; anything
        else the user keeps in the folder is left alone. Everything is first written to a
        temporary folder beside it, so a failure writes nothing.
        """
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
        try:
            for name in TABLES:
                df = self.table(name)
                df.to_csv(tmp / f"{name}.csv", index=False)
                _maybe_parquet(df, tmp / f"{name}.parquet")
            (tmp / "summary.json").write_text(
                json.dumps(self.summary, indent=2, ensure_ascii=False, default=_json_default),
                encoding="utf-8",
            )
            scen = self.scenario.model_copy(update={"seed": self.seed})
            (tmp / "scenario.yaml").write_text(dumps_scenario(scen), encoding="utf-8")
            target.mkdir(exist_ok=True)
            written = {p.name for p in tmp.iterdir()}
            for name in sorted(own_files() - written):  # e.g. a parquet file of an older run
                stale = target / name
                if stale.is_file() and not stale.is_symlink():
                    stale.unlink()
            for name in sorted(written):
                (tmp / name).replace(target / name)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return target

    @classmethod
    def from_dir(cls, path: str | Path) -> Result:
        """Read a folder written by :meth:`to_dir`."""
        p = Path(path)
        scen = load_scenario(p / "scenario.yaml")
        tables = {}
        for name in TABLES:
            f = p / f"{name}.csv"
            try:
                tables[name] = pd.read_csv(f)
            except pd.errors.EmptyDataError:
                tables[name] = pd.DataFrame()
        summary = json.loads((p / "summary.json").read_text(encoding="utf-8"))
        return cls(
            scenario=scen,
            seed=scen.seed,
            summary=summary,
            years=tables["years"],
            periods=tables["periods"],
            deciles=tables["deciles"],
            events=tables["events"],
            decisions=tables["decisions"],
            workforce=tables["workforce"],
        )


def own_files() -> set[str]:
    """Names of the files :meth:`Result.to_dir` writes: the only ones it ever replaces."""
    return {f"{n}.csv" for n in TABLES} | {f"{n}.parquet" for n in TABLES} | {"summary.json", "scenario.yaml"}


def _maybe_parquet(df: pd.DataFrame, path: Path) -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return
    df.to_parquet(path, index=False)


def _json_default(o: Any) -> Any:
    if hasattr(o, "item"):
        return o.item()
    return str(o)

"""Command-line front of the experiment layer: ``ensemble`` and ``sweep``.

Meant to be registered as ``regie-sim ensemble`` / ``regie-sim sweep`` in ``sim/cli.py``; until
then, run ``python -m sim.ensemble_cli ensemble FILE …`` or ``python -m sim.ensemble_cli sweep …``.

Bad input (a scenario problem, a malformed ``--set`` or ``--grid``) gets a located message and exit
code 2, never a traceback. Ctrl-C during an ensemble stops it cleanly: the runs that finished are
written, marked as cancelled.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.ensemble import HEADLINE, sweep
from sim.ensemble import simulate_many as _simulate_many
from sim.errors import ScenarioError
from sim.scenario import load_scenario

#: summary outputs the sweep table shows by default
SWEEP_OUTPUTS = ("price_120m3_eur_per_m3_first", "bill_120m3_eur_last",
                 "share_households_above_3pct_last", "yield_pct_last", "reserves_eur_last")

_MSG = {
    "fr": {"bad_set": "--set attend CLÉ=VALEUR, trouvé « {x} »",
           "bad_grid": "--grid attend CLÉ=V1,V2,…, trouvé « {x} »",
           "cancelled": "Interrompu : {done} tirages sur {total} terminés ; les fichiers ne "
                        "contiennent que ceux-là.",
           "wrote": "Écrit : {files}", "runs": "{done} futurs simulés (graine {seed})."},
    "en": {"bad_set": "--set needs KEY=VALUE, found '{x}'",
           "bad_grid": "--grid needs KEY=V1,V2,…, found '{x}'",
           "cancelled": "Interrupted: {done} of {total} runs finished; the files hold only those.",
           "wrote": "Wrote: {files}", "runs": "{done} simulated futures (seed {seed})."},
}


class _UsageError(ValueError):
    pass


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="scenario YAML file")
    p.add_argument("--seed", type=int, default=None, help="base seed (default: the scenario's)")
    p.add_argument("--workers", type=int, default=None,
                   help="local worker processes (default: one per core; 1 runs in this process)")
    p.add_argument("--cluster", default=None, metavar="ADDRESS",
                   help="Dask scheduler, e.g. tcp://host:8786, or 'dask' for "
                        "$DASK_SCHEDULER_ADDRESS (needs pip install regie-sim[cluster])")
    p.add_argument("--out", default=".", metavar="DIR", help="folder for the CSV files")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="change one value, e.g. --set households.count=5000 (repeatable)")
    p.add_argument("--lang", choices=("fr", "en"), default="fr")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _overrides(sets: Sequence[str], lang: str) -> dict[str, str]:
    out = {}
    for item in sets:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise _UsageError(_MSG[lang]["bad_set"].format(x=item))
        out[key.strip()] = value
    return out


def parse_grid(items: Sequence[str], lang: str = "fr") -> dict[str, list[Any]]:
    """``["a.b=1,2", "c=x,y"]`` → ``{"a.b": [1, 2], "c": ["x", "y"]}``.

    The values are a YAML flow sequence (``yaml.safe_load("[" + values + "]")``), so numbers,
    booleans and quoted strings come out typed, and ``[1, 2],[3]`` gives two list values.
    """
    grid: dict[str, list[Any]] = {}
    for item in items:
        key, eq, values = item.partition("=")
        if not eq or not key.strip() or not values.strip():
            raise _UsageError(_MSG[lang]["bad_grid"].format(x=item))
        try:
            parsed = yaml.safe_load(f"[{values}]")
        except yaml.YAMLError:
            raise _UsageError(_MSG[lang]["bad_grid"].format(x=item)) from None
        grid[key.strip()] = list(parsed)
    return grid


def _executor(args: argparse.Namespace) -> Any:
    if args.cluster:
        return args.cluster
    return "sequential" if args.workers == 1 else None


class _Progress:
    """A progress bar on stderr (silent when stderr is not a terminal or with --quiet)."""

    def __init__(self, quiet: bool):
        self.bar = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=100, unit="%", file=sys.stderr, leave=False)

    def __call__(self, frac: float) -> None:
        if self.bar is not None:
            self.bar.n = round(100 * frac)
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class _Interrupt:
    """Turns the first Ctrl-C into a cancel request (the second one stops at once)."""

    def __init__(self) -> None:
        self.asked = False
        self._old: Any = None

    def __enter__(self) -> _Interrupt:
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        if self.asked:
            raise KeyboardInterrupt
        self.asked = True

    def __call__(self) -> bool:
        return self.asked

    def __exit__(self, *exc: Any) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


def _fail(exc: Exception, lang: str) -> int:
    msg = exc.format(lang) if isinstance(exc, ScenarioError) else str(exc)
    print(msg, file=sys.stderr)
    return 2


def ensemble_main(argv: Sequence[str] | None = None) -> int:
    """``regie-sim ensemble FILE --runs 200 [--seed N] [--workers K] [--cluster tcp://…]
    [--out DIR] [--set KEY=VALUE …]``.

    Prints the plain-language odds of the headline indicators in the last year and writes
    ``ensemble_years.csv``, ``bands.csv`` (and ``ensemble_summaries.csv``, ``ensemble.json``)
    into ``--out``. Returns the exit code.
    """
    p = argparse.ArgumentParser(prog="regie-sim ensemble",
                                description="Many simulated futures of one scenario.")
    _common(p)
    p.add_argument("--runs", type=int, default=200, help="replications (default 200)")
    p.add_argument("--deciles", action="store_true", help="also keep the deciles tables")
    args = p.parse_args(argv)
    if args.runs < 1:
        p.error("--runs must be at least 1")
    try:
        scenario = load_scenario(args.file, _overrides(args.sets, args.lang))
        bar = _Progress(args.quiet)
        with _Interrupt() as stop:
            try:
                ens = _simulate_many(scenario, args.runs, args.seed, _executor(args),
                                     progress=bar, cancel=stop, workers=args.workers,
                                     keep_deciles=args.deciles)
            finally:
                bar.close()
    except (ScenarioError, _UsageError, ImportError, ValueError, OSError) as exc:
        return _fail(exc, args.lang)
    m = _MSG[args.lang]
    if ens.cancelled:
        print(m["cancelled"].format(done=ens.runs, total=args.runs), file=sys.stderr)
    if ens.runs == 0:
        return 1
    print(m["runs"].format(done=ens.runs, seed=ens.seed))
    for line in ens.statements(HEADLINE, lang=args.lang):
        print(line)
    out = ens.to_dir(args.out)
    files = ["ensemble_years.csv", "bands.csv"]
    print(m["wrote"].format(files=", ".join(str(Path(out) / f) for f in files)))
    return 130 if ens.cancelled else 0


def sweep_main(argv: Sequence[str] | None = None) -> int:
    """``regie-sim sweep FILE --grid KEY=V1,V2 [--grid KEY2=…] [--runs R] [--outputs a,b]``.

    Writes ``sweep.csv`` (one row per grid point × run) into ``--out`` and prints the mean of each
    output per grid point. Returns the exit code.
    """
    p = argparse.ArgumentParser(prog="regie-sim sweep",
                                description="Run a grid of parameter values.")
    _common(p)
    p.add_argument("--grid", action="append", required=True, metavar="KEY=V1,V2",
                   help="dotted path and values, e.g. tariff.blocks[0].price_eur_per_m3=1.3,1.6")
    p.add_argument("--runs", type=int, default=1, help="runs per grid point (default 1)")
    p.add_argument("--outputs", default=",".join(SWEEP_OUTPUTS),
                   help="summary outputs, comma-separated")
    args = p.parse_args(argv)
    if args.runs < 1:
        p.error("--runs must be at least 1")
    outputs = [o.strip() for o in args.outputs.split(",") if o.strip()]
    try:
        grid = parse_grid(args.grid, args.lang)
        scenario = load_scenario(args.file, _overrides(args.sets, args.lang))
        bar = _Progress(args.quiet)
        with _Interrupt() as stop:
            try:
                df = sweep(scenario, grid, runs=args.runs, seed=args.seed,
                           executor=_executor(args), outputs=outputs, workers=args.workers,
                           progress=bar, cancel=stop)
            finally:
                bar.close()
    except (ScenarioError, _UsageError, ImportError, ValueError, KeyError, OSError) as exc:
        return _fail(exc, args.lang)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / ".sweep.csv.tmp"
    df.to_csv(tmp, index=False)
    tmp.replace(out / "sweep.csv")
    if df.attrs.get("cancelled"):
        print(_MSG[args.lang]["cancelled"].format(done=len(df),
                                                  total=args.runs * _grid_size(grid)),
              file=sys.stderr)
    if len(df):
        table = df.drop(columns=["run", "seed"]).groupby("point", sort=True).agg(
            {**{k: "first" for k in grid}, **{o: "mean" for o in outputs}})
        table.insert(len(grid), "runs", df.groupby("point").size())
        with pd.option_context("display.width", 200, "display.max_columns", 50):
            print(table.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    print(_MSG[args.lang]["wrote"].format(files=out / "sweep.csv"))
    return 130 if df.attrs.get("cancelled") else 0


def _grid_size(grid: dict[str, list[Any]]) -> int:
    size = 1
    for v in grid.values():
        size *= len(v)
    return size


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.ensemble_cli ensemble|sweep …``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"ensemble": ensemble_main, "sweep": sweep_main}
    if not argv or argv[0] not in commands:
        print("usage: python -m sim.ensemble_cli {ensemble,sweep} FILE …", file=sys.stderr)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())

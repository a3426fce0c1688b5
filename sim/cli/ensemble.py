"""``regie-sim ensemble`` and ``regie-sim sweep``: the experiment layer on the command line.

Both are entries of :data:`sim.cli.main.COMMANDS` (a ``setup`` that declares the arguments and a
``handler`` that does the work); :func:`sim.cli.main.ensemble_main` and
:func:`~sim.cli.main.sweep_main` run them from Python.
They follow the house rules of :mod:`sim.cli.main`: French by default, located messages and exit status
2 for bad input, nothing written on bad input. The first Ctrl-C during an ensemble or a sweep
stops it cleanly: the runs that finished are written, said to be partial, and the exit status is
130; a second Ctrl-C stops at once.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from sim.cli.common import (
    CliError,
    Context,
    Tr,
    _add_scenario_args,
    _out_dir,
    check_writable,
    load_from_args,
    render_table,
)
from sim.cli.multi import describe_multi, gap_label, load_multi_from_args, signed, write_csv
from sim.experiments.ensemble import (
    HEADLINE,
    documented_ranges,
    one_at_a_time,
    sensitivity,
    simulate_many,
    sweep,
)
from sim.experiments.multi import gap_ensemble
from sim.i18n import fmt_number
from sim.scenario.multi import is_multiservice_file
from sim.show.plots import tornado_figure

#: summary outputs the sweep shows and writes by default
SWEEP_OUTPUTS = (
    "price_120m3_eur_per_m3_first",
    "bill_120m3_eur_last",
    "share_households_above_3pct_last",
    "yield_pct_last",
    "reserves_eur_last",
)
#: the same for an electricity scenario
SWEEP_OUTPUTS_ELECTRICITY = (
    "price_ref_eur_per_kwh_first",
    "bill_ref_eur_last",
    "energy_poverty_pct_last",
    "saidi_min_mean",
    "reserves_eur_last",
)


# --------------------------------------------------------------------------------------------
# shared pieces
# --------------------------------------------------------------------------------------------
def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' (≥ 1)")
    return value


#: the most runs one command accepts: 10,000 futures of the base town already take hours
MAX_RUNS = 10_000


def _runs(text: str) -> int:
    value = _positive_int(text)
    if value > MAX_RUNS:
        raise argparse.ArgumentTypeError(f"'{text}' (1 … {MAX_RUNS})")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}'") from None
    if not 0 <= value <= 2**63 - 1:
        raise argparse.ArgumentTypeError(f"'{text}' (0 … 2^63-1)")
    return value


def _add_run_args(p: argparse.ArgumentParser, t: Tr, runs_default: int) -> None:
    _add_scenario_args(p, t)
    p.add_argument(
        "--runs",
        type=_runs,
        default=runs_default,
        metavar="N",
        help=t(f"nombre de tirages (par défaut {runs_default})", f"number of runs (default {runs_default})"),
    )
    p.add_argument(
        "--seed",
        type=_seed,
        metavar="N",
        help=t(
            "graine de la famille de graines (par défaut celle du scénario)",
            "seed of the seed family (default: the scenario's)",
        ),
    )
    p.add_argument(
        "--workers",
        type=_positive_int,
        metavar="K",
        help=t(
            "processus de calcul locaux, celui-ci compris (par défaut un par cœur ; 1 = ce processus seul)",
            "local worker processes, this one included (default: one per core; 1 = this process alone)",
        ),
    )
    p.add_argument(
        "--cluster",
        metavar="tcp://HÔTE:PORT",
        help=t(
            "ordonnanceur Dask où calculer, ou « dask » pour "
            "$DASK_SCHEDULER_ADDRESS (pip install regie-sim[cluster])",
            "Dask scheduler to run on, or 'dask' for $DASK_SCHEDULER_ADDRESS "
            "(pip install regie-sim[cluster])",
        ),
    )
    p.add_argument(
        "--out",
        type=_out_dir,
        metavar=t("DOSSIER", "DIR"),
        help=t("dossier des fichiers CSV", "folder for the CSV files"),
    )
    p.add_argument(
        "--quiet", "-q", action="store_true", help=t("sans barre de progression", "no progress bar")
    )


def _executor(args: argparse.Namespace) -> Any:
    if args.cluster:
        return args.cluster
    return "sequential" if args.workers == 1 else None


class _Progress:
    """A progress bar on stderr, shown only on a terminal and without ``--quiet``."""

    def __init__(self, show: bool, ctx: Context):
        self.bar = None
        if show:
            from tqdm import tqdm

            self.bar = tqdm(
                total=100,
                unit="%",
                desc=ctx.t("Futurs simulés", "Simulated futures"),
                file=sys.stderr,
                leave=False,
                dynamic_ncols=True,
            )

    def __call__(self, fraction: float) -> None:
        if self.bar is not None:
            self.bar.n = round(100 * fraction)
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class _StopOnCtrlC:
    """The first Ctrl-C becomes a cancel request (polled by the runner); the second one stops."""

    def __init__(self) -> None:
        self.asked = False
        self._old: Any = None

    def __enter__(self) -> _StopOnCtrlC:
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


def _run(fn: Callable[..., Any], args: argparse.Namespace, ctx: Context, **kw: Any) -> Any:
    """Call ``fn`` with a progress bar and Ctrl-C-to-stop; a missing Dask is bad input."""
    bar = _Progress(not args.quiet and sys.stderr.isatty(), ctx)
    try:
        with _StopOnCtrlC() as stop:
            return fn(executor=_executor(args), workers=args.workers, progress=bar, cancel=stop, **kw)
    except ImportError as exc:
        raise CliError(str(exc)) from None
    finally:
        bar.close()


def _partial(ctx: Context, done: int, total: int) -> str:
    return ctx.t(
        f"Interrompu : {done} tirages terminés sur {total} ; les fichiers ne contiennent que ceux-là.",
        f"Interrupted: {done} of {total} runs finished; the files hold only those.",
    )


# --------------------------------------------------------------------------------------------
# ensemble
# --------------------------------------------------------------------------------------------
def setup_ensemble(new: Callable[..., argparse.ArgumentParser], t: Tr) -> argparse.ArgumentParser:
    p = new(
        t(
            "simule de nombreux futurs d'un scénario et dit leurs chances",
            "simulate many futures of a scenario and state their odds",
        )
    )
    _add_run_args(p, t, runs_default=200)
    p.add_argument(
        "--deciles",
        action="store_true",
        help=t("garde aussi les tableaux par décile de chaque tirage", "also keep each run's deciles table"),
    )
    return p


def handle_ensemble(args: argparse.Namespace, ctx: Context) -> int:
    """Print the odds of the headline indicators in the last year; write the tables.

    Files (in ``--out``, default ``runs/<scenario>-ensemble``): ``ensemble_years.csv``,
    ``bands.csv``, ``ensemble_summaries.csv``, ``ensemble.json`` and ``scenario.yaml``.
    """
    if is_multiservice_file(args.file):  # the gap between the régie and separate services
        return handle_ensemble_multi(args, ctx)
    scenario = load_from_args(args, ctx)
    out = Path(args.out) if args.out else Path("runs") / f"{Path(args.file).stem}-ensemble"
    check_writable(out, ctx)
    if out.exists() and not out.is_dir():
        raise CliError(
            ctx.t(
                f"{out} existe et n'est pas un dossier : choisissez un autre --out",
                f"{out} exists and is not a folder: choose another --out",
            )
        )
    ens = _run(
        lambda **kw: simulate_many(scenario, args.runs, args.seed, keep_deciles=args.deciles, **kw), args, ctx
    )
    if ens.cancelled:
        ctx.err(_partial(ctx, ens.runs, args.runs))
    if ens.runs == 0:
        return 130 if ens.cancelled else 1
    n = fmt_number(ens.runs, ctx.lang)
    ctx.out(
        ctx.t(
            f"{scenario.town.name} — {n} futurs simulés (graine {ens.seed})",
            f"{scenario.town.name} — {n} simulated futures (seed {ens.seed})",
        )
    )
    ctx.out()
    for line in ens.statements(HEADLINE, lang=ctx.lang):
        ctx.out(line)
    written = ens.to_dir(out)
    ctx.out()
    ctx.out(
        ctx.t(
            f"Résultats écrits dans {written}/ (ensemble_years.csv, bands.csv, "
            "ensemble_summaries.csv, ensemble.json, scenario.yaml)",
            f"Results written to {written}/ (ensemble_years.csv, bands.csv, "
            "ensemble_summaries.csv, ensemble.json, scenario.yaml)",
        )
    )
    return 130 if ens.cancelled else 0


def handle_ensemble_multi(args: argparse.Namespace, ctx: Context) -> int:
    """``ensemble`` of a multi-service file: :func:`~sim.experiments.multi.against_separate` on
    ``--runs`` futures; the median and range of the gap of every measure. Files (in ``--out``,
    default ``runs/multi-<file>-ensemble``): ``gap_runs.csv`` (one row per future) and
    ``gap_summary.csv``. The futures run one after the other in this process (``--workers`` and
    ``--cluster`` are not used)."""
    ms = load_multi_from_args(args, ctx)
    out = Path(args.out) if args.out else Path("runs") / f"multi-{Path(args.file).stem}-ensemble"
    check_writable(out, ctx)
    ours = (out / "gap_runs.csv").is_file()
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not ours)):
        raise CliError(
            ctx.t(
                f"{out} existe et n'est pas un dossier d'ensemble multiservice : choisissez un autre --out",
                f"{out} exists and is not a multi-service ensemble folder: choose another --out",
            )
        )
    bar = _Progress(not args.quiet and sys.stderr.isatty(), ctx)
    try:
        with _StopOnCtrlC() as stop:
            ens = gap_ensemble(ms, args.runs, args.seed, progress=bar, cancel=stop)
    finally:
        bar.close()
    done = len(ens.runs)
    if ens.cancelled:
        ctx.err(_partial(ctx, done, args.runs))
    if done == 0:
        return 130 if ens.cancelled else 1
    n = fmt_number(done, ctx.lang)
    many = "s" if done > 1 else ""
    years = ms.spec.horizon_years
    ctx.out(
        ctx.t(
            f"{describe_multi(ms, ctx)}.\nÉcart entre la régie et les mêmes services gérés séparément, "
            f"sur {n} futur{many} (graine {ens.seed}) ; chaque futur compare les deux sur la même graine. "
            f"Sommes sur {years} ans, tous services confondus.",
            f"{describe_multi(ms, ctx)}.\nGap between the régie and the same services run separately, "
            f"over {n} future{many} (seed {ens.seed}); each future compares both on the same seed. "
            f"Sums over {years} years, every service together.",
        )
    )
    summary = ens.summary()
    header = [ctx.t("Écart", "Gap"), ctx.t("médiane", "median"), "min", "max"]
    rows = []
    for key in summary.index:
        label, unit = gap_label(str(key), ctx)
        scale, dec = (1e6, 2) if unit == "M€" else (1.0, 1)
        rows.append(
            [
                f"{label} ({unit})",
                *(signed(summary.at[key, c] / scale, ctx.lang, dec) for c in summary.columns),
            ]
        )
    ctx.out(render_table(header, rows))
    out.mkdir(parents=True, exist_ok=True)
    write_csv(ens.runs.to_csv(index=False), out / "gap_runs.csv")
    write_csv(summary.to_csv(index_label="gap"), out / "gap_summary.csv")
    ctx.out()
    ctx.out(
        ctx.t(
            f"Résultats écrits dans {out}/ (gap_runs.csv, gap_summary.csv)",
            f"Results written to {out}/ (gap_runs.csv, gap_summary.csv)",
        )
    )
    return 130 if ens.cancelled else 0


# --------------------------------------------------------------------------------------------
# sweep
# --------------------------------------------------------------------------------------------
def parse_grid(items: Sequence[str], ctx: Context | None = None) -> dict[str, list[Any]]:
    """``["a.b=1,2", "c=x,y"]`` → ``{"a.b": [1, 2], "c": ["x", "y"]}``.

    The values are read as a YAML flow sequence (``yaml.safe_load("[" + values + "]")``): numbers
    and booleans come out typed, ``'A, B'`` keeps its comma, and ``[1, 2],[3]`` gives two lists.
    """
    ctx = ctx or Context()
    grid: dict[str, list[Any]] = {}
    for item in items:
        key, sep, values = item.partition("=")
        key = key.strip()
        bad = CliError(
            ctx.t(
                f"--grid attend clé.chemin=v1,v2,…, reçu « {item} »",
                f"--grid expects key.path=v1,v2,…, got '{item}'",
            )
        )
        if not sep or not key or " " in key or not values.strip():
            raise bad
        try:
            parsed = yaml.safe_load(f"[{values}]")
        except yaml.YAMLError:
            raise bad from None
        if key in grid:
            raise CliError(ctx.t(f"--grid {key} est donné deux fois", f"--grid {key} is given twice"))
        grid[key] = list(parsed)
    return grid


def setup_sweep(new: Callable[..., argparse.ArgumentParser], t: Tr) -> argparse.ArgumentParser:
    p = new(t("simule une grille de valeurs de paramètres", "simulate a grid of parameter values"))
    _add_run_args(p, t, runs_default=1)
    p.add_argument(
        "--grid",
        action="append",
        required=True,
        metavar=t("CLÉ=V1,V2", "KEY=V1,V2"),
        help=t(
            "un paramètre et ses valeurs, par ex. "
            "--grid tariff.blocks[0].price_eur_per_m3=1.3,1.6 (répétable : la "
            "grille est le produit)",
            "a parameter and its values, e.g. "
            "--grid tariff.blocks[0].price_eur_per_m3=1.3,1.6 (repeatable: the grid "
            "is the product)",
        ),
    )
    p.add_argument(
        "--outputs",
        default=None,
        metavar="A,B",
        help=t(
            "indicateurs du résumé à garder, séparés par des virgules (par défaut ceux du service : "
            + ",".join(SWEEP_OUTPUTS)
            + " pour l'eau)",
            "summary outputs to keep, comma-separated (default: the service's, "
            + ",".join(SWEEP_OUTPUTS)
            + " for water)",
        ),
    )
    return p


def _cell(x: Any, lang: str) -> str:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    decimals = 0 if abs(x) >= 100 or float(x).is_integer() else (2 if abs(x) >= 1 else 3)
    return fmt_number(x, lang, decimals)


def handle_sweep(args: argparse.Namespace, ctx: Context) -> int:
    """Write ``sweep.csv`` (one row per grid point × run) and print the mean per grid point."""
    grid = parse_grid(args.grid, ctx)
    scenario = load_from_args(args, ctx)
    default = SWEEP_OUTPUTS_ELECTRICITY if scenario.service == "electricity" else SWEEP_OUTPUTS
    outputs = [o.strip() for o in (args.outputs or ",".join(default)).split(",") if o.strip()]
    out = Path(args.out) if args.out else Path("runs") / f"{Path(args.file).stem}-sweep"
    check_writable(out, ctx)
    if out.exists() and not out.is_dir():
        raise CliError(
            ctx.t(
                f"{out} existe et n'est pas un dossier : choisissez un autre --out",
                f"{out} exists and is not a folder: choose another --out",
            )
        )
    try:
        df = _run(
            lambda **kw: sweep(scenario, grid, runs=args.runs, seed=args.seed, outputs=outputs, **kw),
            args,
            ctx,
        )
    except KeyError as exc:  # an unknown output name
        raise CliError(str(exc.args[0])) from None
    total = args.runs
    for values in grid.values():
        total *= len(values)
    if df.attrs.get("cancelled"):
        ctx.err(_partial(ctx, len(df), total))
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / ".sweep.csv.tmp"
    df.to_csv(tmp, index=False)
    tmp.replace(out / "sweep.csv")
    if len(df):
        keys = list(grid)
        header = [*keys, ctx.t("tirages", "runs"), *outputs]
        rows = []
        for _, part in df.groupby("point", sort=True):
            first = part.iloc[0]
            rows.append(
                [
                    *(_cell(first[k], ctx.lang) for k in keys),
                    str(len(part)),
                    *(_cell(float(part[o].mean()), ctx.lang) for o in outputs),
                ]
            )
        ctx.out(render_table(header, rows))
        if args.runs > 1:
            ctx.out(
                ctx.t(
                    f"(moyennes sur {args.runs} tirages, les mêmes graines à chaque point)",
                    f"(means over {args.runs} runs, the same seeds at every point)",
                )
            )
        ctx.out()
    ctx.out(ctx.t(f"Résultats écrits dans {out / 'sweep.csv'}", f"Results written to {out / 'sweep.csv'}"))
    return 130 if df.attrs.get("cancelled") else 0


# --------------------------------------------------------------------------------------------
# sensitivity
# --------------------------------------------------------------------------------------------
def setup_sensitivity(new: Callable[..., argparse.ArgumentParser], t: Tr) -> argparse.ArgumentParser:
    p = new(
        t(
            "sensibilité un à un : chaque paramètre à sa borne basse puis haute (tornade)",
            "one-at-a-time sensitivity: each parameter at its low then high bound (tornado)",
        )
    )
    _add_scenario_args(p, t)
    p.add_argument(
        "--indicator",
        required=True,
        help=t(
            "indicateur (clé du résumé, ou colonne annuelle lue la dernière année, "
            "par ex. price_120m3_eur_per_m3)",
            "indicator (a summary key, or a yearly column read in the last year, "
            "e.g. price_120m3_eur_per_m3)",
        ),
    )
    p.add_argument(
        "--param",
        dest="params",
        action="append",
        default=[],
        metavar=t("CLÉ", "KEY"),
        help=t(
            "paramètre à faire varier dans ses bornes documentées (répétable ; par "
            "défaut les paramètres principaux)",
            "parameter to vary within its documented bounds (repeatable; default: the main parameters)",
        ),
    )
    p.add_argument("--out", help=t("dossier des résultats", "results folder"))
    p.add_argument("--seed", type=_seed, default=1, help=t("graine", "seed"))
    p.add_argument(
        "--sobol",
        action="store_true",
        help=t(
            "ajoute les indices de Sobol (SALib, plus long)", "also compute Sobol indices (SALib, slower)"
        ),
    )
    return p


def handle_sensitivity(args: argparse.Namespace, ctx: Context) -> int:
    """Write ``tornado.csv`` and ``tornado.html`` (and ``sobol.csv`` with ``--sobol``)."""
    scenario = load_from_args(args, ctx)
    out = Path(args.out) if args.out else Path("runs") / f"{Path(args.file).stem}-sensitivity"
    try:
        ranges = documented_ranges(scenario, args.params or None)
        df = one_at_a_time(scenario, args.indicator, ranges, seed=args.seed)
    except (KeyError, ValueError) as exc:
        raise CliError(str(exc).strip("'\"")) from None
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(out / "tornado.csv", index=False)
    tornado_figure(df, args.indicator, ctx.lang).write_html(out / "tornado.html", include_plotlyjs=True)
    rows = [
        [
            r.param,
            fmt_number(r.at_low, ctx.lang, 3),
            fmt_number(r.at_high, ctx.lang, 3),
            fmt_number(r.swing, ctx.lang, 3),
        ]
        for r in df.itertuples()
    ]
    ctx.out(
        render_table(
            [
                ctx.t("paramètre", "parameter"),
                ctx.t("borne basse", "low bound"),
                ctx.t("borne haute", "high bound"),
                ctx.t("écart", "swing"),
            ],
            rows,
        )
    )
    files = "tornado.csv, tornado.html"
    if args.sobol:
        try:
            ind = args.indicator  # a yearly column is read in the last year, as in the tornado
            if not ind.endswith(("_last", "_total", "_mean", "_first", "_first5", "_pct")):
                ind += "_last"
            sob = sensitivity(scenario, ranges, [ind], method="sobol", seed=args.seed)
        except ImportError as exc:
            raise CliError(str(exc)) from None
        sob.to_csv(out / "sobol.csv", index=False)
        files += ", sobol.csv"
    ctx.out(ctx.t(f"Résultats écrits dans {out}/ ({files})", f"Results written to {out}/ ({files})"))
    return 0

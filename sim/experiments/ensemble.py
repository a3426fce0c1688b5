"""Experiments over many runs: replications, regime comparisons, sweeps and sensitivity.

This is the experiment layer (STYLE practice 8). It never changes how one run works: every run is
``simulate(scenario, seed)`` (:func:`~sim.experiments.run.simulate_kept`: the same run, building only
the tables kept), and this module only decides *which* runs to make, *where* they run
and *what is kept* of each.

- :func:`simulate_many` — replications of one scenario on independent seeds derived from one seed
  (:func:`sim.core.rng.child_seeds`). Returns an :class:`Ensemble`: the stacked yearly tables, the
  P5/P25/P50/P75/P95 bands, the odds of a threshold and plain-language statements of those odds.
- :func:`compare_many` — replications of several scenarios on the *same* seed family (common random
  numbers): run ``r`` of every regime sees the same weather, breaks and households.
- :func:`sweep` — a grid of dotted-path changes × runs, one row per grid point and run.
- :func:`sensitivity` — Morris screening or Sobol indices (Saltelli sampling) with SALib.

Where runs happen (``executor``):

- ``None`` or ``"processes"`` — one worker per core (or ``workers``): this process and a local
  :class:`~concurrent.futures.ProcessPoolExecutor` of the others, sharing the tasks in order
  (this process has already imported the model: a spawned worker spends about 1 s on it, so on
  two cores one is spawned, not two). Workers are *spawned* with ``OPENBLAS_NUM_THREADS``,
  ``OMP_NUM_THREADS`` and ``MKL_NUM_THREADS`` set to 1, so that no worker starts a BLAS thread
  pool of its own (two workers each with a BLAS pool were slower than one, see DESIGN.md); this
  process runs its share with one thread a billing date too.
- ``"sequential"`` — in this process, one run after the other.
- ``"dask"`` — a Dask cluster at ``$DASK_SCHEDULER_ADDRESS``, or a new local one if that is unset;
  ``"tcp://HOST:PORT"`` (or ``tls://``, ``inproc://``) — the Dask scheduler at that address; a
  ``distributed.Client`` — that client. Dask is optional (``pip install regie-sim[cluster]``) and is
  imported only on this path. Dask's nannies already start workers with the same thread variables.
- any :class:`concurrent.futures.Executor` — that executor (left running afterwards).

Whatever the executor, the result is the same: a run's tables depend only on its scenario and seed,
and results are put back in run order, not completion order. Only the yearly table (and the
deciles table if asked) and the summary of each run are kept, so memory grows with runs × years.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim._version import __version__
from sim.core.rng import child_seeds
from sim.experiments.run import simulate, simulate_kept
from sim.i18n import THOUSANDS_FR, UNIT_SPACE_FR, fmt_eur, fmt_number, fmt_pct
from sim.measure.indicators import Indicator as MeasuredIndicator
from sim.measure.indicators import indicator
from sim.scenario.model import Scenario, dumps_scenario, scenario_to_dict, with_changes
from sim.scenario.ranges import ranges_for
from sim.scenario.schema import iter_params as schema_params

#: the bands reported by :meth:`Ensemble.bands`, as (column, percentile)
BANDS: tuple[tuple[str, float], ...] = (
    ("p5", 5.0),
    ("p25", 25.0),
    ("p50", 50.0),
    ("p75", 75.0),
    ("p95", 95.0),
)

#: environment of worker processes: one BLAS/OpenMP thread each and one thread a billing date
#: (``sim.core.billing.thread_count``): the pool gives the parallelism
THREAD_ENV: dict[str, str] = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "REGIE_SIM_THREADS": "1",
}

CLUSTER_HINT = (
    "Dask is needed to run on a cluster: pip install regie-sim[cluster]  "
    "(Dask est nécessaire pour calculer sur une grappe : "
    "pip install regie-sim[cluster])"
)

NNBSP = THOUSANDS_FR  # narrow no-break space: French thousands separator
NBSP = UNIT_SPACE_FR  # no-break space: between a French number and its unit

ProgressFn = Callable[[float], None]
CancelFn = Callable[[], bool]


# ============================================================================================
# indicators: how to say them
# ============================================================================================
@dataclass(frozen=True)
class Indicator:
    """How a yearly indicator is named and rounded in a plain-language statement.

    ``low_is_good`` picks the statement's direction: a bill "stays below" its P80, a yield "stays
    above" its P20. ``step`` fixes the rounding step; ``None`` rounds to two significant figures.
    """

    fr: str
    en: str
    unit: Literal["eur", "eur_per_m3", "eur_per_kwh", "minutes", "pct", "m3", "fte", ""] = ""
    low_is_good: bool = True
    plural: bool = False
    step: float | None = None


_UNITS: dict[str, Literal["eur", "eur_per_m3", "eur_per_kwh", "minutes", "pct", "m3", "fte", ""]] = {
    "eur": "eur",
    "eur_per_m3": "eur_per_m3",
    "eur_per_kwh": "eur_per_kwh",
    "minutes": "minutes",
    "pct": "pct",
    "m3": "m3",
    "fte": "fte",
}


def _statement(ind: MeasuredIndicator) -> Indicator:
    """How the indicator table's entry is stated in a sentence about the futures."""
    return Indicator(
        ind.phrase_fr,
        ind.phrase_en,
        _UNITS.get(ind.unit, ""),
        low_is_good=ind.direction != "higher",
        plural=ind.plural,
        step=ind.step,
    )


#: the indicators the futures' statements speak of, from the one indicator table
#: (:mod:`sim.measure.indicators`); the last four are the rest of the dashboard's headline figures
INDICATORS: dict[str, Indicator] = {
    name: _statement(indicator(name))
    for name in (
        "bill_120m3_eur",
        "price_120m3_eur_per_m3",
        "share_households_above_3pct",
        "yield_pct",
        "reserves_eur",
        "unpaid_rate_pct",
        "debt_eur",
        "breaks_per_100km",
        "breaks",
        "outflow_eur",
        "fte",
        "bill_ref_eur",
        "price_ref_eur_per_kwh",
        "energy_poverty_pct",
        "saidi_min",
    )
}

#: the indicators the CLI states, in order
HEADLINE: tuple[str, ...] = (
    "bill_120m3_eur",
    "share_households_above_3pct",
    "yield_pct",
    "bill_ref_eur",
    "energy_poverty_pct",
    "saidi_min",
    "reserves_eur",
)


def format_number(x: float, lang: str = "fr", decimals: int = 0) -> str:
    """``x`` with ``decimals`` decimals and grouped thousands, as :func:`sim.i18n.fmt_number`.

    French: decimal comma and a narrow no-break space (U+202F) between thousands.

    >>> format_number(1234567.891, "fr", 2) == "1\u202f234\u202f567,89"
    True
    >>> format_number(-1234.5, "en", 1)
    '-1,234.5'
    """
    return fmt_number(x, lang, decimals)


def format_value(x: float, unit: str, lang: str = "fr", decimals: int = 0) -> str:
    """A number with its unit, typeset as the rest of the interface (:mod:`sim.i18n`):
    ``290 €`` / ``€290``, ``2,35 €/m3`` / ``€2.35/m3``, ``19 %`` / ``19%``."""
    if unit == "eur":
        return fmt_eur(x, lang, decimals)
    if unit == "eur_per_m3":
        return f"{fmt_eur(x, lang, decimals)}/m3"
    if unit == "eur_per_kwh":
        return f"{fmt_eur(x, lang, max(decimals, 3))}/kWh"
    if unit == "minutes":
        return f"{fmt_number(x, lang, decimals)}{NBSP if lang == 'fr' else ' '}min"
    if unit == "pct":
        return fmt_pct(x, lang, decimals)
    if unit == "m3":
        return f"{fmt_number(x, lang, decimals)}{NBSP if lang == 'fr' else ' '}m3"
    if unit == "fte":
        return (
            f"{fmt_number(x, lang, decimals)}{NBSP}ETP"
            if lang == "fr"
            else f"{fmt_number(x, lang, decimals)} FTE"
        )
    return fmt_number(x, lang, decimals)


def nice_threshold(x: float, up: bool, step: float | None = None) -> tuple[float, int]:
    """Round ``x`` up (or down) to a readable step; return the value and its number of decimals.

    Without ``step``, the step keeps two significant figures (281 → 290 up, 1 866 538 → 1 800 000
    down).
    """
    if not math.isfinite(x):
        return x, 0
    if step is None:
        mag = math.floor(math.log10(abs(x))) if x != 0 else 0
        step = 10.0 ** (mag - 1)
    decimals = max(0, -math.floor(math.log10(step) + 1e-12))
    q = x / step
    q = math.ceil(q - 1e-9) if up else math.floor(q + 1e-9)
    return round(q * step, decimals), decimals


# ============================================================================================
# the Ensemble
# ============================================================================================
@dataclass(eq=False)
class Ensemble:
    """Runs of one scenario on a family of seeds, stacked.

    Attributes
    ----------
    years
        The yearly tables of the finished runs, stacked: ``run`` (0-based replication index) and
        ``seed`` first, then every column of :attr:`sim.core.result.Result.years`.
    summaries
        One row per finished run: ``run``, ``seed`` and the run's :attr:`Result.summary`.
    deciles
        The stacked deciles tables when asked for (``keep_deciles=True``), else ``None``.
    seeds
        The seed of every planned run, in run order (run ``r`` used ``seeds[r]``).
    cancelled
        True when the ensemble was stopped early: it then holds only the runs that finished.
    meta
        Provenance: version, scenario fingerprint, base seed, executor, wall time.
    """

    years: pd.DataFrame
    summaries: pd.DataFrame = field(default_factory=pd.DataFrame)
    deciles: pd.DataFrame | None = None
    scenario: Scenario | None = None
    seed: int | None = None
    seeds: tuple[int, ...] = ()
    cancelled: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
    _band_cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)

    # ---------------------------------------------------------------- shape
    @property
    def runs(self) -> int:
        """Number of finished runs held."""
        return int(self.years["run"].nunique()) if len(self.years) else 0

    @property
    def years_list(self) -> list[int]:
        return sorted(int(y) for y in self.years["year"].unique())

    def indicators(self) -> list[str]:
        """Numeric columns of the yearly table (those that have bands)."""
        cols = [c for c in self.years.columns if c not in ("run", "seed", "year")]
        return [c for c in cols if pd.api.types.is_numeric_dtype(self.years[c])]

    def matrix(self, indicator: str) -> pd.DataFrame:
        """``indicator`` as a table year × run."""
        self._check(indicator)
        m = self.years.pivot(index="year", columns="run", values=indicator)
        return m.astype(float)

    def _check(self, indicator: str) -> None:
        if indicator not in self.years.columns or indicator in ("run", "seed", "year"):
            raise KeyError(f"unknown indicator {indicator!r}; indicators are {self.indicators()}")
        if not len(self.years):
            raise ValueError("the ensemble holds no finished run")

    # ---------------------------------------------------------------- bands and odds
    def bands(self, indicator: str) -> pd.DataFrame:
        """Percentile bands of ``indicator`` across runs: year × [p5, p25, p50, p75, p95].

        Percentiles use :func:`numpy.percentile` with linear interpolation over the runs of each
        year, so ``p5 ≤ p25 ≤ p50 ≤ p75 ≤ p95``.
        """
        if indicator not in self._band_cache:
            m = self.matrix(indicator)
            q = np.percentile(m.to_numpy(), [p for _, p in BANDS], axis=1).T
            out = pd.DataFrame(q, index=m.index, columns=[c for c, _ in BANDS])
            out.index.name = "year"
            self._band_cache[indicator] = out
        return self._band_cache[indicator].copy()

    def all_bands(self) -> pd.DataFrame:
        """Bands of every numeric indicator, tidy: indicator, year, p5 … p95."""
        frames = []
        for ind in self.indicators():
            b = self.bands(ind).reset_index()
            b.insert(0, "indicator", ind)
            frames.append(b)
        if not frames:
            return pd.DataFrame(columns=["indicator", "year", *[c for c, _ in BANDS]])
        return pd.concat(frames, ignore_index=True)

    def values(self, indicator: str, year: int | None = None) -> np.ndarray:
        """The value of ``indicator`` in ``year`` (default: last year) for every finished run."""
        self._check(indicator)
        year = self.years_list[-1] if year is None else int(year)
        sel = self.years.loc[self.years["year"] == year, indicator]
        if sel.empty:
            raise KeyError(f"year {year} is not simulated; years are {self.years_list}")
        return sel.to_numpy(dtype=float)

    def odds(self, indicator: str, year: int, threshold: float, below: bool = True) -> float:
        """Share of runs (0-1) in which ``indicator`` in ``year`` is at or below ``threshold``.

        With ``below=False``, the share at or above it.
        """
        v = self.values(indicator, year)
        hits = (v <= threshold) if below else (v >= threshold)
        return float(hits.mean())

    # ---------------------------------------------------------------- plain language
    def statement(
        self, indicator: str, year: int | None = None, lang: str = "fr", below: bool | None = None
    ) -> str:
        """The odds of ``indicator`` in ``year`` in one plain sentence.

        For an indicator where low is good (a bill), the threshold is the run-wise P80 of that year
        rounded *up* to a readable step, and the sentence says in how many of the futures run the
        indicator stays at or below it; where high is good (a yield, reserves) it is the P20
        rounded *down*, and the sentence says "stays above". The counts are those of the runs
        (« 4 sur 6 » with 6 runs), so a statement never claims more futures than were run. When every
        run gives the
        same value, the sentence says so instead (« Dans tous les futurs simulés, … vaut 0 € »).

        Example: ``ens.statement("bill_120m3_eur", 2055, "fr")`` →
        « Dans 160 futurs simulés sur 200, la facture de 120 m3 reste sous 290 € en 2055. »
        """
        if lang not in ("fr", "en"):
            raise ValueError(f"lang must be 'fr' or 'en', not {lang!r}")
        meta = INDICATORS.get(indicator, Indicator(indicator, indicator))
        year = self.years_list[-1] if year is None else int(year)
        below = meta.low_is_good if below is None else below
        v = self.values(indicator, year)
        if np.ptp(v) == 0:  # the same value in every future (no money leaves a régie): no odds
            x = float(v[0])
            _, decimals = nice_threshold(x, up=True, step=meta.step)
            value = format_value(x, meta.unit, lang, 0 if x == 0 else decimals)
            if lang == "fr":
                verb = "valent" if meta.plural else "vaut"
                return f"Dans tous les futurs simulés, {meta.fr} {verb} {value} en {year}."
            verb = "are" if meta.plural else "is"
            return f"In every simulated future, {meta.en} {verb} {value} in {year}."
        raw = float(np.percentile(v, 80.0 if below else 20.0))
        threshold, decimals = nice_threshold(raw, up=below, step=meta.step)
        n = len(v)
        hits = (v <= threshold) if below else (v >= threshold)
        k = int(hits.sum())  # the futures actually run: « 4 sur 6 », never a share out of 10
        value = format_value(threshold, meta.unit, lang, decimals)
        if lang == "fr":
            verb = "restent" if meta.plural else "reste"
            where = "sous" if below else "au-dessus de"
            futures = "futur simulé" if k <= 1 else "futurs simulés"
            return f"Dans {k} {futures} sur {n}, {meta.fr} {verb} {where} {value} en {year}."
        verb = "stay" if meta.plural else "stays"
        where = "below" if below else "above"
        futures = "simulated future" if n == 1 else "simulated futures"
        return f"In {k} of {n} {futures}, {meta.en} {verb} {where} {value} in {year}."

    def statements(
        self, indicators: Sequence[str] = HEADLINE, year: int | None = None, lang: str = "fr"
    ) -> list[str]:
        """:meth:`statement` for each of ``indicators`` present in the yearly table."""
        return [self.statement(i, year, lang) for i in indicators if i in self.years.columns]

    # ---------------------------------------------------------------- parts
    @classmethod
    def concat(cls, parts: Sequence[Ensemble]) -> Ensemble:
        """One ensemble from parts made separately (``simulate_many(…, first_run=…)``).

        The parts must replicate the same scenario on the same seed family and hold different
        runs; the result holds every run in run order and equals the ensemble made at once
        (seeds are prefix-stable: run ``r`` has the same seed whatever the number of runs). It is
        ``cancelled`` when a part was. Times in ``meta`` are summed over the parts.
        """
        seeds = _check_parts(parts)
        first = parts[0]
        full = [p for p in parts if len(p.years)]
        years = _cat([p.years for p in full], first.years)
        sums = _cat([p.summaries for p in full if len(p.summaries)], first.summaries)
        deciles = None
        if first.deciles is not None:
            deciles = _cat([p.deciles for p in full if p.deciles is not None], first.deciles)
        return cls(
            years=years,
            summaries=sums,
            deciles=deciles,
            scenario=first.scenario,
            seed=first.seed,
            seeds=tuple(seeds),
            cancelled=any(p.cancelled for p in parts),
            meta=_joined_meta(parts, len(seeds)),
        )

    def runs_before(self, stop: int) -> Ensemble:
        """The same ensemble holding only its runs numbered below ``stop`` (a part stopped while its
        runs were shared out may hold a later run without an earlier one: the runs kept are those
        without a gap)."""
        years = self.years[self.years["run"] < stop] if len(self.years) else self.years
        sums = self.summaries
        if len(sums) and "run" in sums.columns:
            sums = sums[sums["run"] < stop]
        deciles = self.deciles
        if deciles is not None and len(deciles) and "run" in deciles.columns:
            deciles = deciles[deciles["run"] < stop]
        return Ensemble(
            years=years.reset_index(drop=True),
            summaries=sums.reset_index(drop=True),
            deciles=None if deciles is None else deciles.reset_index(drop=True),
            scenario=self.scenario,
            seed=self.seed,
            seeds=self.seeds,
            cancelled=self.cancelled,
            meta=dict(self.meta),
        )

    # ---------------------------------------------------------------- files
    def to_dir(self, path: str | Path) -> Path:
        """Write ``ensemble_years.csv``, ``bands.csv``, ``ensemble_summaries.csv`` (and
        ``ensemble_deciles.csv``) and ``ensemble.json`` (provenance, seeds) into ``path``.

        Each file is written to a temporary name and renamed, so a file is never half-written.
        """
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        files: dict[str, pd.DataFrame] = {
            "ensemble_years.csv": self.years,
            "bands.csv": self.all_bands(),
            "ensemble_summaries.csv": self.summaries,
        }
        if self.deciles is not None:
            files["ensemble_deciles.csv"] = self.deciles
        for name, df in files.items():
            tmp = out / f".{name}.tmp"
            df.to_csv(tmp, index=False)
            tmp.replace(out / name)
        info = dict(
            self.meta, runs_done=self.runs, cancelled=self.cancelled, seeds=[int(s) for s in self.seeds]
        )
        tmp = out / ".ensemble.json.tmp"
        tmp.write_text(json.dumps(info, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        tmp.replace(out / "ensemble.json")
        if self.scenario is not None:
            tmp = out / ".scenario.yaml.tmp"
            tmp.write_text(dumps_scenario(self.scenario), encoding="utf-8")
            tmp.replace(out / "scenario.yaml")
        return out


def _check_parts(parts: Sequence[Ensemble]) -> tuple[int, ...]:
    """The seed family of parts that can be joined; a ValueError says why others cannot."""
    if not parts:
        raise ValueError("concat needs at least one part")
    prints = {p.meta.get("scenario_fingerprint") for p in parts}
    if len(prints) > 1 or len({p.seed for p in parts}) > 1:
        raise ValueError("the parts replicate different scenarios or seed families")
    seeds = max((p.seeds for p in parts), key=len)
    if any(p.seeds != seeds[: len(p.seeds)] for p in parts):
        raise ValueError("the parts do not share one seed family")
    runs = [r for p in parts if len(p.years) for r in p.years["run"].unique()]
    if len(runs) != len(set(runs)):
        raise ValueError("two parts hold the same run")
    return tuple(seeds)


def _cat(frames: list[pd.DataFrame], like: pd.DataFrame) -> pd.DataFrame:
    """Frames of several parts as one, in run (and year) order; empty like ``like`` if none."""
    if not frames:
        return like.iloc[0:0].copy()
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["run", *(["year"] if "year" in out else [])], kind="stable").reset_index(
        drop=True
    )


def _joined_meta(parts: Sequence[Ensemble], runs_requested: int) -> dict[str, Any]:
    """The last part's provenance, with times summed over the parts."""
    meta = dict(parts[-1].meta)
    for k in ("wall_s", "run_cpu_s", "worker_cpu_s_max", "here_cpu_s"):
        if all(k in p.meta for p in parts):
            meta[k] = round(sum(float(p.meta[k]) for p in parts), 3)
    meta.update(
        runs_requested=runs_requested,
        parts=len(parts),
        first_run=min(int(p.meta.get("first_run", 0)) for p in parts),
    )
    return meta


def fingerprint(scenario: Scenario) -> str:
    """Short SHA-256 of the resolved scenario's YAML: two runs with the same print ran the same
    scenario."""
    return hashlib.sha256(dumps_scenario(scenario).encode("utf-8")).hexdigest()[:16]


# ============================================================================================
# one run, as shipped to a worker
# ============================================================================================
@dataclass(frozen=True)
class RunTask:
    """One run to make: which scenario, which seed, what to keep. Pickles (the Scenario is a
    frozen pydantic model), so it travels to process and Dask workers alike."""

    key: int
    scenario: Scenario
    seed: int
    keep_deciles: bool = False
    indicators: tuple[str, ...] | None = None


@dataclass
class RunOutput:
    """What is kept of one run: its yearly table, its deciles if asked, its summary."""

    key: int
    seed: int
    years: pd.DataFrame
    deciles: pd.DataFrame | None
    summary: dict[str, Any]
    cpu_s: float = 0.0  # CPU time of the run in its worker (for benchmarks, never in the tables)
    pid: int = 0  # the worker process that made it


def run_task(task: RunTask, progress: ProgressFn | None = None) -> RunOutput:
    """Make one run and keep only the small tables (module level, so workers can import it)."""
    cpu0 = time.process_time()
    years, deciles, summary = simulate_kept(
        task.scenario, task.seed, keep_deciles=task.keep_deciles, progress=progress
    )
    if task.indicators is not None:
        missing = [c for c in task.indicators if c not in years.columns]
        if missing:
            raise KeyError(
                f"unknown indicators {missing}; indicators are {[c for c in years.columns if c != 'year']}"
            )
        years = years[["year", *[c for c in task.indicators if c != "year"]]]
    return RunOutput(
        task.key,
        task.seed,
        years.copy(),
        deciles,
        summary,
        time.process_time() - cpu0,
        os.getpid(),
    )


def _init_worker() -> None:
    """Process-pool initializer: one BLAS/OpenMP thread per worker; Ctrl-C is the parent's.

    The variables are also in the environment the worker was spawned with (BLAS reads them when
    numpy is first imported, before this runs); setting them here covers libraries loaded later.
    Workers ignore SIGINT: a Ctrl-C in a terminal reaches the whole process group, and it is the
    parent's to decide (cancel, then let the running runs finish), not the workers' to die of.
    """
    os.environ.update(THREAD_ENV)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def _thread_env() -> Iterator[None]:
    """Set :data:`THREAD_ENV` while a pool starts and runs; restore the caller's values after."""
    old = {k: os.environ.get(k) for k in THREAD_ENV}
    os.environ.update(THREAD_ENV)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def default_workers() -> int:
    """Number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _started(barrier: Any = None) -> int:
    """A no-op task that tells its worker process started (and imported the model).

    With a ``barrier`` (a multiprocessing manager's Barrier), every task waits for the others, so
    k tasks are sure to run on k workers; without, 50 ms is long enough on a quiet machine.
    """
    if barrier is not None:
        barrier.wait(timeout=30)
    else:
        time.sleep(0.05)  # long enough that every warm-up task lands on a worker of its own
    return os.getpid()


def make_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """A process pool set up like :func:`simulate_many`'s own, to keep across many calls.

    Pass it as ``executor``: it is left running, so a long-lived host (the dashboard) pays the
    workers' start-up (spawn, import the model: about 1 s each) once, not at every call.
    Every worker is started now, with one BLAS thread (:data:`THREAD_ENV`) and with a blank
    ``__main__``: a spawned worker re-runs the parent's ``__main__`` script, and hosts that run
    scripts as ``__main__`` (Streamlit runs each page so) must not have it run again in every
    worker. Close it with ``shutdown()``.
    """
    import sys
    import types

    k = workers or default_workers()
    if k < 1:
        raise ValueError(f"workers must be at least 1, not {k}")
    main = sys.modules.get("__main__")
    with _thread_env():
        pool = ProcessPoolExecutor(
            max_workers=k, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker
        )
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            # a pool spawns a worker at a submit that finds none idle: k quick submits start k
            warm = [pool.submit(_started) for _ in range(k)]
        finally:
            if main is not None:
                sys.modules["__main__"] = main
    for f in warm:
        f.result()
    return pool


# ============================================================================================
# running many tasks somewhere
# ============================================================================================
@dataclass
class Batch:
    """Outputs of a batch of tasks, in task order; ``None`` for a task that did not finish."""

    outputs: list[RunOutput | None]
    cancelled: bool
    executor: str
    workers: int | None
    wall_s: float


_POLL_S = 0.05
#: tasks given ahead to each spawned worker while this process makes a run: the pool learns a run
#: is done only when this process lets go of the interpreter, so with two the worker waited
#: (200 runs of the default town on two cores, one batch each: 9.0 s with 2, 7.7 s with 4, 8.0 s with 8)
AHEAD = 4


def _is_dask_client(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] == "distributed" and hasattr(obj, "map")


def _dask_address(executor: Any) -> str | None:
    """The scheduler address named by ``executor``, ``None`` for a new local cluster."""
    if executor == "dask":
        return os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    return str(executor)


def _is_address(executor: Any) -> bool:
    return isinstance(executor, str) and "://" in executor


def run_tasks(
    tasks: Sequence[RunTask],
    executor: Any = None,
    *,
    workers: int | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> Batch:
    """Run ``tasks`` on ``executor`` (see the module docstring) and gather their outputs in order.

    ``progress`` is called with the fraction of tasks done; ``cancel`` is polled while waiting and,
    when it returns True, pending tasks are cancelled and the batch returns what finished. An
    error in any run cancels the rest and is raised.
    """
    t0 = time.perf_counter()
    n = len(tasks)
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if executor == "sequential":
        outputs, cancelled = _run_sequential(tasks, progress, cancel)
        return Batch(outputs, cancelled, "sequential", 1, time.perf_counter() - t0)
    if executor == "dask" or _is_address(executor) or _is_dask_client(executor):
        outputs, cancelled, name = _run_dask(tasks, executor, workers, progress, cancel)
        return Batch(outputs, cancelled, name, workers, time.perf_counter() - t0)
    if isinstance(executor, Executor):
        outputs, cancelled = _run_futures(executor, tasks, progress, cancel)
        return Batch(outputs, cancelled, type(executor).__name__, None, time.perf_counter() - t0)
    if executor not in (None, "processes"):
        raise ValueError(
            f"unknown executor {executor!r}: use None or 'processes', 'sequential', "
            "'dask', a 'tcp://HOST:PORT' address, a dask Client or an Executor"
        )
    k = min(workers or default_workers(), max(n, 1))
    with _thread_env():
        # this process is the k-th worker: it is already started, so only k - 1 are spawned
        pool = (
            ProcessPoolExecutor(
                max_workers=k - 1, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker
            )
            if k > 1
            else None
        )
        finished = False
        try:
            outputs, cancelled = _run_shared(pool, k - 1, tasks, progress, cancel)
            finished = True
        finally:
            if pool is not None:
                # every task is done or dropped: the workers exit (a fraction of a second for an
                # interpreter with the model loaded) without the caller waiting for them; after an
                # error, wait for the runs still under way, as before
                pool.shutdown(wait=not finished, cancel_futures=True)
    return Batch(outputs, cancelled, "processes", k, time.perf_counter() - t0)


def _run_sequential(
    tasks: Sequence[RunTask], progress: ProgressFn | None, cancel: CancelFn | None
) -> tuple[list[RunOutput | None], bool]:
    n = len(tasks)
    outputs: list[RunOutput | None] = [None] * n
    report = _Throttled(progress) if progress is not None else None
    for i, task in enumerate(tasks):
        if cancel is not None and cancel():
            return outputs, True
        inner = None
        if report is not None:

            def inner(f: float, i: int = i) -> None:
                report((i + f) / n)

        outputs[i] = run_task(task, inner)
    if report is not None:
        report(1.0)
    return outputs, False


def _run_futures(
    ex: Executor, tasks: Sequence[RunTask], progress: ProgressFn | None, cancel: CancelFn | None
) -> tuple[list[RunOutput | None], bool]:
    n = len(tasks)
    outputs: list[RunOutput | None] = [None] * n
    pending: dict[Future[RunOutput], int] = {ex.submit(run_task, t): i for i, t in enumerate(tasks)}
    done_n = 0
    try:
        while pending:
            if cancel is not None and cancel():
                # runs not started are dropped; runs already in a worker are waited for and kept
                # (they cost nothing more, and the futures counted as made stay made): the pool
                # starts runs in order, so what is kept is the first runs without a gap
                # (cancelled from the last: a later run is only kept when every earlier one is)
                _stop(pending, outputs)
                return outputs, True
            done, _ = wait(list(pending), timeout=_POLL_S, return_when=FIRST_COMPLETED)
            for f in done:
                i = pending.pop(f)
                outputs[i] = f.result()
                done_n += 1
            if done and progress is not None:
                progress(done_n / n)
        return outputs, False
    finally:
        for f in pending:
            f.cancel()


def _run_shared(
    pool: Executor | None,
    pool_workers: int,
    tasks: Sequence[RunTask],
    progress: ProgressFn | None,
    cancel: CancelFn | None,
) -> tuple[list[RunOutput | None], bool]:
    """Run ``tasks`` on ``pool`` and in this process together, taking them in order.

    A spawned worker spends about 1 s starting (the interpreter, the model's imports, numba's
    loading) before its first run; this process has already paid most of it. So it runs tasks
    too, while it keeps each of the pool's ``pool_workers`` workers fed with :data:`AHEAD` tasks; when
    no task is left to give, it takes back the pool's tasks not yet started (from the last) and
    runs them, so the batch does not end waiting for a queue. A run's tables depend only on its
    task, so where it runs changes nothing in the results (tested).

    ``cancel`` is polled between runs: tasks not started are dropped, runs under way are kept,
    and the outputs are cut at the first missing run, so what is kept is the first runs without a
    gap (as :func:`_run_futures` does).
    """
    n = len(tasks)
    outputs: list[RunOutput | None] = [None] * n
    pending: dict[Future[RunOutput], int] = {}
    nxt = 0
    done_n = 0
    report = _Throttled(progress) if progress is not None else None

    def collect(futures: Sequence[Future[RunOutput]]) -> None:
        nonlocal done_n
        for f in futures:
            outputs[pending.pop(f)] = f.result()
            done_n += 1

    def run_here(i: int) -> None:
        nonlocal done_n
        inner = None
        if report is not None:

            def inner(f: float) -> None:
                report((done_n + f) / n)

        outputs[i] = run_task(tasks[i], inner)
        done_n += 1

    try:
        while nxt < n or pending:
            if cancel is not None and cancel():
                _stop(pending, outputs)
                return _without_gaps(outputs), True
            while pool is not None and nxt < n and len(pending) < AHEAD * pool_workers:
                pending[pool.submit(run_task, tasks[nxt])] = nxt
                nxt += 1
            collect([f for f in pending if f.done()])
            if nxt < n:
                nxt += 1
                run_here(nxt - 1)
            elif (back := _take_back(pending)) is not None:
                run_here(back)
            elif pending:
                done, _ = wait(list(pending), timeout=_POLL_S, return_when=FIRST_COMPLETED)
                collect(list(done))
            if report is not None:
                report(done_n / n)
        return outputs, False
    finally:
        for f in pending:
            f.cancel()


class _Throttled:
    """``progress`` called only when the fraction has moved by :attr:`STEP` or reached 1.

    A run made in this process reports each of its months: 360 calls a run, ~36,000 for a batch
    of 200, each a redraw of the CLI's bar (tens of µs); 500 steps are as smooth to the eye."""

    STEP = 0.002

    def __init__(self, progress: ProgressFn) -> None:
        self.progress = progress
        self.last = -1.0

    def __call__(self, fraction: float) -> None:
        if fraction >= self.last + self.STEP or (fraction >= 1.0 and self.last < 1.0):
            self.last = fraction
            self.progress(fraction)


def _take_back(pending: dict[Future[RunOutput], int]) -> int | None:
    """Cancel the last of ``pending``'s tasks that no worker has started; its index, or None."""
    for f in sorted(pending, key=pending.__getitem__, reverse=True):
        if f.cancel():
            return pending.pop(f)
    return None


def _stop(pending: dict[Future[RunOutput], int], outputs: list[RunOutput | None]) -> None:
    """Cancel what has not started (from the last) and wait for the runs under way, kept."""
    started = [f for f in sorted(pending, key=pending.__getitem__, reverse=True) if not f.cancel()]
    for f in started:
        try:
            outputs[pending[f]] = f.result()
        except CancelledError:
            pass
    pending.clear()


def _without_gaps(outputs: list[RunOutput | None]) -> list[RunOutput | None]:
    """``outputs`` cut at the first missing run: a later run is kept only when every earlier one is."""
    first = next((i for i, o in enumerate(outputs) if o is None), len(outputs))
    return outputs[:first] + [None] * (len(outputs) - first)


def _run_dask(
    tasks: Sequence[RunTask],
    executor: Any,
    workers: int | None,
    progress: ProgressFn | None,
    cancel: CancelFn | None,
) -> tuple[list[RunOutput | None], bool, str]:
    try:
        from distributed import Client
    except ImportError:
        raise ImportError(CLUSTER_HINT) from None
    own = not _is_dask_client(executor)
    if own:
        address = _dask_address(executor)
        if address is None:
            kwargs: dict[str, Any] = {"threads_per_worker": 1, "dashboard_address": None}
            if workers is not None:
                kwargs["n_workers"] = workers
            client = Client(**kwargs)
        else:
            client = Client(address)
    else:
        client = executor
    name = f"dask:{client.scheduler.address}" if client.scheduler is not None else "dask"
    n = len(tasks)
    outputs: list[RunOutput | None] = [None] * n
    futures = client.map(run_task, list(tasks), pure=False)
    pending = dict(zip(futures, range(n), strict=True))
    done_n = 0
    try:
        while pending:
            if cancel is not None and cancel():
                return outputs, True, name
            done = [f for f in pending if f.done()]
            if not done:
                time.sleep(_POLL_S)
                continue
            for f in done:
                i = pending.pop(f)
                outputs[i] = f.result()
                f.release()
                done_n += 1
            if progress is not None:
                progress(done_n / n)
        return outputs, False, name
    finally:
        if pending:
            client.cancel(list(pending))
        if own:
            client.close()


# ============================================================================================
# replications and comparisons
# ============================================================================================
def _assemble(
    scenario: Scenario,
    seed: int,
    seeds: Sequence[int],
    outs: Sequence[RunOutput | None],
    cancelled: bool,
    batch: Batch,
    keep_deciles: bool,
    first_run: int = 0,
) -> Ensemble:
    kept = [(run, out) for run, out in enumerate(outs, start=first_run) if out is not None]
    sums = [
        {"run": run, "seed": out.seed, **{k: v for k, v in out.summary.items() if k != "seed"}}
        for run, out in kept
    ]
    years_df = (
        _stacked([(run, out.seed, out.years) for run, out in kept])
        if kept
        else pd.DataFrame(columns=["run", "seed", "year"])
    )
    decs = [(run, out.seed, out.deciles) for run, out in kept if out.deciles is not None]
    deciles_df = (_stacked(decs) if decs else pd.DataFrame()) if keep_deciles else None

    meta = {
        "version": __version__,
        "scenario_fingerprint": fingerprint(scenario),
        "town": scenario.town.name,
        "seed": int(seed),
        "runs_requested": len(seeds),
        "first_run": int(first_run),
        "executor": batch.executor,
        "workers": batch.workers,
        "wall_s": round(batch.wall_s, 3),
        "run_cpu_s": round(sum(o.cpu_s for o in outs if o is not None), 3),
        "worker_cpu_s_max": round(_max_worker_cpu(outs), 3),
        "here_cpu_s": round(sum(o.cpu_s for o in outs if o is not None and o.pid == os.getpid()), 3),
    }
    return Ensemble(
        years=years_df,
        summaries=pd.DataFrame(sums),
        deciles=deciles_df,
        scenario=scenario,
        seed=int(seed),
        seeds=tuple(int(s) for s in seeds),
        cancelled=cancelled,
        meta=meta,
    )


def _stacked(tables: Sequence[tuple[int, int, pd.DataFrame]]) -> pd.DataFrame:
    """The runs' tables one under the other, each row led by its ``run`` and ``seed``: one concat
    and two columns, instead of a copy and two inserts a run (the same table, ~0.1 s less for
    200 runs with their deciles)."""
    frames = [t for _, _, t in tables]
    lengths = [len(t) for t in frames]
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "run", np.repeat(np.array([r for r, _, _ in tables], dtype=np.int64), lengths))
    out.insert(1, "seed", np.repeat(np.array([s for _, s, _ in tables], dtype=np.int64), lengths))
    return out


def _max_worker_cpu(outs: Sequence[RunOutput | None]) -> float:
    """The largest in-run CPU time summed by one worker process other than this one (whose share
    is ``here_cpu_s``): on idle cores, the batch's wall time is the larger of this one's share and
    a worker's start-up plus this figure (a load-independent yardstick for benchmarks)."""
    per: dict[int, float] = {}
    for o in outs:
        if o is not None and o.pid != os.getpid():
            per[o.pid] = per.get(o.pid, 0.0) + o.cpu_s
    return max(per.values(), default=0.0)


def _check_runs(runs: int, first_run: int = 0) -> None:
    if int(runs) < 1:
        raise ValueError(f"runs must be at least 1, not {runs}")
    if not 0 <= int(first_run) < int(runs):
        raise ValueError(f"first_run must be in [0, runs), not {first_run} (runs={runs})")


def simulate_many(
    scenario: Scenario,
    runs: int,
    seed: int | None = None,
    executor: Any = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    indicators: Sequence[str] | None = None,
    *,
    workers: int | None = None,
    keep_deciles: bool = False,
    first_run: int = 0,
) -> Ensemble:
    """Replicate ``scenario`` ``runs`` times on independent seeds derived from ``seed``.

    Parameters
    ----------
    scenario
        The scenario to replicate.
    runs
        Number of replications; run ``r`` uses ``child_seeds(seed, runs)[r]``.
    seed
        Base seed of the family; defaults to ``scenario.seed``.
    executor
        Where runs happen (see the module docstring); default: local processes.
    progress
        Called with the fraction of runs done (0-1).
    cancel
        Polled while runs are under way; returning True stops early (``Ensemble.cancelled``).
    indicators
        Yearly columns to keep (default: all); fewer columns, less memory.
    workers
        Process workers (default: one per core) or local Dask workers.
    keep_deciles
        Also keep each run's deciles table.
    first_run
        Make only runs ``first_run … runs - 1`` (the ``run`` column keeps their place in the
        family). Run ``r``'s seed does not depend on ``runs``, so an ensemble can be made in
        parts — ``[0, 20)``, then ``[20, 40)`` with ``runs=40, first_run=20`` … — and joined
        with :meth:`Ensemble.concat`, equal to the ensemble made at once. A dashboard does so to
        stop between parts.
    """
    _check_runs(runs, first_run)
    seed = scenario.seed if seed is None else int(seed)
    seeds = child_seeds(seed, int(runs))
    inds = tuple(indicators) if indicators is not None else None
    tasks = [RunTask(r, scenario, s, keep_deciles, inds) for r, s in enumerate(seeds) if r >= first_run]
    batch = run_tasks(tasks, executor, workers=workers, progress=progress, cancel=cancel)
    return _assemble(
        scenario, seed, seeds, batch.outputs, batch.cancelled, batch, keep_deciles, int(first_run)
    )


def compare_many(
    scenarios: Mapping[str, Scenario],
    runs: int,
    seed: int | None = None,
    executor: Any = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    indicators: Sequence[str] | None = None,
    *,
    workers: int | None = None,
    keep_deciles: bool = False,
    first_run: int = 0,
) -> dict[str, Ensemble]:
    """Replicate several scenarios on the *same* seed family (common random numbers).

    Run ``r`` of every scenario uses the same seed, so a difference between two regimes in run
    ``r`` comes from the regimes, not from luck; pair runs by their ``run`` column. Tasks are
    interleaved run by run, so an early stop leaves complete pairs for the runs that finished.
    ``seed`` defaults to the first scenario's seed. ``first_run`` makes only runs
    ``first_run … runs - 1``, as in :func:`simulate_many`. Returns one :class:`Ensemble` per name.
    """
    _check_runs(runs, first_run)
    if not scenarios:
        raise ValueError("compare_many needs at least one scenario")
    names = list(scenarios)
    seed = scenarios[names[0]].seed if seed is None else int(seed)
    seeds = child_seeds(seed, int(runs))
    inds = tuple(indicators) if indicators is not None else None
    tasks = [
        RunTask(key, scenarios[name], s, keep_deciles, inds)
        for key, (s, name) in enumerate(itertools.product(seeds[first_run:], names))
    ]
    batch = run_tasks(tasks, executor, workers=workers, progress=progress, cancel=cancel)
    out: dict[str, Ensemble] = {}
    for j, name in enumerate(names):
        outs = batch.outputs[j :: len(names)]
        e = _assemble(
            scenarios[name], seed, seeds, outs, batch.cancelled, batch, keep_deciles, int(first_run)
        )
        e.meta["label"] = name
        out[name] = e
    return out


def stack(ensembles: Mapping[str, Ensemble]) -> pd.DataFrame:
    """The yearly tables of several ensembles in one frame, with a ``scenario`` column first."""
    frames = []
    for name, e in ensembles.items():
        df = e.years.copy()
        df.insert(0, "scenario", name)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


# ============================================================================================
# sweeps
# ============================================================================================
def _numeric_summary_keys(summary: Mapping[str, Any]) -> list[str]:
    return [
        k
        for k, v in summary.items()
        if k != "seed" and isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
    ]


def _pick(summary: Mapping[str, Any], outputs: Sequence[str] | None) -> dict[str, Any]:
    keys = _numeric_summary_keys(summary) if outputs is None else list(outputs)
    missing = [k for k in keys if k not in summary]
    if missing:
        raise KeyError(f"unknown outputs {missing}; summary outputs are {_numeric_summary_keys(summary)}")
    return {k: summary[k] for k in keys}


def sweep(
    scenario: Scenario,
    grid: Mapping[str, Sequence[Any]],
    runs: int = 1,
    seed: int | None = None,
    executor: Any = None,
    outputs: Sequence[str] | None = None,
    *,
    workers: int | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> pd.DataFrame:
    """Run every point of ``grid`` (dotted path → values) ``runs`` times.

    Every grid point uses the same seeds (run ``r`` uses ``child_seeds(seed, runs)[r]``), so
    differences between points are the parameters', not luck's. Every point is validated before
    any run starts (a bad key or value raises :class:`~sim.scenario.errors.ScenarioError`).

    Returns
    -------
    DataFrame
        One row per grid point × run, in grid order then run order: ``point``, one column per grid
        key (named by its dotted path), ``run``, ``seed``, then ``outputs`` (summary keys; default
        every numeric key of :attr:`Result.summary`). ``df.attrs["cancelled"]`` tells an early stop.
    """
    _check_runs(runs)
    keys = list(grid)
    if not keys:
        raise ValueError("the grid is empty: give at least one dotted path and its values")
    for k in keys:
        if isinstance(grid[k], (str, bytes)) or len(grid[k]) == 0:
            raise ValueError(f"grid[{k!r}] must be a non-empty list of values")
    points = list(itertools.product(*(list(grid[k]) for k in keys)))
    scens = [with_changes(scenario, dict(zip(keys, p, strict=True))) for p in points]
    seed = scenario.seed if seed is None else int(seed)
    seeds = child_seeds(seed, int(runs))
    tasks = [RunTask(i * len(seeds) + r, sc, s) for i, sc in enumerate(scens) for r, s in enumerate(seeds)]
    batch = run_tasks(tasks, executor, workers=workers, progress=progress, cancel=cancel)
    rows = []
    for t, out in zip(tasks, batch.outputs, strict=True):
        if out is None:
            continue
        i, r = divmod(t.key, len(seeds))
        rows.append(
            {
                "point": i,
                **dict(zip(keys, points[i], strict=True)),
                "run": r,
                "seed": out.seed,
                **_pick(out.summary, outputs),
            }
        )
    df = pd.DataFrame(rows, columns=None if rows else ["point", *keys, "run", "seed"])
    df.attrs.update(
        {
            "cancelled": batch.cancelled,
            "executor": batch.executor,
            "wall_s": batch.wall_s,
            "seed": seed,
            "scenario_fingerprint": fingerprint(scenario),
        }
    )
    return df


# ============================================================================================
# sensitivity
# ============================================================================================
def _get_path(data: Any, dotted: str) -> Any:
    node = data
    for chunk in dotted.replace("]", "").split("."):
        for part in chunk.split("["):
            if part == "":
                continue
            node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def sensitivity(
    scenario: Scenario,
    params: Mapping[str, tuple[float, float]],
    outputs: Sequence[str],
    method: Literal["morris", "sobol"] = "morris",
    n: int = 8,
    seed: int | None = None,
    executor: Any = None,
    *,
    runs: int = 1,
    num_levels: int = 4,
    workers: int | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> pd.DataFrame:
    """Global sensitivity of summary ``outputs`` to ``params`` (dotted path → (low, high)).

    ``method="morris"`` screens cheaply: ``n`` trajectories, ``n × (k + 1)`` runs for ``k``
    parameters; the result has ``mu``, ``mu_star`` (mean absolute elementary effect, in the
    output's unit per move of ``num_levels / (2 (num_levels - 1))`` of the parameter's range),
    ``sigma`` and ``mu_star_conf`` (95 % bootstrap half-width). ``method="sobol"`` uses Saltelli's
    sampling: ``n`` (rounded up to a power of two) base samples, ``n × (k + 2)`` runs; the result
    has first-order ``S1`` and total ``ST`` indices with their 95 % half-widths.

    Every sample is run on the same ``runs`` seeds (common random numbers) and its output is the
    mean over them, so the indices measure the parameters, not the luck of the draw. A parameter
    whose scenario value is an integer is rounded to the nearest integer before the run.

    Returns
    -------
    DataFrame
        Tidy: one row per (param, output), with ``method`` and the indices above.
        ``df.attrs`` holds ``n``, ``evaluations``, ``runs``, ``seed`` and ``cancelled``; a
        cancelled analysis returns no rows.
    """
    try:
        from SALib.analyze import morris as morris_analyze
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import morris as morris_sample
        from SALib.sample import sobol as sobol_sample
    except ImportError:
        raise ImportError(
            "SALib is needed for sensitivity analysis: pip install regie-sim[sensitivity]"
        ) from None
    if method not in ("morris", "sobol"):
        raise ValueError(f"method must be 'morris' or 'sobol', not {method!r}")
    if not params:
        raise ValueError("give at least one parameter and its (low, high) range")
    if not outputs:
        raise ValueError("give at least one output (a key of Result.summary)")
    _check_runs(runs)
    names = list(params)
    bounds = [[float(params[k][0]), float(params[k][1])] for k in names]
    for k, (lo, hi) in zip(names, bounds, strict=True):
        if not lo < hi:
            raise ValueError(f"{k}: low ({lo}) must be below high ({hi})")
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    seed = scenario.seed if seed is None else int(seed)
    sampler_seed = seed % 2**32
    if method == "morris":
        X = morris_sample.sample(problem, int(n), num_levels=num_levels, seed=sampler_seed)
    else:
        n = 1 << max(0, math.ceil(math.log2(max(int(n), 1))))
        X = sobol_sample.sample(problem, n, calc_second_order=False, seed=sampler_seed)
    base = scenario_to_dict(scenario)
    is_int = [isinstance(_get_path(base, k), int) and not isinstance(_get_path(base, k), bool) for k in names]
    seeds = child_seeds(seed, int(runs))
    tasks: list[RunTask] = []
    for i, row in enumerate(X):
        change = {
            k: (round(float(v)) if integer else float(v))
            for k, v, integer in zip(names, row, is_int, strict=True)
        }
        sc = with_changes(scenario, change)
        tasks.extend(RunTask(i * len(seeds) + r, sc, s) for r, s in enumerate(seeds))
    batch = run_tasks(tasks, executor, workers=workers, progress=progress, cancel=cancel)
    attrs = {
        "n": int(n),
        "evaluations": len(tasks),
        "runs": int(runs),
        "seed": seed,
        "cancelled": batch.cancelled,
        "method": method,
    }
    if batch.cancelled:
        df = pd.DataFrame(columns=["param", "output", "method"])
        df.attrs.update(attrs)
        return df
    Y = np.empty((len(X), len(outputs)))
    for t, out in zip(tasks, batch.outputs, strict=True):
        assert out is not None
        i, r = divmod(t.key, len(seeds))
        picked = _pick(out.summary, outputs)
        vals = np.array([float(picked[o]) for o in outputs])
        Y[i] = vals if r == 0 else Y[i] + vals
    Y /= len(seeds)
    rows: list[dict[str, Any]] = []
    for j, o in enumerate(outputs):
        y = np.ascontiguousarray(Y[:, j])
        if method == "morris":
            res = morris_analyze.analyze(
                problem, X, y, num_levels=num_levels, seed=sampler_seed, print_to_console=False
            )
            for p, name in enumerate(names):
                rows.append(
                    {
                        "param": name,
                        "output": o,
                        "method": "morris",
                        "mu": float(res["mu"][p]),
                        "mu_star": float(res["mu_star"][p]),
                        "sigma": float(res["sigma"][p]),
                        "mu_star_conf": float(res["mu_star_conf"][p]),
                    }
                )
        else:
            if np.ptp(y) == 0:
                # a constant output has no variance to share out: every index is zero
                s1 = st = conf = np.zeros(len(names))
                s1c = stc = conf
            else:
                res = sobol_analyze.analyze(
                    problem, y, calc_second_order=False, seed=sampler_seed, print_to_console=False
                )
                s1, s1c, st, stc = res["S1"], res["S1_conf"], res["ST"], res["ST_conf"]
            for p, name in enumerate(names):
                rows.append(
                    {
                        "param": name,
                        "output": o,
                        "method": "sobol",
                        "S1": float(s1[p]),
                        "S1_conf": float(s1c[p]),
                        "ST": float(st[p]),
                        "ST_conf": float(stc[p]),
                    }
                )
    df = pd.DataFrame(rows)
    df.attrs.update(attrs)
    return df


# --------------------------------------------------------------------------------------------
# one-at-a-time sensitivity (tornado)
# --------------------------------------------------------------------------------------------
#: widget parameters left out of the default tornado: the size of the study, not an uncertainty
STRUCTURAL = ("horizon_years", "households.count")


def documented_ranges(
    scenario: Scenario, paths: Sequence[str] | None = None
) -> dict[str, tuple[float, float]]:
    """``(low, high)`` of numeric parameters for the tornado.

    A service with documented plausible ranges (electricity: :data:`sim.scenario.ranges.ELECTRICITY_RANGES`,
    each citing its section of the reference file or labelled an assumption) uses them: without
    ``paths``, all of them; a path given without a documented range falls back to its schema
    bounds. Water uses the documented bounds of the schema (``ge``/``gt`` and ``le``/``lt``):
    without ``paths``, the main parameters (the dashboard's widgets) that have both bounds. A path
    without a range and without both bounds is a ``ValueError``."""
    documented = ranges_for(str(getattr(scenario, "service", "water")))
    infos = {p.path: p for p in schema_params(type(scenario)) if not p.container and "[*]" not in p.path}
    if paths:
        chosen = list(paths)
    elif documented:
        chosen = list(documented)
    else:
        chosen = [
            p.path
            for p in infos.values()
            if p.widget and p.kind in ("int", "float") and p.path not in STRUCTURAL
        ]
    out: dict[str, tuple[float, float]] = {}
    for path in chosen:
        if path in documented:
            out[path] = (documented[path].low, documented[path].high)
            continue
        info = infos.get(path)
        b = info.bounds if info is not None else {}
        lo, hi = b.get("ge", b.get("gt")), b.get("le", b.get("lt"))
        if lo is None or hi is None:
            if paths:
                raise ValueError(f"{path}: no documented range (both bounds are needed)")
            continue
        out[path] = (float(lo), float(hi))
    return out


def one_at_a_time(
    scenario: Scenario,
    indicator: str,
    ranges: Mapping[str, tuple[float, float]],
    seed: int = 1,
    progress: ProgressFn | None = None,
) -> pd.DataFrame:
    """The tornado: ``indicator`` (a key of ``Result.summary``, or a yearly column such as
    ``price_120m3_eur_per_m3``, read in the last year) with each parameter set alone to
    its low then its high value, the others as in ``scenario``, on one seed (common random
    numbers, so the swing is the parameter's, not the luck's).

    Returns one row per parameter, widest swing first: ``param``, ``low``, ``high``, ``value``
    (the scenario's), ``base``, ``at_low``, ``at_high``, ``swing`` (``|at_high - at_low|``) and
    ``error`` (why a bound could not be run, e.g. a cross-check of the scenario; then NaN).
    """

    def value(s: Scenario) -> float:
        r = simulate(s, seed)
        if indicator in r.summary:
            return float(r.summary[indicator])
        if f"{indicator}_last" in r.summary:  # a yearly indicator: its last year
            return float(r.summary[f"{indicator}_last"])
        if indicator in r.years:
            return float(r.years[indicator].iloc[-1])
        raise KeyError(
            f"unknown indicator {indicator!r}: a key of Result.summary or a column of Result.years"
        )

    base = value(scenario)
    rows = []
    for k, (path, (lo, hi)) in enumerate(ranges.items()):
        current = scenario_to_dict(scenario)
        for part in path.split("."):
            current = current[part] if isinstance(current, dict) else None
            if current is None:
                break
        row: dict[str, Any] = {
            "param": path,
            "low": lo,
            "high": hi,
            "value": current,
            "base": base,
            "error": "",
        }
        for name, x in (("at_low", lo), ("at_high", hi)):
            x = round(x) if isinstance(current, int) and not isinstance(current, bool) else x
            try:
                row[name] = value(with_changes(scenario, {path: x}))
            except Exception as exc:  # a bound that the scenario's cross-checks refuse
                row[name] = float("nan")
                row["error"] = (row["error"] + " " + str(exc).splitlines()[0]).strip()
        rows.append(row)
        if progress is not None:
            progress(k + 1, len(ranges))
    df = pd.DataFrame(rows)
    df["swing"] = (df["at_high"] - df["at_low"]).abs()
    return df.sort_values("swing", ascending=False, na_position="last").reset_index(drop=True)

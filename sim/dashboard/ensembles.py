"""Many simulated futures on the Explorer and Compare pages: how many, progress, stop, fans, odds.

The reader picks « Incertitude : nombre de futurs simulés » (one future, or 20, 50, 100, 200).
With more than one, the page replicates its scenario (Explorer,
:func:`sim.experiments.ensemble.simulate_many`)
or its three regimes on the same seed family (Compare, :func:`sim.experiments.ensemble.compare_many`: run
``r`` of every regime has the same weather, breaks and households), shows a progress bar and a
« Arrêter » button, then plain-language odds (:meth:`~sim.experiments.ensemble.Ensemble.statement`) and fan
charts (:func:`sim.show.plots.fan_chart`, :func:`sim.show.plots.fan_compare`).

**How a long ensemble runs, and stops, inside Streamlit.** Streamlit applies a click only when it
starts the next run of the page script: a ``cancel`` callable polled during a script run never
sees a button pressed during that run (with fast reruns, the click instead stops the script at its
next element update, and everything that run computed is lost). So the ensemble is made in
*parts*, one part per script run: the page draws everything, makes the next part of runs at the
very end (:func:`advance`, the progress bar in the ensemble panel), keeps it in the session and asks
for a new script run (``st.rerun``). The « Arrêter » button sets a session-state flag
(:func:`cancel_key`); it is checked before a part starts, and it is the ``cancel`` callable given
to ``simulate_many``/``compare_many`` for the part under way, so the ensemble stops at the next
part at the latest, keeping every run already made, and says how many. A click that lands while a
part computes makes Streamlit stop the script run at the progress bar's next update: the part is
then stopped as by the flag, the runs it finished (and those already in a worker) are kept, and
the script run ends as Streamlit asked, so every future the progress bar counted is kept.
« Reprendre » continues from where it stopped.

Part ``[a, b)`` is made with ``first_run=a`` on the family of ``b`` runs; seeds are prefix-stable,
so an ensemble made in parts equals the same ensemble made at once
(:meth:`~sim.experiments.ensemble.Ensemble.concat`), and a stopped one holds the first runs of the full one.

**Where runs happen.** In a process pool kept for the life of the server
(:func:`sim.experiments.ensemble.make_pool`, one worker per core, shared by every session), so parts
do not pay
the workers' start-up. ``REGIE_SIM_ENSEMBLE_EXECUTOR`` chooses otherwise: ``sequential`` (in the
page's own process; the tests use it), or anything ``simulate_many`` accepts (``dask``,
``tcp://HOST:PORT``).

**Caching.** A finished ensemble is kept in the process-wide store of runs (:func:`share.store`)
under (scenario YAML hash, runs, seed), so changing the number of futures back, switching the
language or coming back to the page redraws at once. A stopped ensemble is kept in the session
only, so no other reader gets a partial ensemble for a full one.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from sim.dashboard import share
from sim.experiments.ensemble import Ensemble, default_workers, make_pool
from sim.i18n import fmt_number, t
from sim.show.plots import fan_chart, fan_compare

_log = logging.getLogger(__name__)

#: the choices of the « number of futures » control (0 = the page's single run only)
RUN_CHOICES: tuple[int, ...] = (0, 20, 50, 100, 200)
#: a part lasts about this long, so « Arrêter » answers within about this long
PART_TARGET_S = 2.5
#: the first part makes this many runs per worker (later parts are sized from its pace)
FIRST_PART_PER_WORKER = 2
EXECUTOR_ENV = "REGIE_SIM_ENSEMBLE_EXECUTOR"

#: (total runs, first run, progress, cancel) -> one Ensemble per name
MakeFn = Callable[[int, int, Callable[[float], None], Callable[[], bool]], Mapping[str, Ensemble]]


#: the share-link parameter holding the number of futures (absent: one future)
LINK_PARAM = "f"


def runs_widget_key(page: str) -> str:
    return f"{page}_ensemble_runs"


def runs_kept_key(page: str) -> str:
    return f"ensemble.runs.{page}"  # the choice outlives the widget when the page is left


def cancel_key(page: str) -> str:
    """Session-state key of the « Arrêter » flag of ``page``."""
    return f"ensemble.cancel.{page}"


def job_key(page: str) -> str:
    """Session-state key of the ensemble under way (or stopped) on ``page``."""
    return f"ensemble.job.{page}"


# ------------------------------------------------------------------------------------------
# where runs happen
# ------------------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _pool() -> Any:
    """The server's process pool for ensembles, started on first use and kept."""
    return make_pool()


def executor() -> Any:
    """The executor of the dashboard's ensembles (see the module docstring)."""
    name = os.environ.get(EXECUTOR_ENV, "").strip()
    if name in ("", "processes"):
        return _pool()
    return name


def _workers() -> int:
    return 1 if os.environ.get(EXECUTOR_ENV, "").strip() == "sequential" else default_workers()


# ------------------------------------------------------------------------------------------
# an ensemble made in parts
# ------------------------------------------------------------------------------------------
@dataclass
class Job:
    """An ensemble being made in parts, kept in the session between script runs."""

    key: Hashable
    runs: int
    part_size: int
    parts: list[Mapping[str, Ensemble]] = field(default_factory=list)
    done: int = 0  # runs 0 … done-1 are made
    stopped: bool = False
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.done >= self.runs

    def ensembles(self) -> dict[str, Ensemble]:
        """The parts joined, one ensemble per name; marked cancelled when stopped early."""
        names = list(self.parts[0]) if self.parts else []
        out = {name: Ensemble.concat([p[name] for p in self.parts]) for name in names}
        for e in out.values():
            # a part stopped by a click and then resumed holds its first runs only: what counts is
            # whether every run asked for is made
            e.cancelled = not self.finished
        return out


@dataclass
class View:
    """What a page shows of its ensemble on this script run."""

    page: str
    runs: int  # futures asked for (0: none)
    key: Hashable = None
    make: MakeFn | None = None
    result: dict[str, Ensemble] | None = None  # finished, or stopped with some runs
    job: Job | None = None  # under way or stopped
    slot: Any = None  # where the progress bar of the next part is drawn

    @property
    def running(self) -> bool:
        return self.job is not None and not self.job.stopped and not self.job.finished

    @property
    def done(self) -> int:
        """Runs held by the ensemble shown."""
        if not self.result:
            return 0
        return next(iter(self.result.values())).runs


def _cancel(page: str) -> None:
    st.session_state[cancel_key(page)] = True


def _resume(page: str) -> None:
    st.session_state[cancel_key(page)] = False
    job = st.session_state.get(job_key(page))
    if job is not None:
        job.stopped = False
        job.error = None


def runs_control(page: str, lang: str) -> int:
    """The « number of futures » control; returns the number chosen (0: the single run only)."""
    ss = st.session_state
    wkey = runs_widget_key(page)
    if ss.get(wkey) not in RUN_CHOICES:
        kept = ss.get(runs_kept_key(page))
        if kept not in RUN_CHOICES:  # first visit: a share link (or a reloaded page) may say
            kept = _runs_from_link(lang)
        ss[wkey] = kept
    choice = st.segmented_control(
        t("ensemble.runs.label", lang),
        list(RUN_CHOICES),
        format_func=lambda n: t("ensemble.runs.one", lang) if n == 0 else fmt_number(n, lang),
        key=wkey,
        required=True,
        help=t("ensemble.runs.help", lang),
    )
    runs = int(choice or 0)
    ss[runs_kept_key(page)] = runs
    return runs


def _runs_from_link(lang: str) -> int:
    """The number of futures of the address's share link; one future if absent or not offered
    (then a message says which numbers are)."""
    raw = st.query_params.get(LINK_PARAM, "")
    if not raw:
        return RUN_CHOICES[0]
    try:
        runs = int(raw)
    except ValueError:
        runs = -1
    if runs in RUN_CHOICES:
        return runs
    offered = ", ".join(fmt_number(n, lang) for n in RUN_CHOICES if n > 0)
    share.say_once("warning", t("ensemble.link.invalid", lang, found=raw, offered=offered))
    return RUN_CHOICES[0]


def link_extra(runs: int) -> dict[str, str | None]:
    """The share-link parameters of ``runs`` futures (None removes the parameter)."""
    return {LINK_PARAM: str(runs) if runs > 0 else None}


def prepare(page: str, key: Hashable, runs: int, make: MakeFn) -> View:
    """The state of ``page``'s ensemble of ``runs`` futures identified by ``key``.

    A finished ensemble comes from the store; otherwise the session's job for ``key`` is taken up
    (or a new one started, which clears the « Arrêter » flag). The flag, set by the button since
    the last script run, stops the job here.
    """
    view = View(page, runs, key, make)
    if runs <= 0:
        return view
    hit = share.store().get(key)
    if hit is not None:
        view.result = hit
        return view
    ss = st.session_state
    job = ss.get(job_key(page))
    if not isinstance(job, Job) or job.key != key:
        job = Job(key, runs, FIRST_PART_PER_WORKER * _workers())
        ss[job_key(page)] = job
        ss[cancel_key(page)] = False
    if ss.get(cancel_key(page)):
        job.stopped = True
    view.job = job
    if job.stopped and job.done:
        view.result = job.ensembles()
    return view


def panel(view: View, lang: str) -> None:
    """Under the control: the progress slot and « Arrêter » while running; when stopped, how many
    futures were made, and « Reprendre »."""
    if view.runs <= 0 or view.job is None:
        return
    job = view.job
    if job.error:
        st.error(t("ensemble.failed", lang, detail=job.error))
    if view.running:
        left, right = st.columns([4, 1], vertical_alignment="center")
        with left:
            view.slot = st.empty()
            view.slot.progress(job.done / job.runs, text=_progress_text(job.done, job.runs, lang))
        with right:
            st.button(
                t("ensemble.cancel", lang),
                key=f"{view.page}_ensemble_cancel",
                on_click=_cancel,
                args=(view.page,),
                icon=":material/stop_circle:",
                help=t("ensemble.cancel.help", lang),
            )
    elif job.stopped:
        if job.done == 1:
            st.warning(t("ensemble.cancelled.one", lang, runs=fmt_number(job.runs, lang)))
        elif job.done:
            st.warning(
                t(
                    "ensemble.cancelled",
                    lang,
                    done=fmt_number(job.done, lang),
                    runs=fmt_number(job.runs, lang),
                )
            )
        else:
            st.warning(t("ensemble.cancelled.none", lang))
        st.button(
            t("ensemble.resume", lang),
            key=f"{view.page}_ensemble_resume",
            on_click=_resume,
            args=(view.page,),
            icon=":material/play_arrow:",
        )


def tn(key: str, lang: str, n: int, **kw: Any) -> str:
    """The message ``key`` about ``n`` futures: ``key + ".one"`` when ``n`` is 1 (« un seul futur
    simulé »), ``n`` given as ``runs`` in the language's number style."""
    if n == 1:
        return t(f"{key}.one", lang, **kw)
    return t(key, lang, runs=fmt_number(n, lang), **kw)


def _progress_text(done: float, runs: int, lang: str) -> str:
    pct = round(100 * done / runs) if runs else 100
    return t("ensemble.progress", lang, done=int(done), runs=runs, pct=pct)


def _held(e: Ensemble) -> set[int]:
    return {int(r) for r in e.years["run"].unique()} if len(e.years) else set()


def _contiguous(part: Mapping[str, Ensemble], first: int) -> int:
    """How many runs ``first, first+1, …`` every ensemble of a part holds without a gap (a part
    stopped while its runs were shared out may hold later runs without earlier ones)."""
    runs = set.intersection(*(_held(e) for e in part.values())) if part else set()
    n = 0
    while first + n in runs:
        n += 1
    return n


def advance(view: View, lang: str) -> None:
    """Make the next part of a running ensemble, then ask Streamlit for a new script run.

    Call it last on the page: everything else is drawn, the progress bar fills the panel's slot.
    """
    job = view.job
    if not view.running or job is None or view.make is None:
        return
    ss = st.session_state
    flag = cancel_key(view.page)

    # a click (« Arrêter », or any other) during the part makes Streamlit stop this script run at
    # its next element update, here the progress bar: the part is then asked to stop as by
    # « Arrêter », the runs it finished are kept, and the script run stops as Streamlit asked
    interrupted: list[BaseException] = []

    def cancel() -> bool:
        return bool(ss.get(flag)) or bool(interrupted)

    if cancel():  # pressed since the job was taken up
        job.stopped = True
        st.rerun()
    first = job.done
    size = min(job.part_size, job.runs - first)
    stop = first + size
    bar = view.slot if view.slot is not None else st.empty()
    shown = [first / job.runs]

    def progress(fraction: float) -> None:
        f = (first + min(max(float(fraction), 0.0), 1.0) * size) / job.runs
        if f - shown[0] >= 0.01 or f >= 1.0 > shown[0]:
            shown[0] = f
            try:
                bar.progress(f, text=_progress_text(f * job.runs, job.runs, lang))
            except ScriptControlException as exc:
                interrupted.append(exc)

    t0 = time.perf_counter()
    try:
        part = view.make(stop, first, progress, cancel)
    except Exception as exc:  # the page stays usable; the log keeps the traceback
        _log.exception("ensemble part failed")
        if isinstance(exc, BrokenProcessPool):
            _pool.clear()  # a worker died: « Reprendre » starts a new pool
        job.stopped, job.error = True, str(exc) or type(exc).__name__
        st.rerun()
    wall = time.perf_counter() - t0
    made = _contiguous(part, first)
    if made:  # a run finished after a gap (stopped while the runs were shared out) is dropped
        job.parts.append({name: e.runs_before(first + made) for name, e in part.items()})
        job.done += made
    if interrupted:
        # not stopped: the next script run resumes the job, or stops it if « Arrêter » was pressed
        if job.finished:
            share.store().put(job.key, job.ensembles())
            del ss[job_key(view.page)]
        raise interrupted[0]
    if made < size or any(e.cancelled for e in part.values()):
        job.stopped = True
    elif made:
        # size the next part from this one's pace, a multiple of the workers, at least one each
        per_run = wall / made
        w = _workers()
        want = max(w, round(PART_TARGET_S / max(per_run, 1e-3) / w) * w)
        job.part_size = int(min(want, max(job.runs - job.done, 1)))
    if job.finished:
        share.store().put(job.key, job.ensembles())
        del ss[job_key(view.page)]
    st.rerun()


# ------------------------------------------------------------------------------------------
# what is shown
# ------------------------------------------------------------------------------------------
def statements(
    ens: Ensemble, indicators: Sequence[str], lang: str, year: int | None = None
) -> dict[str, str]:
    """The odds of each of ``indicators`` (present in the ensemble) in ``year`` (default: its
    last year), by column."""
    return {c: ens.statement(c, year, lang) for c in indicators if c in ens.years.columns}


def _figure_key(view: View, kind: str, indicator: str, lang: str) -> Hashable:
    return ("fan", kind, view.key, view.done, indicator, lang)


def fan_grid(view: View, indicators: Sequence[str], lang: str) -> None:
    """One fan chart per indicator (Explorer), two per row."""
    if not view.result:
        return
    ens = next(iter(view.result.values()))
    for i in range(0, len(indicators), 2):
        cols = st.columns(2)
        for col, indicator in zip(cols, indicators[i : i + 2], strict=False):
            fig = share.memo(
                _figure_key(view, "one", indicator, lang),
                functools.partial(fan_chart, ens.bands(indicator), indicator, lang, runs=ens.runs),
            )
            with col:
                st.plotly_chart(
                    fig,
                    theme=None,  # the figures carry their own colour-blind-safe palette
                    key=f"{view.page}_fan_{indicator}",
                    config={"displaylogo": False},
                )


def futures_zip(
    result: Mapping[str, Ensemble], lang: str, folder: str, labels: Mapping[str, str] | None = None
) -> bytes:
    """The futures as a zip a meeting can open: for each ensemble (one folder per regime when
    there are several) the files of :meth:`~sim.experiments.ensemble.Ensemble.to_dir` (every run's yearly
    indicators, the P5–P95 bands, each run's summary, seeds and scenario), and a text file with
    the plain-language odds in ``lang``."""

    def write(root: Path) -> None:
        lines: list[str] = []
        for name, ens in result.items():
            ens.to_dir(root / name if len(result) > 1 else root)
            if len(result) > 1:
                lines.append(f"{(labels or {}).get(name, name)}:")
            lines += [f"- {x}" for x in ens.statements(lang=lang)]
        odds = root / f"{t('ensemble.download.odds_file', lang)}.txt"
        odds.write_text("\n".join(lines) + "\n", encoding="utf-8")

    return share.zipped_folder(folder, write)


def download_button(view: View, lang: str, labels: Mapping[str, str] | None = None) -> None:
    """Download the futures shown (:func:`futures_zip`); the zip is made when pressed."""
    if not view.result:
        return
    result = view.result
    first = next(iter(result.values()))
    name = f"regie-sim-{share.source_slug()}-{first.runs}-{t('ensemble.download.futures', lang)}"
    st.download_button(
        t("ensemble.download", lang),
        data=lambda: futures_zip(result, lang, name, labels),
        file_name=f"{name}.zip",
        mime="application/zip",
        icon=":material/folder_zip:",
        on_click="ignore",
        key=f"{view.page}_ensemble_download",
        help=t("ensemble.download.help", lang),
    )


def fan_compare_grid(view: View, indicators: Sequence[str], lang: str, label: Callable[[str], str]) -> None:
    """One fan chart per indicator with every regime on it, and each regime's odds below it."""
    if not view.result:
        return
    ensembles = view.result
    runs = next(iter(ensembles.values())).runs
    for i in range(0, len(indicators), 2):
        cols = st.columns(2)
        for col, indicator in zip(cols, indicators[i : i + 2], strict=False):
            fig = share.memo(
                _figure_key(view, "compare", indicator, lang),
                functools.partial(
                    fan_compare,
                    {name: e.bands(indicator) for name, e in ensembles.items()},
                    indicator,
                    lang,
                    runs=runs,
                ),
            )
            with col:
                st.plotly_chart(
                    fig,
                    theme=None,
                    key=f"{view.page}_fan_{indicator}",
                    config={"displaylogo": False},
                )
                lines = [
                    t(
                        "ensemble.compare.odds",
                        lang,
                        regime=share.md_escape(label(name)),
                        statement=e.statement(indicator, None, lang),
                    )
                    for name, e in ensembles.items()
                ]
                st.markdown("\n".join(f"- {line}" for line in lines))

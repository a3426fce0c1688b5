"""What every first visitor would otherwise wait for, computed once when the server starts.

The pages keep their runs per server (the run store of :mod:`sim.dashboard.share`, the
``st.cache_data`` of :func:`sim.dashboard.common.cached_simulate`), so only the first visitor of a
page waits for its model runs: the base town's 30 years on the Explorer, the three shipped files and
the decomposition of their gap on Compare, the two futures of Remunicipalisation. Those inputs do
not change, so :func:`start` (called by ``app.py``) computes them once per server in a background
thread, under the very keys the pages look up; a page that asks before it is done runs them itself,
as before.

Not started under pytest (tests measure and clear the caches themselves) or when
``REGIE_SIM_WARM_UP=0``.
"""

from __future__ import annotations

import logging
import os
import threading

import streamlit as st

from sim import dumps_scenario
from sim.dashboard import common, explain_panel, remunicipalisation, share
from sim.dashboard.compare import scenarios_for
from sim.experiments.compare import compare
from sim.experiments.run import simulate

_log = logging.getLogger(__name__)
ENV = "REGIE_SIM_WARM_UP"
LANGS_WARMED = ("fr",)  # the charts are built per language; French is the default


def enabled() -> bool:
    """Whether this process warms the caches (not under pytest, not when switched off)."""
    return os.environ.get(ENV, "1") != "0" and "PYTEST_CURRENT_TEST" not in os.environ


def explorer() -> str:
    """The Explorer's first view: the base town's run on its seed, and its charts."""
    s = share.load_preset(share.DEFAULT_PRESET)
    key = share.run_key(s)
    result = share.store().get(key)
    if result is None:
        result = simulate(s, seed=s.seed)
        share.store().put(key, result)
    for lang in LANGS_WARMED:
        share.figures(share.Run(key, result), lang)
    return key


def compare_files() -> tuple[object, object]:
    """Compare's first view: the three shipped files side by side, and the gap's decomposition."""
    s = share.load_preset(share.DEFAULT_PRESET)
    seed = int(s.seed)
    scenarios = scenarios_for("files", s, "fr")
    key = share.comparison_key(scenarios, seed)
    share.memo(key, lambda: compare(scenarios, seed=seed))
    names = list(scenarios)
    a = "regie" if "regie" in names else names[0]
    b = "concession" if "concession" in names else names[1]
    explain_panel.explanation(scenarios, a, b, seed)
    return key, ("explain", share.run_key(scenarios[a], seed), share.run_key(scenarios[b], seed))


def remunicipalisation_runs() -> None:
    """Remunicipalisation's first view: the return to a régie and the concession that continues."""
    base = remunicipalisation.base_scenario()
    c = base.governance.concession
    chosen, baseline = remunicipalisation.scenario_pair(
        base, remunicipalisation.contract_end_year(base), c.at_end
    )
    for s in (chosen, baseline):
        common.cached_simulate(dumps_scenario(s), int(s.seed))


def run_all() -> None:
    """Every first view, in the order people usually open the pages; a failure is logged."""
    for part in (explorer, remunicipalisation_runs, compare_files):
        try:
            part()
        except Exception:  # the page will run it itself and show its error there
            _log.exception("warm-up of %s failed", part.__name__)


@st.cache_resource(show_spinner=False)
def start() -> threading.Thread | None:
    """Start :func:`run_all` in a background thread, once per server (None when not enabled)."""
    if not enabled():
        return None
    thread = threading.Thread(target=run_all, name="regie-sim-warm-up", daemon=True)
    thread.start()
    return thread

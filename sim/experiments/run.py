"""One run: a scenario and a seed in, a :class:`~sim.core.result.Result` out.

The policy of the scenario's regime comes from the governance registry (an unknown regime is a
scenario error, never a silent default); the engine runs; the measures are computed afterwards from
the recorded facts. Each decision's reason, recorded as codes with parameters
(:data:`sim.i18n.Reason`), is kept as such in the ``decisions`` table (``reason_code``,
``reason_params``) beside its wording in English (``reason``) and French (``reason_fr``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import simpy

from sim.core.engine import Engine, Policy, Service
from sim.core.result import Result
from sim.core.workforce import Crews
from sim.electricity.service import ElectricityService
from sim.governance import policy_for
from sim.governance.return_terms import with_return_terms
from sim.i18n import reason_code, reason_params_json, word_reason
from sim.measure.summary import summarise
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.model import SERVICE_MODELS, Scenario
from sim.water.service import WaterService

#: the service registry: ``scenario.service`` -> the class that implements
#: :class:`sim.core.engine.Service` (the electricity service will be the second entry)
SERVICES: dict[str, Callable[[], Service]] = {"water": WaterService, "electricity": ElectricityService}


def new_service(scenario: Scenario) -> Service:
    """A new service object for the scenario; an unknown name is a located scenario error."""
    make = SERVICES.get(scenario.service)
    if make is None and scenario.service in SERVICE_MODELS:  # described, not yet simulated
        found = {"found": scenario.service}
        raise ScenarioError([Problem("<scenario>", "service", "service_not_here", found)])
    if make is None:
        raise ScenarioError(
            [
                Problem(
                    "<scenario>",
                    "service",
                    "literal_error",
                    {"found": scenario.service, "allowed": ", ".join(sorted(SERVICES))},
                )
            ]
        )
    return make()


def engine_for(
    scenario: Scenario,
    seed: int,
    *,
    policy: Policy | None = None,
    progress: Callable[[float], None] | None = None,
    env: simpy.Environment | None = None,
    crews: Crews | None = None,
) -> Engine:
    """A ready engine: the scenario's service, and its regime's policy unless one is given (``env``
    and ``crews``: a composition's clock and crews, :mod:`sim.core.multi`)."""
    return Engine(
        scenario,
        seed,
        new_service(scenario),
        policy=policy or make_policy(scenario),
        progress=progress,
        env=env,
        crews=crews,
    )


DECISION_COLUMNS = [
    "date",
    "meeting",
    "body",
    "item",
    "option",
    "votes_public",
    "votes_operators",
    "votes_citizens",
    "veto",
    "binding",
    "adopted",
    "reason",
    "reason_fr",
    "reason_code",
    "reason_params",
]
#: the decisions table without its reasons (what a kept replication's summary reads)
UNWORDED_DECISION_COLUMNS = DECISION_COLUMNS[: DECISION_COLUMNS.index("reason")]


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    *,
    progress: Callable[[float], None] | None = None,
    policy: Policy | None = None,
) -> Result:
    """Run one scenario on one seed and return its tables.

    Parameters
    ----------
    scenario
        A validated :class:`~sim.scenario.model.Scenario`.
    seed
        Seed of every random stream; defaults to ``scenario.seed``.
    progress
        Called with the fraction done (0-1) after each simulated month.
    policy
        Who decides; defaults to the scenario's governance regime.

    Same scenario and seed give identical tables.
    """
    seed = scenario.seed if seed is None else int(seed)
    if policy is None:
        policy = make_policy(scenario)
    eng = engine_for(scenario, seed, policy=policy, progress=progress)
    eng.run()
    return result_of(eng)


def result_of(eng: Engine) -> Result:
    """The tables of an engine that has run, and its headline figures."""
    res = Result(
        scenario=eng.scenario,
        seed=eng.seed,
        years=pd.DataFrame(eng.years),
        periods=pd.DataFrame(eng.months),
        deciles=pd.DataFrame(eng.decile_rows),
        events=_events_table(eng),
        decisions=_decisions_table(eng),
        workforce=pd.DataFrame(eng.workforce_rows),
    )
    res.agenda = getattr(eng.policy, "agenda", None)
    res.summary = summarise(res)
    return res


def simulate_kept(
    scenario: Scenario,
    seed: int,
    *,
    keep_deciles: bool = False,
    progress: Callable[[float], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame | None, dict[str, Any]]:
    """What a replication keeps of one run: its ``years`` table, its ``deciles`` table when
    asked, and its summary, equal to those of :func:`simulate` (the same run, the same tables),
    without building the monthly, events and workforce tables that nobody keeps (a tenth of a
    run's time in the default town), nor wording the decisions' reasons."""
    eng = engine_for(scenario, seed, progress=progress)
    eng.keep_months = False  # no monthly table: its rows are not built
    eng.keep_deciles = keep_deciles
    eng.run()
    empty = pd.DataFrame()
    res = Result(
        scenario=scenario,
        seed=seed,
        years=pd.DataFrame(eng.years),
        periods=empty,
        deciles=pd.DataFrame(eng.decile_rows) if keep_deciles else empty,
        events=empty,
        # the summary counts decisions, binding ones and vetoes: the reasons are not worded
        decisions=pd.DataFrame(eng.decisions, columns=UNWORDED_DECISION_COLUMNS),
        workforce=empty,
    )
    return res.years, res.deciles if keep_deciles else None, summarise(res)


def _events_table(eng: Engine) -> pd.DataFrame:
    """The ``events`` table: the service's incidents and the engine's events, in time order."""
    columns_of = getattr(eng.service, "event_columns", None)  # the water service's breaks
    if columns_of is None:
        events = pd.DataFrame(eng.service.event_rows() + eng.events)
    else:
        events = pd.DataFrame(_appended(columns_of(), eng.events))
    if not events.empty:
        events = events.sort_values("time_h", kind="stable").reset_index(drop=True)
        # eng.date_of(h) for every row at once: whole hours from the first month, as text
        start = eng.month_dates[0].astype("datetime64[h]")
        hours = events["time_h"].to_numpy(dtype=np.float64).astype(np.int64)
        dates = np.datetime_as_string(start + hours.astype("timedelta64[h]"))
        events.insert(1, "date", [d[:16] for d in dates.tolist()])
    return events


def _appended(columns: dict[str, list[Any]], rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The columns of ``pd.DataFrame(records + rows)``, where ``columns`` holds the records'
    columns (each record with every key): the keys in the order they first appear, NaN where a
    row lacks one, as pandas fills a table from a list of dicts (``DataFrame.equals`` the table
    built from the rows, dtypes included: tests/test_fast_paths.py)."""
    n = len(next(iter(columns.values()))) if columns else 0
    out = {k: list(v) for k, v in columns.items()}
    for row in rows:
        for k in row:
            if k not in out:
                out[k] = [np.nan] * n
    for row in rows:
        for k, v in out.items():
            v.append(row.get(k, np.nan))
    return out


def _decisions_table(eng: Engine) -> pd.DataFrame:
    """The ``decisions`` table: each reason as its code and parameters, and worded in English and
    French."""
    rows = [{**d, **_reason_columns(d["reason"])} for d in eng.decisions]
    return pd.DataFrame(rows, columns=DECISION_COLUMNS)


def _reason_columns(why: Any) -> dict[str, str]:
    if isinstance(why, str):  # a rule that still writes an English sentence: no code, no French
        return {"reason": why, "reason_fr": why, "reason_code": "", "reason_params": "{}"}
    return {
        "reason": word_reason(why, "en"),
        "reason_fr": word_reason(why, "fr"),
        "reason_code": reason_code(why),
        "reason_params": reason_params_json(why),
    }


def make_policy(scenario: Scenario) -> Policy:
    """The policy object of the scenario's governance regime (see :mod:`sim.governance.registry`),
    with the workers' terms of a return to public hands when the scenario names any
    (:mod:`sim.governance.return_terms`)."""
    return with_return_terms(policy_for(scenario), scenario)

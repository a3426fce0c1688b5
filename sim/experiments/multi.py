"""A multi-service régie against the same services run separately, on one seed.

:func:`simulate_multi` runs every service of a :class:`~sim.scenario.multi.MultiServiceScenario`
on one clock (:class:`sim.core.multi.MultiEngine`), each with its own scenario, policy, accounts
and named random streams, and shares what the scenario's ``shared:`` block says: one crew pool,
pooled overheads split by a key, one bill where every service bills. With nothing shared, each
service's tables are those of its run alone, bit for bit (a test says so): the gap between the
régie and the separate services is then made only of what is shared.

:func:`against_separate` measures that gap and what it is made of, adding one sharing at a time
in a fixed order (crews, then overheads, then the bill), every step on the same seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.core.ledger import PAYMENT_LINES, RECEIPT_LINES
from sim.core.multi import MultiEngine, PooledOverheads, Pooling
from sim.core.result import Result
from sim.core.rng import child_seeds
from sim.core.workforce import first_weekday
from sim.experiments.run import engine_for, make_policy, result_of, simulate
from sim.scenario.multi import MultiServiceScenario

#: the money columns of the combined view, summed over services by year
MONEY_COLUMNS = ("receipts_eur", "payments_eur", *RECEIPT_LINES, *PAYMENT_LINES)


@dataclass
class MultiResult:
    """The tables of a multi-service run: each service's :class:`~sim.core.result.Result`, and the
    money of the operator as a whole (``combined``) and of what it shares (``shared``)."""

    scenario: MultiServiceScenario
    seed: int
    results: dict[str, Result]
    shared: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def combined(self) -> pd.DataFrame:
        """Money by year, every service's budget summed (the operator's view; each budget stays
        its own)."""
        return combined_money(self.results)


def money_by_year(res: Result) -> pd.DataFrame:
    """One service's cash by year: every receipt and payment line summed, cash at the start of
    January and at the end of December."""
    p = res.periods
    cols = [c for c in MONEY_COLUMNS if c in p.columns]
    # the service's own lines (electricity's compensation for long cuts…) and its revenue
    cols += [c for c in p.columns if c.endswith("_eur") and c not in cols and not c.startswith("cash_")]
    by = p.groupby("year", sort=True)
    out = by[cols].sum()
    out.insert(0, "cash_start_eur", by["cash_start_eur"].first())
    out["cash_end_eur"] = by["cash_end_eur"].last()
    return out.reset_index()


def combined_money(results: dict[str, Result]) -> pd.DataFrame:
    """Every service's :func:`money_by_year`, summed by year (lines a service lacks count 0)."""
    tables = [money_by_year(r).set_index("year") for r in results.values()]
    total = tables[0]
    for t in tables[1:]:
        total = total.add(t, fill_value=0.0)
    return total.reset_index()


def crew_wait_hours(res: Result) -> pd.Series:
    """Hours incidents waited for a crew, by year: the ``years`` table's ``crew_wait_hours`` when
    the service records it, else the sum of its events' ``wait_h``."""
    years = res.years["year"]
    if "crew_wait_hours" in res.years.columns:
        return pd.Series(res.years["crew_wait_hours"].to_numpy(), index=years.to_numpy())
    ev = res.events
    if ev.empty or "wait_h" not in ev.columns:
        return pd.Series(0.0, index=years.to_numpy())
    year = pd.to_datetime(ev["date"]).dt.year
    return ev.groupby(year)["wait_h"].sum().reindex(years.to_numpy(), fill_value=0.0)


def pooling_of(ms: MultiServiceScenario) -> Pooling:
    """The numbers of ``shared:`` that the core's overheads rule reads."""
    sh = ms.shared
    return Pooling(
        overhead_saving_pct=sh.overhead_saving_pct,
        bill_cost_eur=sh.bill_cost_eur if sh.one_bill else 0.0,
        bills_saved_per_household_year=ms.bills_saved_per_household_year() if sh.one_bill else 0.0,
        households_served_by_all=ms.households_served_by_all() if sh.one_bill else 0.0,
        key=sh.split_key,
    )


def simulate_multi(
    ms: MultiServiceScenario,
    seed: int | None = None,
    *,
    progress: Callable[[float], None] | None = None,
) -> MultiResult:
    """Run every service of ``ms`` on one clock, sharing what ``ms.shared`` says.

    Same scenario and seed give identical tables; each service draws from its own named streams,
    as in its run alone."""
    seed = ms.seed if seed is None else int(seed)
    sh = ms.shared
    first = next(iter(ms.services.values()))
    multi = MultiEngine(first_weekday(first.town.start_year), share_crews=sh.crews)
    names = list(ms.services)
    for i, (name, s) in enumerate(ms.services.items()):
        last = progress if (progress is not None and i == len(names) - 1) else None
        eng = engine_for(
            s,
            seed,
            policy=make_policy(s),
            progress=last,
            env=multi.env,
            crews=multi.crews_for(s.workforce.crews),
        )
        multi.add(name, eng)
    rule: PooledOverheads | None = None
    if sh.overheads_pooled or sh.one_bill:
        pooling = pooling_of(ms)
        if not sh.overheads_pooled:
            pooling = Pooling(
                bill_cost_eur=pooling.bill_cost_eur,
                bills_saved_per_household_year=pooling.bills_saved_per_household_year,
                households_served_by_all=pooling.households_served_by_all,
                key=pooling.key,
            )
        rule = multi.pool_overheads(pooling)
    multi.run()
    results = {name: result_of(eng) for name, eng in multi.engines.items()}
    return MultiResult(ms, seed, results, shared_table(results, rule))


def shared_table(results: dict[str, Result], rule: PooledOverheads | None) -> pd.DataFrame:
    """By year: each service's overheads and hours waited for a crew; when overheads are pooled,
    what the services would pay alone (``own_overheads_eur``), what they pay together
    (``overheads_paid_eur``), and the difference split into the bills saved and the saving on the
    rest (current euros)."""
    rows: dict[str, Any] = {}
    for name, res in results.items():
        money = money_by_year(res).set_index("year")
        rows[f"{name}_overheads_eur"] = money["overheads_eur"]
        rows[f"{name}_crew_wait_hours"] = crew_wait_hours(res)
    table = pd.DataFrame(rows)
    table.index.name = "year"
    if rule is not None:
        totals = [rule.year_totals(y) for y in range(len(table))]
        table["own_overheads_eur"] = [t[0] for t in totals]
        table["overheads_paid_eur"] = sum(table[f"{n}_overheads_eur"] for n in results)
        table["bills_saved_eur"] = [t[1] for t in totals]
        table["overhead_saving_eur"] = [t[0] - t[1] - t[2] for t in totals]
    return table.reset_index()


#: the steps from separate services to the régie of the scenario, one sharing added at a time
STEPS = ("separate", "crews", "overheads", "bill")


@dataclass
class AgainstSeparate:
    """A multi-service régie against its services run apart, on one seed.

    ``steps`` holds the runs from ``separate`` (each service alone) to ``bill`` (everything the
    scenario shares), adding in turn the crew pool, the pooled overheads and the one bill (a step
    the scenario does not share repeats the one before). ``table`` has one row per measure
    (:data:`MEASURES`) and one column per step; ``parts`` the gap of each step to the one before,
    whose sum is the whole gap, exactly.
    """

    scenario: MultiServiceScenario
    seed: int
    steps: dict[str, MultiResult]
    table: pd.DataFrame
    parts: pd.DataFrame


#: measure -> (French label, English label, unit): over the whole horizon, every service summed
MEASURES: dict[str, tuple[str, str, str]] = {
    "opex_eur": ("Charges d'exploitation", "Operating costs", "M€"),
    "overheads_eur": ("dont frais généraux", "of which overheads", "M€"),
    "staff_eur": ("dont personnel (heures sup. comprises)", "of which staff (overtime included)", "M€"),
    "compensation_eur": (
        "dont indemnités des coupures de plus de 5 h",
        "of which compensation for cuts over 5 h",
        "M€",
    ),
    "payments_eur": ("Dépenses totales", "All payments", "M€"),
    "receipts_eur": ("Recettes totales", "All receipts", "M€"),
    "reserves_end_eur": ("Trésorerie en fin de période", "Cash at the end", "M€"),
    "overtime_hours": ("Heures supplémentaires", "Overtime hours", "h"),
}


def _measures(mr: MultiResult) -> dict[str, float]:
    """The measures of :data:`MEASURES` and each service's hours waited for a crew."""
    comb = mr.combined
    out: dict[str, float] = {}
    opex = 0.0
    overtime = 0.0
    for res in mr.results.values():
        opex += float(res.years["opex_eur"].sum())
        overtime += float(res.workforce["overtime_hours"].sum())
    out["opex_eur"] = opex
    for key in ("overheads_eur", "staff_eur", "payments_eur", "receipts_eur"):
        out[key] = float(comb[key].sum())
    out["compensation_eur"] = float(comb["compensation_eur"].sum()) if "compensation_eur" in comb else 0.0
    out["reserves_end_eur"] = float(comb["cash_end_eur"].iloc[-1])
    out["overtime_hours"] = overtime
    out = {k: out[k] for k in MEASURES}  # in the table's order
    for name, res in mr.results.items():
        out[f"{name}_crew_wait_hours"] = float(crew_wait_hours(res).sum())
    return out


def against_separate(
    ms: MultiServiceScenario,
    seed: int | None = None,
    *,
    progress: Callable[[float], None] | None = None,
) -> AgainstSeparate:
    """Run the services apart, then add each sharing of ``ms`` in turn (crews, overheads, bill),
    on one seed; the table of measures by step and the part of the gap each step makes."""
    seed = ms.seed if seed is None else int(seed)
    sh = ms.shared
    configs = {
        "separate": {"crews": False, "overheads_pooled": False, "one_bill": False},
        "crews": {"crews": sh.crews, "overheads_pooled": False, "one_bill": False},
        "overheads": {"crews": sh.crews, "overheads_pooled": sh.overheads_pooled, "one_bill": False},
        "bill": {"crews": sh.crews, "overheads_pooled": sh.overheads_pooled, "one_bill": sh.one_bill},
    }
    steps: dict[str, MultiResult] = {}
    for i, (step, changes) in enumerate(configs.items()):
        if step == "separate":
            # the services alone, each by its own run (what a multi-service run with nothing
            # shared reproduces bit for bit)
            results = {n: simulate(s, seed) for n, s in ms.services.items()}
            steps[step] = MultiResult(ms.with_shared(**changes), seed, results, shared_table(results, None))
        else:
            steps[step] = simulate_multi(ms.with_shared(**changes), seed)
        if progress is not None:
            progress((i + 1) / len(configs))
    cols = {step: _measures(mr) for step, mr in steps.items()}
    table = pd.DataFrame(cols)
    parts = pd.DataFrame(
        {step: table[step] - table[prev] for prev, step in zip(STEPS[:-1], STEPS[1:], strict=True)}
    )
    parts["gap"] = table["bill"] - table["separate"]
    return AgainstSeparate(ms, seed, steps, table, parts)


@dataclass
class GapEnsemble:
    """The gap between a multi-service régie and its services run apart, over many futures.

    ``runs`` has one row per future (``run``, ``seed``), the gap of every measure
    (:data:`MEASURES` and each service's hours waited for a crew) and, for operating costs, the
    part each sharing makes (``opex_eur_crews``, ``opex_eur_overheads``, ``opex_eur_bill``).
    ``cancelled`` says the family was stopped before its end (``runs`` then holds the futures
    that finished)."""

    scenario: MultiServiceScenario
    seed: int
    runs: pd.DataFrame
    cancelled: bool = False

    def summary(self) -> pd.DataFrame:
        """Median, lowest and highest of every column of :attr:`runs` (``run`` and ``seed``
        aside), one row per column."""
        values = self.runs.drop(columns=["run", "seed"])
        return pd.DataFrame({"median": values.median(), "min": values.min(), "max": values.max()})


def gap_ensemble(
    ms: MultiServiceScenario,
    runs: int,
    seed: int | None = None,
    *,
    progress: Callable[[float], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> GapEnsemble:
    """:func:`against_separate` on ``runs`` futures: run ``r`` uses ``child_seeds(seed, runs)[r]``
    (the seeds of :func:`sim.experiments.ensemble.simulate_many`), every step of one future on its
    seed, so each future's gap is made only of what is shared."""
    if not 1 <= int(runs) <= 10_000:
        raise ValueError(f"runs must be between 1 and 10000, got {runs}")
    seed = ms.seed if seed is None else int(seed)
    rows = []
    cancelled = False
    for r, s in enumerate(child_seeds(seed, int(runs))):
        if cancel is not None and cancel():
            cancelled = True
            break
        cmp = against_separate(ms, s)
        row: dict[str, Any] = {"run": r, "seed": s}
        row.update({str(k): float(v) for k, v in cmp.parts["gap"].items()})
        row.update({f"opex_eur_{step}": float(cmp.parts.at["opex_eur", step]) for step in STEPS[1:]})
        rows.append(row)
        if progress is not None:
            progress((r + 1) / int(runs))
    return GapEnsemble(ms, seed, pd.DataFrame(rows), cancelled)

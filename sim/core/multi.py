"""Several services run by one operator, on one clock: shared crews, pooled overheads.

A multi-service régie (water and electricity, say) keeps one budget per service (each service its
own accounts, tariff and cash), but can share what is not tied to one network: repair crews, and
overheads (administration, customer service, billing). This module composes engines
(:class:`sim.core.engine.Engine`, one per service, each with its own scenario, policy and named
random streams) without naming any service:

- :class:`MultiEngine` runs them on one SimPy environment, so their events interleave in time
  order; each engine draws from its own streams, so with nothing shared each one's tables are
  those of its run alone, bit for bit.
- :class:`CrewPool` is one pool of crew tokens the services' incidents queue on: each service
  keeps its own crews on its payroll (:class:`CrewShare`), but any free crew takes the next job,
  whichever service it is for.
- :class:`PooledOverheads` is the rule each engine asks for its year's overheads
  (:attr:`sim.core.engine.Engine.overheads_rule`): the services' overheads together, less the
  duplicate bills saved and a saving on the rest, split between the budgets by a key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import simpy

from sim.core.engine import Engine
from sim.core.workforce import Crews

#: keys that split pooled overheads between the services' budgets
SPLIT_KEYS = ("overheads", "customers", "revenue", "fte")


class CrewPool(Crews):
    """One pool of crews that several services share (their :class:`CrewShare`\\ s).

    The pool's size is the sum of the services' crews, and its planned work the sum of theirs,
    shared evenly over all its crews (:meth:`Crews.plan`).
    """

    def __init__(self, env: simpy.Environment, start_weekday: int = 0):
        super().__init__(env, 1, start_weekday)
        self.shares: list[CrewShare] = []

    def share(self, n: int) -> CrewShare:
        """A service's crews in the pool: ``n`` crews, resized by its decisions."""
        share = CrewShare(self, n)
        self.shares.append(share)
        self._update()
        return share

    def _update(self) -> None:
        if not self.shares:
            return
        Crews.set_size(self, sum(s.size for s in self.shares))
        planned = sum(s.planned_h_year for s in self.shares)
        Crews.plan(self, planned)
        for s in self.shares:
            # the planned overtime falls on each service in proportion to its planned work
            s.planned_overtime_h_year = (
                self.planned_overtime_h_year * s.planned_h_year / planned if planned > 0 else 0.0
            )

    def release_at(self, t: float) -> float:
        return Crews.planned_release(self, t)


class CrewShare(Crews):
    """A service's crews inside a :class:`CrewPool`: its size (the crews it pays for) and its
    planned work are its own; the tokens its incidents wait for are the pool's."""

    def __init__(self, pool: CrewPool, n: int):
        # not Crews.__init__: the tokens live in the pool
        self.pool = pool
        self.env = pool.env
        self.store = pool.store
        self._parked = []
        self.start_weekday = pool.start_weekday
        self.size = max(int(n), 1)
        self.planned_h_year = 0.0
        self.planned_h_per_day = 0.0
        self.planned_overtime_h_year = 0.0

    @property
    def pool_size(self) -> int:
        return self.pool.size

    def set_size(self, n: int) -> None:
        self.size = max(int(n), 1)
        self.pool._update()

    def plan(self, planned_h_year: float) -> None:
        self.planned_h_year = planned_h_year
        self.pool._update()
        self.planned_h_per_day = self.pool.planned_h_per_day

    def planned_release(self, t: float) -> float:
        return self.pool.release_at(t)


@dataclass(frozen=True)
class Pooling:
    """What the services share, as numbers the core understands (see :class:`PooledOverheads`).

    ``overhead_saving_pct``: share of the pooled overheads saved (after the bills saved);
    ``bill_cost_eur``: cost of one bill (printing, sending, collecting, answering), first year's
    euros; ``bills_saved_per_household_year``: bills a household served by every service no longer
    receives each year; ``households_served_by_all``: how many households that is; ``key``: one of
    :data:`SPLIT_KEYS`.
    """

    overhead_saving_pct: float = 0.0
    bill_cost_eur: float = 0.0
    bills_saved_per_household_year: float = 0.0
    households_served_by_all: float = 0.0
    key: str = "overheads"

    def bill_saving_eur(self) -> float:
        """Yearly cost of the duplicate bills saved, first year's euros."""
        return self.bill_cost_eur * self.bills_saved_per_household_year * self.households_served_by_all


class PooledOverheads:
    """The overheads rule of engines that pool their overheads.

    In year *y*, at current prices: ``own = Σᵢ Oᵢ·cpiᵢ(y)`` is what the services would pay alone
    (each its scenario's overheads at its own price index), ``bills = B·cpi₁(y)`` the duplicate
    bills saved (at the first service's index: the operator's), and
    ``pooled = (own − bills) × (1 − saving)``; service *i* bears ``pooled × keyᵢ / Σ key``, the key
    being each service's own overheads at current prices, its customers, or its revenue or staff
    (FTE) of the year before last (:meth:`weights`). The key moves money between the budgets,
    never the total. Price indices are read from each engine's inflation path, drawn when it was
    built, so no engine waits for another's year to start.
    """

    def __init__(self, engines: Mapping[str, Engine], pooling: Pooling):
        if pooling.key not in SPLIT_KEYS:
            raise ValueError(f"unknown split key {pooling.key!r}; keys are {SPLIT_KEYS}")
        self.engines = dict(engines)
        self.pooling = pooling
        self.own_eur = {n: e.scenario.finance.overheads_eur_per_year for n, e in self.engines.items()}
        self.cpi = {n: cpi_path(e.inflation) for n, e in self.engines.items()}
        self._first = next(iter(self.engines))
        self.fte0 = {n: e.fte_total() for n, e in self.engines.items()}  # staff at the start

    def year_totals(self, y: int) -> tuple[float, float, float]:
        """(own, bills saved, pooled) overheads of year ``y`` (0-based), at current prices."""
        own = 0.0
        for n, o in self.own_eur.items():
            own += o * self.cpi[n][y]
        bills = min(self.pooling.bill_saving_eur() * self.cpi[self._first][y], own)
        return own, bills, (own - bills) * (1.0 - self.pooling.overhead_saving_pct / 100.0)

    def weights(self, y: int) -> dict[str, float]:
        """Each service's share of the pooled overheads in year ``y`` (they add up to 1).

        Revenue and staff are those of the year before last, whose accounts are closed for every
        service whenever a year's budget is set (a service's year can open before another's last
        year has closed, at the same hour); in the first two years, the services' own overheads
        (revenue key) and their staff at the start (FTE key)."""
        key = self.pooling.key
        engines = self.engines
        w: dict[str, float]
        if key == "customers":
            w = {n: float(e.pop.count) for n, e in engines.items()}
        elif key == "fte":
            if y >= 2:
                w = {n: _fte(e.workforce_rows[y - 2]) for n, e in engines.items()}
            else:
                w = dict(self.fte0)
        elif key == "revenue" and y >= 2:
            w = {n: float(e.years[y - 2]["revenue_eur"]) for n, e in engines.items()}
        else:  # "overheads", and "revenue" in the first two years
            w = {n: o * self.cpi[n][y] for n, o in self.own_eur.items()}
        total = sum(w.values())
        if not total > 0:
            return {n: 1.0 / len(engines) for n in engines}
        return {n: v / total for n, v in w.items()}

    def __call__(self, eng: Engine) -> float:
        name = next(n for n, e in self.engines.items() if e is eng)
        y = eng.year_index()
        return self.year_totals(y)[2] * self.weights(y)[name]


def _fte(row: Mapping[str, Any]) -> float:
    """Staff (FTE) of a row of the ``workforce`` table."""
    return float(row["fte_in_house"]) + float(row["fte_subcontracted"])


def cpi_path(inflation: Any) -> list[float]:
    """The price index of each year from a run's yearly inflation, multiplied in the engine's
    order (so each value is the engine's ``cpi`` of that year, bit for bit)."""
    cpi = 1.0
    path = [cpi]
    for y in range(1, len(inflation)):
        cpi *= 1.0 + inflation[y]
        path.append(float(cpi))
    return path


class MultiEngine:
    """Several engines on one clock: started together, run to the horizon together.

    Build each engine on :attr:`env` (``Engine(..., env=multi.env, crews=...)``), with
    :meth:`crews_for` when crews are shared, then :meth:`add` it; :meth:`pool_overheads` installs
    the overheads rule; :meth:`run` runs them all.
    """

    def __init__(self, start_weekday: int = 0, share_crews: bool = False):
        self.env = simpy.Environment()
        self.engines: dict[str, Engine] = {}
        self.pool = CrewPool(self.env, start_weekday) if share_crews else None
        self.overheads: PooledOverheads | None = None

    def crews_for(self, n: int) -> Crews | None:
        """The crews to give a new engine: a share of the pool, or None (its own crews)."""
        return self.pool.share(n) if self.pool is not None else None

    def add(self, name: str, engine: Engine) -> None:
        if engine.env is not self.env:
            raise ValueError("an engine of a composition must run on its environment")
        if name in self.engines:
            raise ValueError(f"two services named {name!r}")
        self.engines[name] = engine

    def pool_overheads(self, pooling: Pooling) -> PooledOverheads:
        rule = PooledOverheads(self.engines, pooling)
        for eng in self.engines.values():
            eng.overheads_rule = rule
        self.overheads = rule
        return rule

    def run(self) -> None:
        """Run every engine to its horizon on the one clock."""
        procs = [eng.start() for eng in self.engines.values()]
        self.env.run(until=self.env.all_of(procs))

"""The Service protocol: what a commodity (water, electricity, …) gives the core engine.

The core engine (:mod:`sim.core.engine`) owns what every network service shares: the SimPy clock and
its month and year steps, the named random streams, the households and their incomes, the policy and
the decision state it changes, crews, loans and cash, the monthly ledger and the records. A service
owns its physics: its assets and their incidents, its resource, its demand and losses, the volumes it
bills, and the columns it adds to the monthly and yearly tables.

The engine calls a service in this order (``eng`` is the engine, read and written through its public
attributes; the service never changes the policy's :class:`~sim.core.engine.State`)::

    bind(eng)                                   once, after the engine's own set-up
    every year:  year_start(eng, y)             after the policy's year-start decisions
    every month: schedule_month(eng, m, t0, t1)  at the month's start: its discrete events
                 month_end(eng, m, ...) -> MonthFlows
                 bill(eng, lines) -> revenue    on billing months, inside month_end's accounting
    every year:  year_row(eng, y, acc) -> dict  the yearly indicators, after the last month

Adding a service is adding a package with a class that implements these methods; the engine does
not change (``tests/test_service_protocol.py`` runs a toy commodity through the core, the regimes,
compare and the headline figures).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sim.core.engine import Engine


@dataclass
class MonthFlows:
    """What a service's month gives the engine's ledger and monthly table.

    ``produced`` and ``billed`` are in the service's unit (m3, kWh): the ledger prices the
    per-unit outflows (delegation overhead, corporate tax) on ``billed``. ``costs`` are the
    service's own payment lines of the month in euros (keys of :data:`sim.core.ledger.PAYMENT_LINES`,
    e.g. ``energy_eur``, ``treatment_eur``, ``repairs_eur``). ``columns`` are the service's columns of
    the monthly table, in order; ``year`` are amounts added to the year's accumulators.
    """

    produced: float
    billed: float
    costs: dict[str, float] = field(default_factory=dict)
    columns: dict[str, Any] = field(default_factory=dict)
    year: dict[str, float] = field(default_factory=dict)


class Service(Protocol):
    """A commodity the core engine can run (see the module docstring for the call order)."""

    name: str
    #: keys of the service's own year accumulators (set to 0 at each year start)
    year_keys: tuple[str, ...]

    def bind(self, eng: Engine) -> None:
        """Build the service's components from ``eng.scenario`` and ``eng.rng``; set ``eng.cohorts``."""
        ...

    def year_start(self, eng: Engine, y: int) -> float:
        """Renew assets and update demand for year ``y`` (0-based); return this year's renewal
        capital spending in euros."""
        ...

    def schedule_month(self, eng: Engine, m: int, t0: float, t1: float) -> None:
        """Start the month's discrete events (incidents) as SimPy processes on ``eng.env``."""
        ...

    def month_end(self, eng: Engine, m: int, y: int, cal_month: int, t0: float,
                  t1: float) -> MonthFlows:
        """The month's physical flows, the household use it adds to the billing period, its costs."""
        ...

    def bill(self, eng: Engine, lines: dict[str, float]) -> float:
        """Bill every household for the period (vectorised), put receipts, VAT and levies into
        ``lines``; return the service's revenue excl. tax and levies."""
        ...

    def repairs_cost_eur(self, eng: Engine, repairs: int) -> float:
        """Cost of the month's repairs, in euros of this year."""
        ...

    def year_row(self, eng: Engine, y: int, acc: dict[str, float]) -> dict[str, Any]:
        """The yearly row of the ``years`` table, and the service's decile rows appended to
        ``eng.decile_rows``."""
        ...

    def variable_costs_estimate(self, eng: Engine) -> tuple[float, float]:
        """Expected yearly (variable costs, renewal spending) at this year's prices (for budgets)."""
        ...

    def event_rows(self) -> list[dict[str, Any]]:
        """The service's incidents as rows of the ``events`` table (with a ``time_h`` column)."""
        ...

    def affordability_burden(self, eng: Engine, bills: Any) -> Any:
        """Each household's yearly spending on the service, incl. what it pays beside the
        service's own bill (sewerage for water), as a share of income."""
        ...

"""The core engine: one run of one service under one policy, on the SimPy clock.

SimPy carries what is discrete — month ends, billing dates, year starts, the service's incidents and
repairs, crews, governance decision dates. Households are numpy arrays: the service computes every
household's use and bill in vectorised steps. The clock is in hours from 1 January of
``town.start_year``.

The engine owns what every network service shares (households and incomes, the policy and the
decision :class:`State`, crews, loans and cash, the monthly ledger, records) and calls the service
(:class:`Service`, below) for its physics. A run is a pure function of (scenario, seed):
every draw comes from a named stream (:mod:`sim.core.rng`). Use :func:`sim.simulate`, which picks
the service and the regime's policy, rather than this class directly.

The Service protocol
--------------------
A service owns its physics: its assets and their incidents, its resource, its demand and losses,
the volumes it bills, and the columns it adds to the monthly and yearly tables.

The engine calls a service in this order (``eng`` is the engine, read and written through its public
attributes; the service never changes the policy's :class:`~sim.core.engine.State`)::

    build_population(scenario, rng)             once, first: the households
    initial_state(scenario)                     once: what decisions start from
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

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from operator import add
from typing import Any, Protocol

import numpy as np
import simpy

from sim.core import accounts
from sim.core.accounts import ACCOUNT_YEAR_KEYS, Vintages
from sim.core.assets import Cohorts
from sim.core.billing import Payment, kernel_name
from sim.core.households import BasePopulation
from sim.core.ledger import ALL_LINES, CAPEX_LINES, N_RECEIPTS, OPEX_LINES, OUTFLOW_LINES, Loans
from sim.core.non_domestic import NonDomesticMeters
from sim.core.rng import streams
from sim.core.workforce import HOURS_PER_YEAR_WORKED, OVERTIME_PREMIUM, Crews, first_weekday
from sim.i18n import NO_REASON, reason
from sim.scenario.model import Scenario, Tariff, UsageRule

#: the year accumulators the engine adds to every month besides the ledger's lines
_MONTH_ENGINE_KEYS = ("revenue_eur", "overtime_hours", "repairs", "staff_in_house_eur", "receipts_eur")

#: year accumulators every service has (the service adds its own, :attr:`Service.year_keys`)
YEAR_KEYS = (
    "revenue_eur",
    "billed_eur",
    "unpaid_eur",
    "overtime_hours",
    "repairs",
    "social_rebate_eur",
    "staff_in_house_eur",
    "receipts_eur",
    "bill_receipts_eur",
    "loan_proceeds_eur",
    *OPEX_LINES,
    *CAPEX_LINES,
    *OUTFLOW_LINES,
    "interest_eur",
    "principal_eur",
    "treasury_interest_eur",
    *ACCOUNT_YEAR_KEYS,
)


def _depreciation_and_book(assets: Any, year: int) -> tuple[float, float]:
    """``(assets.depreciation_eur(year), assets.book_value_eur(year + 1.0))``, the book value at the
    year's end computed once where the depreciation is the difference of the two book values
    (:class:`~sim.core.assets.Cohorts`, :class:`~sim.core.accounts.Vintages`: the same doubles)."""
    if type(assets).depreciation_eur in _BOOK_DIFFERENCES:
        book_next = assets.book_value_eur(year + 1.0)
        return assets.book_value_eur(float(year)) - book_next, book_next
    return assets.depreciation_eur(year), assets.book_value_eur(year + 1.0)


#: the ``depreciation_eur`` methods that are ``book_value_eur(year) - book_value_eur(year + 1)``
_BOOK_DIFFERENCES = (Cohorts.depreciation_eur, Vintages.depreciation_eur)


@dataclass
class MonthFlows:
    """What a service's month gives the engine's ledger and monthly table.

    ``produced`` and ``billed`` are in the service's unit (m3, kWh): the ledger prices the
    per-unit outflows (delegation overhead, corporate tax) on ``billed``. ``costs`` are the
    service's own payment lines of the month in euros (keys of :data:`sim.core.ledger.PAYMENT_LINES`,
    e.g. ``energy_eur``, ``treatment_eur``, ``repairs_eur``). ``columns`` are the service's columns of
    the monthly table, in order (may be left empty when ``eng.keep_months`` is False: nobody reads
    them); ``year`` are amounts added to the year's accumulators (the service's own ``year_keys``:
    the ledger's lines are added by the engine).
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
    #: the service's own payment lines of the ledger (after the common ones), and those of them that
    #: are operating costs and capital spending
    extra_payment_lines: tuple[str, ...]
    extra_opex_lines: tuple[str, ...]
    extra_capex_lines: tuple[str, ...]
    #: the committee's agenda items that apply to this service, in their order
    committee_items: tuple[str, ...]

    def build_population(self, scenario: Any, rng: np.random.Generator) -> BasePopulation:
        """The households, drawn from ``rng`` (the ``population`` stream), before anything else."""
        ...

    def initial_state(self, scenario: Any) -> State:
        """What the decisions start from: the scenario's tariff, renewal rate, crews, margins."""
        ...

    def project(self, eng: Engine, tariff: Any, tariff_index: float) -> tuple[float, np.ndarray]:
        """Revenue (excl. tax and levies) of one year under ``tariff`` at last year's use, and each
        household's yearly bill incl. tax (a new array). It must not change the run."""
        ...

    def share_above_threshold(self, eng: Engine, bills: np.ndarray) -> float:
        """Share of households (%) whose spending is above the service's affordability threshold,
        with these yearly bills."""
        ...

    def reference_price(self, eng: Engine, tariff: Any, tariff_index: float) -> dict[str, float]:
        """The tariff's headline price(s), by indicator name (water: the 120 m3 price)."""
        ...

    def regulated_price_index(self, eng: Engine) -> float | None:
        """This year's index of a tariff set nationally (None: the regime's rule sets the price)."""
        ...

    def bind(self, eng: Engine) -> None:
        """Build the service's components from ``eng.scenario`` and ``eng.rng``; set ``eng.cohorts``."""
        ...

    def year_start(self, eng: Engine, y: int) -> float:
        """Renew assets and update demand for year ``y`` (0-based); return this year's renewal
        capital spending in euros."""
        ...

    def schedule_month(self, eng: Engine, m: int, t0: float, t1: float) -> None:
        """Start the month's discrete events (incidents): as SimPy processes on ``eng.env``, or as
        asks on the crews' queue when the crews are the engine's own (:meth:`Crews.use_queue`)."""
        ...

    def month_end(self, eng: Engine, m: int, y: int, cal_month: int, t0: float, t1: float) -> MonthFlows:
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


@dataclass
class State:
    """What decisions can change during a run (governance acts on this, never on SimPy)."""

    tariff: Tariff
    tariff_index: float = 1.0  # multiplier on the tariff's euro prices (indexation)
    renewal_rate_pct: float = 0.6
    crews: int = 3
    thresholds: tuple[float, ...] = (0.45, 0.35, 0.25, 0.15)
    usage_rules: dict[str, UsageRule] = field(default_factory=dict)
    essential_factor: float = 1.0  # multiplier on the protected essential volume
    conservation: float = 0.0
    citizen_reporting_factor: float = 1.0
    active_leak_detection: bool = False
    margin_pct: float = 0.0
    head_office_pct: float = 0.0
    delegation_eur_per_unit: float = 0.0  # per m3 of water, per kWh of electricity
    corporate_tax_eur_per_unit: float = 0.0
    subcontracted_pct: float = 15.0
    wage_factor: float = 1.0
    participation_eur_per_year: float = 0.0
    extra_fte: float = 0.0
    staff_transferred: float = 0.0
    transition_eur_this_year: float = 0.0
    transition_loan_eur_this_year: float = 0.0  # borrowed this January to finance a transition
    other_receipts_eur_this_year: float = 0.0
    loan_rate_pct: float = 3.4
    provision_kept_eur_this_year: float = 0.0
    operator_result_due_eur: float = 0.0
    share_interest_eur_per_year: float = 0.0
    local_production_kw: float = 0.0  # local production capacity decided (electricity: community PV)
    social_fund_eur_per_year: float = 0.0  # fund paying part of the poorest households' arrears
    unpaid_response: str = "limit"  # what an overdue debt brings: a power limitation or a cut
    limit_after_months: int = 0  # age of a debt (months unpaid) at which an intervention starts


class Policy:
    """Who decides. The default keeps the scenario's rules: the tariff follows inflation.

    Governance regimes subclass this (see :mod:`sim.governance`). Hooks are called by the engine at
    its decision dates with the engine as a read-only view plus the mutable :class:`State`; they
    return decision rows for the ``decisions`` table and never touch SimPy.
    """

    def year_start(self, eng: Engine, year: int) -> list[dict[str, Any]]:
        if eng.scenario.tariff.index_on_inflation:
            eng.state.tariff_index = eng.cpi
        return []

    def year_end(self, eng: Engine, year: int) -> list[dict[str, Any]]:
        return []


class Engine:
    """One run of ``service`` for ``scenario`` on ``seed`` (see the module docstring)."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        service: Service,
        policy: Policy | None = None,
        progress: Callable[[float], None] | None = None,
        *,
        env: simpy.Environment | None = None,
        crews: Crews | None = None,
    ):
        # ``env`` and ``crews``: a composition of services (:mod:`sim.core.multi`) runs several
        # engines on one clock, with one crew pool; by default the engine has its own
        self.scenario = s = scenario
        self.seed = seed
        self.service = service
        self.progress = progress
        self.policy = policy or Policy()
        self.rng = streams(seed)
        self.env = simpy.Environment() if env is None else env
        self.years_n = s.horizon_years
        self.months_n = 12 * s.horizon_years
        start = np.datetime64(f"{s.town.start_year}-01", "M")
        month_starts = start + np.arange(self.months_n + 1)
        self.month_dates = month_starts
        self.month_start_h = (
            (month_starts.astype("datetime64[h]") - start.astype("datetime64[h]"))
            .astype(np.int64)
            .astype(float)
        )
        self.pop: BasePopulation = service.build_population(s, self.rng["population"])
        # one row per year, drawn in year order, so that year y's draws do not depend on the
        # horizon: the inflation, then the deviations of the labour, energy and public-works
        # indices (used by indexation clauses), drawn in every run so that all regimes share them
        z = self.rng["inflation"].standard_normal((self.years_n, 4))
        infl = (s.finance.inflation_mean_pct + s.finance.inflation_sd_pct * z[:, 0]) / 100.0
        infl[0] = 0.0  # prices of the first year are the scenario's
        self.inflation = infl
        self.index_z = z[:, 1:]
        # the world's labour, energy and works prices relative to inflation (first year = 1):
        # every regime pays them in its costs, and a contract's K formula reads them (its published
        # indices stray from them by the contract's own spread, drawn from index_z)
        f = s.finance
        growth = np.ones((self.years_n, 3))
        growth[1:] += np.array([f.labour_drift_pct, f.energy_drift_pct, f.works_drift_pct]) / 100.0
        self.real_index = np.cumprod(growth, axis=0)
        self.cpi = 1.0
        self.real_labour = self.real_energy = self.real_works = 1.0
        self.pay_rng = self.rng["payments"]
        self.state = service.initial_state(s)
        #: the crews are this engine's alone (not a pool shared with another service's engine)
        self.own_crews = crews is None
        if crews is None:
            crews = Crews(self.env, s.workforce.crews, start_weekday=first_weekday(s.town.start_year))
        self.crews = crews
        self.loans = Loans()
        self.loans.add(
            s.finance.initial_debt_eur, s.finance.interest_rate_pct, s.finance.initial_debt_remaining_years
        )
        self.cash = s.finance.initial_cash_eur
        # assets besides mains, for the M49 accounts (sim.core.accounts): the past years' spending
        self.other_assets = Vintages.steady_state(
            s.town.start_year, s.finance.other_capex_eur_per_year, s.finance.other_assets_life_years
        )
        n = self.pop.count
        self.income = self.pop.income_eur_per_year.copy()
        self._payment = self._payment_rule()
        self._projections: dict[Any, Any] = {}
        self._year = 0
        # each household's take-up of a social tariff, drawn once (population stream)
        self.takeup_u = self.rng["population"].random(n)
        self._elig_cache: dict[Any, np.ndarray] = {}
        self.eligible = self.eligibility_for(s.tariff)
        # each household's use and bill over the year, and last year's metered use
        self.year_volume = np.zeros(n)
        self.year_bill = np.zeros(n)
        self.last_year_metered = np.zeros(n)
        # records
        self.months: list[dict[str, Any]] = []
        #: whether the monthly table is kept (a replication that keeps no monthly table sets it
        #: False before the run: its rows are then not built, nothing else changes)
        self.keep_months = True
        #: whether the deciles table is kept (a service may skip its decile rows when not)
        self.keep_deciles = True
        self.months_closed = 0  # months whose accounts are closed (the month being closed, 0-based)
        # the ledger's lines of a month, in the order they are summed (the service's own payment
        # lines after the common ones, as sim.core.ledger.close_month), and those that each month
        # adds to the year's accumulators, with their place among the lines (once, not every month)
        self._ledger_keys = (*ALL_LINES, *self.service.extra_payment_lines)
        self._ledger_zeros = (0.0,) * len(self._ledger_keys)  # a missing line's value, for map
        self._month_acc_keys = (
            "bill_receipts_eur",
            "loan_proceeds_eur",
            *OPEX_LINES,
            *CAPEX_LINES,
            *OUTFLOW_LINES,
            "interest_eur",
            "principal_eur",
            "treasury_interest_eur",
            *ACCOUNT_YEAR_KEYS,
            *self.service.extra_payment_lines,
        )
        self._acc_places = tuple(self._ledger_keys.index(k) for k in self._month_acc_keys)
        # the year's sums of the lines, place by place (added to month by month, as the
        # accumulators were; written into them at the year's end, since nothing else writes those
        # keys: checked here, else they are added to the accumulators every month as before)
        self._ledger_year = [0.0] * len(self._ledger_keys)
        self._month_acc_keys_set = frozenset(self._month_acc_keys)
        written_by_others = {*self.service.year_keys, *_MONTH_ENGINE_KEYS}
        self._ledger_acc_at_year_end = not written_by_others.intersection(self._month_acc_keys) and len(
            set(self._month_acc_keys)
        ) == len(self._month_acc_keys)
        self.years: list[dict[str, Any]] = []
        self.decile_rows: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.decisions: list[dict[str, Any]] = []
        self.workforce_rows: list[dict[str, Any]] = []
        self._year_acc: dict[str, float] = {}
        self._decisions_year_start = 0
        self._repairs_month = 0
        self._loan_this_year = 0.0
        self._numba = False  # the billing path is numba's (set at each year start)
        self._date_texts: dict[int, str] = {}  # _date_text's
        self._capex_month = (0.0, 0.0)
        self.level = 0  # the service's restriction level (0: none), read by governance
        self.cohorts: Any = None  # the service's assets (set by its bind)
        # non-domestic meters billed at the tariff, and their last year's metered volume per group
        # (set by a service that has them; governance's projections then include their revenue)
        self.non_domestic: NonDomesticMeters | None = None
        self.last_year_non_domestic_m3 = np.zeros(0)
        self.stop_requested = False
        self._treasury_limit = 0.0
        self._treasury_low = 0.0
        #: this year's overheads at this year's prices when a composition of services pools them
        #: (:mod:`sim.core.multi`); None: the scenario's own
        self.overheads_rule: Callable[[Engine], float] | None = None
        service.bind(self)

    # ------------------------------------------------------------------ helpers
    def eligibility_for(self, tariff: Tariff) -> np.ndarray:
        """Who receives the social tariff: eligible deciles, with take-up drawn once per household.

        The take-up uniform of each household is fixed for the run (population stream), so changing
        the social tariff changes who is eligible, not who would take it up.
        """
        soc = tariff.social
        key = (soc.eligible_deciles, soc.eligible_share)
        if key not in self._elig_cache:
            in_deciles = np.isin(self.pop.decile, np.asarray(soc.eligible_deciles, dtype=np.int8))
            self._elig_cache[key] = in_deciles & (self.takeup_u < soc.eligible_share)
        return self._elig_cache[key]

    def _payment_rule(self, out: np.ndarray | None = None) -> Payment:
        """Non-payment rule for this year's incomes (see :class:`sim.core.billing.Payment`)."""
        hh = self.scenario.households
        return Payment.of(
            hh.unpaid_base_probability,
            hh.unpaid_burden_slope,
            self.scenario.billing.interval_months,
            self.income,
            out=out,
        )

    def _date_text(self, hours: float) -> str:
        """``str(self.date_of(hours))[:10]`` (the day, as text), kept per whole hour: decisions are
        dated at a few hours (year starts, month ends), each asked many times."""
        key = int(hours)
        text = self._date_texts.get(key)
        if text is None:
            text = self._date_texts[key] = str(self.date_of(hours))[:10]
        return text

    def date_of(self, hours: float) -> np.datetime64:
        start = self.month_dates[0].astype("datetime64[h]")
        date: np.datetime64 = start + np.timedelta64(int(hours), "h")
        return date

    def project(self, tariff: Tariff, tariff_index: float) -> tuple[float, np.ndarray]:
        """Revenue (excl. tax and levies; households and non-domestic meters) and each household's
        yearly bill incl. tax under ``tariff``, at last year's volumes. Used by governance to weigh a
        proposal; it does not change the run.
        """
        key = (id(tariff), tariff_index, self.cpi, self._year)
        hit = self._projections.get(key)
        if hit is not None and hit[0] is tariff:
            return hit[1], hit[2]
        revenue, bills = self.service.project(self, tariff, tariff_index)
        # a copy: the breakdown's arrays are rows of one workspace that a view would keep alive
        out = revenue, bills
        if len(self._projections) >= 8 or any(k[3] != self._year for k in self._projections):
            self._projections.clear()  # only this year's projections can be asked again
        self._projections[key] = (tariff, *out)  # the tariff is kept so its id stays unique
        return out

    def project_revenue(self, tariff: Tariff, tariff_index: float) -> float:
        """Service revenue (excl. tax and levies) of one year under ``tariff`` (see :meth:`project`)."""
        return self.project(tariff, tariff_index)[0]

    def project_bills(self, tariff: Tariff, tariff_index: float) -> np.ndarray:
        """Yearly bill incl. tax of each household under ``tariff`` (see :meth:`project`)."""
        return self.project(tariff, tariff_index)[1]

    def share_above_threshold(self, bills: np.ndarray) -> float:
        """Share of households (%) whose spending on the service is above the affordability
        threshold, with these yearly bills."""
        return self.service.share_above_threshold(self, bills)

    def expected_unpaid_share(self, bills: np.ndarray) -> float:
        """Share of these yearly bills expected to go unpaid under this year's non-payment rule
        (:class:`sim.core.billing.Payment`, each bill split into the year's billing periods)."""
        months = self.scenario.billing.interval_months
        period = bills * (months / 12.0)
        z = self._payment.logit0 - period * self._payment.neg_factor
        p = 0.5 * (1.0 + np.tanh(0.5 * z))  # expit, written so that ±inf logits give 0 and 1
        total = float(bills.sum())
        return float((p * bills).sum()) / total if total > 0 else 0.0

    def fte_total(self) -> float:
        """Staff of the service (FTE): the scenario's ratio to customers (staff other than repair
        crews), the repair crews, and what decisions added."""
        w = self.scenario.workforce
        crews = w.crew_size_fte * self.state.crews
        return w.fte_per_1000_customers * self.pop.count / 1000.0 + crews + self.state.extra_fte

    def yearly_cost_parts(self, basis: str = "cash") -> dict[str, float]:
        """Expected yearly costs excl. taxes passed through, at this year's prices, by part.

        ``cash``: ``staff`` (in-house and subcontracted), ``energy_treatment``, ``overheads``,
        ``self_financed_capex`` (the share of renewal and other investment not borrowed),
        ``debt_service`` (the loans in force) and ``participation``.
        ``m49`` (the accounts of :mod:`sim.core.accounts`): the same operating costs, ``interest``
        of the loans in force, and ``capital``: the year's expected depreciation or the principal
        to repay, whichever is larger (a M49 budget must repay its loans' capital from its own
        resources, and its depreciation is at least that when it balances).
        Their sum, in this order, is :meth:`yearly_costs_estimate`."""
        s = self.scenario
        fte = self.fte_total()
        wage = s.workforce.wage_cost_eur_per_fte_year * self.cpi * self.real_labour * self.state.wage_factor
        sub = self.state.subcontracted_pct / 100.0
        staff = fte * wage * ((1 - sub) + sub * (1 + s.workforce.subcontract_premium_pct / 100.0))
        var, renewal = self.service.variable_costs_estimate(self)
        other_capex = s.finance.other_capex_eur_per_year * self.cpi
        if basis == "m49":
            interest, principal = self.loans.next_year_split()
            life = s.network.renewal_life_years
            year = s.town.start_year + self._year
            dep = accounts.expected_depreciation_eur(
                self.cohorts, self.other_assets, year, renewal, life, other_capex
            )
            return {
                "staff": staff,
                "energy_treatment": var,
                "overheads": self.overheads_eur_per_year(),
                "interest": interest,
                "capital": max(dep, principal),
                "participation": self.state.participation_eur_per_year * self.cpi,
            }
        capex = renewal + other_capex
        return {
            "staff": staff,
            "energy_treatment": var,
            "overheads": self.overheads_eur_per_year(),
            "self_financed_capex": capex * (1 - s.finance.capex_debt_share_pct / 100.0),
            "debt_service": self.loans.yearly_service(),
            "participation": self.state.participation_eur_per_year * self.cpi,
        }

    def yearly_costs_estimate(self, basis: str = "cash") -> float:
        """Expected yearly costs excl. taxes passed through, at this year's prices (for budgets);
        ``basis`` as :meth:`yearly_cost_parts`."""
        total = 0.0
        for v in self.yearly_cost_parts(basis).values():  # in their order: budgets stay bit-identical
            total += v
        return total

    def record_decision(self, row: dict[str, Any]) -> None:
        full = {
            "date": self._date_text(self.env.now),
            "meeting": np.nan,
            "body": "",
            "item": "",
            "option": "",
            "votes_public": np.nan,
            "votes_operators": np.nan,
            "votes_citizens": np.nan,
            "veto": False,
            "binding": True,
            "adopted": True,
            "reason": NO_REASON,
        }
        full.update(row)
        self.decisions.append(full)

    def repaired(self) -> None:
        """A crew finished a repair this month (counts towards the crews' workload and overtime)."""
        self._repairs_month += 1

    # ------------------------------------------------------------------ processes
    def run(self) -> None:
        """Run to the horizon (or the requested stop); incidents still open then are not recorded."""
        self.env.run(until=self.start())

    def start(self) -> simpy.Process:
        """Start the run's main process on the clock, without running the clock (a composition of
        services starts several engines, then runs their one clock)."""
        return self.env.process(self._main())

    def year_index(self) -> int:
        """The current year of the run, 0-based."""
        return self._year

    def overheads_eur_per_year(self) -> float:
        """This year's overheads (administration, billing, customer service) at this year's prices:
        the scenario's, or this service's share of pooled overheads (:attr:`overheads_rule`)."""
        if self.overheads_rule is not None:
            return self.overheads_rule(self)
        return self.scenario.finance.overheads_eur_per_year * self.cpi

    def _main(self) -> Generator[Any, Any, None]:
        for m in range(self.months_n):
            t0, t1 = self.month_start_h[m], self.month_start_h[m + 1]
            if self.env.now < t0:
                yield self.env.timeout(t0 - self.env.now)
            y, cal_month = divmod(m, 12)
            self._year = y
            if cal_month == 0:
                self._year_start(y)
                if self.stop_requested:
                    return
            self.service.schedule_month(self, m, t0, t1)
            yield self.env.timeout(t1 - self.env.now)
            self._month_end(m, y, cal_month, t0, t1)
            if cal_month == 11:
                self._year_end(y)
            if self.progress is not None:
                self.progress((m + 1) / self.months_n)
            if self.stop_requested:
                return

    # ------------------------------------------------------------------ yearly steps
    def _year_start(self, y: int) -> None:
        s = self.scenario
        year = s.town.start_year + y
        self.real_labour, self.real_energy, self.real_works = (float(x) for x in self.real_index[y])
        if y > 0:
            self.cpi *= 1.0 + self.inflation[y]
            self.income *= 1.0 + self.inflation[y]
            self._payment = self._payment_rule(out=self._payment.neg_factor)
        st = self.state
        self._numba = kernel_name() == "numba"  # the billing path, looked up once a year
        self._decisions_year_start = len(self.decisions)
        st.transition_eur_this_year = 0.0
        st.transition_loan_eur_this_year = 0.0
        st.other_receipts_eur_this_year = 0.0
        for row in self.policy.year_start(self, year):
            self.record_decision(row)
        if self.stop_requested:
            return
        self.eligible = self.eligibility_for(st.tariff)
        self.crews.set_size(st.crews)
        renewal_capex = self.service.year_start(self, y)
        other_capex = s.finance.other_capex_eur_per_year * self.cpi
        self.other_assets.add(year, other_capex)
        borrow = (renewal_capex + other_capex) * s.finance.capex_debt_share_pct / 100.0
        self.loans.add(borrow, st.loan_rate_pct, s.finance.loan_term_years)
        # a transition financed by a loan (a remunicipalisation's costs and buy-back): the policy
        # decided it this January, at the rate in force after the switch
        self.loans.add(st.transition_loan_eur_this_year, st.loan_rate_pct, s.finance.loan_term_years)
        self._loan_this_year = borrow + st.transition_loan_eur_this_year
        self._treasury_limit = s.finance.treasury_line_months / 12.0 * self.yearly_costs_estimate()
        self._treasury_low = 0.0  # the year's lowest month-end cash, if below zero
        self._capex_month = (renewal_capex / 12.0, other_capex / 12.0)
        extra = self.service.extra_payment_lines
        self._year_acc = dict.fromkeys((*self.service.year_keys, *YEAR_KEYS, *extra), 0.0)
        self._ledger_year = [0.0] * len(self._ledger_keys)
        self.year_volume.fill(0.0)
        self.year_bill.fill(0.0)

    def _year_end(self, y: int) -> None:
        year = self.scenario.town.start_year + y
        acc = self._year_acc
        if self._ledger_acc_at_year_end:  # the year's sums of the ledger lines (0.0 + each month's)
            for k, i in zip(self._month_acc_keys, self._acc_places, strict=True):
                acc[k] = self._ledger_year[i]
        self.years.append(self.service.year_row(self, y, acc))
        fte_total = self.fte_total()
        sub = self.state.subcontracted_pct / 100.0
        repairs = acc["repairs"]
        crews = max(self.crews.size, 1)
        self.workforce_rows.append(
            {
                "year": year,
                "fte_in_house": fte_total * (1 - sub),
                "fte_subcontracted": fte_total * sub,
                "wage_bill_eur": acc["staff_in_house_eur"],
                "crews": crews,
                "repairs_per_crew": repairs / crews,
                "overtime_hours": acc["overtime_hours"],
                "staff_transferred": self.state.staff_transferred,
            }
        )
        self.state.staff_transferred = 0.0
        self.last_year_metered = self.year_volume.copy()
        for row_d in self.policy.year_end(self, year):
            self.record_decision(row_d)

    def money_columns(self, acc: dict[str, float]) -> dict[str, float]:
        """The money columns of the yearly row (receipts, opex, capex, debt, outflows, reserves)."""
        return {
            "revenue_eur": acc["revenue_eur"],
            "receipts_eur": acc["receipts_eur"],
            "bill_receipts_eur": acc["bill_receipts_eur"],
            "loan_proceeds_eur": acc["loan_proceeds_eur"],
            "opex_eur": sum(acc[k] for k in (*OPEX_LINES, *self.service.extra_opex_lines)),
            "capex_eur": sum(acc[k] for k in (*CAPEX_LINES, *self.service.extra_capex_lines)),
            "debt_eur": self.loans.outstanding,
            "interest_eur": acc["interest_eur"],
            "debt_service_eur": acc["interest_eur"] + acc["principal_eur"],
            "outflow_eur": sum(acc[k] for k in OUTFLOW_LINES),
            **{k: acc[k] for k in OUTFLOW_LINES},
            "reserves_eur": self.cash,
            "treasury_interest_eur": acc["treasury_interest_eur"],
            "treasury_drawn_max_eur": max(-self._treasury_low, 0.0),
            "unfinanced_eur": max(-self._treasury_low - self._treasury_limit, 0.0),
            **{k: acc[k] for k in self.service.extra_payment_lines},
            **self.account_columns(acc),
        }

    def account_columns(self, acc: dict[str, float]) -> dict[str, float]:
        """The year's M49-style accounts (:mod:`sim.core.accounts`), at its 31 December."""
        year = self.scenario.town.start_year + self._year
        coh = self.cohorts
        dep_net, coh_book = _depreciation_and_book(coh, year) if coh is not None else (0.0, 0.0)
        written_off = coh.written_off_eur if coh is not None else 0.0
        dep_other, book = _depreciation_and_book(self.other_assets, year)
        if coh is not None:
            book += coh_book
        return accounts.account_columns(
            acc,
            self.loans.outstanding,
            dep_net,
            dep_other,
            written_off,
            book,
            self.service.extra_opex_lines,
        )

    def governance_inclusion_pct(self) -> float:
        """Mean, over the year's binding decisions, of the decision weight held by users and workers
        (committee: citizens' + operators' seats / all seats; workers' own item: 100 %; council or
        contract: 0 %); NaN without binding decisions. A component of the communality index."""
        c = self.scenario.governance.committee
        seats = c.seats_public + c.seats_operators + c.seats_citizens
        weights = []
        for d in self.decisions[self._decisions_year_start :]:
            if not d.get("binding"):
                continue
            if d.get("body") == "committee":
                weights.append(
                    1.0
                    if d.get("item") == "work_organisation"
                    else (c.seats_operators + c.seats_citizens) / seats
                )
            else:
                weights.append(0.0)
        if not weights:
            return float("nan")
        # = float(np.mean(weights)): numpy's sum over the count, without np.mean's wrapper
        return 100.0 * float(np.add.reduce(np.array(weights, dtype=np.float64)) / len(weights))

    # ------------------------------------------------------------------ monthly step
    def _month_end(self, m: int, y: int, cal_month: int, t0: float, t1: float) -> None:
        flows = self.service.month_end(self, m, y, cal_month, t0, t1)
        lines, staff_in_house, overtime_h = self._money_lines(cal_month, flows)
        revenue = 0.0
        if (cal_month + 1) % self.scenario.billing.interval_months == 0:
            revenue = self.service.bill(self, lines)
        self._outflow_lines(lines, revenue, flows.billed)
        # the month's accounts: sim.core.ledger.close_month's sums, on the lines in a fixed order
        # (the same doubles: tests/test_fast_paths.py), without its row unless the table is kept
        values = list(map(lines.get, self._ledger_keys, self._ledger_zeros))  # lines.get(k, 0.0)
        receipts = sum(values[:N_RECEIPTS])
        payments = sum(values[N_RECEIPTS:])
        cash_start = self.cash
        self.cash = cash_start + receipts - payments
        self._watch_treasury(m)
        if self.keep_months:
            row = dict(zip(self._ledger_keys, values, strict=True))
            row.update(
                cash_start_eur=cash_start,
                receipts_eur=receipts,
                payments_eur=payments,
                cash_end_eur=self.cash,
            )
            self.months.append(
                {
                    "month": m + 1,
                    "date": str(self.month_dates[m]),
                    "year": self.scenario.town.start_year + y,
                    **flows.columns,
                    "repairs": self._repairs_month,
                    "revenue_eur": revenue,
                    **row,
                }
            )
        self.months_closed = m + 1
        acc = self._year_acc
        if m == 0 and not self._month_acc_keys_set.isdisjoint(flows.year):
            self._ledger_acc_at_year_end = False  # the service adds to a ledger line's sum itself
        for k, v in flows.year.items():
            acc[k] += v
        acc["revenue_eur"] += revenue
        acc["overtime_hours"] += overtime_h
        acc["repairs"] += self._repairs_month
        acc["staff_in_house_eur"] += staff_in_house
        acc["receipts_eur"] += receipts
        if self._ledger_acc_at_year_end:
            self._ledger_year = list(map(add, self._ledger_year, values))
        else:
            for k, i in zip(self._month_acc_keys, self._acc_places, strict=True):
                acc[k] += values[i]
        self._repairs_month = 0

    def _watch_treasury(self, m: int) -> None:
        """Cash never goes negative silently: the lowest balance of the year is kept for its row,
        and the first month it goes beyond the treasury line is recorded as a decision saying the
        plan is not financed."""
        if self.cash >= self._treasury_low:
            return
        beyond = self._treasury_low >= -self._treasury_limit > self.cash
        self._treasury_low = self.cash
        if beyond:
            self.record_decision(
                {
                    "date": str(self.month_dates[m + 1]) + "-01",
                    "body": "treasury",
                    "item": "cash_shortfall",
                    "option": "not_financed",
                    "binding": False,
                    "adopted": False,
                    "reason": reason(
                        "cash_shortfall", cash_eur=self.cash, treasury_line_eur=self._treasury_limit
                    ),
                }
            )

    def _money_lines(self, cal_month: int, flows: MonthFlows) -> tuple[dict[str, float], float, float]:
        """The month's payment lines before billing, the in-house staff cost and overtime hours."""
        s = self.scenario
        st = self.state
        cpi = self.cpi
        lines: dict[str, float] = {}
        if cal_month == 0:
            lines["loan_proceeds_eur"] = self._loan_this_year
        fte_total = self.fte_total()
        sub = st.subcontracted_pct / 100.0
        wage_m = s.workforce.wage_cost_eur_per_fte_year * cpi * self.real_labour * st.wage_factor / 12.0
        # ``b if b > a else a`` is ``max(a, b)`` without the call (the same object for every a, b)
        crews = self.crews.size
        crews = 1 if 1 > crews else crews
        extra = self._repairs_month / crews - s.workforce.overtime_threshold_repairs_per_crew_month
        extra = 0 if 0 > extra else extra
        overtime_h = extra * crews * s.workforce.overtime_hours_per_extra_repair
        overtime_h += self.crews.planned_overtime_h_year / 12.0  # planned work beyond the crews' time
        hourly = (
            s.workforce.wage_cost_eur_per_fte_year
            * cpi
            * self.real_labour
            * st.wage_factor
            / HOURS_PER_YEAR_WORKED
        )
        staff_in_house = fte_total * (1 - sub) * wage_m + overtime_h * hourly * OVERTIME_PREMIUM
        lines["staff_eur"] = staff_in_house
        lines["subcontracting_eur"] = (
            fte_total * sub * wage_m * (1 + s.workforce.subcontract_premium_pct / 100.0)
        )
        lines.update(flows.costs)
        lines["overheads_eur"] = self.overheads_eur_per_year() / 12.0
        lines["repairs_eur"] = self.service.repairs_cost_eur(self, self._repairs_month)
        lines["participation_eur"] = st.participation_eur_per_year * cpi / 12.0
        lines["transition_eur"] = st.transition_eur_this_year / 12.0
        lines["other_receipts_eur"] = st.other_receipts_eur_this_year / 12.0
        lines["provision_kept_eur"] = st.provision_kept_eur_this_year / 12.0
        lines["share_interest_eur"] = st.share_interest_eur_per_year / 12.0
        if cal_month == 0 and st.operator_result_due_eur:
            lines["operator_result_eur"] = st.operator_result_due_eur
            st.operator_result_due_eur = 0.0
        lines["renewal_capex_eur"], lines["other_capex_eur"] = self._capex_month
        # cash below zero is a drawn treasury line: its interest is paid every month
        drawn = -self.cash
        drawn = 0.0 if 0.0 > drawn else drawn  # max(-cash, 0.0)
        lines["treasury_interest_eur"] = drawn * s.finance.treasury_rate_pct / 100.0 / 12.0
        interest, principal = self.loans.month(self._numba)
        lines["interest_eur"], lines["principal_eur"] = interest, principal
        return lines, staff_in_house, overtime_h

    def _outflow_lines(self, lines: dict[str, float], revenue: float, billed: float) -> None:
        """Money leaving the service: margin and head-office fee on revenue, per-unit charges."""
        st = self.state
        lines["margin_eur"] = st.margin_pct / 100.0 * revenue
        lines["head_office_eur"] = st.head_office_pct / 100.0 * revenue
        lines["delegation_overhead_eur"] = st.delegation_eur_per_unit * self.cpi * billed
        lines["corporate_tax_eur"] = st.corporate_tax_eur_per_unit * self.cpi * billed

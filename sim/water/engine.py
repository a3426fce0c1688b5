"""The engine: builds a SimPy environment from a Scenario, runs it, returns a Result.

SimPy carries what is discrete — month ends, billing dates, year starts, breaks and repairs, crews,
governance decision dates. Households are numpy arrays: at each month end one vectorised step
computes every household's use; at each billing date one vectorised step computes every bill and
payment. The clock is in hours from 1 January of ``town.start_year``.

A run is a pure function of (scenario, seed): every draw comes from a named stream (:mod:`sim.core.rng`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from sim.core import tariff as tariffs
from sim.core.billing import BillingWork, Payment, billing_step
from sim.core.households import (
    INDOOR_MONTH_SHARE,
    OUTDOOR_MONTH_SHARE,
    Population,
    build_population,
)
from sim.core.ledger import (
    CAPEX_LINES,
    OPEX_LINES,
    OUTFLOW_LINES,
    Loans,
    close_month,
)
from sim.core.rng import streams
from sim.scenario.model import Scenario, Tariff, UsageRule, reference_persons
from sim.water.network import (
    BreakRecord,
    BreakSampler,
    Cohorts,
    Crews,
    LeakLedger,
    break_process,
    uarl_litres_per_day,
)
from sim.water.resource import LEVEL_NAMES, RECHARGE_MONTH_SHARE, Stock, WeatherPath

HOURS_PER_YEAR_WORKED = 1607.0  # French legal annual working time (35 h/week), for overtime pay
OVERTIME_PREMIUM = 1.25  # French legal minimum for the first overtime hours


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
    delegation_eur_per_m3: float = 0.0
    corporate_tax_eur_per_m3: float = 0.0
    subcontracted_pct: float = 15.0
    wage_factor: float = 1.0
    participation_eur_per_year: float = 0.0
    extra_fte: float = 0.0
    staff_transferred: float = 0.0
    transition_eur_this_year: float = 0.0
    other_receipts_eur_this_year: float = 0.0
    loan_rate_pct: float = 3.4
    provision_kept_eur_this_year: float = 0.0
    operator_result_due_eur: float = 0.0
    share_interest_eur_per_year: float = 0.0


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
    """One run. Use :func:`sim.simulate` rather than this class directly."""

    def __init__(self, scenario: Scenario, seed: int, policy: Policy | None = None,
                 progress: Callable[[float], None] | None = None):
        self.scenario = s = scenario
        self.seed = seed
        self.progress = progress
        self.policy = policy or Policy()
        self.rng = streams(seed)
        self.env = simpy.Environment()
        self.years_n = s.horizon_years
        self.months_n = 12 * s.horizon_years
        start = np.datetime64(f"{s.town.start_year}-01", "M")
        month_starts = start + np.arange(self.months_n + 1)
        self.month_dates = month_starts
        self.month_start_h = ((month_starts.astype("datetime64[h]") - start.astype("datetime64[h]"))
                              .astype(np.int64).astype(float))
        # components
        self.pop: Population = build_population(s.households, self.rng["population"])
        self.cohorts = Cohorts.from_spec(s.network)
        self.weather = WeatherPath(s.resource, self.years_n, s.town.start_year, s.shocks,
                                   self.rng["weather"])
        self.stock = Stock(s.resource)
        self._stock0 = max(self.stock.level_m3, 1e-9)
        self._hazard0 = self.cohorts.breaks_per_year(s.town.start_year) / self.cohorts.total_km
        self.sampler = BreakSampler(self.rng["breaks"], self.months_n)
        infl = self.rng["inflation"].normal(s.finance.inflation_mean_pct, s.finance.inflation_sd_pct,
                                            self.years_n) / 100.0
        infl[0] = 0.0  # prices of the first year are the scenario's
        self.inflation = infl
        # deviations of the labour, energy and public-works indices (used by indexation clauses),
        # drawn in every run so that all regimes share them
        self.index_z = self.rng["inflation"].normal(0.0, 1.0, size=(self.years_n, 3))
        self.cpi = 1.0
        self.pay_rng = self.rng["payments"]
        self.leaks = LeakLedger()
        self.state = State(
            tariff=s.tariff, renewal_rate_pct=s.network.renewal_rate_pct, crews=s.workforce.crews,
            thresholds=s.resource.thresholds, usage_rules=dict(s.resource.usage_rules),
            conservation=s.households.conservation_response,
            citizen_reporting_factor=s.network.citizen_reporting_factor,
            active_leak_detection=s.network.active_leak_detection,
            margin_pct=s.finance.operator_margin_pct, head_office_pct=s.finance.head_office_fee_pct,
            delegation_eur_per_m3=s.finance.delegation_overhead_eur_per_m3,
            corporate_tax_eur_per_m3=s.finance.corporate_tax_eur_per_m3,
            subcontracted_pct=s.workforce.subcontracted_pct,
            loan_rate_pct=s.finance.interest_rate_pct,
        )
        self.crews = Crews(self.env, s.workforce.crews)
        self.loans = Loans()
        self.loans.add(s.finance.initial_debt_eur, s.finance.interest_rate_pct,
                       s.finance.initial_debt_remaining_years)
        self.cash = s.finance.initial_cash_eur
        n = self.pop.count
        self.income = self.pop.income_eur_per_year.copy()
        self._payment = self._payment_rule()
        self.connections = s.network.connections_per_household * n
        self.uarl_m3_per_day = uarl_litres_per_day(
            self.cohorts.total_km, self.connections,
            self.connections * s.network.private_pipe_m_per_connection / 1000.0,
            s.network.pressure_m) / 1000.0
        self.mean_age0 = self.cohorts.mean_age(s.town.start_year)
        self._projections: dict[Any, Any] = {}
        self._year = 0
        self._takeup_u = self.rng["population"].random(n)
        self._elig_cache: dict[Any, np.ndarray] = {}
        self.eligible = self.eligibility_for(s.tariff)
        # household working arrays (allocated once)
        self.indoor_eff = self.pop.indoor_m3_per_year.copy()
        self.outdoor_eff = self.pop.outdoor_m3_per_year.copy()
        self.buf = np.empty(n)
        self.buf2 = np.empty(n)
        self.billing_work = BillingWork(n)
        self.period_explicit = np.zeros(n)  # volumes of the period's nonlinear months
        self.season_explicit = np.zeros(n)
        self._has_explicit = False
        self._acc = np.zeros(4)  # weights of the period's linear months: in, out, season in, out
        self.year_volume = np.zeros(n)
        self.year_bill = np.zeros(n)
        self.last_year_metered = self.pop.indoor_m3_per_year + self.pop.outdoor_m3_per_year
        self.last_year_metered = self.last_year_metered * (1 - s.network.meter_under_registration_pct / 100)
        # consumption_l_per_person_day was observed at this marginal price (first-year euros)
        self.ref_real_price = np.full(n, s.households.reference_marginal_price_eur_per_m3)
        # records
        self.months: list[dict[str, Any]] = []
        self.years: list[dict[str, Any]] = []
        self.decile_rows: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.decisions: list[dict[str, Any]] = []
        self.workforce_rows: list[dict[str, Any]] = []
        self.breaks_done: list[BreakRecord] = []
        self.renewed_km: list[float] = []
        self._year_acc: dict[str, float] = {}
        self._repairs_month = 0
        self._interrupt_month = 0.0
        self.level = 0
        self.stop_requested = False

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
            self._elig_cache[key] = in_deciles & (self._takeup_u < soc.eligible_share)
        return self._elig_cache[key]

    def _payment_rule(self, out: np.ndarray | None = None) -> Payment:
        """Non-payment rule for this year's incomes (see :class:`sim.core.billing.Payment`)."""
        hh = self.scenario.households
        return Payment.of(hh.unpaid_base_probability, hh.unpaid_burden_slope,
                          self.scenario.billing.interval_months, self.income, out=out)

    def date_of(self, hours: float) -> np.datetime64:
        start = self.month_dates[0].astype("datetime64[h]")
        return start + np.timedelta64(int(hours), "h")

    def project(self, tariff: Tariff, tariff_index: float) -> tuple[float, np.ndarray]:
        """Revenue (excl. tax and levies) and each household's yearly bill incl. tax under ``tariff``,
        at last year's volumes. Used by governance to weigh a proposal; it does not change the run.
        """
        key = (id(tariff), tariff_index, self.cpi, self._year)
        hit = self._projections.get(key)
        if hit is not None and hit[0] is tariff:
            return hit[1], hit[2]
        br = tariffs.bill(self.last_year_metered, self.pop.persons, tariff, months=12,
                          eligible=self.eligibility_for(tariff), income_eur_per_year=self.income,
                          price_index=tariff_index, levies_index=self.cpi)
        # a copy: the breakdown's arrays are rows of one workspace that a view would keep alive
        out = float((br.total_excl_tax_eur - br.levies_eur).sum()), br.total_eur.copy()
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
        aff = self.scenario.affordability
        burden = (bills + aff.sewerage_eur_per_m3 * self.cpi * self.last_year_metered) / self.income
        return float((burden > aff.threshold_pct / 100.0).mean() * 100.0)

    def yearly_costs_estimate(self) -> float:
        """Expected yearly cash costs excl. taxes passed through, at this year's prices (for budgets)."""
        s = self.scenario
        last = self.years[-1] if self.years else None
        produced = last["produced_m3"] if last else (
            (self.pop.indoor_m3_per_year.sum() + self.pop.outdoor_m3_per_year.sum()) * 1.25)
        fte = s.workforce.fte_per_1000_customers * self.pop.count / 1000.0 + self.state.extra_fte
        wage = s.workforce.wage_cost_eur_per_fte_year * self.cpi * self.state.wage_factor
        sub = self.state.subcontracted_pct / 100.0
        staff = fte * wage * ((1 - sub) + sub * (1 + s.workforce.subcontract_premium_pct / 100.0))
        var = (s.finance.energy_eur_per_m3 + s.finance.treatment_eur_per_m3) * self.cpi * produced
        renewal = (self.state.renewal_rate_pct / 100.0 * self.cohorts.total_km
                   * s.network.renewal_cost_eur_per_km * self.cpi)
        capex = renewal + s.finance.other_capex_eur_per_year * self.cpi
        self_financed = capex * (1 - s.finance.capex_debt_share_pct / 100.0)
        return (staff + var + s.finance.overheads_eur_per_year * self.cpi + self_financed
                + self.loans.yearly_service() + self.state.participation_eur_per_year * self.cpi)

    # ------------------------------------------------------------------ processes
    def run(self) -> None:
        """Run to the horizon (or the requested stop); breaks still open then are not recorded."""
        main = self.env.process(self._main())
        self.env.run(until=main)

    def _main(self) -> Generator[Any, Any, None]:
        s = self.scenario
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
            year_float = s.town.start_year + y + cal_month / 12.0
            customers_per_km = self.pop.count / max(self.cohorts.total_km, 1e-9)
            for rec in self.sampler.sample(m, year_float, self.cohorts, s.network, t1 - t0, t0,
                                           customers_per_km):
                self.env.process(self._break(rec))
            yield self.env.timeout(t1 - self.env.now)
            self._month_end(m, y, cal_month, t0, t1)
            if cal_month == 11:
                self._year_end(y)
            if self.progress is not None:
                self.progress((m + 1) / self.months_n)
            if self.stop_requested:
                return

    def _break(self, rec: BreakRecord) -> Generator[Any, Any, None]:
        yield self.env.timeout(max(rec.start_h - self.env.now, 0.0))
        # the reporting delay depends on the citizen contribution in force when the break happens
        if rec.visible and self.state.citizen_reporting_factor != self.scenario.network.citizen_reporting_factor:
            rec.detection_h *= self.state.citizen_reporting_factor / self.scenario.network.citizen_reporting_factor
        yield from break_process(self.env, rec, self.crews, self.leaks, self._repaired)

    def _repaired(self, rec: BreakRecord) -> None:
        self.breaks_done.append(rec)
        self._repairs_month += 1
        self._interrupt_month += rec.customers * rec.repair_h

    # ------------------------------------------------------------------ yearly steps
    def _year_start(self, y: int) -> None:
        s = self.scenario
        year = s.town.start_year + y
        if y > 0:
            self.cpi *= 1.0 + self.inflation[y]
            self.income *= 1.0 + self.inflation[y]
            self._payment = self._payment_rule(out=self._payment.neg_factor)
        st = self.state
        self._decisions_year_start = len(self.decisions)
        st.transition_eur_this_year = 0.0
        st.other_receipts_eur_this_year = 0.0
        for row in self.policy.year_start(self, year):
            self.record_decision(row)
        if self.stop_requested:
            return
        self.eligible = self.eligibility_for(st.tariff)
        self.crews.set_size(st.crews)
        # renewal of the worst cohorts
        new_mat = self.cohorts.names.index(s.network.renewal_material)
        km = self.cohorts.renew(st.renewal_rate_pct / 100.0 * self.cohorts.total_km, year, new_mat)
        self.renewed_km.append(km)
        renewal_capex = km * s.network.renewal_cost_eur_per_km * self.cpi
        other_capex = s.finance.other_capex_eur_per_year * self.cpi
        borrow = (renewal_capex + other_capex) * s.finance.capex_debt_share_pct / 100.0
        self.loans.add(borrow, st.loan_rate_pct, s.finance.loan_term_years)
        self._loan_this_year = borrow
        self._capex_month = (renewal_capex / 12.0, other_capex / 12.0)
        # demand responds to the real marginal price (constant elasticity)
        price = tariffs.marginal_price_eur_per_m3(self.last_year_metered, self.pop.persons, st.tariff,
                                                  eligible=self.eligible, price_index=st.tariff_index,
                                                  levies_index=self.cpi)
        real = np.maximum(price / self.cpi, 0.05)
        factor = (real / np.maximum(self.ref_real_price, 0.05)) ** s.households.price_elasticity
        factor *= 1.0 - st.conservation
        np.multiply(self.pop.indoor_m3_per_year, factor, out=self.indoor_eff)
        np.multiply(self.pop.outdoor_m3_per_year, factor, out=self.outdoor_eff)
        self._sum_in = float(self.indoor_eff.sum())
        self._sum_out = float(self.outdoor_eff.sum())
        # background leakage grows with the network's mean age
        mean_age = self.cohorts.mean_age(year)
        self.bg_ili = s.network.background_ili * np.exp(
            s.network.ili_growth_per_year_of_age * (mean_age - self.mean_age0))
        self.uarl_m3_per_day = uarl_litres_per_day(
            self.cohorts.total_km, self.connections,
            self.connections * s.network.private_pipe_m_per_connection / 1000.0,
            s.network.pressure_m) / 1000.0
        self._year_acc = {k: 0.0 for k in (
            "produced_m3", "billed_m3", "unbilled_authorised_m3", "apparent_losses_m3",
            "real_losses_m3", "delivered_m3", "shortfall_m3", "restriction_days", "revenue_eur",
            "billed_eur", "unpaid_eur", "overtime_hours", "interrupt_customer_hours", "repairs",
            "social_rebate_eur", "staff_in_house_eur")}
        self._year_acc.update({k: 0.0 for k in ("receipts_eur", "bill_receipts_eur",
                                                 "loan_proceeds_eur", *OPEX_LINES, *CAPEX_LINES,
                                                 *OUTFLOW_LINES, "interest_eur", "principal_eur")})
        self._breaks_year_start = len(self.breaks_done)
        self.year_volume.fill(0.0)
        self.year_bill.fill(0.0)
        self.short_hh = np.zeros(self.pop.count, dtype=bool)
        self._energy_factor = float(np.prod([sh.factor for sh in s.shocks
                                             if sh.kind == "energy_price" and sh.year == year]))

    def _year_end(self, y: int) -> None:
        s = self.scenario
        year = s.town.start_year + y
        acc = self._year_acc
        n = self.pop.count
        pop_people = self.pop.population
        km = self.cohorts.total_km
        days = 366.0 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 365.0
        done = self.breaks_done[self._breaks_year_start:]
        n_breaks = len(done)
        mean_repair = float(np.mean([b.wait_h + b.repair_h for b in done])) if done else 0.0
        renew5 = self.renewed_km[-5:]
        price120 = tariffs.price_120m3_eur_per_m3(self.state.tariff, _ref_persons(s),
                                                  price_index=self.state.tariff_index,
                                                  levies_index=self.cpi)
        aff = s.affordability
        burden = (self.year_bill + aff.sewerage_eur_per_m3 * self.cpi * self.year_volume) / self.income
        above = burden > aff.threshold_pct / 100.0
        fte_total = s.workforce.fte_per_1000_customers * n / 1000.0 + self.state.extra_fte
        sub = self.state.subcontracted_pct / 100.0
        row = {
            "year": year, "households": n, "population": pop_people,
            "produced_m3": acc["produced_m3"], "billed_m3": acc["billed_m3"],
            "unbilled_authorised_m3": acc["unbilled_authorised_m3"],
            "apparent_losses_m3": acc["apparent_losses_m3"], "real_losses_m3": acc["real_losses_m3"],
            "yield_pct": 100.0 * (acc["billed_m3"] + acc["unbilled_authorised_m3"]) / acc["produced_m3"]
            if acc["produced_m3"] > 0 else float("nan"),
            "ilp_m3_per_km_day": (acc["apparent_losses_m3"] + acc["real_losses_m3"]) / (days * km),
            "ili": acc["real_losses_m3"] / (self.uarl_m3_per_day * days),
            "breaks": n_breaks, "breaks_per_100km": 100.0 * n_breaks / km,
            "mean_repair_hours": mean_repair,
            "interruptions_per_1000_customers": 1000.0 * n_breaks / n,
            "customer_interruption_hours": acc["interrupt_customer_hours"],
            "renewal_km": self.renewed_km[-1], "renewal_rate_pct": 100.0 * float(np.mean(renew5)) / km,
            "network_length_km": km, "network_mean_age_years": self.cohorts.mean_age(year + 1),
            "price_120m3_eur_per_m3": price120, "bill_120m3_eur": 120.0 * price120,
            "consumption_l_per_person_day": 1000.0 * acc["billed_m3"] / (pop_people * days),
            "unpaid_rate_pct": 100.0 * acc["unpaid_eur"] / acc["billed_eur"] if acc["billed_eur"] else 0.0,
            "share_households_above_3pct": 100.0 * float(above.mean()),
            "social_rebate_eur": acc["social_rebate_eur"],
            "revenue_eur": acc["revenue_eur"], "receipts_eur": acc["receipts_eur"],
            "bill_receipts_eur": acc["bill_receipts_eur"], "loan_proceeds_eur": acc["loan_proceeds_eur"],
            "opex_eur": sum(acc[k] for k in OPEX_LINES), "capex_eur": sum(acc[k] for k in CAPEX_LINES),
            "debt_eur": self.loans.outstanding, "interest_eur": acc["interest_eur"],
            "debt_service_eur": acc["interest_eur"] + acc["principal_eur"],
            "outflow_eur": sum(acc[k] for k in OUTFLOW_LINES),
            **{k: acc[k] for k in OUTFLOW_LINES},
            "reserves_eur": self.cash,
            "fte": fte_total, "restriction_days": acc["restriction_days"],
            "resource_stock_m3": self.stock.level_m3,
            "resource_fill_pct": 100.0 * self.stock.level_m3 / self.stock.capacity,
            "shortfall_m3": acc["shortfall_m3"], "drought_year": self.weather.years[y].drought,
            "price_index": self.cpi, "tariff_index": self.state.tariff_index,
            **self._communality(above, year),
        }
        self.years.append(row)
        # deciles
        d = self.pop.decile.astype(np.int64)
        cnt = np.bincount(d, minlength=11)[1:].astype(float)
        def mean_by(x: np.ndarray) -> np.ndarray:
            return np.bincount(d, weights=x, minlength=11)[1:] / np.maximum(cnt, 1)
        inc, vol, bil = mean_by(self.income), mean_by(self.year_volume), mean_by(self.year_bill)
        bur = mean_by(self.year_bill / self.income) * 100.0
        bur_all = mean_by(burden) * 100.0
        shr = mean_by(above.astype(float)) * 100.0
        for k in range(10):
            self.decile_rows.append({
                "year": year, "decile": k + 1, "households": int(cnt[k]), "mean_income_eur": inc[k],
                "mean_volume_m3": vol[k], "mean_bill_eur": bil[k], "burden_pct": bur[k],
                "burden_with_sewerage_pct": bur_all[k], "share_above_3pct": shr[k]})
        repairs = acc["repairs"]
        crews = max(self.crews.size, 1)
        self.workforce_rows.append({
            "year": year, "fte_in_house": fte_total * (1 - sub), "fte_subcontracted": fte_total * sub,
            "wage_bill_eur": acc["staff_in_house_eur"], "crews": crews,
            "repairs_per_crew": repairs / crews, "overtime_hours": acc["overtime_hours"],
            "staff_transferred": self.state.staff_transferred,
        })
        self.state.staff_transferred = 0.0
        self.last_year_metered = self.year_volume.copy()
        for row_d in self.policy.year_end(self, year):
            self.record_decision(row_d)

    def _communality(self, above: np.ndarray, year: int) -> dict[str, float]:
        """Components of the communality index (docs/regimes.md), never aggregated here.

        usage_inclusion_pct: households whose bill (with sewerage) is within the affordability
        threshold and who were never rationed this year. governance_inclusion_pct: mean, over the
        year's binding decisions, of the decision weight held by users and workers (committee:
        citizens' + operators' seats / all seats; workers' own item: 100 %; council or contract:
        0 %); NaN without binding decisions. resource_preservation_pct: stock now / stock at start.
        network_condition_index: expected breaks per km now / at the start (below 1 = better).
        """
        c = self.scenario.governance.committee
        seats = c.seats_public + c.seats_operators + c.seats_citizens
        weights = []
        for d in self.decisions[self._decisions_year_start:]:
            if not d.get("binding"):
                continue
            if d.get("body") == "committee":
                weights.append(1.0 if d.get("item") == "work_organisation"
                               else (c.seats_operators + c.seats_citizens) / seats)
            else:
                weights.append(0.0)
        rate0 = self._hazard0
        rate_now = self.cohorts.breaks_per_year(year + 1) / self.cohorts.total_km
        return {
            "usage_inclusion_pct": 100.0 * float((~above & ~self.short_hh).mean()),
            "governance_inclusion_pct": 100.0 * float(np.mean(weights)) if weights else float("nan"),
            "resource_preservation_pct": 100.0 * self.stock.level_m3 / self._stock0,
            "network_condition_index": rate_now / rate0 if rate0 > 0 else float("nan"),
        }

    # ------------------------------------------------------------------ monthly step
    def _month_end(self, m: int, y: int, cal_month: int, t0: float, t1: float) -> None:
        s = self.scenario
        st = self.state
        net = s.network
        days = (t1 - t0) / 24.0
        # restriction level from the stock at the start of the month's accounting
        level = self._restriction_level()
        if level != self.level:
            self.events.append({"time_h": t1, "kind": "restriction", "level": LEVEL_NAMES[level],
                                "value": self.stock.level_m3})
            self.level = level
        rule = st.usage_rules[LEVEL_NAMES[level]]
        # --- household step. A month without an indoor cut is linear in each household's yearly
        # volumes: it adds w_in·indoor + w_out·outdoor to every household, so only the two weights
        # are accumulated here and the households' volumes are formed at the billing date (one
        # vectorised step per billing date, as DESIGN says). A month with a nonlinear rule (an
        # indoor cut above the essential volume, or rationing) is computed household by household.
        w_in = INDOOR_MONTH_SHARE[cal_month]
        w_out = OUTDOOR_MONTH_SHARE[cal_month] * (1.0 - rule.outdoor_cut_pct / 100.0)
        cut_in = rule.indoor_cut_pct / 100.0
        ess_w = w_in * st.essential_factor
        explicit = cut_in > 0
        d = self.buf
        if explicit:
            np.multiply(self.indoor_eff, w_in, out=d)
            e = self.buf2
            np.multiply(self.pop.essential_m3_per_year, ess_w, out=e)
            np.subtract(d, e, out=e)
            np.maximum(e, 0.0, out=e)
            e *= cut_in
            d -= e
            if w_out > 0:
                np.multiply(self.outdoor_eff, w_out, out=self.buf2)
                d += self.buf2
            demand = float(d.sum())
        else:
            demand = w_in * self._sum_in + w_out * self._sum_out
        # --- supply: the stock may not cover demand + losses
        weather = self.weather.years[y]
        recharge = weather.recharge_m3 * _recharge_share(cal_month)
        available = self.stock.available_m3(recharge)
        leak_bursts = self.leaks.month_end(t1)
        real = self.uarl_m3_per_day * self.bg_ili * days + leak_bursts
        overhead = 1.0 + net.unbilled_authorised_pct / 100.0 + net.unauthorised_pct / 100.0
        delivered = demand
        if demand * overhead + real > available:
            real_asked = real
            real = min(real, available)
            if real_asked > 0:
                leak_bursts *= real / real_asked  # the network cannot lose water it does not have
            cap = max((available - real) / overhead, 0.0)
            if not explicit:  # rationing is per household: form this month's volumes
                np.multiply(self.indoor_eff, w_in, out=d)
                if w_out > 0:
                    np.multiply(self.outdoor_eff, w_out, out=self.buf2)
                    d += self.buf2
                explicit = True
            asked = d.copy()
            ess = np.minimum(d, self.pop.essential_m3_per_year * ess_w)
            ess_total = float(ess.sum())
            if cap >= ess_total and demand > ess_total:
                f = (cap - ess_total) / (demand - ess_total)
                d -= ess
                d *= f
                d += ess
            else:
                np.multiply(ess, cap / ess_total if ess_total > 0 else 0.0, out=d)
            self.short_hh |= d < asked  # every household that got less than it asked
            delivered = float(d.sum())
            self.events.append({"time_h": t1, "kind": "shortfall", "level": LEVEL_NAMES[level],
                                "value": demand - delivered})
        in_season = (cal_month + 1) in st.tariff.seasonal.months
        if explicit:
            self.period_explicit += d
            self._has_explicit = True
            if in_season:
                self.season_explicit += d
        else:
            self._acc[0] += w_in
            self._acc[1] += w_out
            if in_season:
                self._acc[2] += w_in
                self._acc[3] += w_out
        shortfall = demand - delivered
        u = net.meter_under_registration_pct / 100.0
        billed = delivered * (1.0 - u)
        apparent = delivered * u + delivered * net.unauthorised_pct / 100.0
        unbilled = delivered * net.unbilled_authorised_pct / 100.0
        produced = billed + unbilled + apparent + real
        self.stock.step(recharge, produced)
        # --- money
        cpi = self.cpi
        lines: dict[str, float] = {}
        if cal_month == 0:
            lines["loan_proceeds_eur"] = self._loan_this_year
        fte_total = s.workforce.fte_per_1000_customers * self.pop.count / 1000.0 + st.extra_fte
        sub = st.subcontracted_pct / 100.0
        wage_m = s.workforce.wage_cost_eur_per_fte_year * cpi * st.wage_factor / 12.0
        crews = max(self.crews.size, 1)
        extra = max(self._repairs_month / crews - s.workforce.overtime_threshold_repairs_per_crew_month, 0)
        overtime_h = extra * crews * s.workforce.overtime_hours_per_extra_repair
        hourly = s.workforce.wage_cost_eur_per_fte_year * cpi * st.wage_factor / HOURS_PER_YEAR_WORKED
        staff_in_house = fte_total * (1 - sub) * wage_m + overtime_h * hourly * OVERTIME_PREMIUM
        lines["staff_eur"] = staff_in_house
        lines["subcontracting_eur"] = fte_total * sub * wage_m * (1 + s.workforce.subcontract_premium_pct / 100.0)
        lines["energy_eur"] = s.finance.energy_eur_per_m3 * cpi * self._energy_factor * produced
        lines["treatment_eur"] = s.finance.treatment_eur_per_m3 * cpi * produced
        lines["overheads_eur"] = s.finance.overheads_eur_per_year * cpi / 12.0
        lines["repairs_eur"] = self._repairs_month * net.repair_cost_eur * cpi
        lines["participation_eur"] = st.participation_eur_per_year * cpi / 12.0
        lines["transition_eur"] = st.transition_eur_this_year / 12.0
        lines["other_receipts_eur"] = st.other_receipts_eur_this_year / 12.0
        lines["provision_kept_eur"] = st.provision_kept_eur_this_year / 12.0
        lines["share_interest_eur"] = st.share_interest_eur_per_year / 12.0
        if cal_month == 0 and st.operator_result_due_eur:
            lines["operator_result_eur"] = st.operator_result_due_eur
            st.operator_result_due_eur = 0.0
        lines["renewal_capex_eur"], lines["other_capex_eur"] = self._capex_month
        interest, principal = self.loans.month()
        lines["interest_eur"], lines["principal_eur"] = interest, principal
        revenue = 0.0
        if (cal_month + 1) % s.billing.interval_months == 0:
            revenue = self._billing(lines, y)
        lines["margin_eur"] = st.margin_pct / 100.0 * revenue
        lines["head_office_eur"] = st.head_office_pct / 100.0 * revenue
        lines["delegation_overhead_eur"] = st.delegation_eur_per_m3 * cpi * billed
        lines["corporate_tax_eur"] = st.corporate_tax_eur_per_m3 * cpi * billed
        row = close_month(self.cash, lines)
        self.cash = row["cash_end_eur"]
        restricted_days = days if level >= 2 else 0.0
        self.months.append({
            "month": m + 1, "date": str(self.month_dates[m]), "year": s.town.start_year + y,
            "produced_m3": produced, "billed_m3": billed, "unbilled_authorised_m3": unbilled,
            "apparent_losses_m3": apparent, "real_losses_m3": real, "burst_losses_m3": leak_bursts,
            "demand_m3": demand, "delivered_m3": delivered, "shortfall_m3": shortfall,
            "recharge_m3": recharge, "resource_stock_m3": self.stock.level_m3,
            "restriction_level": LEVEL_NAMES[level], "repairs": self._repairs_month,
            "revenue_eur": revenue, **row})
        acc = self._year_acc
        for k, v in (("produced_m3", produced), ("billed_m3", billed), ("unbilled_authorised_m3", unbilled),
                     ("apparent_losses_m3", apparent), ("real_losses_m3", real),
                     ("delivered_m3", delivered), ("shortfall_m3", shortfall),
                     ("restriction_days", restricted_days), ("revenue_eur", revenue),
                     ("overtime_hours", overtime_h), ("interrupt_customer_hours", self._interrupt_month),
                     ("repairs", self._repairs_month), ("staff_in_house_eur", staff_in_house),
                     ("receipts_eur", row["receipts_eur"])):
            acc[k] += v
        for k in ("bill_receipts_eur", "loan_proceeds_eur", *OPEX_LINES, *CAPEX_LINES, *OUTFLOW_LINES,
                  "interest_eur", "principal_eur"):
            acc[k] += row.get(k, 0.0)
        self._repairs_month = 0
        self._interrupt_month = 0.0

    def _restriction_level(self) -> int:
        fill = self.stock.level_m3 / self.stock.capacity
        level = 0
        for i, th in enumerate(self.state.thresholds):
            if fill < th:
                level = i + 1
        return level

    def _billing(self, lines: dict[str, float], y: int) -> float:
        """Bill every household for the period, draw payments; returns service revenue."""
        s = self.scenario
        st = self.state
        months = s.billing.interval_months
        explicit = (self.period_explicit, self.season_explicit) if self._has_explicit else None
        tot = billing_step(
            indoor=self.indoor_eff, outdoor=self.outdoor_eff, weights=self._acc, explicit=explicit,
            under_registration=s.network.meter_under_registration_pct / 100.0,
            persons=self.pop.persons, tariff=st.tariff, months=months, eligible=self.eligible,
            income=self.income, price_index=st.tariff_index, levies_index=self.cpi,
            payment=self._payment, rng=self.pay_rng, year_volume=self.year_volume,
            year_bill=self.year_bill, work=self.billing_work)
        if explicit is not None:
            self.period_explicit.fill(0.0)
            self.season_explicit.fill(0.0)
            self._has_explicit = False
        self._acc[:] = 0.0
        lines["bill_receipts_eur"] = tot.paid_eur
        lines["vat_remitted_eur"] = tot.vat_paid_eur
        lines["levies_remitted_eur"] = tot.levies_paid_eur
        acc = self._year_acc
        acc["billed_eur"] += tot.billed_eur
        acc["unpaid_eur"] += tot.billed_eur - tot.paid_eur
        acc["social_rebate_eur"] += tot.social_rebate_eur
        return tot.revenue_eur

    def record_decision(self, row: dict[str, Any]) -> None:
        full = {"date": str(self.date_of(self.env.now))[:10], "meeting": np.nan, "body": "", "item": "",
                "option": "",
                "votes_public": np.nan, "votes_operators": np.nan, "votes_citizens": np.nan,
                "veto": False, "binding": True, "adopted": True, "reason": ""}
        full.update(row)
        self.decisions.append(full)


def _recharge_share(cal_month: int) -> float:
    return float(RECHARGE_MONTH_SHARE[cal_month])


def _ref_persons(s: Scenario) -> int:
    return reference_persons(s)

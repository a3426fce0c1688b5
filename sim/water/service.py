"""The water service: what the core engine runs for a drinking-water régie.

Mains in cohorts break (:mod:`sim.core.assets`); each break leaks until a crew repairs it
(:mod:`sim.water.network`: the month's breaks through the crews' queue, or a SimPy process each
when the crews are shared with another service); background leakage follows the UARL structure; the
resource (:mod:`sim.water.resource`) is recharged by the weather and drawn by production, and the
four French restriction levels cut outdoor then indoor use. Households' use is formed month by
month and billed at each billing date in one vectorised step (:mod:`sim.core.billing`). The water
balance closes every month: produced = billed + unbilled authorised + apparent + real losses.
Non-domestic meters (:mod:`sim.core.non_domestic`) use water the network carries and are billed at
the tariff; mains sewerage (:mod:`sim.water.sewerage`) is a second line of each sewered household's
bill, collected and remitted.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np

from sim.core import tariff as tariffs
from sim.core.assets import BreakRecord, BreakSampler, Cohorts
from sim.core.billing import (
    BillingWork,
    _load_numba,
    billing_step,
    count_above,
    kernel_name,
    price_120m3_eur_per_m3,
    year_bills,
)
from sim.core.engine import Engine, MonthFlows, State
from sim.core.households import (
    INDOOR_MONTH_SHARE,
    OUTDOOR_MONTH_SHARE,
    Population,
    build_population,
    decile_sums,
)
from sim.core.non_domestic import NonDomesticMeters, bill_non_domestic
from sim.scenario.model import Scenario, Tariff, reference_persons
from sim.water.demand import price_response
from sim.water.network import BreakQueue, LeakLedger, break_process, uarl_litres_per_day
from sim.water.resource import LEVEL_NAMES, RECHARGE_MONTH_SHARE, Stock, WeatherPath
from sim.water.sewerage import sewerage_bill_eur, sewerage_price_120m3_eur_per_m3

#: the water service's own year accumulators
WATER_YEAR_KEYS = (
    "produced_m3",
    "billed_m3",
    "unbilled_authorised_m3",
    "apparent_losses_m3",
    "real_losses_m3",
    "delivered_m3",
    "shortfall_m3",
    "restriction_days",
    "interrupt_customer_hours",
    "non_domestic_billed_m3",
    "sewerage_billed_eur",
    "sewerage_collected_eur",
)


class WaterService:
    """Drinking water: mains, leakage, the resource, household use and its bills."""

    name = "water"
    year_keys = WATER_YEAR_KEYS
    extra_payment_lines: tuple[str, ...] = ()
    extra_opex_lines: tuple[str, ...] = ()
    extra_capex_lines: tuple[str, ...] = ()
    committee_items = ("tariff", "renewal", "usage", "contribution", "work_organisation")

    # ------------------------------------------------------------------ what the engine asks first
    def build_population(self, s: Scenario, rng: np.random.Generator) -> Population:
        """The town's households (:func:`sim.core.households.build_population`)."""
        return build_population(s.households, rng, s.town.start_year, s.sewerage.individual_share)

    def initial_state(self, s: Scenario) -> State:
        """What decisions start from: the scenario's tariff, renewal rate, crews, drought rules."""
        return State(
            tariff=s.tariff,
            renewal_rate_pct=s.network.renewal_rate_pct,
            crews=s.workforce.crews,
            thresholds=s.resource.thresholds,
            usage_rules=dict(s.resource.usage_rules),
            conservation=s.households.conservation_response,
            citizen_reporting_factor=s.network.citizen_reporting_factor,
            active_leak_detection=s.network.active_leak_detection,
            margin_pct=s.finance.operator_margin_pct,
            head_office_pct=s.finance.head_office_fee_pct,
            delegation_eur_per_unit=s.finance.delegation_overhead_eur_per_m3,
            corporate_tax_eur_per_unit=s.finance.corporate_tax_eur_per_m3,
            subcontracted_pct=s.workforce.subcontracted_pct,
            loan_rate_pct=s.finance.interest_rate_pct,
        )

    def project(self, eng: Engine, tariff: Tariff, tariff_index: float) -> tuple[float, np.ndarray]:
        """Revenue (excl. tax and levies; households and non-domestic meters) and each household's
        yearly bill incl. tax under ``tariff``, at last year's volumes (see :meth:`Engine.project`)."""
        bills, net = year_bills(
            eng.last_year_metered,
            eng.pop.persons,
            tariff,
            eligible=eng.eligibility_for(tariff),
            income=eng.income,
            price_index=tariff_index,
            levies_index=eng.cpi,
        )
        revenue = float(net.sum())
        if eng.non_domestic is not None and not eng.non_domestic.empty:
            revenue += bill_non_domestic(
                eng.non_domestic,
                eng.last_year_non_domestic_m3,
                tariff,
                reference_persons(eng.scenario),
                12,
                tariff_index,
                eng.cpi,
            ).revenue_eur
        return revenue, bills

    def regulated_price_index(self, eng: Engine) -> float | None:
        """Water prices are set locally (by the regime's rule): never nationally."""
        return None

    def share_above_threshold(self, eng: Engine, bills: np.ndarray) -> float:
        """Share of households (%) whose water and sewerage bills are above the affordability
        threshold (``affordability.threshold_pct``), with these yearly water bills."""
        threshold = eng.scenario.affordability.threshold_pct / 100.0
        if bills.shape != self._burden.shape or not bills.size:
            burden = self.affordability_burden(eng, bills)
            return float((burden > threshold).mean() * 100.0)
        # the same, in one compiled pass or the service's own buffers: (bills + sewerage) / income,
        # then the share above (a count over n is the mean of the booleans to the last bit)
        sewer = self._last_year_sewerage(eng)
        above = count_above(bills, sewer, eng.income, threshold, (self._burden, self._above))
        return float(above / bills.size * 100.0)

    def reference_price(self, eng: Engine, tariff: Tariff, tariff_index: float) -> dict[str, float]:
        """The headline price of a tariff: the 120 m3 price (€/m3, taxes and levies included)."""
        return {
            "price_120m3_eur_per_m3": price_120m3_eur_per_m3(
                tariff, reference_persons(eng.scenario), price_index=tariff_index, levies_index=eng.cpi
            )
        }

    # ------------------------------------------------------------------ set-up
    def bind(self, eng: Engine) -> None:
        s = eng.scenario
        self._network = s.network
        self.cohorts = eng.cohorts = Cohorts.from_spec(s.network)
        self.weather = WeatherPath(s.resource, eng.years_n, s.town.start_year, s.shocks, eng.rng["weather"])
        self.stock = Stock(s.resource)
        self._stock0 = max(self.stock.level_m3, 1e-9)
        self._hazard0 = self.cohorts.breaks_per_year(s.town.start_year) / self.cohorts.total_km
        self.sampler = BreakSampler(eng.rng["breaks"], eng.months_n)
        self.leaks = LeakLedger()
        # the breaks through the crews' queue, a month at a time (same results as a SimPy process per
        # break), when no other service takes these crews; else the processes
        self.breaks = BreakQueue(eng.crews.use_queue(), eng.crews, self.leaks) if eng.own_crews else None
        n = eng.pop.count
        self.connections = s.network.connections_per_household * n
        self.uarl_m3_per_day = self._uarl()
        self.mean_age0 = self.cohorts.mean_age(s.town.start_year)
        # household working arrays (allocated once)
        self.indoor_eff = eng.pop.indoor_m3_per_year.copy()
        self.outdoor_eff = eng.pop.outdoor_m3_per_year.copy()
        self.buf = np.empty(n)
        self.buf2 = np.empty(n)
        self.billing_work = BillingWork(n)
        self.period_explicit = np.zeros(n)  # volumes of the period's nonlinear months
        self.season_explicit = np.zeros(n)
        self._has_explicit = False
        self._acc = np.zeros(4)  # weights of the period's linear months: in, out, season in, out
        metered = eng.pop.indoor_m3_per_year + eng.pop.outdoor_m3_per_year
        eng.last_year_metered = metered * (1 - s.network.meter_under_registration_pct / 100)
        # non-domestic meters: their yearly volumes, the period's metered volume per group
        self._people = eng.pop.population  # the households are drawn once a run: so is their size
        nd = eng.non_domestic = NonDomesticMeters.of(s.non_domestic, n, self._people)
        eng.last_year_non_domestic_m3 = nd.m3_per_year * (1 - s.network.meter_under_registration_pct / 100)
        self.nd_period_m3 = np.zeros(len(nd.kind))
        self.nd_year_m3 = np.zeros(len(nd.kind))
        # sewerage: who is connected, and the year's volume already billed for it
        self._sewered_f = eng.pop.sewered.astype(np.float64)
        self._sew_prev = np.zeros(n)
        self._sew_vol = np.empty(n)
        # consumption_l_per_person_day was observed at this marginal price (first-year euros)
        self.ref_real_price = np.full(n, s.households.reference_marginal_price_eur_per_m3)
        self.breaks_done: list[BreakRecord] = []
        self.renewed_km: list[float] = []
        self._interrupt_month = 0.0
        self._breaks_year_start = 0
        self.short_hh = np.zeros(n, dtype=bool)
        self._energy_factor = 1.0
        self._sewer_cache: tuple[np.ndarray, float, np.ndarray] | None = None
        self._cpk: tuple[np.ndarray, float] | None = None  # _customers_per_km's
        # _non_domestic_month's: the meters' yearly volumes it was computed from, then by month
        self._nd_months: tuple[np.ndarray, dict[tuple[int, float, float], tuple[Any, ...]]] | None = None
        self._burden = np.empty(n)  # share_above_threshold's buffers
        self._above = np.empty(n, dtype=bool)

    def _uarl(self) -> float:
        net = self._network
        return (
            uarl_litres_per_day(
                self.cohorts.total_km,
                self.connections,
                self.connections * net.private_pipe_m_per_connection / 1000.0,
                net.pressure_m,
            )
            / 1000.0
        )

    # ------------------------------------------------------------------ breaks
    def schedule_month(self, eng: Engine, m: int, t0: float, t1: float) -> None:
        s = eng.scenario
        y, cal_month = divmod(m, 12)
        year_float = s.town.start_year + y + cal_month / 12.0
        customers_per_km = self._customers_per_km(eng)
        if cal_month == 0:  # the year's months drawn at once (the cohorts change only at its start)
            months = list(range(m, min(m + 12, eng.months_n)))
            starts = [eng.month_start_h[k] for k in (*months, months[-1] + 1)]
            self.sampler.prepare(
                months,
                [s.town.start_year + y + (k - m) / 12.0 for k in months],
                self.cohorts,
                s.network,
                [starts[i + 1] - starts[i] for i in range(len(months))],
                starts[:-1],
                customers_per_km,
            )
        recs = self.sampler.sample(m, year_float, self.cohorts, s.network, t1 - t0, t0, customers_per_km)
        if self.breaks is not None:
            # the reporting in force at each break's hour: this month's (decisions come at its ends)
            base = s.network.citizen_reporting_factor
            factor = eng.state.citizen_reporting_factor
            for rec in recs:
                if rec.visible and factor != base:
                    rec.detection_h *= factor / base
            self.breaks.add(eng.env.now, recs)
            return
        for rec in recs:
            eng.env.process(self._break(eng, rec))

    def _customers_per_km(self, eng: Engine) -> float:
        """Households per km of mains: computed again when the cohorts' lengths are a new array
        (each renewal makes one), not every month."""
        lengths = self.cohorts.length_km
        hit = self._cpk
        if hit is None or hit[0] is not lengths:
            hit = self._cpk = (lengths, eng.pop.count / max(self.cohorts.total_km, 1e-9))
        return hit[1]

    def _break(self, eng: Engine, rec: BreakRecord) -> Generator[Any, Any, None]:
        yield eng.env.timeout(max(rec.start_h - eng.env.now, 0.0))
        # the reporting delay depends on the citizen contribution in force when the break happens
        base = eng.scenario.network.citizen_reporting_factor
        if rec.visible and eng.state.citizen_reporting_factor != base:
            rec.detection_h *= eng.state.citizen_reporting_factor / base
        yield from break_process(eng.env, rec, eng.crews, self.leaks, lambda done: self._repaired(eng, done))

    def _repaired(self, eng: Engine, rec: BreakRecord) -> None:
        self.breaks_done.append(rec)
        eng.repaired()
        self._interrupt_month += rec.customers * rec.repair_h

    def repairs_cost_eur(self, eng: Engine, repairs: int) -> float:
        return repairs * eng.scenario.network.repair_cost_eur * eng.cpi * eng.real_works

    def event_rows(self) -> list[dict[str, Any]]:
        """One ``events`` row per repaired break."""
        return [
            {
                "time_h": b.start_h,
                "kind": "break",
                "material": b.cohort_material,
                "visible": b.visible,
                "flow_m3_per_h": b.flow_m3_per_h,
                "detection_h": b.detection_h,
                "wait_h": b.wait_h,
                "repair_h": b.repair_h,
                "end_h": b.end_h,
                "leak_m3": b.flow_m3_per_h * (b.end_h - b.start_h),
                "customers": b.customers,
            }
            for b in self.breaks_done
        ]

    def event_columns(self) -> dict[str, list[Any]]:
        """:meth:`event_rows` as columns (the same keys in the same order, the same values): the
        ``events`` table is built from them column by column (``sim.experiments.run``); {} when no
        break was repaired."""
        done = self.breaks_done
        if not done:
            return {}
        start = [b.start_h for b in done]
        flow = [b.flow_m3_per_h for b in done]
        end = [b.end_h for b in done]
        return {
            "time_h": start,
            "kind": ["break"] * len(done),
            "material": [b.cohort_material for b in done],
            "visible": [b.visible for b in done],
            "flow_m3_per_h": flow,
            "detection_h": [b.detection_h for b in done],
            "wait_h": [b.wait_h for b in done],
            "repair_h": [b.repair_h for b in done],
            "end_h": end,
            "leak_m3": [f * (e - s0) for f, s0, e in zip(flow, start, end, strict=True)],
            "customers": [b.customers for b in done],
        }

    # ------------------------------------------------------------------ year start
    def year_start(self, eng: Engine, y: int) -> float:
        s = eng.scenario
        st = eng.state
        year = s.town.start_year + y
        # renewal of the worst cohorts
        new_mat = self.cohorts.names.index(s.network.renewal_material)
        cost_km = s.network.renewal_cost_eur_per_km * eng.cpi * eng.real_works
        km = self.cohorts.renew(st.renewal_rate_pct / 100.0 * self.cohorts.total_km, year, new_mat, cost_km)
        self.renewed_km.append(km)
        renewal_capex = km * s.network.renewal_cost_eur_per_km * eng.cpi * eng.real_works
        eng.crews.plan(s.workforce.planned_hours_per_km_year * self.cohorts.total_km)
        # demand responds to the real marginal price (constant elasticity)
        price = tariffs.marginal_price_eur_per_m3(
            eng.last_year_metered,
            eng.pop.persons,
            st.tariff,
            eligible=eng.eligible,
            price_index=st.tariff_index,
            levies_index=eng.cpi,
        )
        factor = price_response(
            price, eng.cpi, self.ref_real_price, s.households.price_elasticity, st.conservation
        )
        np.multiply(eng.pop.indoor_m3_per_year, factor, out=self.indoor_eff)
        np.multiply(eng.pop.outdoor_m3_per_year, factor, out=self.outdoor_eff)
        self._sum_in = float(self.indoor_eff.sum())
        self._sum_out = float(self.outdoor_eff.sum())
        # background leakage grows with the network's mean age
        mean_age = self.cohorts.mean_age(year)
        self.bg_ili = s.network.background_ili * np.exp(
            s.network.ili_growth_per_year_of_age * (mean_age - self.mean_age0)
        )
        self.uarl_m3_per_day = self._uarl()
        self._breaks_year_start = len(self.breaks_done)
        self.short_hh = np.zeros(eng.pop.count, dtype=bool)
        self._sew_prev.fill(0.0)  # the engine zeroes the year's volumes after this call
        self.nd_year_m3[:] = 0.0
        # = float(np.prod(...)): the same products in the same order (numpy multiplies a list's
        # values one after the other, from 1 for none), without converting a list of none or one
        self._energy_factor = math.prod(
            (sh.factor for sh in s.shocks if sh.kind == "energy_price" and sh.year == year), start=1.0
        )
        return renewal_capex

    def variable_costs_estimate(self, eng: Engine) -> tuple[float, float]:
        """(energy and treatment, renewal) expected this year, at this year's prices."""
        s = eng.scenario
        last = eng.years[-1] if eng.years else None
        produced = (
            last["produced_m3"]
            if last
            else (
                (
                    eng.pop.indoor_m3_per_year.sum()
                    + eng.pop.outdoor_m3_per_year.sum()
                    + eng.non_domestic.m3_per_year.sum()
                )
                * 1.25
            )
        )
        var = (
            (s.finance.energy_eur_per_m3 * eng.real_energy + s.finance.treatment_eur_per_m3)
            * eng.cpi
            * produced
        )
        renewal = (
            eng.state.renewal_rate_pct
            / 100.0
            * self.cohorts.total_km
            * s.network.renewal_cost_eur_per_km
            * eng.cpi
            * eng.real_works
        )
        return var, renewal

    # ------------------------------------------------------------------ month
    def _restriction_level(self, eng: Engine) -> int:
        fill = self.stock.level_m3 / self.stock.capacity
        level = 0
        for i, th in enumerate(eng.state.thresholds):
            if fill < th:
                level = i + 1
        return level

    def month_end(self, eng: Engine, m: int, y: int, cal_month: int, t0: float, t1: float) -> MonthFlows:
        if self.breaks is not None:  # what the breaks did this month, as on SimPy's clock
            self.breaks.serve(t0, t1, lambda done: self._repaired(eng, done))
        s = eng.scenario
        st = eng.state
        net = s.network
        days = (t1 - t0) / 24.0
        # restriction level from the stock at the start of the month's accounting
        level = self._restriction_level(eng)
        if level != eng.level:
            eng.events.append(
                {
                    "time_h": t1,
                    "kind": "restriction",
                    "level": LEVEL_NAMES[level],
                    "value": self.stock.level_m3,
                }
            )
            eng.level = level
        rule = st.usage_rules[LEVEL_NAMES[level]]
        demand, d, explicit = self._household_use(eng, cal_month, rule)
        # non-domestic use: flat over the year's days, cut as households' indoor use (assumption)
        u = net.meter_under_registration_pct / 100.0
        nd, nd_m3, nd_billed = self._non_domestic_month(eng, cal_month, rule.indoor_cut_pct, u)
        demand += nd_m3
        # --- supply: the stock may not cover demand + losses
        weather = self.weather.years[y]
        recharge = weather.recharge_m3 * float(RECHARGE_MONTH_SHARE[cal_month])
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
            delivered, explicit, nd = self._ration(eng, cal_month, rule, d, demand, cap, explicit, nd)
            nd_m3 = float(np.add.reduce(nd))  # the non-domestic meters' share of what was left
            nd_billed = None  # their billed volumes: formed from the rationed share below
            eng.events.append(
                {"time_h": t1, "kind": "shortfall", "level": LEVEL_NAMES[level], "value": demand - delivered}
            )
        self._add_to_period(cal_month, rule, d, explicit, st.tariff.seasonal.months)
        shortfall = demand - delivered
        billed = delivered * (1.0 - u)
        self.nd_period_m3 += nd_billed if nd_billed is not None else nd * (1.0 - u)
        apparent = delivered * u + delivered * net.unauthorised_pct / 100.0
        unbilled = delivered * net.unbilled_authorised_pct / 100.0
        produced = billed + unbilled + apparent + real
        self.stock.step(recharge, produced)
        cpi = eng.cpi
        costs = {
            "energy_eur": s.finance.energy_eur_per_m3
            * cpi
            * eng.real_energy
            * self._energy_factor
            * produced,
            "treatment_eur": s.finance.treatment_eur_per_m3 * cpi * produced,
        }
        restricted_days = days if level >= 2 else 0.0
        columns = (
            {
                "produced_m3": produced,
                "billed_m3": billed,
                "unbilled_authorised_m3": unbilled,
                "apparent_losses_m3": apparent,
                "real_losses_m3": real,
                "burst_losses_m3": leak_bursts,
                "demand_m3": demand,
                "delivered_m3": delivered,
                "shortfall_m3": shortfall,
                "recharge_m3": recharge,
                "resource_stock_m3": self.stock.level_m3,
                "restriction_level": LEVEL_NAMES[level],
            }
            if eng.keep_months
            else {}  # the monthly table is not kept: its columns are not needed
        )
        year = {
            "produced_m3": produced,
            "billed_m3": billed,
            "unbilled_authorised_m3": unbilled,
            "apparent_losses_m3": apparent,
            "real_losses_m3": real,
            "delivered_m3": delivered,
            "shortfall_m3": shortfall,
            "restriction_days": restricted_days,
            "interrupt_customer_hours": self._interrupt_month,
            "non_domestic_billed_m3": nd_m3 * (1.0 - u),
        }
        self._interrupt_month = 0.0
        return MonthFlows(produced=produced, billed=billed, costs=costs, columns=columns, year=year)

    def _non_domestic_month(
        self, eng: Engine, cal_month: int, indoor_cut_pct: float, u: float
    ) -> tuple[np.ndarray, float, np.ndarray]:
        """The non-domestic meters' month before any rationing: their volumes (flat over the year's
        days, cut as households' indoor use: assumption), their sum and their billed volumes
        (``u`` the meters' under-registration). These depend only on the calendar month, the cut,
        ``u`` and the meters' yearly volumes, so they are computed once for each and read again
        (the same arrays and doubles as computed every month; never written to: rationing makes
        new ones, tests/test_fast_paths.py)."""
        m3 = eng.non_domestic.m3_per_year
        key = (cal_month, indoor_cut_pct, u)
        cache = self._nd_months
        if cache is None or cache[0] is not m3:
            cache = self._nd_months = (m3, {})
        hit = cache[1].get(key)
        if hit is None:
            nd = m3 * (INDOOR_MONTH_SHARE[cal_month] * (1 - indoor_cut_pct / 100.0))
            nd.flags.writeable = False
            nd_billed = nd * (1.0 - u)
            nd_billed.flags.writeable = False
            hit = cache[1][key] = (nd, float(np.add.reduce(nd)), nd_billed)  # = nd.sum(), unwrapped
        return hit

    def _household_use(self, eng: Engine, cal_month: int, rule: Any) -> tuple[float, np.ndarray, bool]:
        """The month's demand. A month without an indoor cut is linear in each household's yearly
        volumes: it adds w_in·indoor + w_out·outdoor to every household, so only the two weights are
        accumulated and the households' volumes are formed at the billing date (one vectorised step
        per billing date, as DESIGN says). A month with a nonlinear rule (an indoor cut above the
        essential volume, or rationing) is computed household by household into ``self.buf``."""
        w_in = INDOOR_MONTH_SHARE[cal_month]
        w_out = OUTDOOR_MONTH_SHARE[cal_month] * (1.0 - rule.outdoor_cut_pct / 100.0)
        cut_in = rule.indoor_cut_pct / 100.0
        ess_w = w_in * eng.state.essential_factor
        explicit = cut_in > 0
        d = self.buf
        if explicit:
            np.multiply(self.indoor_eff, w_in, out=d)
            e = self.buf2
            np.multiply(eng.pop.essential_m3_per_year, ess_w, out=e)
            np.subtract(d, e, out=e)
            np.maximum(e, 0.0, out=e)
            e *= cut_in
            d -= e
            if w_out > 0:
                np.multiply(self.outdoor_eff, w_out, out=self.buf2)
                d += self.buf2
            return float(d.sum()), d, True
        return w_in * self._sum_in + w_out * self._sum_out, d, False

    def _ration(
        self,
        eng: Engine,
        cal_month: int,
        rule: Any,
        d: np.ndarray,
        demand: float,
        cap: float,
        explicit: bool,
        nd: np.ndarray,
    ) -> tuple[float, bool, np.ndarray]:
        """Share ``cap`` m3 among households and non-domestic meters (``nd``, in ``demand``), the
        households' essential volume first, the rest in proportion; returns what was delivered (all
        users), and the non-domestic meters' share."""
        w_in = INDOOR_MONTH_SHARE[cal_month]
        w_out = OUTDOOR_MONTH_SHARE[cal_month] * (1.0 - rule.outdoor_cut_pct / 100.0)
        ess_w = w_in * eng.state.essential_factor
        if not explicit:  # rationing is per household: form this month's volumes
            np.multiply(self.indoor_eff, w_in, out=d)
            if w_out > 0:
                np.multiply(self.outdoor_eff, w_out, out=self.buf2)
                d += self.buf2
        asked = d.copy()
        ess = np.minimum(d, eng.pop.essential_m3_per_year * ess_w)
        ess_total = float(ess.sum())
        if cap >= ess_total and demand > ess_total:
            f = (cap - ess_total) / (demand - ess_total)
            d -= ess
            d *= f
            d += ess
            nd = nd * f
        else:
            np.multiply(ess, cap / ess_total if ess_total > 0 else 0.0, out=d)
            nd = nd * 0.0
        self.short_hh |= d < asked  # every household that got less than it asked
        return float(d.sum()) + float(nd.sum()), True, nd

    def _add_to_period(
        self, cal_month: int, rule: Any, d: np.ndarray, explicit: bool, season_months: Any
    ) -> None:
        """Add the month's use to the billing period: volumes if formed, else the weights."""
        in_season = (cal_month + 1) in season_months
        if explicit:
            self.period_explicit += d
            self._has_explicit = True
            if in_season:
                self.season_explicit += d
            return
        w_in = INDOOR_MONTH_SHARE[cal_month]
        w_out = OUTDOOR_MONTH_SHARE[cal_month] * (1.0 - rule.outdoor_cut_pct / 100.0)
        self._acc[0] += w_in
        self._acc[1] += w_out
        if in_season:
            self._acc[2] += w_in
            self._acc[3] += w_out

    # ------------------------------------------------------------------ billing
    def bill(self, eng: Engine, lines: dict[str, float]) -> float:
        """Bill every household for the period, draw payments; returns service revenue."""
        s = eng.scenario
        st = eng.state
        explicit = (self.period_explicit, self.season_explicit) if self._has_explicit else None
        months = s.billing.interval_months
        # sewerage: the period's volume of each household (the year's so far minus what was
        # billed), on the billing date's thread(s), once the year's volume has the period's
        sew = s.sewerage
        standing = sew.standing_charge_eur_per_year * eng.cpi * months / 12.0
        price = sew.price_eur_per_m3 * eng.cpi

        numba = kernel_name() == "numba"

        def sewerage(cut: slice, unpaid: np.ndarray) -> tuple[float, float]:
            bills = self._sew_vol[cut]
            if numba:  # the same operations in one compiled pass
                _load_numba().period_line_loop(
                    eng.year_volume[cut], self._sew_prev[cut], price, standing, self._sewered_f[cut], bills
                )
            else:
                np.subtract(eng.year_volume[cut], self._sew_prev[cut], out=bills)
                np.copyto(self._sew_prev[cut], eng.year_volume[cut])
                bills *= price
                bills += standing
                bills *= self._sewered_f[cut]  # each household's sewerage bill of the period
            billed = float(bills.sum())
            bills[unpaid] = 0.0  # a household pays its water and sewerage together, or neither
            return billed, float(bills.sum())

        tot = billing_step(
            indoor=self.indoor_eff,
            outdoor=self.outdoor_eff,
            weights=self._acc,
            explicit=explicit,
            under_registration=s.network.meter_under_registration_pct / 100.0,
            persons=eng.pop.persons,
            tariff=st.tariff,
            months=s.billing.interval_months,
            eligible=eng.eligible,
            income=eng.income,
            price_index=st.tariff_index,
            levies_index=eng.cpi,
            payment=eng._payment,
            rng=eng.pay_rng,
            year_volume=eng.year_volume,
            year_bill=eng.year_bill,
            work=self.billing_work,
            after=sewerage,
        )
        if explicit is not None:
            self.period_explicit.fill(0.0)
            self.season_explicit.fill(0.0)
            self._has_explicit = False
        self._acc[:] = 0.0
        # non-domestic meters: the tariff in force on the period's volume, paid in full
        ndb = bill_non_domestic(
            eng.non_domestic,
            self.nd_period_m3,
            st.tariff,
            reference_persons(s),
            months,
            st.tariff_index,
            eng.cpi,
        )
        sew_billed, sew_paid = tot.after
        nd_sewered = eng.non_domestic.sewered
        sew_nd = float(
            (eng.non_domestic.meters[nd_sewered] * standing + price * self.nd_period_m3[nd_sewered]).sum()
        )
        collected = sew_paid + sew_nd
        self.nd_year_m3 += self.nd_period_m3
        self.nd_period_m3[:] = 0.0
        lines["bill_receipts_eur"] = tot.paid_eur + ndb.total_eur
        lines["vat_remitted_eur"] = tot.vat_paid_eur + ndb.vat_eur
        lines["levies_remitted_eur"] = tot.levies_paid_eur + ndb.levies_eur
        lines["sewerage_collected_eur"] = collected
        lines["sewerage_remitted_eur"] = collected  # the sewerage authority's money
        acc = eng._year_acc
        acc["billed_eur"] += tot.billed_eur + ndb.total_eur
        acc["unpaid_eur"] += tot.billed_eur - tot.paid_eur
        acc["social_rebate_eur"] += tot.social_rebate_eur
        acc["sewerage_billed_eur"] += sew_billed + sew_nd
        acc["sewerage_collected_eur"] += collected
        return tot.revenue_eur + ndb.revenue_eur

    def affordability_burden(self, eng: Engine, bills: np.ndarray) -> np.ndarray:
        """Water and sewerage spending over income: sewerage is billed on the same volume (last
        year's), to sewered households only."""
        return (bills + self._last_year_sewerage(eng)) / eng.income

    def _last_year_sewerage(self, eng: Engine) -> np.ndarray:
        """Each household's sewerage bill on last year's volume at this year's prices; computed
        once a year (governance weighs several tariffs against the same sewerage bills)."""
        volume, cpi = eng.last_year_metered, eng.cpi
        hit = self._sewer_cache
        if hit is None or hit[0] is not volume or hit[1] != cpi:
            spec = eng.scenario.sewerage
            if kernel_name() == "numba":  # sewerage_bill_eur's values in one compiled pass
                sewer = np.empty(volume.shape[0])
                _load_numba().where_line_loop(
                    volume,
                    eng.pop.sewered,
                    spec.standing_charge_eur_per_year * cpi * 12 / 12.0,
                    spec.price_eur_per_m3 * cpi,
                    sewer,
                )
            else:
                sewer = sewerage_bill_eur(volume, eng.pop.sewered, spec, cpi)
            sewer.flags.writeable = False
            # the volume array itself is kept: its identity is the key (a new one every year)
            hit = self._sewer_cache = (volume, cpi, sewer)
        return hit[2]

    # ------------------------------------------------------------------ year end
    def year_row(self, eng: Engine, y: int, acc: dict[str, float]) -> dict[str, Any]:
        s = eng.scenario
        year = s.town.start_year + y
        n = eng.pop.count
        pop_people = self._people
        km = self.cohorts.total_km
        days = 366.0 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 365.0
        done = self.breaks_done[self._breaks_year_start :]
        n_breaks = len(done)
        mean_repair = _mean([b.wait_h + b.repair_h for b in done]) if done else 0.0
        renew5 = self.renewed_km[-5:]
        price120 = price_120m3_eur_per_m3(
            eng.state.tariff, reference_persons(s), price_index=eng.state.tariff_index, levies_index=eng.cpi
        )
        aff = s.affordability
        # the year's sewerage bills: a standing charge and a price, constant within the year, so the
        # year's bill is the sum of the periods' bills
        share_above, included, means = self._year_households(eng, aff.threshold_pct / 100.0)
        row = {
            "year": year,
            "households": n,
            "population": pop_people,
            "produced_m3": acc["produced_m3"],
            "billed_m3": acc["billed_m3"],
            "unbilled_authorised_m3": acc["unbilled_authorised_m3"],
            "apparent_losses_m3": acc["apparent_losses_m3"],
            "real_losses_m3": acc["real_losses_m3"],
            "yield_pct": 100.0 * (acc["billed_m3"] + acc["unbilled_authorised_m3"]) / acc["produced_m3"]
            if acc["produced_m3"] > 0
            else float("nan"),
            "ilp_m3_per_km_day": (acc["apparent_losses_m3"] + acc["real_losses_m3"]) / (days * km),
            "ili": acc["real_losses_m3"] / (self.uarl_m3_per_day * days),
            "breaks": n_breaks,
            "breaks_per_100km": 100.0 * n_breaks / km,
            "mean_repair_hours": mean_repair,
            "interruptions_per_1000_customers": 1000.0 * n_breaks / n,
            "customer_interruption_hours": acc["interrupt_customer_hours"],
            "renewal_km": self.renewed_km[-1],
            "renewal_rate_pct": 100.0 * _mean(renew5) / km,
            **self._renewal_gap(eng),
            "network_length_km": km,
            "network_mean_age_years": self.cohorts.mean_age(year + 1),
            "price_120m3_eur_per_m3": price120,
            "bill_120m3_eur": 120.0 * price120,
            "sewerage_price_120m3_eur_per_m3": sewerage_price_120m3_eur_per_m3(s.sewerage, eng.cpi),
            "non_domestic_billed_m3": acc["non_domestic_billed_m3"],
            "sewerage_billed_eur": acc["sewerage_billed_eur"],
            "sewerage_collected_eur": acc["sewerage_collected_eur"],
            "consumption_l_per_person_day": 1000.0
            * (acc["billed_m3"] - acc["non_domestic_billed_m3"])
            / (pop_people * days),
            "unpaid_rate_pct": 100.0 * acc["unpaid_eur"] / acc["billed_eur"] if acc["billed_eur"] else 0.0,
            "share_households_above_3pct": share_above,
            "social_rebate_eur": acc["social_rebate_eur"],
            **eng.money_columns(acc),
            "fte": eng.fte_total(),
            "restriction_days": acc["restriction_days"],
            "resource_stock_m3": self.stock.level_m3,
            "resource_fill_pct": 100.0 * self.stock.level_m3 / self.stock.capacity,
            "shortfall_m3": acc["shortfall_m3"],
            "drought_year": self.weather.years[y].drought,
            "price_index": eng.cpi,
            "tariff_index": eng.state.tariff_index,
            **self._communality(eng, included, year),
        }
        if eng.keep_deciles:
            self._decile_rows(eng, year, means)
        eng.last_year_non_domestic_m3 = self.nd_year_m3.copy()
        return row

    def _renewal_gap(self, eng: Engine) -> dict[str, float]:
        """The year's renewal against the network's need: the renewal that keeps its age stable
        (each cohort's length over its material's service life, :meth:`Cohorts.renewal_need_km`),
        in km and in euros at this year's renewal cost; a positive gap is renewal left undone."""
        need = self.cohorts.renewal_need_km()
        gap = need - self.renewed_km[-1]
        cost_km = eng.scenario.network.renewal_cost_eur_per_km * eng.cpi * eng.real_works
        return {"renewal_need_km": need, "renewal_gap_km": gap, "renewal_gap_eur": gap * cost_km}

    def _year_households(self, eng: Engine, threshold: float) -> tuple[float, float, np.ndarray]:
        """The year's household figures: the share (%) above the affordability ``threshold`` (water
        and sewerage bills over income), the share neither above it nor rationed, and the means by
        decile (rows: income, volume, bill, sewerage bill, persons, bill / income, burden, above).

        On the numba path one compiled pass (:func:`sim.core._billing_numba.year_end_loop`) adds
        each decile's households in order, as ``np.bincount`` does: the same doubles as the arrays
        below (``tests/test_fast_paths.py``).
        """
        pop, n = eng.pop, eng.pop.count
        cnt = self._decile_counts(eng)
        if kernel_name() == "numba" and self._deciles_in_range:
            sew = eng.scenario.sewerage
            sums = np.zeros((8, 10))
            n_above, n_included = _load_numba().year_end_loop(
                pop.decile,
                eng.income,
                eng.year_volume,
                eng.year_bill,
                pop.sewered,
                pop.persons,
                self.short_hh,
                sew.standing_charge_eur_per_year * eng.cpi * 12 / 12.0,  # as sewerage_bill_eur
                sew.price_eur_per_m3 * eng.cpi,
                threshold,
                sums,
            )
            sums /= np.maximum(cnt, 1)
            return 100.0 * (n_above / n), 100.0 * (n_included / n), sums
        # the year's sewerage bills: a standing charge and a price, constant within the year, so the
        # year's bill is the sum of the periods' bills
        sewer = sewerage_bill_eur(eng.year_volume, pop.sewered, eng.scenario.sewerage, eng.cpi)
        burden = (eng.year_bill + sewer) / eng.income
        above = burden > threshold
        arrays = [eng.income, eng.year_volume, eng.year_bill, sewer, pop.persons]
        arrays += [eng.year_bill / eng.income, burden, above.astype(float)]
        means = decile_sums(pop.decile, arrays) / np.maximum(cnt, 1)
        included = 100.0 * float((~above & ~self.short_hh).mean())
        return 100.0 * float(above.mean()), included, means

    def _decile_counts(self, eng: Engine) -> np.ndarray:
        """Households in each decile (as floats), and whether every decile is 1 to 10; once."""
        hit = self.__dict__.get("_cnt")
        if hit is None or hit[0] is not eng.pop.decile:
            d = eng.pop.decile
            cnt = np.bincount(d.astype(np.int64), minlength=11)[1:].astype(float)
            hit = self._cnt = (d, cnt)
            self._deciles_in_range = bool(d.size and d.min() >= 1 and d.max() <= 10)
        return hit[1]

    def _decile_rows(self, eng: Engine, year: int, means: np.ndarray) -> None:
        cnt = self._decile_counts(eng)
        inc, vol, bil, sew, persons = means[:5]
        bur, bur_all, shr = means[5] * 100.0, means[6] * 100.0, means[7] * 100.0
        for k in range(10):
            eng.decile_rows.append(
                {
                    "year": year,
                    "decile": k + 1,
                    "households": int(cnt[k]),
                    "mean_income_eur": inc[k],
                    "mean_persons": persons[k],
                    "mean_volume_m3": vol[k],
                    "mean_bill_eur": bil[k],
                    "mean_sewerage_bill_eur": sew[k],
                    "burden_pct": bur[k],
                    "burden_with_sewerage_pct": bur_all[k],
                    "share_above_3pct": shr[k],
                }
            )

    def _communality(self, eng: Engine, included_pct: float, year: int) -> dict[str, float]:
        """Components of the communality index (docs/regimes.md), never aggregated here.

        usage_inclusion_pct: households whose bill (with sewerage) is within the affordability
        threshold and who were never rationed this year. governance_inclusion_pct: see
        :meth:`sim.core.engine.Engine.governance_inclusion_pct`. resource_preservation_pct: stock now
        / stock at start. network_condition_index: expected breaks per km now / at the start (below
        1 = better).
        """
        rate0 = self._hazard0
        rate_now = self.cohorts.breaks_per_year(year + 1) / self.cohorts.total_km
        return {
            "usage_inclusion_pct": included_pct,
            "governance_inclusion_pct": eng.governance_inclusion_pct(),
            "resource_preservation_pct": 100.0 * self.stock.level_m3 / self._stock0,
            "network_condition_index": rate_now / rate0 if rate0 > 0 else float("nan"),
        }


def _mean(values: list[float]) -> float:
    """``float(np.mean(values))``: numpy's pairwise sum over the count, without ``np.mean``'s
    wrapper (the same double: ``np.mean`` is this sum divided by the count)."""
    a = np.array(values, dtype=np.float64)
    return float(np.add.reduce(a) / a.size)

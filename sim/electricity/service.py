"""The electricity service: what the core engine runs for a local distribution company (ELD).

One operator both distributes and supplies (an integrated ELD below the 100,000-customer unbundling
threshold, electricity.md §1.2). Every month households use electricity by their heating type and
size, the heating part following the month's temperature (a normal plus a drawn deviation, weather
stream); the operator buys that energy plus the network's losses at the year's supply cost (ARENH
until 2025, the market after, with the scenario's price shocks: :mod:`sim.electricity.supply`). Each
billing date bills every household in one vectorised step (:func:`sim.electricity.tariff.bill_households`):
fixed part by kVA, energy, CTA, excise, VAT at the law's rates of the date; unpaid bills are drawn
by the core's rule. The network has ordinary incidents and storms (:mod:`sim.electricity.network`,
drawn per year on its own child of the ``breaks`` stream, so a regime's renewal never shifts
another year's luck): an ordinary incident waits for one of the core's crews, who drop planned
work for it, then its customers are restored after the drawn duration; a storm's customers are
restored along Ciarán's curve by reinforcements from outside; the operator's own crews are taken
off ordinary work for the storm's first hours only when ``network.storm_crew_share_pct`` says so.
Cuts over 5 h are compensated by the operator (TURPE rule). Renewal puts overhead lines
underground, which lowers the customers a storm cuts. Energy is conserved every month: bought =
billed + technical losses; money as in the core ledger.

What national law fixes here (taxes, the TURPE's fixed part that bases the CTA, compensation, the
chèque énergie) is not a decision of any regime; the supplier's own prices are (see
docs/electricity.md).
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import date
from typing import Any

import numpy as np

from sim.core.accounts import Vintages
from sim.core.billing import unpaid_indices
from sim.core.engine import Engine, MonthFlows, State
from sim.core.households import decile_sums
from sim.core.workforce import crews_to_mobilise, mobilise
from sim.electricity import law, reliability
from sim.electricity import tariff as et
from sim.electricity.demand import DAYS_IN_MONTH, degree_days
from sim.electricity.households import ElectricityPopulation, build_electricity_population
from sim.electricity.network import YearInterruptions, age_factor, storm_records, year_interruptions
from sim.electricity.poverty import BOARDMAN_THRESHOLD_PCT, energy_poverty_pct, other_heating_spending_eur
from sim.electricity.supply import energy_cost_eur_per_mwh
from sim.scenario.electricity import ElectricityScenario, ElectricityTariff

#: the electricity service's own year accumulators
ELECTRICITY_YEAR_KEYS = (
    "kwh_billed",
    "kwh_bought",
    "kwh_losses",
    "energy_bought_eur",
    "incidents",
    "storms",
    "wait_hours",
    "customer_interruption_hours",
    "power_limitations",
    "supply_cuts",
    "local_production_kwh",
    "arrears_repaid_eur",
    "written_off_eur",
    "social_fund_eur",
)
DAYS_PER_YEAR = 365
#: an incident's start hour is drawn uniformly over the day
HOURS_PER_DAY = 24.0
#: the day of the year a forced storm strikes: 2 November (0-based), storm Ciarán's (§2.3)
STORM_DAY_OF_YEAR = 305
#: five years of daily SAIDI set the major-event threshold (IEEE 1366 2.5β, electricity.md §2.1)
MED_HISTORY_YEARS = 5


def pv_month_shares(january_pct: float, august_pct: float) -> np.ndarray:
    """Each month's share of a year's PV production: a load factor on a cosine between January's
    and August's (electricity.md §3.2 gives those two; the months between are an assumption),
    times the month's days."""
    phase = np.cos(2 * np.pi * (np.arange(12) - 7) / 12.0)  # 1 in August
    amp = (august_pct - january_pct) / (1.0 - phase[0])
    load = august_pct - amp * (1.0 - phase)
    weight = load * DAYS_IN_MONTH
    out: np.ndarray = weight / weight.sum()
    return out


class Lines:
    """The network's lines in cohorts by install year, overhead and underground, and their book
    value (M49-style accounts).

    The opening network is taken as installed evenly over the lines' life ``life``, one cohort a
    year, overhead and underground alike (an assumption: the reference file gives no network age,
    electricity.md §1.3; the book values make the same assumption). A cohort installed at the start
    of year ``t`` (0 the first simulated year) is ``y - t + 0.5`` years old on average during year
    ``y``. Renewal takes out the oldest overhead km first (then, once no overhead line is left, the
    oldest underground km) and adds the km renewed as one new underground cohort.

    Accounts: the opening network is valued as if it had been renewed steadily over its life at
    today's cost (an assumption, as water's other assets); renewal takes out the opening network
    first and adds a vintage at its cost; the km taken out are written off at the opening network's
    mean book value per km. The cohorts carry no money: they only age the incidents.
    """

    def __init__(
        self, length_km: float, underground_share: float, start_year: int, cost_eur_per_km: float, life: float
    ):
        self.total_km = float(length_km)
        self.life = float(life)
        self.opening_km = float(length_km)
        self.start_year = int(start_year)
        # one cohort per year over the life, the oldest first (a last part-year for a fractional life)
        n = max(int(np.ceil(self.life)), 1)
        years_in = np.minimum(self.life - np.arange(n)[::-1], 1.0)  # the oldest cohort may be partial
        km = self.total_km * years_in / years_in.sum()
        self.install = np.arange(1 - n, 1, dtype=float)  # start of the install year, 0 = first year
        self.overhead = km * (1.0 - underground_share)
        self.underground = km * underground_share
        self.opening_install = self.install.copy()
        self.opening_cohort_km = km.copy()
        self.opening = Vintages.steady_state(
            start_year, self.total_km / self.life * cost_eur_per_km, self.life
        )
        self.renewed = Vintages(np.zeros(0), np.zeros(0), self.life)
        self.pv: Vintages | None = None  # community PV on the books (its own life)
        self.written_off_eur = 0.0

    @property
    def underground_km(self) -> float:
        return float(self.underground.sum())

    @property
    def overhead_km(self) -> float:
        return float(self.overhead.sum())

    @property
    def underground_share(self) -> float:
        # at most 1: the cohorts' sum may pass the length by a rounding error
        return min(self.underground_km / self.total_km, 1.0) if self.total_km > 0 else 0.0

    def renew(self, km: float, year: int, cost_eur_per_km: float) -> float:
        """Renew ``km`` (the oldest overhead km first, put underground) at ``cost_eur_per_km``;
        returns the km."""
        self.written_off_eur = 0.0
        km = min(max(km, 0.0), self.total_km)
        left = self._take_oldest(self.overhead, km)
        self._take_oldest(self.underground, left)
        if km > 0:
            self.install = np.append(self.install, float(year - self.start_year))
            self.overhead = np.append(self.overhead, 0.0)
            self.underground = np.append(self.underground, km)
        out = min(km, self.opening_km)
        if out > 0:
            share = out / self.opening_km
            self.written_off_eur = share * self.opening.book_value_eur(float(year))
            self.opening.gross = self.opening.gross * (1.0 - share)
            self.opening_km -= out
        self.renewed.add(year, km * cost_eur_per_km)
        return km

    @staticmethod
    def _take_oldest(km_by_cohort: np.ndarray, km: float) -> float:
        """Take ``km`` out of ``km_by_cohort`` (in place), the oldest cohorts (the first) first;
        returns what could not be taken."""
        if km <= 0:
            return 0.0
        before = np.concatenate([[0.0], np.cumsum(km_by_cohort)[:-1]])  # km older than each cohort
        taken = np.clip(km - before, 0.0, km_by_cohort)
        km_by_cohort -= taken
        return max(km - float(taken.sum()), 0.0)

    def incident_weight(self, y: int, overhead_ratio: float, growth_pct: float) -> float:
        """The network's ordinary incidents in year ``y``, in km of new underground line: each km
        counts ``overhead_ratio`` if overhead, times its age factor
        (:func:`sim.electricity.network.age_factor`)."""
        h = age_factor(y - self.install + 0.5, growth_pct)
        return float(np.dot(self.underground + overhead_ratio * self.overhead, h))

    def worst_incident_weight(self, y: int, overhead_ratio: float, growth_pct: float) -> float:
        """An upper bound of :meth:`incident_weight` in year ``y`` whatever was renewed: the opening
        network never renewed (every km as old as it can be), all overhead. Renewal only puts a
        younger underground km in place of an older one; the bound depends on no decision, so that
        the incidents drawn at it are the same whatever the regime."""
        h = age_factor(y - self.opening_install + 0.5, growth_pct)
        return max(overhead_ratio, 1.0) * float(np.dot(self.opening_cohort_km, h))

    def add_pv(self, year: int, cost_eur: float, life: float) -> None:
        """Community PV bought in ``year`` for ``cost_eur``, depreciated over ``life`` years."""
        if self.pv is None:
            self.pv = Vintages(np.zeros(0), np.zeros(0), float(life))
        self.pv.add(year, cost_eur)

    def book_value_eur(self, at: float) -> float:
        pv = self.pv.book_value_eur(at) if self.pv is not None else 0.0
        return self.opening.book_value_eur(at) + self.renewed.book_value_eur(at) + pv

    def depreciation_eur(self, year: int) -> float:
        return self.book_value_eur(float(year)) - self.book_value_eur(float(year + 1))

    def mean_age_years(self, y: int) -> float:
        """The lines' mean age at the end of year ``y``, weighted by km (a cohort installed in year
        ``i`` is ``y + 1 - i`` years old then)."""
        km = self.overhead + self.underground
        total = float(km.sum())
        return float(np.dot(km, y + 1.0 - self.install)) / total if total > 0 else 0.0

    def renewal_need_km(self) -> float:
        """Renewal that keeps the network's age stable: its length over the lines' life."""
        return self.total_km / self.life


class ElectricityService:
    """Electricity distribution and supply: households' use, the network's cuts, bills."""

    name = "electricity"
    year_keys = ELECTRICITY_YEAR_KEYS
    extra_payment_lines = ("compensation_eur", "local_production_eur", "pv_capex_eur")
    extra_opex_lines = ("compensation_eur", "local_production_eur")
    extra_capex_lines = ("pv_capex_eur",)
    committee_items = (
        "tariff",
        "essential_block",
        "renewal",
        "community_pv",
        "social_fund",
        "power_limitation",
        "work_organisation",
    )

    # ------------------------------------------------------------------ what the engine asks first
    def build_population(self, s: ElectricityScenario, rng: np.random.Generator) -> ElectricityPopulation:
        return build_electricity_population(s.households, rng, s.town.start_year)

    def initial_state(self, s: ElectricityScenario) -> State:
        f = s.finance
        return State(
            tariff=s.tariff,  # type: ignore[arg-type]  # the State holds the service's tariff
            renewal_rate_pct=s.network.renewal_rate_pct,
            crews=s.workforce.crews,
            thresholds=(),
            usage_rules={},
            margin_pct=f.operator_margin_pct,
            head_office_pct=f.head_office_fee_pct,
            delegation_eur_per_unit=f.delegation_overhead_eur_per_mwh / 1000.0,
            corporate_tax_eur_per_unit=f.corporate_tax_eur_per_mwh / 1000.0,
            subcontracted_pct=s.workforce.subcontracted_pct,
            loan_rate_pct=f.interest_rate_pct,
            local_production_kw=s.local_production.pv_kwp,
            social_fund_eur_per_year=s.energy_poverty.arrears.social_fund_eur_per_year,
            unpaid_response=s.energy_poverty.unpaid_response,
            limit_after_months=s.energy_poverty.arrears.limit_after_months,
        )

    # ------------------------------------------------------------------ set-up
    def bind(self, eng: Engine) -> None:
        s: ElectricityScenario = eng.scenario  # type: ignore[assignment]
        pop: ElectricityPopulation = eng.pop  # type: ignore[assignment]
        self.s = s
        self.pop = pop
        n = pop.count
        net = s.network
        self.lines = eng.cohorts = Lines(
            net.length_km,
            net.underground_share,
            s.town.start_year,
            net.renewal_cost_eur_per_km,
            net.asset_life_years,
        )
        # the opening network's incident weight: incidents_saifi is its SAIFI in the first year
        self.opening_weight = self.lines.incident_weight(
            0, net.overhead_incident_ratio, net.incident_age_growth_pct_per_year
        )
        hh = s.households
        # the month's temperature: its normal plus a deviation drawn for every year and month, in
        # year order (a longer horizon adds rows, never changes the first ones)
        normal = np.asarray(hh.normal_monthly_temperature_c, dtype=float)
        dev = eng.rng["weather"].standard_normal((eng.years_n, 12)) * hh.temperature_sd_c
        self.temperature = normal + dev
        self.normal_dd = float(degree_days(hh, normal).sum())
        # one child generator per year for the network's cuts
        self.year_rngs = eng.rng["breaks"].spawn(eng.years_n)
        self._prices: tuple[int, et.PricesExclTax] | None = None
        # households each on their own option (households.own_option): the prices of both, or None
        self._own: et.OwnOptions | None = None
        # households' use this year (after the price response) and the billing period's kWh
        self.other = pop.other_kwh_per_year.copy()
        self.heating = pop.heating_kwh_per_year.copy()
        self.period_kwh = np.zeros(n)
        self._w_other = 0.0  # the period's weights on the two yearly uses (linear months)
        self._w_heat = 0.0
        eng.last_year_metered = pop.other_kwh_per_year + pop.heating_kwh_per_year
        # the marginal price (first year's euros) at which the yearly uses were observed
        self.p0 = hh.reference_price_eur_per_kwh
        self.work = _Work(n)
        # consumption units (the chèque énergie's rule) size each household's essential block
        self.units = np.asarray(law.cheque_energie_units(pop.persons), dtype=float)
        # arrears carried per household (energy_poverty.arrears): amount, its VAT and levies (paid
        # to the State only when the household pays), their age and the months since the last payment
        self.arrears = np.zeros(n)
        self.arrears_vat = np.zeros(n)
        self.arrears_levies = np.zeros(n)
        self.arrears_age = np.zeros(n)  # months since the arrears began (write-offs)
        self.overdue_months = np.zeros(n)  # months since the household last paid (interventions)
        self.fund_aid = np.zeros(n)  # what the social fund paid for each household this year
        self._unpaid_mask = np.zeros(n, dtype=bool)  # scratch: this bill's unpaid households
        self.debt_rows: list[dict[str, float]] = []  # one per billing date (conservation checks)
        # Tempo: each day's colour from the day's temperature (its own stream, drawn per year)
        self.tempo = s.tariff.option == "tempo"
        if self.tempo:
            self.tempo_rngs = eng.rng["tempo"].spawn(eng.years_n)
            self._w_other_c = np.zeros(3)
            self._w_heat_c = np.zeros(3)
        lp = s.local_production
        self.pv_kwp = lp.pv_kwp  # installed
        self.pv_shape = pv_month_shares(lp.january_load_factor_pct, lp.august_load_factor_pct)
        self.lines.add_pv(s.town.start_year, lp.pv_kwp * lp.capex_eur_per_kwp, lp.life_years)
        self._pv_capex_month = 0.0
        # the regulated tariff's energy weight: the reference household's energy bought (with the
        # network's losses) at the supply cost the opening tariff was built on, over its price excl.
        # tax. A market dearer than that reaches the TRVE from the second year, in level.
        self.supply0 = self.supply_cost_eur_per_mwh(eng, 0, s.supply.regulated_tariff_market_eur_per_mwh)
        prices = self.prices(s.tariff)
        ref_kva = et.reference_kva(s.tariff)
        ref_ht = prices.fixed_eur_per_year_by_kva[ref_kva] + et.REFERENCE_KWH * et.energy_price_eur_per_kwh(
            prices, hh.hc_share_of_kwh
        )
        bought = et.REFERENCE_KWH / (1.0 - s.network.losses_pct / 100.0)
        self.energy_weight = min(self.supply0 * bought / 1000.0 / ref_ht, 1.0)
        self._wait_h_month = 0.0
        # the crews' queue computed a month at a time (sim.core.workforce.CrewQueue), same results as
        # a SimPy process per incident, when nothing else takes these crews; else the processes
        self.queue = eng.crews.use_queue() if eng.own_crews and net.storm_crew_share_pct == 0 else None
        self.incidents: list[dict[str, Any]] = []
        self._year_records: list[YearInterruptions] = []
        self._daily_saidi: list[np.ndarray] = []
        self._ordinary: list[list[tuple[float, float, float]]] = []  # by month: (start_h, customers, min)
        self._storm_rows: list[tuple[int, float, float]] = []
        self._compensation_month = 0.0
        self._cut_h_month = 0.0
        self._energy_cost = 0.0
        self._year_cuts: list[tuple[int, float, float, bool]] = []  # day, customers, minutes, storm
        self.renewed_km: list[float] = []

    def prices(self, tariff: Any) -> et.PricesExclTax:
        """The tariff's prices excl. tax (kept while the tariff object is the same); households each
        on their own option: the Base prices with the HP/HC energy prices beside them."""
        if self._prices is None or self._prices[0] != id(tariff):
            if et.own_options_apply(self.s.households.own_option, tariff):
                self._own = et.own_options(tariff, self.s.cost_stack, self.pop.kva, self.pop.hphc)
                prices = self._own.prices
                self._fixed = self._own.fixed_eur_per_year
            else:
                self._own = None
                prices = et.prices_excl_tax(tariff, self.s.cost_stack)
                self._fixed = et.fixed_by_household(prices, self.pop.kva)
            self._prices = (id(tariff), prices)
            self._prices_of = tariff  # keep the object alive so its id stays unique
            t = tariff
            self._turpe = t.turpe_fixed_eur_per_customer_year + t.turpe_fixed_eur_per_kva_year * self.pop.kva
        return self._prices[1]

    def _bills(
        self,
        eng: Engine,
        tariff: Any,
        taxes: law.Taxes,
        kwh: np.ndarray,
        months: int,
        index: float,
        eligible: np.ndarray | None,
        kwh_by_period: dict[str, np.ndarray] | None = None,
    ) -> et.HouseholdBills:
        prices = self.prices(tariff)
        if self._own is not None and kwh_by_period is None:
            kwh_by_period = et.own_option_kwh(kwh, self.pop.hphc, self.s.households.hc_share_of_kwh)
        eb = tariff.essential_block
        block = self.units * (eb.kwh_per_unit_year * months / 12.0) if eb.enabled else None
        return et.bill_households(
            tariff,
            prices,
            taxes,
            self.pop.kva,
            kwh,
            months=months,
            hc_share=self.s.households.hc_share_of_kwh,
            price_index=index,
            network_index=eng.cpi,
            eligible=eligible,
            fixed_eur_per_year=self._fixed,
            turpe_eur_per_year=self._turpe,
            kwh_by_period=kwh_by_period,
            block_kwh=block,
        )

    def taxes(self, tariff: ElectricityTariff, start_year: int, month: int) -> law.Taxes:
        """The taxes of a bill dated the first day of simulated month ``month``."""
        y, m = divmod(month, 12)
        return et.billing_taxes(tariff, date(start_year + y, m + 1, 1))

    # ------------------------------------------------------------------ year start
    def year_start(self, eng: Engine, y: int) -> float:
        s = self.s
        st = eng.state
        cost_km = s.network.renewal_cost_eur_per_km * eng.cpi * eng.real_works
        km = self.lines.renew(
            st.renewal_rate_pct / 100.0 * self.lines.total_km, s.town.start_year + y, cost_km
        )
        self.renewed_km.append(km)
        capex = km * cost_km
        eng.crews.plan(s.workforce.planned_hours_per_km_year * self.lines.total_km)
        # demand responds to the real marginal price (constant elasticity, electricity.md §3.3)
        prices = self.prices(st.tariff)
        taxes = self.taxes(st.tariff, s.town.start_year, 12 * y)
        above = st.tariff.essential_block.above_factor if st.tariff.essential_block.enabled else 1.0
        hc = s.households.hc_share_of_kwh
        soc = st.tariff.social
        if self._own is None:
            p = et.marginal_price_eur_per_kwh(prices, taxes, hc, st.tariff_index, above)
            real = max(p / eng.cpi, 1e-6)
            factor = np.full(self.pop.count, (real / self.p0) ** s.households.price_elasticity)
            if soc.enabled and soc.rebate_pct > 0:
                rebated = max(real * (1 - soc.rebate_pct / 100.0), 1e-6)
                factor[eng.eligible] = (rebated / self.p0) ** s.households.price_elasticity
        else:  # each household's marginal price is its option's
            own = et.own_option_marginal_price_eur_per_kwh(
                self._own, taxes, hc, st.tariff_index, self.pop.hphc, above
            )
            reals = np.maximum(own / eng.cpi, 1e-6)
            if soc.enabled and soc.rebate_pct > 0:
                reals = np.where(eng.eligible, np.maximum(reals * (1 - soc.rebate_pct / 100.0), 1e-6), reals)
            factor = (reals / self.p0) ** s.households.price_elasticity
        np.multiply(self.pop.other_kwh_per_year, factor, out=self.other)
        np.multiply(self.pop.heating_kwh_per_year, factor, out=self.heating)
        self._sum_other = float(self.other.sum())
        self._sum_heat = float(self.heating.sum())
        self._energy_cost = self.energy_cost_paid_eur_per_mwh(eng, y)
        self._pv_capex_month = self._invest_pv(eng, s.town.start_year + y) / 12.0
        # who receives the chèque énergie this year (national, by income per consumption unit; the
        # disposable income stands for the reference taxable income: an assumption)
        self.cheque = law.cheque_energie_amount_eur(eng.income, self.pop.persons)
        self._draw_cuts(eng, y)
        self.fund_aid.fill(0.0)
        if self.tempo:
            self._colour_days(eng, y)
        return capex

    def _colour_days(self, eng: Engine, y: int) -> None:
        """Year ``y``'s Tempo days (electricity.md §1.4): each day's mean temperature is its
        month's plus a deviation drawn from the ``tempo`` stream; the ``red_days`` coldest weekdays
        from 1 November to 31 March are red (the calendar year's January-March and November-December:
        an assumption), the next ``white_days`` coldest days other than Sundays white (assumption),
        the rest blue. Each month's use is then split by colour: the use apart from heating by days,
        the heating by each day's degree-days (the month's total is unchanged)."""
        s = self.s
        tc = s.tariff.tempo
        month = np.repeat(np.arange(12), DAYS_IN_MONTH.astype(np.int64))
        temp = self.temperature[y, month] + tc.daily_temperature_sd_c * self.tempo_rngs[y].standard_normal(
            month.size
        )
        weekday = (date(s.town.start_year + y, 1, 1).weekday() + np.arange(month.size)) % 7
        colour = np.zeros(month.size, dtype=np.int64)  # 0 blue, 1 white, 2 red
        winter = (month <= 2) | (month >= 10)
        order = np.argsort(temp, kind="stable")
        red_ok = (winter & (weekday < 5))[order]
        colour[order[red_ok][: tc.red_days]] = 2
        white_ok = ((colour == 0) & (weekday != 6))[order]
        colour[order[white_ok][: tc.white_days]] = 1
        dd = np.maximum(s.households.heating_base_temperature_c - temp, 0.0)
        self._other_by_colour = np.zeros((12, 3))
        self._heat_by_colour = np.zeros((12, 3))
        np.add.at(self._other_by_colour, (month, colour), 1.0)
        np.add.at(self._heat_by_colour, (month, colour), dd)
        self._other_by_colour /= DAYS_IN_MONTH[:, None]
        heat_sum = self._heat_by_colour.sum(axis=1, keepdims=True)
        self._heat_by_colour = np.where(
            heat_sum > 0, self._heat_by_colour / np.where(heat_sum > 0, heat_sum, 1.0), self._other_by_colour
        )
        self.colours = colour  # the year's colour of each day (kept for the pages and the tests)
        self.colour_days = np.bincount(colour, minlength=3)
        self.day_temperature_c = temp

    def _tempo_kwh(self) -> dict[str, np.ndarray]:
        """Each household's kWh of the billing period on Tempo's six periods: by colour from the
        period's weights, then HC by use (households.hc_share_of_kwh for the use apart from heating,
        tariff.tempo.heating_hc_share for heating)."""
        hc_o = self.s.households.hc_share_of_kwh
        hc_h = self.s.tariff.tempo.heating_hc_share
        out: dict[str, np.ndarray] = {}
        for k, c in enumerate(et.COLOURS):
            other = self.other * self._w_other_c[k]
            heat = self.heating * self._w_heat_c[k]
            hc = other * hc_o + heat * hc_h
            out[f"{c}_hc"] = hc
            out[f"{c}_hp"] = other + heat - hc
        self._w_other_c[:] = 0.0
        self._w_heat_c[:] = 0.0
        return out

    def _invest_pv(self, eng: Engine, year: int) -> float:
        """Install the community PV decided (the state's capacity) this January; returns its cost,
        paid over the year from the service's cash (never borrowed)."""
        lp = self.s.local_production
        add = max(min(eng.state.local_production_kw, lp.acc_limit_kw) - self.pv_kwp, 0.0)
        if add <= 0:
            return 0.0
        cost = add * lp.capex_eur_per_kwp * eng.cpi
        self.pv_kwp += add
        self.lines.add_pv(year, cost, lp.life_years)
        return cost

    def supply_cost_eur_per_mwh(self, eng: Engine, y: int, market_eur_per_mwh: float | None = None) -> float:
        """Year ``y``'s cost of a MWh bought: ARENH and the market (:mod:`sim.electricity.supply`),
        the market price (the scenario's unless given) moved by inflation, the energy index and the
        scenario's price shocks."""
        s = self.s
        year = s.town.start_year + y
        shock = float(
            np.prod([sh.factor for sh in s.shocks if sh.kind == "energy_price" and sh.year == year])
        )
        first = s.supply.market_price_eur_per_mwh if market_eur_per_mwh is None else market_eur_per_mwh
        cpi = self._cpi_path(eng, y)
        market = first * float(eng.real_index[y, 1]) * shock * cpi
        return energy_cost_eur_per_mwh(s.supply, s.town.start_year + y, market, cpi)

    @staticmethod
    def _cpi_path(eng: Engine, y: int) -> float:
        """The price index of year ``y`` (the engine's, from the inflation stream)."""
        return float(np.prod(1.0 + eng.inflation[1 : y + 1]))

    def smoothed_supply_cost_eur_per_mwh(self, eng: Engine, y: int) -> float:
        """The supply cost over the two years up to ``y`` (the TRVE's smoothing, electricity.md §1.4):
        what energy bought forward over the two years before delivery costs; year 0 has no year before."""
        if y == 0:
            return self.supply_cost_eur_per_mwh(eng, 0)
        return 0.5 * (self.supply_cost_eur_per_mwh(eng, y) + self.supply_cost_eur_per_mwh(eng, y - 1))

    def energy_cost_paid_eur_per_mwh(self, eng: Engine, y: int) -> float:
        """What a MWh bought for year ``y`` costs the service: ``supply.forward_bought_share`` of it
        bought forward (the smoothed cost), the rest at the year's price."""
        share = self.s.supply.forward_bought_share
        spot = self.supply_cost_eur_per_mwh(eng, y)
        if share == 0.0:
            return spot
        return share * self.smoothed_supply_cost_eur_per_mwh(eng, y) + (1.0 - share) * spot

    def regulated_price_index(self, eng: Engine) -> float | None:
        """The regulated tariff's index this year (None for a local offer): the CRE's cost stacking
        (electricity.md §1.4), its energy part following the supply cost smoothed over two years,
        the rest (network, commercial costs, margin) following inflation. The energy part's weight
        is the reference household's energy cost over its price excl. tax in the first year, at the
        market price the opening tariff was built on (``supply.regulated_tariff_market_eur_per_mwh``):
        the energy part thus follows the supply cost met in level, not only in its yearly changes."""
        if eng.state.tariff.pricing != "regulated":
            return None
        y = eng._year
        if y == 0:
            return 1.0
        smooth = self.smoothed_supply_cost_eur_per_mwh(eng, y)
        return (1.0 - self.energy_weight) * eng.cpi + self.energy_weight * smooth / self.supply0

    def _forced_storms(self, recs: YearInterruptions, year: int) -> YearInterruptions:
        """Add the scenario's storm shocks of ``year``: each on 2 November (Ciarán's day, §2.3),
        cutting the customers of overhead lines as a drawn storm does, restored along Ciarán's
        curve stretched by the shock's factor (1: Ciarán's own times)."""
        net = self.s.network
        cut = self.pop.count * (1.0 - self.lines.underground_share) * net.storm_overhead_share_cut
        for sh in self.s.shocks:
            if sh.kind != "storm" or sh.year != year:
                continue
            n, minutes = storm_records(cut, sh.factor)
            day = STORM_DAY_OF_YEAR
            recs = YearInterruptions(
                np.concatenate([recs.day, np.full(n.size, day, dtype=np.int64)]),
                np.concatenate([recs.customers, n]),
                np.concatenate([recs.duration_min, minutes]),
                np.concatenate([recs.storm, np.ones(n.size, dtype=bool)]),
            )
        return recs

    def expected_incident_saifi(self, y: int) -> tuple[float, float]:
        """Year ``y``'s expected SAIFI from ordinary incidents on the lines as they are, and the
        bound the incidents are drawn at (:meth:`Lines.worst_incident_weight`).

        A km's rate is a base rate times ``overhead_incident_ratio`` if overhead, times its age
        factor; the base rate is set so that the opening network (before any renewal) has
        ``incidents_saifi`` in the first year exactly. With no ageing (growth 0) this is the
        incidents_saifi scaled by the underground mix, as before the cohorts."""
        net = self.s.network
        k, g = net.overhead_incident_ratio, net.incident_age_growth_pct_per_year
        w0 = self.opening_weight
        now = net.incidents_saifi * (self.lines.incident_weight(y, k, g) / w0)
        worst = net.incidents_saifi * (self.lines.worst_incident_weight(y, k, g) / w0)
        return now, max(worst, now)

    def _draw_cuts(self, eng: Engine, y: int) -> None:
        """The year's incidents and storms, on the lines in force (their mix and ages).

        Ordinary incidents are drawn at the rate of the opening network never renewed and all
        overhead (a bound that depends on no decision), and each is kept with the probability the
        actual lines give (thinning): two regimes with different renewal share the incidents they
        both have. Storms have their own draws.
        """
        s = self.s
        net = s.network
        saifi_now, saifi_max = self.expected_incident_saifi(y)
        worst = net.model_copy(
            update={"underground_share": self.lines.underground_share, "incidents_saifi": saifi_max}
        )
        inc_rng, storm_rng, keep_rng = self.year_rngs[y].spawn(3)
        recs = year_interruptions(worst, self.pop.count, inc_rng, storm_rng)
        draws = keep_rng.random((2, recs.day.size))  # keep or not; start hour (all records)
        keep = recs.storm | (draws[0] < (saifi_now / saifi_max if saifi_max > 0 else 0.0))
        recs = YearInterruptions(
            recs.day[keep], recs.customers[keep], recs.duration_min[keep], recs.storm[keep]
        )
        hours = draws[1][keep] * HOURS_PER_DAY
        # the scenario's storms come after the year's draws, so they shift none of them
        recs = self._forced_storms(recs, s.town.start_year + y)
        hours = np.concatenate([hours, np.zeros(recs.day.size - hours.size)])
        start_h = eng.month_start_h[12 * y] + recs.day * HOURS_PER_DAY + hours
        month_of_day = np.searchsorted(np.cumsum(DAYS_IN_MONTH), recs.day, side="right")
        self._ordinary = [[] for _ in range(12)]
        self._storm_rows = []
        # as Python numbers in one call each (the same values as element by element)
        days, storm, starts = recs.day.tolist(), recs.storm.tolist(), start_h.tolist()
        customers, minutes = recs.customers.tolist(), recs.duration_min.tolist()
        months = month_of_day.tolist()
        for i in range(len(days)):
            if storm[i]:
                self._storm_rows.append((days[i], customers[i], minutes[i]))
            else:
                self._ordinary[months[i]].append((starts[i], customers[i], minutes[i]))
        self._year_cuts = []
        self._storm_days = {days[i] for i in range(len(days)) if storm[i]}

    # ------------------------------------------------------------------ month
    def schedule_month(self, eng: Engine, m: int, t0: float, t1: float) -> None:
        cal = m % 12
        year_start_h = float(eng.month_start_h[m - cal])
        if self.queue is not None:
            now = float(eng.env.now)
            repair_h = self.s.network.repair_hours_per_incident
            ask = self.queue.ask
            last = DAYS_PER_YEAR - 1
            for start_h, customers, minutes in self._ordinary[cal]:
                # the hour and day _incident would have: SimPy's clock is now + the delay
                asked = now + max(start_h - now, 0.0)
                day = min(max(int((start_h - year_start_h) // HOURS_PER_DAY), 0), last)
                ask(asked, repair_h, (asked, day, customers, minutes))
            return
        for start_h, customers, minutes in self._ordinary[cal]:
            eng.env.process(self._incident(eng, year_start_h, start_h, customers, minutes))
        net = self.s.network
        if net.storm_crew_share_pct > 0:  # a storm takes the operator's crews off ordinary work
            first_day = int(np.sum(DAYS_IN_MONTH[:cal]))
            last_day = first_day + int(DAYS_IN_MONTH[cal])
            n = crews_to_mobilise(eng.crews, net.storm_crew_share_pct)
            for day in sorted(d for d in self._storm_days if first_day <= d < last_day):
                start = year_start_h + day * HOURS_PER_DAY
                mobilise(eng.env, eng.crews, start, start + net.storm_crew_hours, n)

    def _incident(
        self, eng: Engine, year_start_h: float, start_h: float, customers: float, minutes: float
    ) -> Generator[Any, Any, None]:
        """An ordinary incident: wait for a crew (crews drop planned work for it), restore the
        customers after the drawn duration, repair on site."""
        yield eng.env.timeout(max(start_h - eng.env.now, 0.0))
        asked = eng.env.now
        token = yield eng.crews.store.get()
        wait_h = eng.env.now - asked
        cut_min = minutes + 60.0 * wait_h
        day = int((start_h - year_start_h) // HOURS_PER_DAY)
        self._cut(eng, min(max(day, 0), DAYS_PER_YEAR - 1), customers, cut_min, False, wait_h)
        yield eng.env.timeout(self.s.network.repair_hours_per_incident)
        eng.crews.store.put(token)  # an unbounded store takes it at once: no need to wait on it
        eng.repaired()

    def _serve_incidents(self, eng: Engine, t0: float, t1: float) -> None:
        """What the incidents' processes would have done before ``t1`` (the month's end), in the same
        order: each incident that got a crew is cut until its crew restores it; each crew back from
        a repair counts one repair."""
        assert self.queue is not None
        started, back = self.queue.advance(t1, t0)
        # _cut's sums, in its order, on local names
        cuts = self._year_cuts
        cut_h, wait_sum, comp = self._cut_h_month, self._wait_h_month, self._compensation_month
        long_min = 60.0 * law.COMPENSATION_TRANCHE_H
        kva = self.s.network.kva_for_compensation
        for start, (asked, day, customers, minutes) in started:
            wait_h = start - asked
            cut_min = minutes + 60.0 * wait_h
            cuts.append((day, customers, cut_min, False))
            cut_h += customers * cut_min / 60.0
            wait_sum += wait_h
            if cut_min > long_min:
                comp += float(law.outage_compensation_eur_ht(kva, cut_min / 60.0)) * customers
        self._cut_h_month, self._wait_h_month, self._compensation_month = cut_h, wait_sum, comp
        for _ in back:
            eng.repaired()

    def _cut(
        self, eng: Engine, day: int, customers: float, minutes: float, storm: bool, wait_h: float
    ) -> None:
        self._year_cuts.append((day, customers, minutes, storm))
        self._cut_h_month += customers * minutes / 60.0
        self._wait_h_month += wait_h
        if minutes > 60.0 * law.COMPENSATION_TRANCHE_H:  # the TURPE compensation for a cut over 5 h,
            # at the households' mean subscribed power
            comp = law.outage_compensation_eur_ht(self.s.network.kva_for_compensation, minutes / 60.0)
            self._compensation_month += float(comp) * customers

    def month_end(self, eng: Engine, m: int, y: int, cal_month: int, t0: float, t1: float) -> MonthFlows:
        s = self.s
        if self.queue is not None:  # the month's incidents, before its storms as on SimPy's clock
            self._serve_incidents(eng, t0, t1)
        # storms that started this month (their restoration is the curve's)
        first_day = int(np.sum(DAYS_IN_MONTH[:cal_month]))
        last_day = first_day + int(DAYS_IN_MONTH[cal_month])
        for day, customers, minutes in self._storm_rows:
            if first_day <= day < last_day:
                self._cut(eng, day, customers, minutes, True, 0.0)
        # the month's use: linear in each household's two yearly uses, formed at the billing date
        w_other = DAYS_IN_MONTH[cal_month] / DAYS_IN_MONTH.sum()
        temp = float(self.temperature[y, cal_month])
        w_heat = (
            DAYS_IN_MONTH[cal_month]
            * max(s.households.heating_base_temperature_c - temp, 0.0)
            / self.normal_dd
        )
        self._w_other += w_other
        self._w_heat += w_heat
        if self.tempo:
            self._w_other_c += w_other * self._other_by_colour[cal_month]
            self._w_heat_c += w_heat * self._heat_by_colour[cal_month]
        billed = w_other * self._sum_other + w_heat * self._sum_heat
        losses_share = s.network.losses_pct / 100.0
        entering = billed / (1.0 - losses_share)  # what the network carries, its losses included
        lp = s.local_production
        local = min(self.pv_kwp * lp.yield_kwh_per_kwp_year * float(self.pv_shape[cal_month]), entering)
        bought = entering - local
        losses = entering - billed
        energy_eur = (self._energy_cost + s.network.upstream_eur_per_mwh * eng.cpi) * bought / 1000.0
        pv_opex = self.pv_kwp * lp.opex_eur_per_kwp_year * eng.cpi / 12.0
        comp = self._compensation_month
        cut_h = self._cut_h_month
        wait_h = self._wait_h_month
        self._compensation_month = self._cut_h_month = self._wait_h_month = 0.0
        storms = sum(1 for d in self._storm_days if first_day <= d < last_day)
        incidents = len(self._ordinary[cal_month])
        return MonthFlows(
            produced=bought,
            billed=billed,
            costs={
                "energy_eur": energy_eur,
                "compensation_eur": comp,
                "local_production_eur": pv_opex,
                "pv_capex_eur": self._pv_capex_month,
            },
            columns={
                "kwh_bought": bought,
                "kwh_billed": billed,
                "kwh_losses": losses,
                "kwh_local": local,
                "temperature_c": temp,
                "incidents": incidents,
                "storms": storms,
                "customer_interruption_hours": cut_h,
            },
            year={
                "kwh_billed": billed,
                "kwh_bought": bought,
                "kwh_losses": losses,
                "energy_bought_eur": energy_eur,
                "local_production_kwh": local,
                "incidents": incidents,
                "storms": storms,
                "wait_hours": wait_h,
                "customer_interruption_hours": cut_h,
            },
        )

    def repairs_cost_eur(self, eng: Engine, repairs: int) -> float:
        return repairs * self.s.network.repair_cost_eur * eng.cpi * eng.real_works

    # ------------------------------------------------------------------ billing
    def bill(self, eng: Engine, lines: dict[str, float]) -> float:
        s = self.s
        st = eng.state
        months = s.billing.interval_months
        kwh = np.multiply(self.other, self._w_other, out=self.period_kwh)
        kwh += self.heating * self._w_heat
        self._w_other = self._w_heat = 0.0
        month = eng.months_closed  # the month being closed (0-based): the bill is dated its first day
        taxes = self.taxes(st.tariff, s.town.start_year, month)
        by_period = self._tempo_kwh() if self.tempo else None
        b = self._bills(eng, st.tariff, taxes, kwh, months, st.tariff_index, eng.eligible, by_period)
        unpaid = unpaid_indices(b.total, eng._payment, eng.pay_rng, self.work)
        day = date(s.town.start_year + month // 12, month % 12 + 1, 1)
        if s.energy_poverty.arrears.enabled:
            return self._bill_with_arrears(eng, b, kwh, unpaid, day, month, lines)
        self._interventions(eng, day, unpaid)
        eng.year_volume += kwh
        eng.year_bill += b.total
        billed = float(b.total.sum())
        paid_total = billed - float(b.total[unpaid].sum())
        lines["bill_receipts_eur"] = paid_total
        lines["vat_remitted_eur"] = float(b.vat.sum()) - float(b.vat[unpaid].sum())
        lines["levies_remitted_eur"] = float(b.levies.sum()) - float(b.levies[unpaid].sum())
        acc = eng._year_acc
        acc["billed_eur"] += billed
        acc["unpaid_eur"] += billed - paid_total
        acc["social_rebate_eur"] += b.rebate_eur
        return float(b.revenue.sum())

    def _bill_with_arrears(
        self,
        eng: Engine,
        b: et.HouseholdBills,
        kwh: np.ndarray,
        unpaid: np.ndarray,
        day: date,
        month: int,
        lines: dict[str, float],
    ) -> float:
        """Bill with arrears carried per household (``energy_poverty.arrears``; assumptions where
        electricity.md §4.3 is silent), vectorised:

        1. a household that pays this bill repays ``repayment_share_per_bill`` of its arrears (the
           last euro settles them); it is no longer overdue;
        2. an unpaid bill joins the household's arrears and makes it overdue by the billing interval
           more; arrears age by the interval while they last;
        3. the social fund (``State.social_fund_eur_per_year``, indexed, a period's share) pays
           ``social_fund_share`` of the arrears of households of the three lowest deciles or holding
           the chèque énergie, pro rata when its budget is short; a household it helps is no longer
           overdue (a new payment plan, as an aid request suspends the procedure: assumption);
        4. arrears ``write_off_months`` old or more are written off;
        5. households overdue for at least ``State.limit_after_months`` (and one bill) get an
           intervention (:meth:`_interventions`).

        Money: billed = paid (bills paid and repayments) + arrears change + written off + social
        fund, exactly at every billing date (``debt_rows``). VAT and levies are remitted on what is
        paid (electricity's VAT falls due at payment), the arrears' own share of them with each
        repayment.
        """
        s = self.s
        ar = s.energy_poverty.arrears
        st = eng.state
        months = s.billing.interval_months
        a, av, al, age = self.arrears, self.arrears_vat, self.arrears_levies, self.arrears_age
        late = self.overdue_months
        # only households in arrears, or not paying this bill, have anything to update: work on
        # their indices (a few per cent of the town), never on every household
        owing = np.flatnonzero(a > 0)
        start = float(a[owing].sum())
        mark = self._unpaid_mask
        mark[unpaid] = True
        payers = owing[~mark[owing]]
        mark[unpaid] = False
        # 1. repayments with the bills paid
        ap = a[payers]
        rep = ap * ar.repayment_share_per_bill
        settle = ap - rep < 1.0
        rep[settle] = ap[settle]
        frac = rep / ap
        rep_vat, rep_levies = av[payers] * frac, al[payers] * frac
        a[payers] = ap - rep
        av[payers] -= rep_vat
        al[payers] -= rep_levies
        late[payers] = 0.0
        age[payers[settle]] = 0.0
        # 2. this bill's unpaid amounts
        a[unpaid] += b.total[unpaid]
        av[unpaid] += b.vat[unpaid]
        al[unpaid] += b.levies[unpaid]
        late[unpaid] += months
        owing = np.flatnonzero(a > 0)
        age[owing] += months
        # 3. the social fund
        fund = 0.0
        budget = st.social_fund_eur_per_year * eng.cpi * months / 12.0
        if budget > 0 and owing.size:
            who = owing[(eng.pop.decile[owing] <= 3) | (self.cheque[owing] > 0)]
            want = a[who] * ar.social_fund_share
            asked = float(want.sum())
            if asked > 0:
                pay = want * min(1.0, budget / asked)
                f = pay / a[who]
                a[who] -= pay
                av[who] -= av[who] * f
                al[who] -= al[who] * f
                late[who[pay > 0]] = 0.0
                self.fund_aid[who] += pay
                fund = float(pay.sum())
        # 4. write-offs
        old = owing[age[owing] >= ar.write_off_months]
        written = float(a[old].sum())
        a[old] = av[old] = al[old] = age[old] = late[old] = 0.0
        # 5. interventions on overdue arrears
        overdue = owing[(late[owing] >= max(st.limit_after_months, 1)) & (a[owing] > 0)]
        self._interventions(eng, day, overdue)
        eng.year_volume += kwh
        eng.year_bill += b.total
        billed = float(b.total.sum())
        paid_bills = billed - float(b.total[unpaid].sum())
        repaid = float(rep.sum())
        lines["bill_receipts_eur"] = paid_bills + repaid
        lines["vat_remitted_eur"] = float(b.vat.sum()) - float(b.vat[unpaid].sum()) + float(rep_vat.sum())
        lines["levies_remitted_eur"] = (
            float(b.levies.sum()) - float(b.levies[unpaid].sum()) + float(rep_levies.sum())
        )
        acc = eng._year_acc
        acc["billed_eur"] += billed
        acc["unpaid_eur"] += billed - paid_bills
        acc["social_rebate_eur"] += b.rebate_eur
        acc["arrears_repaid_eur"] += repaid
        acc["written_off_eur"] += written
        acc["social_fund_eur"] += fund
        self.debt_rows.append(
            {
                "month": month,
                "billed_eur": billed,
                "paid_eur": paid_bills + repaid,
                "arrears_start_eur": start,
                "arrears_end_eur": float(a[owing].sum()),
                "written_off_eur": written,
                "social_fund_eur": fund,
            }
        )
        return float(b.revenue.sum())

    def _interventions(self, eng: Engine, day: date, unpaid: np.ndarray) -> None:
        """What the supplier does about the unpaid bills of a billing date (electricity.md §4.3).

        During the winter truce nobody is cut: power is limited, except for chèque énergie holders
        (taken to have sent their certificate: an assumption). Outside it, power is limited, or, if
        ``energy_poverty.unpaid_response`` is ``cut``, households are cut, chèque énergie holders
        first getting the minimum supply of the 2023 decree (counted as a limitation)."""
        holder = self.cheque[unpaid] > 0
        acc = eng._year_acc
        if law.in_winter_truce(day):
            acc["power_limitations"] += float((~holder).sum())
        elif eng.state.unpaid_response == "cut":
            acc["power_limitations"] += float(holder.sum())
            acc["supply_cuts"] += float((~holder).sum())
        else:
            acc["power_limitations"] += float(unpaid.size)

    # ------------------------------------------------------------------ projections (governance)
    def project(self, eng: Engine, tariff: Any, tariff_index: float) -> tuple[float, np.ndarray]:
        s = self.s
        taxes = self.taxes(tariff, s.town.start_year, 12 * eng._year)
        b = self._bills(
            eng, tariff, taxes, eng.last_year_metered, 12, tariff_index, eng.eligibility_for(tariff)
        )
        return float(b.revenue.sum()), b.total

    def share_above_threshold(self, eng: Engine, bills: np.ndarray) -> float:
        """The ONPE energy-effort rate (%) with these yearly bills (electricity.md §4.1)."""
        ep = self.s.energy_poverty
        return energy_poverty_pct(bills, eng.income, eng.pop.decile, ep.threshold_pct, ep.lowest_deciles)

    def reference_price(self, eng: Engine, tariff: Any, tariff_index: float) -> dict[str, float]:
        """The reference household's yearly bill (6 kVA, 4,400 kWh; with an essential-kWh block,
        :data:`~sim.electricity.tariff.REFERENCE_UNITS` consumption units) and its price per kWh, TTC."""
        s = self.s
        kva = float(et.reference_kva(tariff))
        b = et.bill_households(
            tariff,
            self.prices(tariff),
            self.taxes(tariff, s.town.start_year, 12 * eng._year),
            np.array([kva]),
            np.array([et.REFERENCE_KWH]),
            months=12,
            hc_share=s.households.hc_share_of_kwh,
            price_index=tariff_index,
            network_index=eng.cpi,
            block_kwh=np.array([tariff.essential_block.kwh_per_unit_year * et.REFERENCE_UNITS]),
        )
        bill = float(b.total[0])
        return {"bill_ref_eur": bill, "price_ref_eur_per_kwh": bill / et.REFERENCE_KWH}

    def variable_costs_estimate(self, eng: Engine) -> tuple[float, float]:
        s = self.s
        last = eng.years[-1] if eng.years else None
        kwh = (
            last["kwh_bought"]
            if last
            else float(eng.last_year_metered.sum()) / (1 - s.network.losses_pct / 100)
        )
        local = self.pv_kwp * s.local_production.yield_kwh_per_kwp_year
        energy = (
            (self._energy_cost + s.network.upstream_eur_per_mwh * eng.cpi) * max(kwh - local, 0.0) / 1000.0
        )
        energy += self.pv_kwp * s.local_production.opex_eur_per_kwp_year * eng.cpi
        renewal = (
            eng.state.renewal_rate_pct
            / 100.0
            * self.lines.total_km
            * s.network.renewal_cost_eur_per_km
            * eng.cpi
            * eng.real_works
        )
        return energy, renewal

    def event_rows(self) -> list[dict[str, Any]]:
        return list(self.incidents)

    # ------------------------------------------------------------------ year end
    def year_row(self, eng: Engine, y: int, acc: dict[str, float]) -> dict[str, Any]:
        s = self.s
        year = s.town.start_year + y
        n = self.pop.count
        cuts = np.array(self._year_cuts, dtype=float).reshape(-1, 4)
        day, cust, minutes, storm = cuts[:, 0].astype(np.int64), cuts[:, 1], cuts[:, 2], cuts[:, 3] > 0
        times = (eng.month_start_h[12 * y] + day * 24.0).tolist()  # as record by record, in one pass
        self.incidents.extend(
            {"time_h": t, "kind": "storm" if st_ else "incident", "customers": c, "duration_min": mi}
            for t, c, mi, st_ in zip(times, cust.tolist(), minutes.tolist(), storm.tolist(), strict=True)
        )
        ind = reliability.indices(cust, minutes, n)
        daily = reliability.daily_saidi_min(day, cust, minutes, n, DAYS_PER_YEAR)
        no_med = self._without_major_events(ind, daily, day, cust, minutes, n)
        self._daily_saidi.append(daily)
        ref = self.reference_price(eng, eng.state.tariff, eng.state.tariff_index)
        ep = s.energy_poverty
        bills = eng.year_bill
        # the indicators count all housing energy (the ONPE's); governance weighs the bill only
        other_heating = self.other_heating_eur(eng, y)
        spend = bills + other_heating
        cheque = self.cheque
        row = {
            "year": year,
            "households": n,
            "population": self.pop.population,
            "kwh_billed": acc["kwh_billed"],
            "kwh_bought": acc["kwh_bought"],
            "kwh_losses": acc["kwh_losses"],
            "kwh_per_household": acc["kwh_billed"] / n,
            "losses_pct": 100.0 * acc["kwh_losses"] / (acc["kwh_bought"] + acc["local_production_kwh"]),
            "pv_kwp": self.pv_kwp,
            "local_production_kwh": acc["local_production_kwh"],
            "local_production_share_pct": 100.0 * acc["local_production_kwh"] / acc["kwh_billed"],
            "energy_cost_eur_per_mwh": self._energy_cost,
            "incidents": acc["incidents"],
            "storms": acc["storms"],
            "saifi": ind.saifi,
            "saidi_min": ind.saidi_min,
            "caidi_min": ind.caidi_min,
            "saifi_excl_med": no_med.saifi,
            "saidi_excl_med_min": no_med.saidi_min,
            "caidi_excl_med_min": no_med.caidi_min,
            "customer_interruption_hours": acc["customer_interruption_hours"],
            "crew_wait_hours": acc["wait_hours"],
            "underground_share_pct": 100.0 * self.lines.underground_share,
            "renewal_km": self.renewed_km[-1],
            "network_length_km": self.lines.total_km,
            "lines_mean_age_years": self.lines.mean_age_years(y),
            **self._renewal_gap(eng),
            **ref,
            "unpaid_rate_pct": 100.0 * acc["unpaid_eur"] / acc["billed_eur"] if acc["billed_eur"] else 0.0,
            "energy_poverty_pct": energy_poverty_pct(
                spend, eng.income, eng.pop.decile, ep.threshold_pct, ep.lowest_deciles
            ),
            "energy_poverty_10pct": energy_poverty_pct(
                spend, eng.income, eng.pop.decile, BOARDMAN_THRESHOLD_PCT, ep.lowest_deciles
            ),
            "energy_poverty_after_cheque_pct": energy_poverty_pct(
                np.maximum(spend - cheque, 0.0),
                eng.income,
                eng.pop.decile,
                ep.threshold_pct,
                ep.lowest_deciles,
            ),
            "energy_poverty_elec_only_pct": energy_poverty_pct(
                bills, eng.income, eng.pop.decile, ep.threshold_pct, ep.lowest_deciles
            ),
            "other_heating_eur": float(np.sum(other_heating)),
            "cheque_energie_eur": float(cheque.sum()),
            "power_limitations": acc["power_limitations"],
            "supply_cuts": acc["supply_cuts"],
            "interventions": acc["power_limitations"] + acc["supply_cuts"],
            "interventions_per_1000": 1000.0 * (acc["power_limitations"] + acc["supply_cuts"]) / n,
            "social_rebate_eur": acc["social_rebate_eur"],
            **eng.money_columns(acc),
            "fte": eng.fte_total(),
            "price_index": eng.cpi,
            "tariff_index": eng.state.tariff_index,
            "governance_inclusion_pct": eng.governance_inclusion_pct(),
        }
        if s.energy_poverty.arrears.enabled:
            poorest = (eng.pop.decile <= ep.lowest_deciles) & (self.arrears > 0)
            row.update(
                {
                    "arrears_eur": float(self.arrears.sum()),
                    "households_in_arrears": int((self.arrears > 0).sum()),
                    "arrears_lowest_deciles_eur": float(self.arrears[poorest].sum()),
                    "arrears_repaid_eur": acc["arrears_repaid_eur"],
                    "written_off_eur": acc["written_off_eur"],
                    "social_fund_eur": acc["social_fund_eur"],
                    "energy_poverty_after_fund_pct": energy_poverty_pct(
                        np.maximum(spend - cheque - self.fund_aid, 0.0),
                        eng.income,
                        eng.pop.decile,
                        ep.threshold_pct,
                        ep.lowest_deciles,
                    ),
                }
            )
        self._decile_rows(eng, year, bills)
        return row

    def _without_major_events(
        self,
        ind: Any,
        daily: np.ndarray,
        day: np.ndarray,
        cust: np.ndarray,
        minutes: np.ndarray,
        n: int,
    ) -> Any:
        """The year's indices without its Major Event Days (IEEE 1366 Annex B, electricity.md §2.1):
        the threshold T_MED is set by the daily SAIDI of the five previous years and applied to this
        one. The opening year, with no history, sets its own threshold from its own days (an
        assumption: a storm in the first year is then told apart too). Fewer than two days with
        cuts to set it from: no major event can be told, the indices are the year's."""
        history = self._daily_saidi[-MED_HISTORY_YEARS:] or [daily]
        try:
            t_med = reliability.major_event_threshold(np.concatenate(history))
        except ValueError:
            return ind
        return reliability.indices_without_major_events(day, cust, minutes, n, t_med, DAYS_PER_YEAR)

    def other_heating_eur(self, eng: Engine, y: int) -> np.ndarray | float:
        """Year ``y``'s spending of each household heated otherwise on its heating energy, € incl.
        taxes (:func:`~sim.electricity.poverty.other_heating_spending_eur`; 0 when
        ``energy_poverty.count_other_heating`` is off). Its need (``other_heating_need_factor`` times
        the heating part of the published electric uses) follows the year's temperatures as
        electric heating does (the year's degree-days over the normal's); its price
        (``energy_poverty.other_heating_price_eur_per_kwh``, first year's euros) follows inflation,
        not the electricity market's shocks (an assumption). Not billed by the service."""
        ep = self.s.energy_poverty
        if not ep.count_other_heating:
            return 0.0
        weather = float(degree_days(self.s.households, self.temperature[y]).sum()) / self.normal_dd
        return other_heating_spending_eur(  # type: ignore[no-any-return]
            self.pop.other_heating_kwh_per_year,
            ep.other_heating_price_eur_per_kwh * eng.cpi,
            ep.other_heating_efficiency,
            weather,
            ep.other_heating_need_factor,
        )

    def _renewal_gap(self, eng: Engine) -> dict[str, float]:
        """The year's renewal against the need that keeps the network's age stable (as water's)."""
        need = self.lines.renewal_need_km()
        gap = need - self.renewed_km[-1]
        cost_km = self.s.network.renewal_cost_eur_per_km * eng.cpi * eng.real_works
        return {"renewal_need_km": need, "renewal_gap_km": gap, "renewal_gap_eur": gap * cost_km}

    def _decile_rows(self, eng: Engine, year: int, bills: np.ndarray) -> None:
        cnt = np.bincount(eng.pop.decile.astype(np.int64), minlength=11)[1:].astype(float)
        burden = bills / eng.income
        above = (burden > self.s.energy_poverty.threshold_pct / 100.0).astype(float)
        means = decile_sums(eng.pop.decile, [eng.income, eng.year_volume, bills, burden, above])
        inc, kwh, bil, bur, above_pct = means / np.maximum(cnt, 1)
        bur, above_pct = bur * 100.0, above_pct * 100.0
        for k in range(10):
            eng.decile_rows.append(
                {
                    "year": year,
                    "decile": k + 1,
                    "households": int(cnt[k]),
                    "mean_income_eur": inc[k],
                    "mean_kwh": kwh[k],
                    "mean_bill_eur": bil[k],
                    "burden_pct": bur[k],
                    "share_above_threshold": above_pct[k],
                }
            )


class _Work:
    """The scratch arrays :func:`sim.core.billing.unpaid_indices` writes into."""

    def __init__(self, n: int):
        self.buf = np.empty(n)
        self.uniforms = np.empty(n)

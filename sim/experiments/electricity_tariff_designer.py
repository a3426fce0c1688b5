"""The tariff designer for electricity: who pays more, who pays less, energy poverty, the budget and
the taxes, at once, for a local offer (a fixed part by kVA and an energy price per kWh, Base or
HP/HC, optionally a local social rebate).

What the operator decides is its own offer (``tariff.pricing: local``). Under the regulated tariff
(the TRVE, ``pricing: regulated``) the price is set nationally (electricity.md §1.4): a different
price there is a "what if", labelled as such (:attr:`ElectricityDesign.what_if`).

**How the town is built.** Once per (scenario, seed), by the engine itself
(:func:`sim.experiments.run.engine_for`, not run): the electricity households of
:mod:`sim.electricity.households` (income decile, size, heating type, dwelling, subscribed kVA, yearly use
apart from heating and electric heating at normal temperatures), the take-up draws of the social
rebate and the incomes. There is one household model, the engine's.

**Use and the price response.** A household's yearly kWh under a tariff is what the service bills
in a first year of normal temperatures (:meth:`sim.electricity.service.ElectricityService.year_start`)::

    kWh = (other + heating) × (p / p_ref) ** elasticity

with ``p`` the marginal price taxes included on 1 January of the first year
(:func:`sim.electricity.tariff.marginal_price_eur_per_kwh`; the rebated price for a household
receiving the social rebate) and ``p_ref`` ``households.reference_price_eur_per_kwh``.
``price_response=False`` keeps the current tariff's kWh.

**Bills.** Every household's yearly bill through :func:`sim.electricity.tariff.bill_households`,
the service's own vectorised billing (fixed part by kVA, energy, CTA on the TURPE fixed part,
excise, VAT), with the taxes in force on ``tax_day`` (the law's periods, electricity.md §6.2).
Revenue is the supplier's price excl. tax after the rebate: the same sum as the engine's
``revenue_eur`` of a first year at normal temperatures (a test says so).

**Energy poverty.** The ONPE indicator (electricity.md §4.1,
:func:`sim.electricity.poverty.energy_poverty_pct`) on the yearly housing energy spending, before
and after the chèque énergie (:func:`sim.electricity.law.cheque_energie_amount_eur`): the
electricity bill plus, for a household heated otherwise, its heating energy in a year of normal
temperatures at the first year's price (:func:`sim.electricity.poverty.other_heating_spending_eur`,
as the engine's first year of normal temperatures; none when
``energy_poverty.count_other_heating`` is off). A tariff changes the bill only.

**Cost to recover.** As for water (:func:`sim.experiments.tariff_designer.cost_baseline`): a
one-year run of the base scenario on the same seed, its yearly costs and the revenue the council
would aim for.

**Adding an offer option.** The offer's structure comes from the schema: the options of
``tariff.option`` and the periods of each (:data:`sim.electricity.tariff.PERIODS`); a new option
(Tempo, an essential-kWh block) that the model bills through :func:`bill_households` is evaluated
here without change, and the page draws its inputs from the same two places.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.electricity import law
from sim.electricity import tariff as et
from sim.electricity.poverty import energy_poverty_pct, other_heating_spending_eur
from sim.experiments.run import engine_for
from sim.experiments.tariff_designer import CHANGE_TOLERANCE_EUR, CostBaseline, cost_baseline
from sim.scenario.electricity import ElectricityScenario, ElectricityTariff
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.model import with_changes

FloatArray = NDArray[np.float64]

#: income bands of the groups table: (key, lowest decile, highest decile); the low band is the
#: ONPE's three lowest deciles (electricity.md §4.1)
INCOME_BANDS: tuple[tuple[str, int, int], ...] = (("low", 1, 3), ("middle", 4, 7), ("high", 8, 10))

DECILE_COLUMNS = (
    "decile",
    "households",
    "mean_income_eur",
    "kwh_now",
    "kwh",
    "bill_now_eur",
    "bill_eur",
    "change_eur",
    "change_pct",
    "pays_more_pct",
    "pays_less_pct",
    "poor_now_pct",
    "poor_pct",
)
GROUP_COLUMNS = (
    "heating",
    "dwelling",
    "kva",
    "band",
    "households",
    "kwh",
    "bill_now_eur",
    "bill_eur",
    "change_eur",
    "change_pct",
)
TAX_LINES = ("cta", "excise", "vat")


def tax_days() -> tuple[date, ...]:
    """Every date on which a household tax of electricity changed (excise, CTA, VAT; §6.2)."""
    days = {d for d, _ in law.EXCISE_EUR_PER_MWH} | {d for d, _ in law.CTA_PCT} | {d for d, _ in law.VAT_PCT}
    return tuple(sorted(days))


def default_tax_day(start_year: int) -> date:
    """The tax period in force for most of the first simulated year: the last change on or before
    1 July of that year (the first period when the year is before them all)."""
    mid = date(start_year, 7, 1)
    before = [d for d in tax_days() if d <= mid]
    return before[-1] if before else tax_days()[0]


@dataclass(frozen=True)
class ElectricityDesign:
    """Everything the designer says about one tariff; amounts per year, bills taxes included.

    ``deciles`` (:data:`DECILE_COLUMNS`): per income decile, mean income, kWh and bill now and
    under the tariff, the change in € and %, the shares paying more and less, and the share of the
    decile spending more than the ONPE threshold of its income now and under the tariff.
    ``groups`` (:data:`GROUP_COLUMNS`): mean bill by heating type, dwelling and subscribed kVA, in the low
    (deciles 1-3), middle (4-7) and high (8-10) income bands. ``taxes_now`` and ``taxes`` are the
    town's CTA, excise and VAT. ``reference`` is the reference household's bill (6 kVA or the
    grid's nearest power, 4,400 kWh), line by line (:func:`sim.electricity.tariff.bill_lines`),
    with ``now`` and ``new`` columns. Shares are in %.
    """

    tariff: ElectricityTariff
    price_response: bool
    tax_day: date
    households: int
    deciles: pd.DataFrame
    groups: pd.DataFrame
    reference: pd.DataFrame
    pays_more_pct: float
    median_rise_eur: float
    pays_less_pct: float
    median_fall_eur: float
    poverty_now_pct: float
    poverty_pct: float
    poverty_after_cheque_now_pct: float
    poverty_after_cheque_pct: float
    threshold_pct: float
    kwh_now: float
    kwh: float
    revenue_now_eur: float
    revenue_eur: float
    rebate_eur: float
    costs_eur: float
    target_revenue_eur: float
    taxes_now: dict[str, float]
    taxes: dict[str, float]
    price_ref_now_eur_per_kwh: float
    price_ref_eur_per_kwh: float
    regulated: bool
    what_if: bool

    @property
    def recovery_pct(self) -> float:
        """Revenue as a share of the revenue to recover, %."""
        return (
            100.0 * self.revenue_eur / self.target_revenue_eur
            if self.target_revenue_eur > 0
            else float("nan")
        )

    @property
    def recovery_now_pct(self) -> float:
        t = self.target_revenue_eur
        return 100.0 * self.revenue_now_eur / t if t > 0 else float("nan")

    @property
    def balance_eur(self) -> float:
        """Revenue minus the revenue to recover (€/yr)."""
        return self.revenue_eur - self.target_revenue_eur


@dataclass(frozen=True)
class ElectricityProposal:
    """A proposed tariff checked against the scenario: the tariff and the scenario with it when
    valid, else the located problems (key paths under ``tariff``)."""

    tariff: ElectricityTariff | None
    scenario: ElectricityScenario | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems and self.scenario is not None


def check_proposal(scenario: ElectricityScenario, data: Mapping[str, Any]) -> ElectricityProposal:
    """Validate a proposed tariff (a mapping of the ``tariff`` block) in ``scenario``.

    Besides the schema (through the one loader's :func:`~sim.scenario.model.with_changes`), two
    rules of billing are checked: every household's subscribed power is in the grid
    (``kva_missing``), and a price entered taxes included holds its taxes (``below_taxes``)."""
    try:
        new = with_changes(scenario, {"tariff": dict(data)})
    except ScenarioError as exc:
        return ElectricityProposal(
            None, None, tuple(Problem("", p.path, p.kind, p.ctx) for p in exc.problems)
        )
    assert isinstance(new, ElectricityScenario)
    tar = new.tariff
    problems = []
    hh = new.households
    grid = set(tar.fixed_eur_per_year_by_kva)
    missing = sorted({hh.kva_other_heating, hh.kva_electric_heating} - grid)
    if missing:
        problems.append(
            Problem(
                "", "tariff.fixed_eur_per_year_by_kva", "kva_missing", {"kva": ", ".join(map(str, missing))}
            )
        )
    try:
        et.prices_excl_tax(tar, new.cost_stack)
    except ValueError:
        problems.append(Problem("", "tariff", "below_taxes", {}))
    if problems:
        return ElectricityProposal(tar, None, tuple(problems))
    return ElectricityProposal(tar, new, ())


def scenario_with_tariff(scenario: ElectricityScenario, tariff: ElectricityTariff) -> ElectricityScenario:
    """``scenario`` with ``tariff`` in place, validated (raises :class:`ScenarioError`)."""
    out = with_changes(scenario, {"tariff": tariff.model_dump(mode="json")})
    assert isinstance(out, ElectricityScenario)
    return out


class ElectricityTariffDesigner:
    """The households of one electricity scenario and seed, built once; :meth:`evaluate` is fast.

    Attributes (households in decile order)
    ----------
    kwh_ref : array, kWh/yr
        Yearly use at normal temperatures before any price response (other + heating).
    kwh_now : array, kWh/yr
        Yearly use under the current tariff (see the module docstring).
    other_heating_eur : array, €/yr
        Spending on a heating energy other than electricity (0 for electric heating), counted in
        energy poverty only.
    """

    def __init__(
        self, scenario: ElectricityScenario, seed: int | None = None, baseline: CostBaseline | None = None
    ):
        self.scenario = s = scenario
        self.seed = s.seed if seed is None else int(seed)
        eng = engine_for(s.model_copy(update={"horizon_years": 1}), self.seed)
        pop = eng.pop
        order = np.argsort(pop.decile, kind="stable")
        self.decile = pop.decile[order].astype(np.int64)
        self.income = np.asarray(eng.income, dtype=np.float64)[order]
        self.persons = pop.persons[order].astype(np.float64)
        self.kva = pop.kva[order].astype(np.float64)  # type: ignore[attr-defined]
        self.electric = pop.electric_heating[order].astype(bool)  # type: ignore[attr-defined]
        self.house = pop.house[order].astype(bool)  # type: ignore[attr-defined]
        self.hphc = pop.hphc[order].astype(bool)  # type: ignore[attr-defined]
        self.kwh_ref = (pop.other_kwh_per_year + pop.heating_kwh_per_year)[order]  # type: ignore[attr-defined]
        self._takeup = eng.takeup_u[order]
        self.n = int(pop.count)
        edges = np.searchsorted(self.decile, np.arange(1, 12))
        self._starts = edges[:10]
        self._slices = [slice(int(edges[k]), int(edges[k + 1])) for k in range(10)]
        self._count = np.diff(edges).astype(np.float64)
        hh = s.households
        self.elasticity = hh.price_elasticity
        self.p0 = hh.reference_price_eur_per_kwh
        self.hc_share = hh.hc_share_of_kwh
        self.start = date(s.town.start_year, 1, 1)
        ep = s.energy_poverty
        self.threshold_pct = ep.threshold_pct
        self.lowest_deciles = ep.lowest_deciles
        self.cheque = np.asarray(law.cheque_energie_amount_eur(self.income, self.persons), dtype=np.float64)
        need = pop.other_heating_kwh_per_year[order]  # type: ignore[attr-defined]
        price, eff = ep.other_heating_price_eur_per_kwh, ep.other_heating_efficiency
        self.other_heating_eur: FloatArray = (
            np.asarray(
                other_heating_spending_eur(need, price, eff, need_factor=ep.other_heating_need_factor),
                dtype=np.float64,
            )
            if ep.count_other_heating
            else np.zeros(self.n)
        )
        self.current = s.tariff
        self.kwh_now = self.use(s.tariff)
        self._now: dict[date, dict[str, Any]] = {}
        self.baseline = baseline if baseline is not None else cost_baseline(s, self.seed)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ helpers
    def eligibility(self, tariff: ElectricityTariff) -> NDArray[np.bool_]:
        """Households receiving the local social rebate (deciles and take-up, as the engine)."""
        soc = tariff.social
        in_deciles = np.isin(self.decile, np.asarray(soc.eligible_deciles, dtype=np.int64))
        return in_deciles & (self._takeup < soc.eligible_share)

    def use(self, tariff: ElectricityTariff) -> FloatArray:
        """Each household's yearly kWh under ``tariff`` in a first year of normal temperatures."""
        taxes = et.billing_taxes(tariff, self.start)
        own = self._own(tariff)
        soc = tariff.social
        if own is None:
            prices = et.prices_excl_tax(tariff, self.scenario.cost_stack)
            p = et.marginal_price_eur_per_kwh(prices, taxes, self.hc_share, 1.0)
            real = max(p, 1e-6)
            factor = np.full(self.n, (real / self.p0) ** self.elasticity)
            if soc.enabled and soc.rebate_pct > 0:
                rebated = max(real * (1 - soc.rebate_pct / 100.0), 1e-6)
                factor[self.eligibility(tariff)] = (rebated / self.p0) ** self.elasticity
        else:  # each household's marginal price is its option's, as in the engine
            reals = np.maximum(
                et.own_option_marginal_price_eur_per_kwh(own, taxes, self.hc_share, 1.0, self.hphc), 1e-6
            )
            if soc.enabled and soc.rebate_pct > 0:
                cut = np.maximum(reals * (1 - soc.rebate_pct / 100.0), 1e-6)
                reals = np.where(self.eligibility(tariff), cut, reals)
            factor = (reals / self.p0) ** self.elasticity
        out: FloatArray = self.kwh_ref * factor
        return out

    def _own(self, tariff: ElectricityTariff) -> et.OwnOptions | None:
        """The prices of households each on their own option under ``tariff``, or None."""
        if not et.own_options_apply(self.scenario.households.own_option, tariff):
            return None
        return et.own_options(tariff, self.scenario.cost_stack, self.kva, self.hphc)

    def bills(self, tariff: ElectricityTariff, kwh: FloatArray, day: date) -> et.HouseholdBills:
        """Every household's yearly bill under ``tariff`` with the taxes of ``day``: the service's
        own :func:`~sim.electricity.tariff.bill_households` (households each on their own option:
        each at its own grid, as in the engine)."""
        own = self._own(tariff)
        return et.bill_households(
            tariff,
            et.prices_excl_tax(tariff, self.scenario.cost_stack) if own is None else own.prices,
            et.billing_taxes(tariff, day),
            self.kva,
            kwh,
            months=12,
            hc_share=self.hc_share,
            eligible=self.eligibility(tariff) if tariff.social.enabled else None,
            fixed_eur_per_year=None if own is None else own.fixed_eur_per_year,
            kwh_by_period=None if own is None else et.own_option_kwh(kwh, self.hphc, self.hc_share),
        )

    def _mean(self, x: NDArray[Any]) -> FloatArray:
        sums = np.add.reduceat(np.asarray(x, dtype=np.float64), self._starts)
        out: FloatArray = sums / np.maximum(self._count, 1.0)
        return out

    def _poor(self, bills: FloatArray) -> NDArray[np.bool_]:
        """Households whose housing energy spending with these bills is above the ONPE threshold."""
        out: NDArray[np.bool_] = bills + self.other_heating_eur > self.threshold_pct / 100.0 * self.income
        return out

    def _poverty(self, bills: FloatArray) -> tuple[float, float]:
        """ONPE rate (%) with these bills, before and after the chèque énergie."""
        spend = bills + self.other_heating_eur
        before = energy_poverty_pct(spend, self.income, self.decile, self.threshold_pct, self.lowest_deciles)
        after = energy_poverty_pct(
            np.maximum(spend - self.cheque, 0.0),
            self.income,
            self.decile,
            self.threshold_pct,
            self.lowest_deciles,
        )
        return before, after

    def _taxes(
        self, tariff: ElectricityTariff, kwh: FloatArray, b: et.HouseholdBills, day: date
    ) -> dict[str, float]:
        t = et.billing_taxes(tariff, day)
        cta = float(
            (
                (tariff.turpe_fixed_eur_per_customer_year + tariff.turpe_fixed_eur_per_kva_year * self.kva)
                * t.cta_pct
                / 100.0
            ).sum()
        )
        return {"cta": cta, "excise": float(b.levies.sum()) - cta, "vat": float(b.vat.sum())}

    def _reference(self, tariff: ElectricityTariff, day: date) -> list[dict[str, object]]:
        kva = et.reference_kva(tariff)
        kwh = et.REFERENCE_KWH
        split = (
            {"base": kwh}
            if tariff.option == "base"
            else {"hp": (1 - self.hc_share) * kwh, "hc": self.hc_share * kwh}
        )
        return et.bill_lines(tariff, kva, split, day=day, stack=self.scenario.cost_stack)

    def now(self, day: date) -> dict[str, Any]:
        """The current tariff's figures with the taxes of ``day`` (kept once computed)."""
        found = self._now.get(day)
        if found is None:
            b = self.bills(self.current, self.kwh_now, day)
            total = b.total.copy()
            poor = self._poor(total)
            found = {
                "bill": total,
                "revenue": float(b.revenue.sum()),
                "taxes": self._taxes(self.current, self.kwh_now, b, day),
                "poverty": self._poverty(total),
                "poor": poor & (self.decile <= self.lowest_deciles),
                "reference": self._reference(self.current, day),
            }
            self._now[day] = found
        return found

    # ------------------------------------------------------------------ the update
    def evaluate(
        self, tariff: ElectricityTariff, *, price_response: bool = True, tax_day: date | None = None
    ) -> ElectricityDesign:
        """Bills, winners and losers, energy poverty, revenue and taxes under ``tariff``."""
        day = default_tax_day(self.start.year) if tax_day is None else tax_day
        now = self.now(day)
        respond = price_response and self.elasticity != 0.0
        kwh = self.use(tariff) if respond else self.kwh_now
        b = self.bills(tariff, kwh, day)
        bills = b.total.copy()
        revenue = float(b.revenue.sum())
        taxes = self._taxes(tariff, kwh, b, day)
        delta = bills - now["bill"]
        more = delta > CHANGE_TOLERANCE_EUR
        less = delta < -CHANGE_TOLERANCE_EUR
        poor = self._poor(bills) & (self.decile <= self.lowest_deciles)
        mean_now = self._mean(now["bill"])
        mean_new = self._mean(bills)
        deciles = pd.DataFrame(
            {
                "decile": np.arange(1, 11),
                "households": self._count.astype(np.int64),
                "mean_income_eur": self._mean(self.income),
                "kwh_now": self._mean(self.kwh_now),
                "kwh": self._mean(kwh),
                "bill_now_eur": mean_now,
                "bill_eur": mean_new,
                "change_eur": mean_new - mean_now,
                "change_pct": 100.0 * (mean_new / np.where(mean_now > 0, mean_now, np.nan) - 1.0),
                "pays_more_pct": 100.0 * self._mean(more),
                "pays_less_pct": 100.0 * self._mean(less),
                "poor_now_pct": 100.0 * self._mean(now["poor"]),
                "poor_pct": 100.0 * self._mean(poor),
            },
            columns=list(DECILE_COLUMNS),
        )
        before, after = self._poverty(bills)
        ref_now = now["reference"]
        ref_new = self._reference(tariff, day)
        reference = pd.DataFrame(
            {
                "key": [str(x["key"]) for x in ref_new],
                "label_fr": [str(x["label_fr"]) for x in ref_new],
                "label_en": [str(x["label_en"]) for x in ref_new],
                "now": [_line_eur(ref_now, str(x["key"])) for x in ref_new],
                "new": [float(x["eur"]) for x in ref_new],  # type: ignore[arg-type]
            }
        )
        b_ = self.baseline
        return ElectricityDesign(
            tariff=tariff,
            price_response=respond,
            tax_day=day,
            households=self.n,
            deciles=deciles,
            groups=self._groups(kwh, now["bill"], bills),
            reference=reference,
            pays_more_pct=100.0 * float(more.mean()),
            median_rise_eur=_median(delta, more),
            pays_less_pct=100.0 * float(less.mean()),
            median_fall_eur=_median(delta, less),
            poverty_now_pct=now["poverty"][0],
            poverty_pct=before,
            poverty_after_cheque_now_pct=now["poverty"][1],
            poverty_after_cheque_pct=after,
            threshold_pct=self.threshold_pct,
            kwh_now=float(self.kwh_now.sum()),
            kwh=float(kwh.sum()),
            revenue_now_eur=now["revenue"],
            revenue_eur=revenue,
            rebate_eur=b.rebate_eur,
            costs_eur=b_.costs_eur,
            target_revenue_eur=b_.target_revenue_eur,
            taxes_now=now["taxes"],
            taxes=taxes,
            price_ref_now_eur_per_kwh=float(ref_now[-1]["eur"]) / et.REFERENCE_KWH,  # type: ignore[arg-type]
            price_ref_eur_per_kwh=float(ref_new[-1]["eur"]) / et.REFERENCE_KWH,  # type: ignore[arg-type]
            regulated=tariff.pricing == "regulated",
            what_if=tariff.pricing == "regulated"
            and _prices_differ(tariff, self.current)
            or et.is_what_if(tariff),
        )

    def _groups(self, kwh: FloatArray, bill_now: FloatArray, bills: FloatArray) -> pd.DataFrame:
        rows = []
        for electric in (False, True):
            for house in (False, True):
                kind = (self.electric == electric) & (self.house == house)
                for kva in sorted(set(self.kva[kind].tolist())):
                    for band, lo, hi in INCOME_BANDS:
                        sel = kind & (self.kva == kva) & (self.decile >= lo) & (self.decile <= hi)
                        n = int(sel.sum())
                        if n == 0:
                            continue
                        now = float(bill_now[sel].mean())
                        new = float(bills[sel].mean())
                        rows.append(
                            {
                                "heating": "electric" if electric else "other",
                                "dwelling": "house" if house else "flat",
                                "kva": int(kva),
                                "band": band,
                                "households": n,
                                "kwh": float(kwh[sel].mean()),
                                "bill_now_eur": now,
                                "bill_eur": new,
                                "change_eur": new - now,
                                "change_pct": 100.0 * (new / now - 1.0) if now > 0 else float("nan"),
                            }
                        )
        return pd.DataFrame(rows, columns=list(GROUP_COLUMNS))


def _line_eur(lines: list[dict[str, object]], key: str) -> float:
    """The amount of line ``key`` (NaN when the current tariff's bill has no such line)."""
    for x in lines:
        if x["key"] == key:
            return float(x["eur"])  # type: ignore[arg-type]
    return float("nan")


def _prices_differ(a: ElectricityTariff, b: ElectricityTariff) -> bool:
    """Whether two tariffs sell at different prices (their price fields differ)."""
    fields = (
        "option",
        "build",
        "prices_include_taxes",
        "prices_date",
        "fixed_eur_per_year_by_kva",
        "energy_eur_per_kwh",
        "fixed_part_factor",
        "energy_part_factor",
    )
    return any(getattr(a, f) != getattr(b, f) for f in fields)


def _median(x: FloatArray, mask: NDArray[np.bool_]) -> float:
    picked = x[mask]
    return float(np.median(picked)) if picked.size else float("nan")


# --------------------------------------------------------------------------------------------
# cached entry points
# --------------------------------------------------------------------------------------------
_CACHE_SIZE = 8
_cache: OrderedDict[tuple[str, int], ElectricityTariffDesigner] = OrderedDict()
_lock = threading.Lock()


def designer_for(scenario: ElectricityScenario, seed: int | None = None) -> ElectricityTariffDesigner:
    """The designer of ``scenario`` on ``seed``, built once and kept (LRU of 8), keyed on the
    scenario's JSON and the seed. Designers are read-only after construction."""
    seed = scenario.seed if seed is None else int(seed)
    key = (scenario.model_dump_json(), seed)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    built = ElectricityTariffDesigner(scenario, seed)
    with _lock:
        _cache[key] = built
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return built

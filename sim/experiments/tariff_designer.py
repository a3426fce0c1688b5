"""The tariff designer: who pays more, who pays less, and does the budget balance — at once.

Given a base :class:`~sim.scenario.model.Scenario` and a proposed :class:`~sim.scenario.model.Tariff`, this
module answers the committee's questions without running the simulation again:

* the mean bill of each income decile, now and under the proposal, and its change in € and %;
* the bills of a few typical households (single person in a flat, couple, family with a garden,
  retired couple in a house, family with a pool);
* who pays more and who pays less than today, and by how much (overall and per decile);
* the share of households above the affordability threshold, sewerage included, as
  :mod:`sim.core.engine` counts it: ``(bill + sewerage bill of the volume) / income > threshold``
  (:func:`sim.water.sewerage.sewerage_bill_eur`: none for households on individual sanitation);
* the service revenue (excl. tax and levies) against the cost to recover;
* the legal standing-charge cap: value, cap, pass or fail (water.md §3.4).

**How the town is built.** Once per (scenario, seed), by the engine itself
(:func:`sim.experiments.run.engine_for`, not run): its households, its social-tariff take-up draws
and each household's reference yearly metered volume, ``(indoor + outdoor) × (1 − meter
under-registration)``. There is one household model, the engine's.

**Volumes and the price response.** A household's yearly volume under a tariff is the one the
engine bills in a first year without restrictions::

    volume = reference × price_response(p, 1, p_ref, price_elasticity, conservation_response)

with :func:`sim.water.demand.price_response`, the engine's function, where ``p`` is the tariff's
marginal price incl. levies and VAT at the reference volume
(:func:`sim.core.tariff.marginal_price_eur_per_m3`, social-tariff eligibility included) and ``p_ref``
is ``households.reference_marginal_price_eur_per_m3``, the price at which the mean consumption was
observed (both floored at 0.05 €/m3). So the proposal's volumes are the current
ones times ``(p_new / p_now) ** elasticity``: the price response to the proposed marginal price
relative to the current one, taken once (one step, not iterated to a fixed point).
``price_response=False`` bills the current volumes unchanged ("before the price response"). With
an elasticity of 0 (and no conservation) the volumes are the reference volumes, on which
:meth:`sim.core.engine.Engine.project_revenue` projects a tariff at the start of a run.

**Cost to recover.** From a one-year run of the base scenario on the same seed, once per town:
the yearly costs the engine expects after that year
(:meth:`sim.core.engine.Engine.yearly_costs_estimate`: staff, energy, treatment, overheads,
self-financed investment, debt service, participation), and the revenue the council would aim
for (:func:`sim.governance.committee.target_revenue`: those costs plus closing the gap to the reserve target
over ``council.cost_recovery_years``, grossed up by the unpaid rate). Both are at first-year
prices, like the bills here. Money that leaves a concession (margin, fees) is not part of either.

**Typical households.** Their volumes come from the town's own consumption: ``v`` is the mean
yearly reference volume per person of the households without a pool (the scenario's
``consumption_l_per_person_day`` less the pools' share, metered: about 51 m3 in the base town).
A household of ``k`` persons uses ``k × v``, plus ``households.pool_m3_per_year`` (metered) with a
pool, and responds to the tariff's price like any household. As in :mod:`sim.core.households`, a
garden moves part of a household's use outdoors (seasonal, restricted first) without adding to
it, so the couple in a flat and the retired couple with a garden use the same volume. Typical
households are billed at the full tariff (not on the social tariff).

Everything is numpy over the households (no simulation, no Python loop over households): an update
takes a few milliseconds for the default town of 20,000 households once the town is built
(``benchmarks/bench_tariff_designer.py``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.core.households import DAYS_PER_YEAR
from sim.core.non_domestic import bill_non_domestic
from sim.core.tariff import (
    bill,
    marginal_price_eur_per_m3,
    price_120m3_eur_per_m3,
    standing_charge_share_pct,
)
from sim.experiments.run import engine_for
from sim.governance.committee import target_revenue
from sim.scenario.caps import cap_pct
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.model import Scenario, Tariff, reference_persons, with_changes
from sim.water.demand import price_response
from sim.water.sewerage import sewerage_bill_eur

FloatArray = NDArray[np.float64]

#: a bill changes when it moves by more than this (half a cent), so rounding is not "paying more"
CHANGE_TOLERANCE_EUR = 0.005
#: floor of the marginal price in the demand response, as in the engine (€/m3)

#: typical households: key -> (persons, house, garden, pool)
TYPICAL_HOUSEHOLDS: dict[str, tuple[int, bool, bool, bool]] = {
    "single_flat": (1, False, False, False),
    "couple_flat": (2, False, False, False),
    "family_garden": (4, True, True, False),
    "retired_garden": (2, True, True, False),
    "family_pool": (4, True, True, True),
}

DECILE_COLUMNS = (
    "decile",
    "households",
    "mean_income_eur",
    "volume_now_m3",
    "volume_m3",
    "bill_now_eur",
    "bill_eur",
    "change_eur",
    "change_pct",
    "pays_more_pct",
    "median_rise_eur",
    "pays_less_pct",
    "median_fall_eur",
    "above_now_pct",
    "above_pct",
)
TYPICAL_COLUMNS = (
    "household",
    "persons",
    "house",
    "garden",
    "pool",
    "volume_now_m3",
    "volume_m3",
    "bill_now_eur",
    "bill_eur",
    "change_eur",
    "change_pct",
)


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CapCheck:
    """The legal standing-charge cap for one tariff (water.md §3.4).

    ``share_pct`` is :func:`sim.core.tariff.standing_charge_share_pct` for the scenario's reference
    household; ``cap_pct`` is 30 (urban) or 40 (rural); ``ok`` when ``share_pct ≤ cap_pct``.
    """

    share_pct: float
    cap_pct: float
    urban: bool
    standing_eur: float  # standing charge, € excl. tax per year
    cost_120m3_eur: float  # standing charge + volume part of a 120 m3 bill, excl. tax and levies

    @property
    def ok(self) -> bool:
        return self.share_pct <= self.cap_pct + 1e-9


@dataclass(frozen=True)
class CostBaseline:
    """What the tariff must recover, from a one-year run of the base scenario (€ per year)."""

    costs_eur: float  # Engine.yearly_costs_estimate() after year 1
    target_revenue_eur: float  # committee.target_revenue(): costs + reserve gap, unpaid grossed up
    year: int  # the simulated year the estimate follows


@dataclass(frozen=True)
class TariffDesign:
    """Everything the designer says about one proposed tariff; amounts per year, bills incl. tax.

    ``deciles`` has one row per income decile (columns :data:`DECILE_COLUMNS`): mean income, mean
    metered volume now and under the proposal, mean bill now and under the proposal, its change
    in € and in % of the mean bill now, the share of households paying more (and less) and the
    median change among them (€; NaN when nobody), and the share above the affordability threshold
    now and under the proposal. ``typical`` has one row per typical household
    (:data:`TYPICAL_COLUMNS`). Shares are in %.
    """

    tariff: Tariff
    price_response: bool
    households: int
    deciles: pd.DataFrame
    typical: pd.DataFrame
    pays_more_pct: float
    median_rise_eur: float  # median change among households paying more (NaN if none)
    median_rise_pct: float
    pays_less_pct: float
    median_fall_eur: float  # median change among households paying less (negative; NaN if none)
    median_fall_pct: float
    above_now_pct: float
    above_pct: float
    threshold_pct: float
    volume_now_m3: float
    volume_m3: float
    revenue_now_eur: float  # excl. tax and levies, current tariff, reference volumes
    revenue_eur: float  # excl. tax and levies, proposed tariff, volumes after the response
    costs_eur: float
    target_revenue_eur: float
    price_120m3_now_eur_per_m3: float
    price_120m3_eur_per_m3: float
    cap: CapCheck

    @property
    def recovery_pct(self) -> float:
        """Revenue as a share of the revenue to recover, %."""
        return _ratio_pct(self.revenue_eur, self.target_revenue_eur)

    @property
    def recovery_now_pct(self) -> float:
        return _ratio_pct(self.revenue_now_eur, self.target_revenue_eur)

    @property
    def balance_eur(self) -> float:
        """Revenue minus the revenue to recover (negative: a deficit)."""
        return self.revenue_eur - self.target_revenue_eur


def _ratio_pct(a: float, b: float) -> float:
    return 100.0 * a / b if b > 0 else float("nan")


# --------------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Proposal:
    """A proposed tariff, checked against the base scenario.

    Attributes
    ----------
    tariff
        The proposed tariff if it is well formed (even above the standing-charge cap), else None.
    scenario
        The base scenario with the proposed tariff, if every check passes, else None.
    problems
        Located problems (:class:`sim.scenario.errors.Problem`; ``path`` starts with ``tariff.``); empty
        when the proposal is valid. Kinds are those of :mod:`sim.scenario.errors` plus
        ``block_bound_order`` (ctx ``block``, ``bound``, ``previous``, ``previous_block``; blocks
        numbered from 1), ``block_bound_missing`` (``block``), ``last_block_bound`` (``block``)
        and ``no_block``.
    cap
        The cap check of ``tariff`` (None when the tariff is not well formed).
    """

    tariff: Tariff | None
    scenario: Scenario | None
    problems: tuple[Problem, ...]
    cap: CapCheck | None

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not self.problems


def cap_check(tariff: Tariff, scenario: Scenario) -> CapCheck:
    """The standing-charge cap of ``tariff`` in the town of ``scenario``."""
    persons = reference_persons(scenario)
    share = standing_charge_share_pct(tariff, persons)
    bd = bill(np.array([120.0]), persons, tariff)
    return CapCheck(
        share_pct=share,
        cap_pct=cap_pct(scenario.town.urban),
        urban=scenario.town.urban,
        standing_eur=float(bd.standing_eur[0]),
        cost_120m3_eur=float(bd.standing_eur[0] + bd.volume_eur[0]),
    )


def _block_problems(blocks: Any) -> list[Problem]:
    """Bounds must rise from block to block; only the last block is open-ended."""
    if not isinstance(blocks, list | tuple):
        return []  # left to the schema's own message
    if not blocks:
        return [Problem("", "tariff.blocks", "no_block", {})]
    out: list[Problem] = []
    prev: float | None = None
    for i, b in enumerate(blocks):
        if not isinstance(b, Mapping):
            return out
        bound = b.get("up_to_m3")
        last = i == len(blocks) - 1
        path = f"tariff.blocks[{i}].up_to_m3"
        if last:
            if bound is not None:
                out.append(Problem("", path, "last_block_bound", {"block": i + 1}))
            break
        if bound is None:
            out.append(Problem("", path, "block_bound_missing", {"block": i + 1}))
            prev = None
            continue
        if not isinstance(bound, int | float):
            continue  # the schema says it is not a number
        if prev is not None and bound <= prev:
            out.append(
                Problem(
                    "",
                    path,
                    "block_bound_order",
                    {"block": i + 1, "bound": bound, "previous": prev, "previous_block": i},
                )
            )
        prev = float(bound)
    return out


def check_proposal(scenario: Scenario, tariff: Tariff | Mapping[str, Any]) -> Proposal:
    """Check a proposed tariff (a Tariff or its mapping) against ``scenario``; never raises.

    The block order is checked first (so its message names both blocks), then the schema
    (bounds of every field), then the standing-charge cap. Nothing is changed: the caller keeps
    its previous results when ``ok`` is false.
    """
    data = tariff.model_dump(mode="json") if isinstance(tariff, Tariff) else dict(tariff)
    problems = _block_problems(data.get("blocks"))
    if problems:
        return Proposal(None, None, tuple(problems), None)
    try:
        well_formed: Tariff | None = Tariff.model_validate(data)
    except ValueError:
        well_formed = None  # the scenario check below says where and why
    cap = cap_check(well_formed, scenario) if well_formed is not None else None
    try:
        new = with_changes(scenario, {"tariff": data})
    except ScenarioError as exc:
        located = tuple(Problem("", p.path, p.kind, p.ctx) for p in exc.problems)
        return Proposal(well_formed, None, located, cap)
    return Proposal(new.tariff, new, (), cap)


# --------------------------------------------------------------------------------------------
# the town, built once
# --------------------------------------------------------------------------------------------
def cost_baseline(scenario: Scenario, seed: int | None = None) -> CostBaseline:
    """Run the base scenario for one year on ``seed`` and read what the tariff must recover."""

    seed = scenario.seed if seed is None else int(seed)
    one_year = scenario.model_copy(update={"horizon_years": 1})
    eng = engine_for(one_year, seed)
    eng.run()
    return CostBaseline(
        costs_eur=float(eng.yearly_costs_estimate()),
        target_revenue_eur=float(target_revenue(eng, scenario.governance.council)),
        year=scenario.town.start_year,
    )


class TariffDesigner:
    """The households of one scenario and seed, built once; :meth:`evaluate` is the fast part.

    Parameters
    ----------
    scenario
        The base scenario; its tariff is "the current tariff" every proposal is compared with.
    seed
        Seed of the random streams (defaults to ``scenario.seed``).
    baseline
        What the tariff must recover; computed by :func:`cost_baseline` when not given.

    Attributes
    ----------
    reference_m3 : array, m3/yr
        Reference yearly metered volume of each household (households in decile order).
    volume_now_m3 : array, m3/yr
        Yearly volume under the current tariff (see the module docstring).
    bill_now : array, €/yr
        Yearly bill incl. tax under the current tariff.
    """

    def __init__(self, scenario: Scenario, seed: int | None = None, baseline: CostBaseline | None = None):
        self.scenario = s = scenario
        self.seed = s.seed if seed is None else int(seed)
        # the engine's own town: the same households, take-up draws and metered volumes
        eng = engine_for(s.model_copy(update={"horizon_years": 1}), self.seed)
        pop = eng.pop
        under = s.network.meter_under_registration_pct / 100.0
        reference = eng.last_year_metered
        # households in decile order, so each decile is one slice
        order = np.argsort(pop.decile, kind="stable")
        self.decile = pop.decile[order].astype(np.int64)
        self.persons = pop.persons[order].astype(np.float64)
        self.income = pop.income_eur_per_year[order].astype(np.float64)
        self.reference_m3 = reference[order]
        self._takeup = eng.takeup_u[order]
        self.n = int(pop.count)
        edges = np.searchsorted(self.decile, np.arange(1, 12))
        self._starts = edges[:10]
        self._slices = [slice(int(edges[k]), int(edges[k + 1])) for k in range(10)]
        self._count = np.diff(edges).astype(np.float64)
        self._elig_cache: dict[tuple[Any, ...], NDArray[np.bool_]] = {}
        hh = s.households
        self.elasticity = hh.price_elasticity
        self._price_ref = hh.reference_marginal_price_eur_per_m3
        self._conservation = hh.conservation_response
        aff = s.affordability
        self.threshold_pct = aff.threshold_pct
        self._sewerage = s.sewerage
        self._sewered = pop.sewered[order]
        self._ref_persons = reference_persons(s)
        # the current tariff
        cur = s.tariff
        elig = self.eligibility(cur)
        self.volume_now_m3 = self._volumes(self.reference_m3, self.persons, cur, elig)
        br = bill(self.volume_now_m3, self.persons, cur, eligible=elig, income_eur_per_year=self.income)
        self.bill_now = br.total_eur.copy()
        # non-domestic meters pay the tariff too, at the engine's first-year volumes (as the engine
        # projects it)
        self._non_domestic = eng.non_domestic
        self._non_domestic_m3 = eng.last_year_non_domestic_m3.copy()
        self.revenue_now = float((br.total_excl_tax_eur - br.levies_eur).sum()) + self._non_domestic_revenue(
            cur
        )
        self.above_now = self._above(self.bill_now, self.volume_now_m3)
        self._deciles_now = {
            "households": self._count,
            "mean_income_eur": self._mean(self.income),
            "volume_now_m3": self._mean(self.volume_now_m3),
            "bill_now_eur": self._mean(self.bill_now),
            "above_now_pct": 100.0 * self._mean(self.above_now),
        }
        self.price_120m3_now = price_120m3_eur_per_m3(cur, self._ref_persons)
        self._typical_setup(pop, under)
        self.baseline = baseline if baseline is not None else cost_baseline(s, self.seed)

    # ------------------------------------------------------------------ helpers
    def eligibility(self, tariff: Tariff) -> NDArray[np.bool_]:
        """Households receiving ``tariff``'s social tariff (deciles and take-up, as the engine)."""
        soc = tariff.social
        key = (soc.eligible_deciles, soc.eligible_share)
        found = self._elig_cache.get(key)
        if found is None:
            in_deciles = np.isin(self.decile, np.asarray(soc.eligible_deciles, dtype=np.int64))
            found = in_deciles & (self._takeup < soc.eligible_share)
            self._elig_cache[key] = found
        return found

    def _non_domestic_revenue(self, tariff: Tariff) -> float:
        """Yearly revenue (excl. tax and levies) of the non-domestic meters under ``tariff``."""
        if self._non_domestic is None or self._non_domestic.empty:
            return 0.0
        return bill_non_domestic(
            self._non_domestic, self._non_domestic_m3, tariff, self._ref_persons, 12, 1.0, 1.0
        ).revenue_eur

    def _mean(self, x: NDArray[Any]) -> FloatArray:
        """Mean of ``x`` in each decile (10 values)."""
        sums = np.add.reduceat(np.asarray(x, dtype=np.float64), self._starts)
        return sums / np.maximum(self._count, 1.0)

    def _above(self, bills: FloatArray, volume: FloatArray) -> NDArray[np.bool_]:
        """Bill plus sewerage above the affordability threshold of income (as the engine)."""
        burden = (bills + sewerage_bill_eur(volume, self._sewered, self._sewerage, 1.0)) / self.income
        return burden > self.threshold_pct / 100.0

    def _volumes(
        self, reference: FloatArray, persons: FloatArray, tariff: Tariff, eligible: NDArray[np.bool_] | None
    ) -> FloatArray:
        """First-year volumes: the reference times :func:`sim.water.demand.price_response`, as the
        engine computes them in a first year."""
        price = marginal_price_eur_per_m3(reference, persons, tariff, eligible=eligible)
        factor = price_response(price, 1.0, self._price_ref, self.elasticity, self._conservation)
        return reference * factor

    def _typical_setup(self, pop: Any, under: float) -> None:
        no_pool = ~pop.pool
        total = (pop.indoor_m3_per_year + pop.outdoor_m3_per_year)[no_pool].sum()
        persons = pop.persons[no_pool].sum()
        per_person = (
            float(total / persons)
            if persons > 0
            else (self.scenario.households.consumption_l_per_person_day * DAYS_PER_YEAR / 1000.0)
        )
        #: reference metered volume per person of a household without a pool, m3/yr
        self.per_person_m3 = per_person * (1.0 - under)
        pool_m3 = self.scenario.households.pool_m3_per_year * (1.0 - under)
        rows = list(TYPICAL_HOUSEHOLDS.items())
        self._typ_keys = [k for k, _ in rows]
        self._typ_persons = np.array([spec[0] for _, spec in rows], dtype=np.float64)
        self._typ_flags = [spec[1:] for _, spec in rows]
        self._typ_reference = np.array(
            [spec[0] * self.per_person_m3 + (pool_m3 if spec[3] else 0.0) for _, spec in rows]
        )
        cur = self.scenario.tariff
        self._typ_volume_now = self._volumes(self._typ_reference, self._typ_persons, cur, None)
        self._typ_bill_now = bill(self._typ_volume_now, self._typ_persons, cur).total_eur.copy()

    # ------------------------------------------------------------------ the update
    def evaluate(self, tariff: Tariff, *, price_response: bool = True) -> TariffDesign:
        """Bills, winners and losers, affordability, revenue and the cap under ``tariff``.

        ``tariff`` must be a valid :class:`Tariff`; it may exceed the standing-charge cap (see
        :attr:`TariffDesign.cap`). Nothing is stored: the same tariff gives the same design.
        """
        elig = self.eligibility(tariff)
        respond = price_response and self.elasticity != 0.0
        volume = (
            self._volumes(self.reference_m3, self.persons, tariff, elig) if respond else self.volume_now_m3
        )
        br = bill(volume, self.persons, tariff, eligible=elig, income_eur_per_year=self.income)
        bills = br.total_eur
        revenue = float((br.total_excl_tax_eur - br.levies_eur).sum()) + self._non_domestic_revenue(tariff)
        delta = bills - self.bill_now
        more = delta > CHANGE_TOLERANCE_EUR
        less = delta < -CHANGE_TOLERANCE_EUR
        rel = delta / np.where(self.bill_now > 0, self.bill_now, np.nan)
        above = self._above(bills, volume)

        mean_bill = self._mean(bills)
        now = self._deciles_now
        bill_now = now["bill_now_eur"]
        rows: dict[str, Any] = {
            "decile": np.arange(1, 11),
            "households": now["households"].astype(np.int64),
            "mean_income_eur": now["mean_income_eur"],
            "volume_now_m3": now["volume_now_m3"],
            "volume_m3": self._mean(volume),
            "bill_now_eur": bill_now,
            "bill_eur": mean_bill,
            "change_eur": mean_bill - bill_now,
            "change_pct": 100.0 * (mean_bill / np.where(bill_now > 0, bill_now, np.nan) - 1.0),
            "pays_more_pct": 100.0 * self._mean(more),
            "median_rise_eur": [_median(delta[sl], more[sl]) for sl in self._slices],
            "pays_less_pct": 100.0 * self._mean(less),
            "median_fall_eur": [_median(delta[sl], less[sl]) for sl in self._slices],
            "above_now_pct": now["above_now_pct"],
            "above_pct": 100.0 * self._mean(above),
        }
        deciles = pd.DataFrame(rows, columns=list(DECILE_COLUMNS))

        b = self.baseline
        return TariffDesign(
            tariff=tariff,
            price_response=respond,
            households=self.n,
            deciles=deciles,
            typical=self._typical(tariff, respond),
            pays_more_pct=100.0 * float(more.mean()),
            median_rise_eur=_median(delta, more),
            median_rise_pct=100.0 * _median(rel, more),
            pays_less_pct=100.0 * float(less.mean()),
            median_fall_eur=_median(delta, less),
            median_fall_pct=100.0 * _median(rel, less),
            above_now_pct=100.0 * float(self.above_now.mean()),
            above_pct=100.0 * float(above.mean()),
            threshold_pct=self.threshold_pct,
            volume_now_m3=float(self.volume_now_m3.sum()),
            volume_m3=float(volume.sum()),
            revenue_now_eur=self.revenue_now,
            revenue_eur=revenue,
            costs_eur=b.costs_eur,
            target_revenue_eur=b.target_revenue_eur,
            price_120m3_now_eur_per_m3=self.price_120m3_now,
            price_120m3_eur_per_m3=price_120m3_eur_per_m3(tariff, self._ref_persons),
            cap=cap_check(tariff, self.scenario),
        )

    def _typical(self, tariff: Tariff, respond: bool) -> pd.DataFrame:
        vol = (
            self._volumes(self._typ_reference, self._typ_persons, tariff, None)
            if respond
            else self._typ_volume_now
        )
        bills = bill(vol, self._typ_persons, tariff).total_eur
        change = bills - self._typ_bill_now
        now = self._typ_bill_now
        return pd.DataFrame(
            {
                "household": self._typ_keys,
                "persons": self._typ_persons.astype(np.int64),
                "house": [f[0] for f in self._typ_flags],
                "garden": [f[1] for f in self._typ_flags],
                "pool": [f[2] for f in self._typ_flags],
                "volume_now_m3": self._typ_volume_now,
                "volume_m3": vol,
                "bill_now_eur": now,
                "bill_eur": bills,
                "change_eur": change,
                "change_pct": 100.0 * change / np.where(now > 0, now, np.nan),
            },
            columns=list(TYPICAL_COLUMNS),
        )


def _median(x: FloatArray, mask: NDArray[np.bool_]) -> float:
    """Median of ``x`` where ``mask`` (NaN when the mask is empty)."""
    picked = x[mask]
    return float(np.median(picked)) if picked.size else float("nan")


# --------------------------------------------------------------------------------------------
# cached entry points
# --------------------------------------------------------------------------------------------
_CACHE_SIZE = 8
_cache: OrderedDict[tuple[str, int], TariffDesigner] = OrderedDict()
_lock = threading.Lock()


def designer_for(scenario: Scenario, seed: int | None = None) -> TariffDesigner:
    """The :class:`TariffDesigner` of ``scenario`` on ``seed``, built once and kept (LRU of 8).

    The key is the scenario's JSON (every value, so any change to the base scenario builds a new
    town) and the seed. Designers are read-only after construction, so sessions may share them.
    """
    seed = scenario.seed if seed is None else int(seed)
    key = (scenario.model_dump_json(), seed)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    built = TariffDesigner(scenario, seed)  # outside the lock: building takes a moment
    with _lock:
        _cache[key] = built
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return built


def clear_cache() -> None:
    """Forget every built town (for benchmarks and tests)."""
    with _lock:
        _cache.clear()


def design(
    scenario: Scenario, tariff: Tariff, seed: int | None = None, *, price_response: bool = True
) -> TariffDesign:
    """Evaluate ``tariff`` in the town of ``scenario`` (see :class:`TariffDesigner`)."""
    return designer_for(scenario, seed).evaluate(tariff, price_response=price_response)


def scenario_with_tariff(scenario: Scenario, tariff: Tariff) -> Scenario:
    """``scenario`` with ``tariff`` in place, validated (raises :class:`ScenarioError`)."""
    return with_changes(scenario, {"tariff": tariff.model_dump(mode="json")})

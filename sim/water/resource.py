"""Water resource: a stock (aquifer or reservoir) with stochastic recharge and restriction levels.

Each year draws its recharge from the ``weather`` stream: a lognormal year-to-year factor, a drought
year with some probability (or forced by a shock), and a climate trend. Recharge falls mostly in
winter. The stock loses a share to natural outflow every month and gives the town what it abstracts;
when the stock cannot supply, the difference is a shortfall. The fill level sets the restriction
level (vigilance, alerte, alerte renforcée, crise), each with its usage rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from sim.scenario.model import RESTRICTION_LEVELS, Resource, Shock

#: share of the year's recharge in each month (Jan..Dec); assumption: winter recharge of aquifers
RECHARGE_MONTH_SHARE = np.array([0.16, 0.15, 0.13, 0.09, 0.05, 0.02, 0.01, 0.01, 0.02, 0.07, 0.13, 0.16])


@dataclass
class YearWeather:
    """What the weather stream decided for one year."""

    recharge_m3: float
    drought: bool
    dryness: float  # 0 in an average year, up to 1 in a dry year (drives outdoor demand)


class WeatherPath:
    """Yearly weather for the whole horizon, drawn up front: 2 numbers per year, whatever the run."""

    def __init__(
        self, spec: Resource, years: int, start_year: int, shocks: tuple[Shock, ...], rng: np.random.Generator
    ):
        u = rng.random((years, 2))
        cv = spec.recharge_cv
        sigma = float(np.sqrt(np.log1p(cv**2)))
        # the standard normal quantile: scipy.stats.norm.ppf is ndtri(q) × 1 + 0 (+ 0.0: the same
        # zero), and scipy.stats costs half a second to import in every worker of an ensemble
        z = ndtri(np.clip(u[:, 1], 1e-12, 1 - 1e-12)) + 0.0
        factor = np.exp(sigma * z - 0.5 * sigma**2)
        drought = u[:, 0] < spec.drought_probability
        forced = {s.year: s.factor for s in shocks if s.kind == "drought"}
        self.years: list[YearWeather] = []
        for k in range(years):
            trend = (1.0 + spec.climate_trend_pct_per_decade / 100.0) ** (k / 10.0)
            f = factor[k] * (spec.drought_recharge_factor if drought[k] else 1.0)
            is_drought = bool(drought[k])
            if start_year + k in forced:
                f, is_drought = forced[start_year + k], True
            recharge = spec.mean_recharge_m3_per_year * trend * f
            dryness = float(np.clip(1.0 - f, 0.0, 1.0))
            self.years.append(YearWeather(recharge, is_drought, dryness))


class Stock:
    """The resource stock, updated monthly."""

    def __init__(self, spec: Resource):
        self.spec = spec
        self.capacity = spec.capacity_m3
        self.level_m3 = spec.initial_fill * spec.capacity_m3
        self.thresholds = spec.thresholds

    def restriction_level(self) -> int:
        """0 none, 1 vigilance, 2 alerte, 3 alerte renforcée, 4 crise, from the fill level."""
        fill = self.level_m3 / self.capacity
        level = 0
        for i, th in enumerate(self.thresholds):
            if fill < th:
                level = i + 1
        return level

    def available_m3(self, recharge_m3: float) -> float:
        """What the town could abstract this month: stock after outflow, plus recharge."""
        left = self.level_m3 * (1.0 - self.spec.outflow_per_month) + recharge_m3
        return 0.0 if 0.0 > left else left  # max(left, 0.0) without the call: the same float

    def step(self, recharge_m3: float, abstraction_m3: float) -> float:
        """One month: outflow, recharge, abstraction; overflow above capacity spills. Returns spill.

        The caller never abstracts more than :meth:`available_m3`, so the stock stays ≥ 0.
        """
        level = self.available_m3(recharge_m3) - abstraction_m3
        # max(level - capacity, 0.0) and min(max(level, 0.0), capacity) as comparisons: max(a, b)
        # is ``b if b > a else a`` and min(a, b) ``b if b < a else a``, the same float for any
        cap = self.capacity
        spill = level - cap
        spill = 0.0 if 0.0 > spill else spill
        kept = 0.0 if 0.0 > level else level
        self.level_m3 = cap if cap < kept else kept
        return spill


LEVEL_NAMES = RESTRICTION_LEVELS

"""Synthetic households, as flat numpy arrays (never one object or process per household).

Each household has an income decile and an income, a size, a dwelling (flat, house, garden, pool)
and a reference yearly consumption split into an indoor and an outdoor part. Monthly shares of use
(indoor flat over the year, outdoor concentrated in summer) are given here too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario.model import Households

DAYS_PER_YEAR = 365.0

#: share of the year's outdoor use falling in each month (Jan..Dec); assumption: watering season
#: May-September, as restrictions in French drought orders target (water.md §6)
OUTDOOR_MONTH_SHARE = np.array([0.01, 0.01, 0.03, 0.06, 0.11, 0.16, 0.20, 0.19, 0.12, 0.06, 0.03, 0.02])
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
#: share of the year's indoor use falling in each month: proportional to its days
INDOOR_MONTH_SHARE = _DAYS_IN_MONTH / _DAYS_IN_MONTH.sum()


@dataclass
class Population:
    """Household arrays; index i is the same household in every array.

    Attributes
    ----------
    decile : int8, 1 (poorest) to 10
    income_eur_per_year : float, disposable income in the first simulated year
    persons : int8, 1 to 5
    house, garden, pool : bool
    indoor_m3_per_year, outdoor_m3_per_year : float, reference consumption at the reference price
    essential_m3_per_year : float, volume protected from restrictions
    """

    decile: np.ndarray
    income_eur_per_year: np.ndarray
    persons: np.ndarray
    house: np.ndarray
    garden: np.ndarray
    pool: np.ndarray
    indoor_m3_per_year: np.ndarray
    outdoor_m3_per_year: np.ndarray
    essential_m3_per_year: np.ndarray

    @property
    def count(self) -> int:
        return int(self.decile.size)

    @property
    def population(self) -> int:
        return int(self.persons.sum())


def build_population(spec: Households, rng: np.random.Generator) -> Population:
    """Draw ``spec.count`` households from the ``population`` stream.

    Deciles are assigned in equal tenths (as income deciles are by definition); the other
    attributes are drawn. Consumption is rescaled so that its mean per person per day equals
    ``spec.consumption_l_per_person_day`` exactly.
    """
    n = spec.count
    decile = (np.arange(n) * 10 // n + 1).astype(np.int8)
    sigma = spec.income_spread
    means = np.asarray(spec.decile_mean_income_eur)
    income = means[decile - 1] * rng.lognormal(-0.5 * sigma**2, sigma, n) if sigma > 0 else means[decile - 1]
    persons = (rng.choice(5, size=n, p=np.asarray(spec.size_shares)) + 1).astype(np.int8)
    u = rng.random((n, 3))
    house = u[:, 0] < spec.house_share
    garden = house & (u[:, 1] < spec.garden_share_of_houses)
    pool = house & (u[:, 2] < spec.pool_share_of_houses)
    s = spec.consumption_spread
    per_person = rng.lognormal(-0.5 * s**2, s, n) if s > 0 else np.ones(n)
    base = persons * per_person  # relative volume, rescaled below
    outdoor = np.where(garden, spec.outdoor_share_garden * base, 0.0)
    indoor = base - outdoor
    target_total = spec.consumption_l_per_person_day * persons.sum() * DAYS_PER_YEAR / 1000.0
    pool_total = spec.pool_m3_per_year * pool.sum()
    scale = max(target_total - pool_total, 0.0) / base.sum()
    indoor *= scale
    outdoor = outdoor * scale + np.where(pool, spec.pool_m3_per_year, 0.0)
    essential = spec.essential_l_per_person_day * persons * DAYS_PER_YEAR / 1000.0
    return Population(decile, income, persons, house, garden, pool, indoor, outdoor, essential)

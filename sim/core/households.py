"""Synthetic households, as flat numpy arrays (never one object or process per household).

Each household has an income decile and an income, a size, a dwelling (flat, house, garden, pool)
and a reference yearly consumption split into an indoor and an outdoor part. Monthly shares of use
(indoor flat over the year, outdoor concentrated in summer) are given here too.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from sim.scenario.model import HouseholdBase, Households

DAYS_PER_YEAR = 365.0

#: share of the year's outdoor use falling in each month (Jan..Dec); assumption: watering season
#: May-September, as restrictions in French drought orders target (water.md §6)
OUTDOOR_MONTH_SHARE = np.array([0.01, 0.01, 0.03, 0.06, 0.11, 0.16, 0.20, 0.19, 0.12, 0.06, 0.03, 0.02])
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
#: share of the year's indoor use falling in each month: proportional to its days
INDOOR_MONTH_SHARE = _DAYS_IN_MONTH / _DAYS_IN_MONTH.sum()


@dataclass
class BasePopulation:
    """What every service knows of its households; index i is the same household in every array.

    Attributes
    ----------
    decile : int8, 1 (poorest) to 10
    income_eur_per_year : float, disposable income in the first simulated year (when built
        with ``start_year``; else in ``income_reference_year``)
    persons : int8, 1 to 5
    """

    decile: np.ndarray
    income_eur_per_year: np.ndarray
    persons: np.ndarray

    @property
    def count(self) -> int:
        return int(self.decile.size)

    @property
    def population(self) -> int:
        return int(self.persons.sum())


@dataclass
class Population(BasePopulation):
    """A water service's households: :class:`BasePopulation` and their dwellings and use.

    Attributes
    ----------
    house, garden, pool : bool
    indoor_m3_per_year, outdoor_m3_per_year : float, reference consumption at the reference price
    essential_m3_per_year : float, volume protected from restrictions
    sewered : bool, connected to mains sewerage (False: individual sanitation, ANC)
    """

    house: np.ndarray
    garden: np.ndarray
    pool: np.ndarray
    indoor_m3_per_year: np.ndarray
    outdoor_m3_per_year: np.ndarray
    essential_m3_per_year: np.ndarray
    sewered: np.ndarray


def decile_sums(decile: np.ndarray, arrays: list[np.ndarray]) -> np.ndarray:
    """Sum of each array over each decile's households: row j is
    ``np.bincount(decile, weights=arrays[j], minlength=11)[1:]``, to the last bit.

    ``bincount`` adds a bin's weights one after the other, in household order. When the deciles
    come in equal tenths in order (as :func:`build_population` assigns them), each decile is one
    contiguous slice, so the same sums are the column sums of a table with one column per array
    and decile, one row per rank in the decile: numpy adds the rows of an axis-0 sum one after
    the other too, for every column at once, about three times faster for a year's seven arrays.
    Other layouts fall back on ``bincount``.
    """
    n = decile.size
    k = len(arrays)
    if n and n % 10 == 0 and k and _equal_tenths(decile):
        rank = n // 10
        tenths = [np.asarray(a, dtype=np.float64).reshape(10, rank) for a in arrays]
        # the table by chunks of ranks that stay in cache, the sums so far as the chunk's first row
        chunk = min(_CHUNK_RANKS, rank)
        table = np.empty((chunk + 1, 10 * k))
        sums: np.ndarray | None = None
        for lo in range(0, rank, chunk):
            hi = min(lo + chunk, rank)
            first = 0 if sums is None else 1
            for j, a in enumerate(tenths):
                table[first : first + hi - lo, 10 * j : 10 * (j + 1)] = a[:, lo:hi].T
            if sums is not None:
                table[0] = sums
            sums = np.add.reduce(table[: first + hi - lo], axis=0)
        assert sums is not None
        # + 0.0: bincount starts each bin at +0.0, so a bin of -0.0 sums to +0.0 there too
        return (sums + 0.0).reshape(k, 10)
    d = decile.astype(np.intp)
    return np.array([np.bincount(d, weights=a, minlength=11)[1:] for a in arrays]).reshape(k, 10)


#: ranks in a decile summed at once by :func:`decile_sums` (a table of a few hundred kB: in cache)
_CHUNK_RANKS = 512


def _equal_tenths(decile: np.ndarray) -> bool:
    """Whether ``decile`` is 1 for the first tenth of the households, 2 for the next, … 10."""
    return bool(np.array_equal(decile, _tenths(decile.size)))


@functools.lru_cache(maxsize=8)
def _tenths(n: int) -> np.ndarray:
    """The deciles of ``n`` households in equal tenths, as :func:`build_population` assigns them."""
    out = (np.arange(n) * 10 // n + 1).astype(np.int8)
    out.flags.writeable = False
    return out


def income_index(spec: HouseholdBase, year: int) -> float:
    """Factor bringing incomes of ``spec.income_reference_year`` to ``year`` (nominal growth)."""
    return float((1.0 + spec.income_growth_pct_per_year / 100.0) ** (year - spec.income_reference_year))


def decile_size_probabilities(shares: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Each decile's distribution of sizes 1..K: the town's ``shares`` tilted towards the decile's mean.

    Row d is ``shares × exp(θ_d k) / Σ``, with θ_d solved (bisection, all deciles at once) so that the
    row's mean size is ``factors[d] × mean(shares)`` (clipped to the sizes that have a share). A factor
    of 1 gives θ = 0: the town's shares themselves.
    """
    sizes = np.arange(1, shares.size + 1, dtype=float)
    mean = float(sizes @ shares)
    present = sizes[shares > 0]
    target = np.clip(factors * mean, present.min() + 1e-9, present.max() - 1e-9)
    lo, hi = np.full(factors.size, -50.0), np.full(factors.size, 50.0)
    for _ in range(100):  # the tilted mean rises with θ
        mid = 0.5 * (lo + hi)
        w = shares * np.exp(np.outer(mid, sizes - mean))
        m = (w @ sizes) / w.sum(axis=1)
        below = m < target
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    theta = np.where(factors == 1.0, 0.0, 0.5 * (lo + hi))
    w = shares * np.exp(np.outer(theta, sizes - mean))
    out: np.ndarray = w / w.sum(axis=1, keepdims=True)
    return out


@functools.lru_cache(maxsize=16)
def _size_cdf(shares: tuple[float, ...], factors: tuple[float, ...]) -> np.ndarray:
    """Each decile's cumulative size distribution (:func:`decile_size_probabilities`, then
    running sums over the sizes, normalised to end at 1): the same for every run of a town (its
    bisection, a hundred passes, cost about as much as drawing 20,000 households), so kept."""
    probs = decile_size_probabilities(np.asarray(shares, dtype=float), np.asarray(factors, dtype=float))
    cdf = np.cumsum(probs, axis=1)
    cdf /= cdf[:, -1:]
    cdf.flags.writeable = False
    return cdf


def draw_households(
    spec: HouseholdBase, rng: np.random.Generator, start_year: int | None = None
) -> BasePopulation:
    """Deciles, incomes and sizes of ``spec.count`` households, drawn from the ``population`` stream.

    Deciles are assigned in equal tenths (as income deciles are by definition); incomes are the
    decile means of ``spec.income_reference_year`` brought to ``start_year`` by
    ``spec.income_growth_pct_per_year`` (households.md gives 2018 incomes), spread within the
    decile; sizes follow each decile's distribution (:func:`decile_size_probabilities`: poorer
    households are smaller, households.md). A service draws its own attributes after these.
    """
    n = spec.count
    decile = (np.arange(n) * 10 // n + 1).astype(np.int8)
    sigma = spec.income_spread
    means = np.asarray(spec.decile_mean_income_eur)
    if start_year is not None:
        means = means * income_index(spec, start_year)
    income = means[decile - 1] * rng.lognormal(-0.5 * sigma**2, sigma, n) if sigma > 0 else means[decile - 1]
    # inverse CDF on one uniform per household, as Generator.choice draws (same draws when all the
    # factors are 1)
    cdf = _size_cdf(
        tuple(float(x) for x in spec.size_shares), tuple(float(x) for x in spec.size_decile_factor)
    )
    u_size = rng.random(n)
    return BasePopulation(decile, income, sizes_drawn(u_size, cdf, decile, in_tenths=True))


def sizes_drawn(u: np.ndarray, cdf: np.ndarray, decile: np.ndarray, in_tenths: bool = False) -> np.ndarray:
    """Each household's size: 1 + how many of its decile's cumulative shares (``cdf``, a row per
    decile) are at or below its uniform, as ``int8``.

    When the deciles come in equal tenths, in order (``in_tenths``: :func:`draw_households` makes
    them so), and each row of ``cdf`` is non-decreasing (running sums of shares), each tenth is one
    ``searchsorted`` on its row (the count of values at or below ``u``): the same numbers as
    comparing every household with every share (``tests/test_fast_paths.py``), without the table
    of comparisons (~0.9 -> ~0.2 ms for 20,000 households).
    """
    n = u.shape[0]
    if not (in_tenths and cdf.shape[0] == 10 and bool((np.diff(cdf, axis=1) >= 0).all())):
        table: np.ndarray = (np.sum(u[:, None] >= cdf[decile - 1], axis=1) + 1).astype(np.int8)
        return table
    persons = np.empty(n, dtype=np.int8)
    for k in range(10):
        lo, hi = -(-(k * n) // 10), -(-((k + 1) * n) // 10)  # the tenth arange(n) * 10 // n == k
        persons[lo:hi] = np.searchsorted(cdf[k], u[lo:hi], side="right") + 1
    return persons


def build_population(
    spec: Households,
    rng: np.random.Generator,
    start_year: int | None = None,
    individual_sanitation_share: float = 0.0,
) -> Population:
    """Draw ``spec.count`` households from the ``population`` stream.

    Deciles, incomes and sizes come from :func:`draw_households`; each person's use is scaled by the decile's
    ``consumption_decile_factor`` before consumption is rescaled so that its mean per person per day
    equals ``spec.consumption_l_per_person_day`` exactly. A share ``individual_sanitation_share`` of
    all households, taken among houses only (flats are sewered), is on individual sanitation: it
    reuses the house draw (a house whose draw is below the share), so it adds no draw.
    """
    drawn = draw_households(spec, rng, start_year)
    n, decile, income, persons = drawn.count, drawn.decile, drawn.income_eur_per_year, drawn.persons
    u = rng.random((n, 3))
    house = u[:, 0] < spec.house_share
    garden = house & (u[:, 1] < spec.garden_share_of_houses)
    pool = house & (u[:, 2] < spec.pool_share_of_houses)
    sewered = ~(house & (u[:, 0] < individual_sanitation_share))
    s = spec.consumption_spread
    per_person = rng.lognormal(-0.5 * s**2, s, n) if s > 0 else np.ones(n)
    per_person *= np.asarray(spec.consumption_decile_factor, dtype=float)[decile - 1]
    base = persons * per_person  # relative volume, rescaled below
    outdoor = np.where(garden, spec.outdoor_share_garden * base, 0.0)
    indoor = base - outdoor
    target_total = spec.consumption_l_per_person_day * persons.sum() * DAYS_PER_YEAR / 1000.0
    pool_total = spec.pool_m3_per_year * pool.sum()
    scale = max(target_total - pool_total, 0.0) / base.sum()
    indoor *= scale
    outdoor = outdoor * scale + np.where(pool, spec.pool_m3_per_year, 0.0)
    essential = spec.essential_l_per_person_day * persons * DAYS_PER_YEAR / 1000.0
    return Population(decile, income, persons, house, garden, pool, indoor, outdoor, essential, sewered)

"""Assets in cohorts: age-dependent failure hazards, incidents drawn on common random numbers, renewal.

A network (water mains, electricity feeders) is a set of cohorts (material × install year × length)
each with a failure rate per km and year that grows with age (Shamir–Howard exponential or Weibull
power law, per material). Each month the number of incidents is a Poisson draw on the total rate;
each incident is then a SimPy process of the service that owns the network.

Each cohort also carries its gross value per km (M49-style accounts, :mod:`sim.core.accounts`):
the cohorts of the scenario are valued at the renewal cost of the first year, a renewed cohort at
what its renewal cost; each is depreciated straight-line over its material's ``life_years``, and
the net book value of mains taken out by a renewal is written off.

Random numbers come from the ``breaks`` stream in a layout that couples runs: month m always uses
the same seed, and incident i of month m always uses row i of the month's uniforms, so two regimes on
one seed see the same failures wherever their networks are alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from sim.scenario.model import Network

HOURS_PER_DAY = 24.0


@dataclass
class Cohorts:
    """Mains cohorts as parallel arrays (one entry per cohort)."""

    material: np.ndarray  # int index into materials
    install_year: np.ndarray  # float
    length_km: np.ndarray  # float
    names: list[str]
    model_weibull: np.ndarray  # bool per material
    n0: np.ndarray  # per material
    growth: np.ndarray
    shape: np.ndarray
    scale: np.ndarray
    life: np.ndarray  # service life (years) per material: the depreciation period
    value_eur_per_km: np.ndarray  # gross value per km of each cohort (€ of the year it was valued)
    base_cost_eur_per_km: float = 0.0  # value of a renewed km when its cost is not given
    written_off_eur: float = 0.0  # net book value of mains taken out by the last renewal

    @classmethod
    def from_spec(cls, spec: Network) -> Cohorts:
        names = list(spec.materials)
        idx = {n: i for i, n in enumerate(names)}
        mats = [spec.materials[n] for n in names]
        return cls(
            material=np.array([idx[c.material] for c in spec.cohorts], dtype=np.int64),
            install_year=np.array([c.install_year for c in spec.cohorts], dtype=float),
            length_km=np.array([c.length_km for c in spec.cohorts], dtype=float),
            names=names,
            model_weibull=np.array([m.hazard_model == "weibull" for m in mats]),
            n0=np.array([m.breaks_per_km_year_new for m in mats]),
            growth=np.array([m.growth_per_year for m in mats]),
            shape=np.array([m.weibull_shape for m in mats]),
            scale=np.array([m.weibull_scale_years for m in mats]),
            life=np.array([m.life_years for m in mats], dtype=float),
            value_eur_per_km=np.full(len(spec.cohorts), float(spec.renewal_cost_eur_per_km)),
            base_cost_eur_per_km=float(spec.renewal_cost_eur_per_km),
        )

    @property
    def total_km(self) -> float:
        return float(np.add.reduce(self.length_km))  # = .sum(): asked every month, a few cohorts

    def ages(self, year: float | np.ndarray) -> np.ndarray:
        return np.maximum(year - self.install_year, 0.0)

    def mean_age(self, year: float) -> float:
        # np.average(ages, weights=length_km) without its checks' wrappers: the same two
        # pairwise sums and one division (tests/test_fast_paths.py)
        w = self.length_km
        total = np.add.reduce(w)
        if total == 0.0:
            raise ZeroDivisionError("Weights sum to zero, can't be normalized")
        return float(np.add.reduce(self.ages(year) * w) / total)

    def rate_per_km(self, year: float | np.ndarray) -> np.ndarray:
        """Breaks per km per year of each cohort at ``year``.

        Shamir–Howard: N0·exp(A·age). Weibull: N0·(age/scale)^(shape-1), N0 being the rate at
        age = scale (ages below half a year are taken as half a year).
        """
        weibull, n0, growth, scale, exponent, any_weibull, all_weibull = self._by_cohort()
        age = self.ages(year)
        # each model only where a cohort uses it (np.where would pick the same values)
        if not any_weibull:
            rate: np.ndarray = n0 * np.exp(growth * age)
            return rate
        wb: np.ndarray = n0 * (np.maximum(age, 0.5) / scale) ** exponent
        if all_weibull:
            return wb
        sh = n0 * np.exp(growth * age)
        rate = np.where(weibull, wb, sh)
        return rate

    def _by_cohort(self) -> tuple[Any, ...]:
        """Each cohort's material parameters (Weibull?, N0, growth, scale, shape - 1) and whether
        any and all cohorts are Weibull, gathered once per ``material`` array: the cohorts change
        only at renewal, hazards every month."""
        m = self.material
        key = (m, self.model_weibull, self.n0, self.growth, self.scale, self.shape)
        hit = self.__dict__.get("_gathered")
        if hit is None or any(a is not b for a, b in zip(hit[0], key, strict=True)):
            weibull = self.model_weibull[m]
            params = (weibull, self.n0[m], self.growth[m], self.scale[m], self.shape[m] - 1.0)
            hit = self.__dict__["_gathered"] = (key, (*params, bool(weibull.any()), bool(weibull.all())))
        return hit[1]

    def breaks_per_year(self, year: float) -> float:
        return float((self.rate_per_km(year) * self.length_km).sum())

    def renew(self, km: float, year: float, material: int, cost_eur_per_km: float | None = None) -> float:
        """Replace ``km`` of the cohorts with the highest break rate per km; returns km renewed.

        The new cohort is valued at ``cost_eur_per_km`` (default: the scenario's renewal cost); the
        net book value of the km taken out is :attr:`written_off_eur`.
        """
        self.written_off_eur = 0.0
        km = min(max(km, 0.0), self.total_km)
        if km <= 0:
            return 0.0
        order = np.argsort(-self.rate_per_km(year), kind="stable")
        book = self.book_share(year) * self.value_eur_per_km
        left = km
        for i in order:
            take = min(self.length_km[i], left)
            self.length_km[i] -= take
            self.written_off_eur += take * float(book[i])
            left -= take
            if left <= 1e-12:
                break
        keep = self.length_km > 1e-12
        self.material, self.install_year, self.length_km, self.value_eur_per_km = (
            self.material[keep],
            self.install_year[keep],
            self.length_km[keep],
            self.value_eur_per_km[keep],
        )
        self.material = np.append(self.material, material)
        self.install_year = np.append(self.install_year, float(year))
        self.length_km = np.append(self.length_km, km)
        value = self.base_cost_eur_per_km if cost_eur_per_km is None else cost_eur_per_km
        self.value_eur_per_km = np.append(self.value_eur_per_km, float(value))
        return km

    # ------------------------------------------------------------------ accounts (M49-style)
    def book_share(self, at: float) -> np.ndarray:
        """Share of each cohort's gross value not yet depreciated at time ``at`` (in years)."""
        life = self.life[self.material]
        used = np.clip(at - self.install_year, 0.0, life) / life
        share: np.ndarray = 1.0 - used
        return share

    def book_value_eur(self, at: float) -> float:
        """Net book value of the mains at time ``at`` (straight-line over each material's life)."""
        return float((self.length_km * self.value_eur_per_km * self.book_share(at)).sum())

    def depreciation_eur(self, year: int) -> float:
        """Straight-line depreciation of the mains in calendar year ``year`` (1 January to 31
        December): each cohort's gross value over its life, until it is fully depreciated."""
        return self.book_value_eur(float(year)) - self.book_value_eur(float(year + 1))

    def renewal_need_km(self) -> float:
        """Renewal that keeps the network's age stable: each cohort's length over its material's
        service life (total km / mean service life, weighted by length)."""
        return float((self.length_km / self.life[self.material]).sum())


@dataclass
class BreakRecord:
    """One break, from start to repair (hours on the simulation clock)."""

    start_h: float
    cohort_material: str
    visible: bool
    flow_m3_per_h: float
    detection_h: float
    wait_h: float = 0.0
    repair_h: float = 0.0
    end_h: float = float("nan")
    customers: int = 0


class BreakSampler:
    """Draws each month's breaks from the ``breaks`` stream in a coupled layout (see module doc)."""

    N_UNIFORMS = 5  # cohort, time in month, visible, detection, repair; flow from the same row

    def __init__(self, rng: np.random.Generator, months: int):
        # one row of two uniforms per month, drawn in month order: month m's draws are the same
        # whatever the horizon (the first N years of a run do not depend on its length)
        draws = rng.random((months, 2))
        self.month_seeds = (draws[:, 0] * 2.0**62).astype(np.int64)
        self.count_u = draws[:, 1]
        # each month's generator is ``np.random.default_rng(month_seed)``; seeding one costs ~13 µs,
        # so the seeds' PCG64 words are hashed for all months at once and a month's generator is
        # one reused PCG64 set to that state (the same doubles: tests/test_fast_paths.py)
        self._words: list[list[int]] | None = None
        self._bitgen = np.random.PCG64(0)
        self._gen = np.random.Generator(self._bitgen)
        # months drawn ahead by :meth:`prepare`: month -> (its inputs, its breaks' values)
        self._ahead: dict[int, tuple[tuple[Any, ...], tuple[Any, ...]]] = {}

    def month_generator(self, month: int) -> np.random.Generator:
        """The generator of ``month``'s breaks: ``np.random.default_rng(self.month_seeds[month])``,
        as a reused generator set to that seed's state (valid until the next month's is asked)."""
        if self._words is None:
            self._words = [w.tolist() for w in seed_sequence_words(self.month_seeds)]
        w = self._words
        self._bitgen.state = pcg64_state(  # type: ignore[assignment]  # numpy types it as a private TypedDict
            w[0][month], w[1][month], w[2][month], w[3][month]
        )
        return self._gen

    @staticmethod
    def _key(cohorts: Cohorts, spec: Network, *values: Any) -> tuple[Any, ...]:
        """What a month's draws depend on besides its month: the cohorts' arrays (new ones at each
        renewal), the network's parameters and the month's own numbers."""
        return (cohorts.material, cohorts.install_year, cohorts.length_km, spec, *values)

    def prepare(
        self,
        months: list[int],
        years: list[float],
        cohorts: Cohorts,
        spec: Network,
        hours: list[float],
        starts: list[float],
        customers_per_km: float,
    ) -> None:
        """Draw the breaks of several months at once (a year's: its cohorts do not change within it),
        for :meth:`sample` to hand out month by month when it is asked with the same inputs.

        The same numbers as month by month: each month's hazards are a row of the same elementwise
        operations, its sums and running sums along the row (numpy's same reductions), its draws
        from its own generator; a break's cohort is the number of running shares at or below its
        uniform (``searchsorted(side="right")`` on non-decreasing shares); the delays and flows the
        same elementwise operations on all months' draws together (``tests/test_fast_paths.py``).
        """
        self._ahead.clear()
        yrs = np.array(years, dtype=np.float64)[:, None]
        by_cohort = cohorts.rate_per_km(yrs) * cohorts.length_km
        totals = np.add.reduce(by_cohort, axis=1)
        lams = totals * np.array(hours, dtype=np.float64) / (365.0 * HOURS_PER_DAY)
        counts = [poisson_inverse(float(self.count_u[m]), lams[i]) for i, m in enumerate(months)]
        drawn = [i for i, k in enumerate(counts) if k > 0]
        cust = int(round(customers_per_km * spec.isolated_section_km))
        empty: tuple[Any, ...] = ([], [], [], [], [], [])
        values = dict.fromkeys(range(len(months)), empty)
        if drawn:
            u = np.concatenate([self.month_generator(months[i]).random((counts[i], 6)) for i in drawn])
            row = np.repeat(np.array(drawn), [counts[i] for i in drawn])
            cum = np.cumsum(by_cohort, axis=1) / totals[:, None]
            which = np.minimum((cum[row] <= u[:, :1]).sum(axis=1), cum.shape[1] - 1)
            visible, det, flow, rep = self._delays(u, spec)
            when, mats = u[:, 1].tolist(), cohorts.material[which].tolist()
            seen, flows, dets, reps = visible.tolist(), flow.tolist(), det.tolist(), rep.tolist()
            lo = 0
            for i in drawn:
                hi = lo + counts[i]
                values[i] = (when[lo:hi], mats[lo:hi], seen[lo:hi], flows[lo:hi], dets[lo:hi], reps[lo:hi])
                lo = hi
        for i, m in enumerate(months):
            key = self._key(cohorts, spec, years[i], hours[i], starts[i], customers_per_km)
            self._ahead[m] = (key, (cust, *values[i]))

    @staticmethod
    def _delays(u: np.ndarray, spec: Network) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Whether each break is visible, its detection delay, leak flow and repair time."""
        visible = u[:, 2] < spec.visible_share
        # exponential delays by inversion; -log(1-u) keeps the coupling monotone
        e_det = -np.log1p(-u[:, 3])
        e_rep = -np.log1p(-u[:, 4])
        e_flow = -np.log1p(-u[:, 5])
        vis_mean = spec.visible_detection_h * spec.citizen_reporting_factor
        hid_mean = (
            spec.hidden_detection_days
            * HOURS_PER_DAY
            * (spec.active_detection_factor if spec.active_leak_detection else 1.0)
        )
        det = np.where(visible, vis_mean, hid_mean) * e_det
        flow = np.where(visible, spec.visible_flow_m3_per_h, spec.hidden_flow_m3_per_h) * e_flow
        rep = spec.repair_h * e_rep
        return visible, det, flow, rep

    def sample(
        self,
        month: int,
        year: float,
        cohorts: Cohorts,
        spec: Network,
        month_hours: float,
        start_h: float,
        customers_per_km: float,
    ) -> list[BreakRecord]:
        ahead = self._ahead.pop(month, None)
        if ahead is not None:
            key, (cust, when, mats, seen, flows, dets, reps) = ahead
            now = self._key(cohorts, spec, year, month_hours, start_h, customers_per_km)
            # the same arrays and network (identity), the same month's numbers (equality)
            if (
                key[0] is now[0]
                and key[1] is now[1]
                and key[2] is now[2]
                and key[3] is now[3]
                and key[4:] == now[4:]
            ):
                return self._records(cohorts, start_h, month_hours, cust, when, mats, seen, flows, dets, reps)
        rate_km = cohorts.rate_per_km(year)
        by_cohort = rate_km * cohorts.length_km
        total = np.add.reduce(by_cohort)
        lam = total * month_hours / (365.0 * HOURS_PER_DAY)
        n = poisson_inverse(float(self.count_u[month]), lam)
        if n <= 0:
            return []
        u = self.month_generator(month).random((n, self.N_UNIFORMS + 1))
        cum = np.cumsum(by_cohort) / total
        which = np.minimum(np.searchsorted(cum, u[:, 0], side="right"), cum.size - 1)
        visible, det, flow, rep = self._delays(u, spec)
        cust = int(round(customers_per_km * spec.isolated_section_km))
        # as Python numbers in one call each (the same values as element by element)
        when, mats = u[:, 1].tolist(), cohorts.material[which].tolist()
        seen, flows, dets, reps = visible.tolist(), flow.tolist(), det.tolist(), rep.tolist()
        return self._records(cohorts, start_h, month_hours, cust, when, mats, seen, flows, dets, reps)

    @staticmethod
    def _records(
        cohorts: Cohorts,
        start_h: float,
        month_hours: float,
        cust: int,
        when: list[float],
        mats: list[int],
        seen: list[bool],
        flows: list[float],
        dets: list[float],
        reps: list[float],
    ) -> list[BreakRecord]:
        names = cohorts.names
        return [
            BreakRecord(
                start_h=start_h + when[i] * month_hours,
                cohort_material=names[mats[i]],
                visible=seen[i],
                flow_m3_per_h=flows[i],
                detection_h=dets[i],
                repair_h=reps[i],
                customers=cust,
            )
            for i in range(len(when))
        ]


# numpy's SeedSequence (bit_generator.pyx): hash constants and the mixing of its pool of 4 words
_M32 = 0xFFFFFFFF
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
# PCG64's 128-bit multiplier (pcg64.h, PCG_DEFAULT_MULTIPLIER_128)
_PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645
_M128 = (1 << 128) - 1


def seed_sequence_words(seeds: np.ndarray) -> list[np.ndarray]:
    """``np.random.SeedSequence(seed).generate_state(4, np.uint64)`` of each seed (``0 ≤ seed <
    2**64``), as four arrays of words: the same hashing, on every seed at once.

    A seed is its 32-bit words, least significant first (one word below 2**32, else two); the pool
    of four words is each entropy word (or 0) hashed, then every word mixed with every other's hash;
    the state is the pool hashed again, two 32-bit words to a 64-bit one. The hash constants move
    the same way for every seed, so the arithmetic (uint32, modulo 2**32) runs on arrays.
    """
    s = np.asarray(seeds).astype(np.uint64)
    lo = (s & np.uint64(_M32)).astype(np.uint32)
    hi = (s >> np.uint64(32)).astype(np.uint32)
    shift = np.uint32(16)
    const = [_INIT_A]

    def hashmix(v: Any) -> np.ndarray:  # uint32 arrays (numpy's stubs lose the dtype on ``*``)
        v = v ^ np.uint32(const[0])
        const[0] = (const[0] * _MULT_A) & _M32
        v = v * np.uint32(const[0])
        return cast(np.ndarray, v ^ (v >> shift))

    def mix(x: Any, y: Any) -> np.ndarray:
        r = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y
        return cast(np.ndarray, r ^ (r >> shift))

    zero = np.zeros_like(lo)
    with np.errstate(over="ignore"):
        pool = [hashmix(lo), hashmix(hi), hashmix(zero), hashmix(zero)]  # a second word of 0 or hi
        for src in range(4):
            for dst in range(4):
                if src != dst:
                    pool[dst] = mix(pool[dst], hashmix(pool[src]))
        words = []
        h = _INIT_B
        for i in range(8):
            v = pool[i % 4] ^ np.uint32(h)
            h = (h * _MULT_B) & _M32
            v = v * np.uint32(h)
            words.append((v ^ (v >> shift)).astype(np.uint64))
    return [words[2 * k] | (words[2 * k + 1] << np.uint64(32)) for k in range(4)]


def pcg64_state(w0: int, w1: int, w2: int, w3: int) -> dict[str, Any]:
    """The state of ``np.random.PCG64`` seeded with these four words of a SeedSequence (pcg64.c:
    ``pcg64_set_seed``, then ``pcg_setseq_128_srandom_r``), for ``bit_generator.state``."""
    initstate = (w0 << 64) | w1
    inc = ((((w2 << 64) | w3) << 1) | 1) & _M128
    state = (inc + initstate) & _M128  # the first step from 0 gives inc
    state = (state * _PCG_MULT + inc) & _M128
    return {"bit_generator": "PCG64", "state": {"state": state, "inc": inc}, "has_uint32": 0, "uinteger": 0}


def poisson_inverse(u: float, lam: float) -> int:
    """The Poisson(``lam``) count at quantile ``u`` (inversion: the smallest k with CDF(k) ≥ u).

    Summing the probabilities is ~30 times faster than ``scipy.stats.poisson.ppf`` for the few
    breaks of a month; large means (a very large town) use scipy.
    """
    if lam <= 0:
        return 0
    if lam > 500:
        # imported here: half a second at start-up, for towns far larger than any shipped one
        from scipy.stats import poisson

        return int(poisson.ppf(u, lam))
    p = float(np.exp(-lam))
    cdf, k = p, 0
    while cdf < u and k < 10_000:
        k += 1
        p *= lam / k
        cdf += p
    return k

"""Interruptions of a distribution network in one year: ordinary incidents and storms, as records.

One record is a group of customers cut together and restored together (customers, duration, day),
so a storm that cuts 10,000 customers is a dozen records along its restoration curve, never 10,000:
the cost grows with events, not with households × events. Reliability indices
(:mod:`sim.electricity.reliability`) and compensation for cuts over 5 h
(:func:`sim.electricity.law.outage_compensation_eur_ht`) are computed from these records.

The electricity service (:mod:`sim.electricity.service`) calls these pure, tested pieces one year at
a time, on its own random streams.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.electricity import law
from sim.scenario.electricity import ElectricityNetwork

DAYS_PER_YEAR = 365

#: Storm Ciarán restoration, hours after 07:00 on 2 Nov 2023 -> customers still cut (electricity.md
#: §2.3, Enedis via the press). Times of day not published are assumptions: "evening" of 3 Nov =
#: 19:00 (36 h); 11, 12, 13 Nov at noon (221, 245, 269 h); the last customers restored after 13
#: days (312 h: "some households were cut for 12-13 days").
CIARAN_HOURS = np.array([0.0, 24.5, 29.0, 36.0, 53.5, 59.5, 132.0, 221.0, 245.0, 269.0, 312.0])
CIARAN_CUT = np.array(
    [1_200_000, 523_000, 450_000, 350_000, 257_000, 176_000, 44_200, 20_000, 13_000, 8_000, 0], dtype=float
)

#: storm months (1-12) and their weights: the storms of electricity.md §2.1-2.3 fall between
#: October and March (assumption: evenly over those months)
STORM_MONTHS = (1, 2, 3, 10, 11, 12)


def age_factor(age: float | np.ndarray, growth_pct: float) -> np.ndarray:
    """How many times a new km's ordinary incidents a km of line ``age`` years old has: the rate
    grows by ``growth_pct`` % per year of age, compounded, i.e. the Shamir-Howard exponential form
    exp(A·age) of the water mains (:mod:`sim.core.assets`) with A = ln(1 + growth). An assumption
    (``network.incident_age_growth_pct_per_year``): the reference file gives no ageing of lines."""
    out: np.ndarray = np.power(1.0 + growth_pct / 100.0, np.asarray(age, dtype=float))
    return out


def ciaran_remaining_share(hours: float | np.ndarray) -> float | np.ndarray:
    """Share of the customers cut by storm Ciarán still cut ``hours`` after the start of the
    count (linear between the published points; electricity.md §2.3)."""
    out = np.interp(hours, CIARAN_HOURS, CIARAN_CUT / CIARAN_CUT[0])
    return float(out) if np.ndim(out) == 0 else out


def ciaran_mean_cut_h() -> float:
    """Mean duration of a Ciarán cut (h): the area under the restoration curve."""
    share = CIARAN_CUT / CIARAN_CUT[0]
    return float(np.sum((share[:-1] + share[1:]) / 2 * np.diff(CIARAN_HOURS)))


def storm_records(customers_cut: float, restoration_scale: float) -> tuple[np.ndarray, np.ndarray]:
    """A storm as restoration records: (customers restored in each interval, their cut in minutes).

    Customers leave the curve linearly within each interval between published points, so those
    restored in an interval were cut, on average, until its midpoint: Σ Nᵢ·Dᵢ is exactly the area
    under the (scaled) curve times ``customers_cut``. ``restoration_scale`` stretches time.
    """
    share = CIARAN_CUT / CIARAN_CUT[0]
    restored = customers_cut * (share[:-1] - share[1:])
    mid_h = (CIARAN_HOURS[:-1] + CIARAN_HOURS[1:]) / 2 * restoration_scale
    return restored, mid_h * 60.0


@dataclass
class YearInterruptions:
    """The interruption records of one year: day (0-364), customers cut, duration (min), and
    whether the record belongs to a storm."""

    day: np.ndarray
    customers: np.ndarray
    duration_min: np.ndarray
    storm: np.ndarray

    def compensation_eur_ht(self, kva: float) -> float:
        """What the network operator owes for this year's cuts over 5 h (TURPE rule, §2.3)."""
        per_customer = law.outage_compensation_eur_ht(kva, self.duration_min / 60.0)
        return float(np.sum(per_customer * self.customers))


def year_interruptions(
    net: ElectricityNetwork,
    customers: int,
    rng: np.random.Generator,
    storm_rng: np.random.Generator | None = None,
) -> YearInterruptions:
    """Draw one year of interruptions for ``customers`` customers.

    Ordinary incidents (all causes but storms): a Poisson number with mean
    SAIFI × customers / customers per incident, each cutting ``customers_per_incident`` customers
    for a lognormal duration of mean ``incident_caidi_min``, on a uniform day. Storms: a Poisson
    number with mean ``storms_per_year``, on a day of October-March; each cuts
    ``storm_overhead_share_cut`` of the customers on overhead lines (1 − ``underground_share``) and
    restores them along Ciarán's curve scaled by ``storm_restoration_scale``. The draws use ``rng``
    in a fixed order, so the same stream and year give the same records; storms draw from
    ``storm_rng`` when given, so that their draws do not depend on the number of incidents.
    """
    cut = min(net.customers_per_incident, customers)
    n_inc = rng.poisson(net.incidents_saifi * customers / cut)
    sd = net.incident_duration_log_sd
    mu = np.log(net.incident_caidi_min) - sd * sd / 2  # the lognormal's mean is the CAIDI
    inc_dur = rng.lognormal(mu, sd, size=n_inc)
    inc_day = rng.integers(0, DAYS_PER_YEAR, size=n_inc)
    srng = rng if storm_rng is None else storm_rng
    n_storm = srng.poisson(net.storms_per_year)
    month = srng.choice(np.asarray(STORM_MONTHS), size=n_storm)
    day_in_month = srng.integers(0, 28, size=n_storm)
    month_start = np.cumsum([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30])
    storm_day = month_start[month - 1] + day_in_month
    storm_cut = customers * (1.0 - net.underground_share) * net.storm_overhead_share_cut
    n_rec, dur = storm_records(storm_cut, net.storm_restoration_scale)
    k = len(n_rec)
    return YearInterruptions(
        day=np.concatenate([inc_day, np.repeat(storm_day, k)]).astype(np.int64),
        customers=np.concatenate([np.full(n_inc, float(cut)), np.tile(n_rec, n_storm)]),
        duration_min=np.concatenate([inc_dur, np.tile(dur, n_storm)]),
        storm=np.concatenate([np.zeros(n_inc, dtype=bool), np.ones(k * n_storm, dtype=bool)]),
    )

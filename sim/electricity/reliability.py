"""Reliability indices of a distribution network (IEEE Std 1366), with the French long-cut threshold.

Pure functions over interruption records (one row per interruption: customers cut, duration), so a
storm that cuts 10,000 customers is one row, not 10,000. Formulas from electricity.md §2.1.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

#: French long cut: an interruption of more than 3 minutes (arrêté of 24 Dec 2007, electricity.md §2.1)
LONG_CUT_THRESHOLD_MIN = 3.0
#: the multiple of β in the Major Event Day threshold (IEEE 1366-2012 Annex B.2, electricity.md §2.1)
MED_BETA_MULTIPLE = 2.5


class Indices(NamedTuple):
    """SAIFI (interruptions per customer served), SAIDI (minutes per customer served) and CAIDI
    (minutes per customer interruption; NaN when there was no interruption)."""

    saifi: float
    saidi_min: float
    caidi_min: float


def _records(customers_interrupted: Any, durations_min: Any) -> tuple[np.ndarray, np.ndarray]:
    n = np.asarray(customers_interrupted, dtype=float).ravel()
    d = np.asarray(durations_min, dtype=float).ravel()
    if n.shape != d.shape:
        raise ValueError("one duration per interruption is needed")
    if np.any(n < 0) or np.any(d < 0) or not (np.all(np.isfinite(n)) and np.all(np.isfinite(d))):
        raise ValueError("customers and durations must be finite and ≥ 0")
    return n, d


def indices(
    customers_interrupted: Any,
    durations_min: Any,
    customers_served: float,
    threshold_min: float = LONG_CUT_THRESHOLD_MIN,
) -> Indices:
    """SAIFI, SAIDI and CAIDI over the interruptions longer than ``threshold_min``.

    Rule (IEEE Std 1366-2012, electricity.md §2.1): with Nᵢ the customers cut by interruption i,
    Dᵢ its duration and N_T the customers **served** (not the customers interrupted),
    SAIFI = Σ Nᵢ / N_T, SAIDI = Σ Nᵢ·Dᵢ / N_T, CAIDI = SAIDI / SAIFI = Σ Nᵢ·Dᵢ / Σ Nᵢ.
    Only sustained interruptions count: in France a long cut lasts **more than 3 min** (arrêté of
    24 Dec 2007, electricity.md §2.1), the default threshold; IEEE 1366's own threshold is 5 min.
    An interruption of exactly ``threshold_min`` is not counted.
    """
    if not customers_served > 0:
        raise ValueError("customers_served must be > 0")
    n, d = _records(customers_interrupted, durations_min)
    keep = d > threshold_min
    ci = float(n[keep].sum())
    cmi = float((n[keep] * d[keep]).sum())
    saifi = ci / customers_served
    saidi = cmi / customers_served
    return Indices(saifi, saidi, cmi / ci if ci > 0 else float("nan"))


def major_event_threshold(daily_saidi_min: Any) -> float:
    """T_MED, the daily SAIDI (minutes) above which a day is a Major Event Day (the 2.5β method).

    Rule (IEEE 1366-2012 Annex B.2, electricity.md §2.1): take the daily SAIDI of the five most
    recent years, drop the days with SAIDI = 0, take natural logs; α = their mean, β = their
    standard deviation; T_MED = exp(α + 2.5 β). Any day of the next year whose SAIDI exceeds T_MED
    is a Major Event Day. β is the sample standard deviation (n − 1); the reference does not say
    which, and over five years of days the two differ by less than 0.03 %.
    """
    x = np.asarray(daily_saidi_min, dtype=float).ravel()
    if np.any(x < 0) or not np.all(np.isfinite(x)):
        raise ValueError("daily SAIDI values must be finite and ≥ 0")
    logs = np.log(x[x > 0])
    if logs.size < 2:
        raise ValueError("at least two days with a non-zero SAIDI are needed")
    alpha = float(logs.mean())
    beta = float(logs.std(ddof=1))
    return float(np.exp(alpha + MED_BETA_MULTIPLE * beta))


def daily_saidi_min(
    day: Any,
    customers_interrupted: Any,
    durations_min: Any,
    customers_served: float,
    n_days: int,
    threshold_min: float = LONG_CUT_THRESHOLD_MIN,
) -> np.ndarray:
    """SAIDI of each day ``0 … n_days − 1`` (minutes), each interruption counted on the day it began.

    Rule: SAIDI as in :func:`indices`; IEEE 1366 accrues an interruption that spans several days
    to the day it begins (the standard's convention; the reference file does not state it).
    """
    n, d = _records(customers_interrupted, durations_min)
    days = np.asarray(day, dtype=np.int64).ravel()
    if days.shape != n.shape or np.any(days < 0) or np.any(days >= n_days):
        raise ValueError("one day in 0 … n_days − 1 per interruption is needed")
    keep = d > threshold_min
    return np.bincount(days[keep], weights=n[keep] * d[keep], minlength=n_days) / customers_served


def indices_without_major_events(
    day: Any,
    customers_interrupted: Any,
    durations_min: Any,
    customers_served: float,
    t_med_min: float,
    n_days: int,
    threshold_min: float = LONG_CUT_THRESHOLD_MIN,
) -> Indices:
    """The indices of :func:`indices` with the interruptions of Major Event Days removed.

    Rule (IEEE 1366-2012 Annex C, electricity.md §2.1): indices are reported with and without the
    days whose daily SAIDI exceeds ``t_med_min`` (:func:`major_event_threshold`).
    """
    daily = daily_saidi_min(
        day, customers_interrupted, durations_min, customers_served, n_days, threshold_min
    )
    med = daily > t_med_min
    days = np.asarray(day, dtype=np.int64).ravel()
    keep = ~med[days]
    n, d = _records(customers_interrupted, durations_min)
    return indices(n[keep], d[keep], customers_served, threshold_min)

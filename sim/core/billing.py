"""The billing date's household step: every household's volume, bill and payment, in one call.

At each billing date the engine forms each household's metered volume for the period from its
yearly indoor and outdoor volumes and the weights the period's months accumulated, bills it
(:func:`sim.core.tariff.bill`), draws whether the bill is paid (logistic in the bill's share of income,
one uniform per household from the ``payments`` stream) and adds volume and bill to the year's.

Two paths compute the same thing:

* ``numpy`` — the reference: vectorised passes, the bill by :func:`sim.core.tariff.bill` itself;
* ``numba`` — one fused loop over households (``sim/_billing_numba.py``), compiled once and cached
  on disk. It reads each household's bytes once instead of some thirty times, which makes a
  billing month about four times cheaper (``python benchmarks/run.py``). Per household it does
  the same floating-point operations in the same order as the numpy path and draws the same
  uniforms from the same generator; only the sums over households are added in another order, so
  totals agree within 1e-12 relative (tests/test_billing_kernels.py asserts 1e-9, the bound the
  performance issue sets).

``numba`` is an optional dependency (``pip install -e ".[fast]"``). The path is chosen by the
environment variable ``REGIE_SIM_KERNEL``: ``auto`` (default: numba when it can be imported),
``numpy`` or ``numba`` (an error if numba is missing). :func:`kernel_name` says which one runs.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import logit

from sim.core import tariff as tariffs
from sim.scenario.model import Tariff

KERNEL_ENV = "REGIE_SIM_KERNEL"
KERNELS = ("auto", "numpy", "numba")

# social tariff kinds as the fused loop sees them
SOCIAL_NONE, SOCIAL_REDUCED, SOCIAL_CAP = 0, 1, 2


@dataclass(frozen=True)
class BillingTotals:
    """Sums over households of one billing date, euros."""

    billed_eur: float  # bills incl. tax
    paid_eur: float  # bills incl. tax that were paid
    vat_paid_eur: float  # VAT on the paid bills
    levies_paid_eur: float  # water-agency levies on the paid bills
    revenue_eur: float  # service revenue: bills excl. tax minus levies (paid or not)
    social_rebate_eur: float  # social-tariff rebates incl. tax
    unpaid_idx: np.ndarray  # indices of the households whose bill went unpaid


@dataclass(frozen=True)
class Payment:
    """The non-payment rule: P(unpaid) = expit(logit0 + slope × annualised bill / income × 100).

    Built once a year (:meth:`of`), when incomes change: ``neg_factor`` is each household's
    −slope × 1200 / (months × income), so that −z = bill × neg_factor − logit0 costs two passes.
    """

    logit0: float  # logit of the base probability
    neg_factor: np.ndarray  # per household, 1/€

    @classmethod
    def of(
        cls,
        base_probability: float,
        slope: float,
        months: int,
        income: np.ndarray,
        out: np.ndarray | None = None,
    ) -> Payment:
        logit0 = float(logit(base_probability))  # −inf at 0 (never unpaid), +inf at 1
        factor = np.divide(-(slope * 1200.0 / months), income, out=out)
        return cls(logit0=logit0, neg_factor=factor)


class BillingWork:
    """Scratch arrays of the households' size, allocated once per run (no allocation per bill)."""

    def __init__(self, n: int):
        self.metered, self.season, self.buf, self.uniforms = np.empty((4, n))
        # numba path: per-household bill parts, then summed by numpy as on the numpy path
        self.total, self.vat, self.levies, self.excl, self.rebate, self.negz = np.empty((6, n))
        self.unpaid = np.empty(n, dtype=np.int64)


_numba_loops: Any = None  # the compiled module, imported on first use
_numba_broken: str | None = None  # why numba could not be loaded, if it could not


def _load_numba() -> Any:
    global _numba_loops
    if _numba_loops is None:
        from sim.core import _billing_numba

        _numba_loops = _billing_numba
    return _numba_loops


def numba_available() -> bool:
    """Whether numba is installed (found without importing it: importing costs ~0.2 s)."""
    import importlib.util

    return importlib.util.find_spec("numba") is not None


def kernel_name() -> str:
    """``"numba"`` or ``"numpy"``: the path :func:`billing_step` takes in this process.

    Under ``auto`` the first call loads numba's loops (~0.3 s); a numba that is installed but
    fails to load is reported once, as a warning, and numpy is used from then on.
    """
    want = os.environ.get(KERNEL_ENV, "auto").strip().lower() or "auto"
    if want not in KERNELS:
        raise ValueError(f"{KERNEL_ENV} must be one of {', '.join(KERNELS)}, got {want!r}")
    if want == "numpy":
        return "numpy"
    if want == "numba":
        if not numba_available():
            raise ImportError(f'{KERNEL_ENV}=numba but numba is not installed (pip install -e ".[fast]")')
        return "numba"
    return "numba" if _numba_loads() else "numpy"


def _numba_loads() -> bool:
    """Whether numba's loops are (or can now be) loaded; a failure is remembered and warned of."""
    global _numba_broken
    if _numba_broken is not None or not numba_available():
        return False
    try:
        _load_numba()
    except Exception as exc:  # ImportError, or numba's own errors on an unsupported numpy
        _numba_broken = f"{type(exc).__name__}: {exc}"
        warnings.warn(
            f"numba could not be loaded ({_numba_broken}); billing with numpy", RuntimeWarning, stacklevel=3
        )
        return False
    return True


def billing_step(
    *,
    indoor: np.ndarray,
    outdoor: np.ndarray,
    weights: np.ndarray,
    explicit: tuple[np.ndarray, np.ndarray] | None,
    under_registration: float,
    persons: np.ndarray,
    tariff: Tariff,
    months: int,
    eligible: np.ndarray,
    income: np.ndarray,
    price_index: float,
    levies_index: float,
    payment: Payment,
    rng: np.random.Generator,
    year_volume: np.ndarray,
    year_bill: np.ndarray,
    work: BillingWork,
    kernel: str | None = None,
) -> BillingTotals:
    """Volumes, bills and payments of every household at one billing date.

    Parameters
    ----------
    indoor, outdoor : array of float, m3/yr
        Each household's yearly indoor and outdoor volume (after price response and rules).
    weights : array of 4 floats
        Shares of the year the period's linear months add: indoor, outdoor, and the same two for
        the season months (which bear the seasonal surcharge).
    explicit : (array, array) or None, m3
        Volumes of the period's nonlinear months (a cut or rationing), all and season; added.
    under_registration : float, share
        Meter under-registration: metered = used × (1 − share).
    persons, tariff, months, eligible, income, price_index, levies_index
        As :func:`sim.core.tariff.bill`; ``eligible`` is each household's social-tariff eligibility.
    payment : Payment
    rng : numpy Generator
        The ``payments`` stream: one uniform per household, in household order, on both paths.
    year_volume, year_bill : array of float
        The year's metered volume (m3) and bill incl. tax (€) per household; updated in place.
    work : BillingWork
        Scratch space of the households' size (the engine's own; no allocation per call).
    kernel : "numpy", "numba" or None
        None follows ``REGIE_SIM_KERNEL`` (see the module docstring).
    """
    if kernel is None:
        kernel = kernel_name()
    if kernel == "numba":
        return _fused(
            indoor,
            outdoor,
            weights,
            explicit,
            under_registration,
            persons,
            tariff,
            months,
            eligible,
            income,
            price_index,
            levies_index,
            payment,
            rng,
            year_volume,
            year_bill,
            work,
        )
    if kernel != "numpy":
        raise ValueError(f"kernel must be 'numpy' or 'numba', got {kernel!r}")
    return _vectorised(
        indoor,
        outdoor,
        weights,
        explicit,
        under_registration,
        persons,
        tariff,
        months,
        eligible,
        income,
        price_index,
        levies_index,
        payment,
        rng,
        year_volume,
        year_bill,
        work,
    )


def unpaid_indices(
    total: np.ndarray, payment: Payment, rng: np.random.Generator, work: BillingWork
) -> np.ndarray:
    """Indices of the unpaid bills: one uniform per household, unpaid when it is below
    p = 1 / (exp(−z) + 1)."""
    negz = np.multiply(total, payment.neg_factor, out=work.buf)
    negz -= payment.logit0
    np.exp(negz, out=negz)
    negz += 1.0
    p = np.reciprocal(negz, out=negz)
    draws = rng.random(out=work.uniforms)
    return np.flatnonzero(draws < p)


def _vectorised(
    indoor: np.ndarray,
    outdoor: np.ndarray,
    weights: np.ndarray,
    explicit: tuple[np.ndarray, np.ndarray] | None,
    under: float,
    persons: np.ndarray,
    tariff: Tariff,
    months: int,
    eligible: np.ndarray,
    income: np.ndarray,
    price_index: float,
    levies_index: float,
    payment: Payment,
    rng: np.random.Generator,
    year_volume: np.ndarray,
    year_bill: np.ndarray,
    work: BillingWork,
) -> BillingTotals:
    metered, season, buf = work.metered, work.season, work.buf
    acc_in, acc_out, s_in, s_out = _weights(weights, under, explicit is None)
    surcharged = tariff.seasonal.eur_per_m3 * price_index > 0.0  # else the season volume is unused
    ex_all, ex_season = explicit if explicit is not None else (None, None)
    _period_volume(indoor, outdoor, acc_in, acc_out, ex_all, under, metered, buf)
    if surcharged:
        _period_volume(indoor, outdoor, s_in, s_out, ex_season, under, season, buf)
    br = tariffs.bill(
        metered,
        persons,
        tariff,
        months=months,
        season_volume_m3=season if surcharged else None,
        eligible=eligible,
        income_eur_per_year=income,
        price_index=price_index,
        levies_index=levies_index,
    )
    # non-payment: logistic in the bill's share of income (annualised, in %); p = 1 / (e^-z + 1)
    unpaid = unpaid_indices(br.total_eur, payment, rng, work)
    year_volume += metered
    year_bill += br.total_eur
    return _totals(
        br.total_eur, br.vat_eur, br.levies_eur, br.total_excl_tax_eur, br.social_rebate_eur, unpaid
    )


def _period_volume(
    indoor: np.ndarray,
    outdoor: np.ndarray,
    w_in: float,
    w_out: float,
    explicit: np.ndarray | None,
    under: float,
    out: np.ndarray,
    buf: np.ndarray,
) -> None:
    """``out`` = metered volume of the period: weights × yearly volumes (the metered share is in
    the weights unless an explicit volume is added, then it multiplies the sum)."""
    np.multiply(indoor, w_in, out=out)
    np.multiply(outdoor, w_out, out=buf)
    out += buf
    if explicit is not None:
        out += explicit
        out *= 1.0 - under


def _totals(
    total: np.ndarray,
    vat: np.ndarray,
    levies: np.ndarray,
    excl: np.ndarray,
    rebate: np.ndarray,
    unpaid: np.ndarray,
) -> BillingTotals:
    """Sums over households, by numpy on both paths (the same per-household values give the
    same sums)."""
    billed = float(total.sum())
    levies_sum = float(levies.sum())
    return BillingTotals(
        billed_eur=billed,
        paid_eur=billed - float(total[unpaid].sum()),
        vat_paid_eur=float(vat.sum()) - float(vat[unpaid].sum()),
        levies_paid_eur=levies_sum - float(levies[unpaid].sum()),
        revenue_eur=float(excl.sum()) - levies_sum,
        social_rebate_eur=float(rebate.sum()),
        unpaid_idx=unpaid,
    )


def _weights(weights: np.ndarray, under: float, fold: bool) -> tuple[float, float, float, float]:
    """The period's weights, times the metered share when no explicit volume is added after."""
    k = 1.0 - under if fold else 1.0
    return (float(weights[0]) * k, float(weights[1]) * k, float(weights[2]) * k, float(weights[3]) * k)


def _fused(
    indoor: np.ndarray,
    outdoor: np.ndarray,
    weights: np.ndarray,
    explicit: tuple[np.ndarray, np.ndarray] | None,
    under: float,
    persons: np.ndarray,
    tariff: Tariff,
    months: int,
    eligible: np.ndarray,
    income: np.ndarray,
    price_index: float,
    levies_index: float,
    payment: Payment,
    rng: np.random.Generator,
    year_volume: np.ndarray,
    year_bill: np.ndarray,
    work: BillingWork,
) -> BillingTotals:
    if int(months) != months or months < 1:
        raise ValueError(f"months must be a whole number ≥ 1, got {months}")
    if tariff.blocks_per_person and persons.size and persons.min() < 1:
        raise ValueError("persons must be finite and ≥ 1")
    period = months / 12.0
    # the blocks the bill uses, with the same skips as sim.core.tariff._compute
    free = tariff.free_volume_m3
    los, ups, prices = [], [], []
    lower = 0.0
    for block in tariff.blocks:
        upper = np.inf if block.up_to_m3 is None else float(block.up_to_m3)
        lo = max(lower, free)
        price = block.price_eur_per_m3 * price_index
        lower = upper
        if lo >= upper or price == 0.0:
            continue
        los.append(lo)
        ups.append(upper)
        prices.append(price)
    if not los:  # every m3 free: one block at 0 €/m3 adds exactly 0.0
        los, ups, prices = [0.0], [np.inf], [0.0]
    social = tariff.social
    kind = SOCIAL_NONE
    if social.enabled and eligible.any():
        kind = SOCIAL_REDUCED if social.kind == "reduced_blocks" else SOCIAL_CAP
        if kind == SOCIAL_CAP and np.isnan(income[eligible]).any():
            raise ValueError("income_eur_per_year is NaN for an eligible household")
    ex_all, ex_season = explicit if explicit is not None else (work.buf, work.buf)
    nb = _load_numba()
    w = work  # short name: the loop takes nine of its arrays
    acc_in, acc_out, s_in, s_out = _weights(weights, under, explicit is None)
    nb.bill_loop(
        indoor,
        outdoor,
        acc_in,
        acc_out,
        s_in,
        s_out,
        explicit is not None,
        ex_all,
        ex_season,
        1.0 - under,
        bool(tariff.blocks_per_person),
        persons,
        period,
        tariff.standing_charge_eur_per_year * period * price_index,
        tuple(los),
        tuple(ups),
        tuple(prices),
        tariff.seasonal.eur_per_m3 * price_index,
        tariff.levies_eur_per_m3 * levies_index,
        tariff.vat_pct / 100.0,
        kind,
        1.0 - social.price_factor,
        social.bill_cap_pct_of_income / 100.0 * period,
        eligible,
        income,
        payment.neg_factor,
        payment.logit0,
        year_volume,
        year_bill,
        w.total,
        w.vat,
        w.levies,
        w.excl,
        w.rebate,
        w.negz,
    )
    draws = rng.random(out=w.uniforms)  # the numpy path's draws: one per household, in order
    unpaid = w.unpaid[: nb.unpaid_loop(draws, w.negz, w.unpaid)]
    return _totals(w.total, w.vat, w.levies, w.excl, w.rebate, unpaid)

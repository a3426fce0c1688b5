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

Either path can bill the households in two halves on two threads (``REGIE_SIM_THREADS=2``,
:func:`thread_count`; one thread by default): every household gets the same arithmetic and the
same uniform, and the halves are cut where numpy's pairwise summation cuts (:func:`split_point`),
so every sum, and every result, is the same to the last bit whatever the setting.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numpy as np
from scipy.special import logit

from sim.core import tariff as tariffs
from sim.scenario.model import Tariff

KERNEL_ENV = "REGIE_SIM_KERNEL"
KERNELS = ("auto", "numpy", "numba")
THREADS_ENV = "REGIE_SIM_THREADS"
#: below this many households a billing date stays on one thread: handing half of it to a second
#: thread costs ~0.07-0.1 ms, about what billing 10,000 households costs (bench_billing_threads.py)
MIN_SPLIT_HOUSEHOLDS = 20_000

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
    after: tuple[float, ...] = ()  # the sums ``billing_step``'s ``after`` returned, added up


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
        self.total, self.vat, self.levies, self.excl, self.rebate = np.empty((5, n))
        # written once now: without a social tariff the bill loop leaves this row alone (its
        # store is then masked off), and masked stores to pages never written (np.empty's, still
        # the kernel's shared page of zeros) made the loop 7x slower in some runs (RESULTS.md)
        self.rebate.fill(0.0)
        self.maybe = np.empty(n, dtype=np.bool_)  # whether a household's draw may be below p
        self.draws = SplitDraws()


# ---------------------------------------------------------------------------------------------
# two threads: each bills half of the households
# ---------------------------------------------------------------------------------------------
T = TypeVar("T")
#: ``billing_step``'s ``after``: (a slice of the households, its unpaid bills) -> sums over it
After = Callable[[slice, np.ndarray], tuple[float, ...]]
_pool: tuple[int, ThreadPoolExecutor] | None = None  # (the process that made it, the pool)
_pool_lock = threading.Lock()


def thread_count() -> int:
    """Threads a billing date uses: ``REGIE_SIM_THREADS`` = ``1`` (default), ``2`` or ``auto``.

    ``auto`` takes 2 when the machine has two cores or more and one of them is idle by the load
    average of the last minute (below cores − 1). One thread is the default because two have not
    yet been measured faster: on the project's shared 2-core machine the second half waited for
    a core and handing it over cost ~0.1 ms a billing date (``benchmarks/bench_billing_threads.py``,
    ``benchmarks/RESULTS.md``). Ensemble workers always run with 1 (the pool of processes already
    uses every core). The results never depend on it (:func:`split_point`).
    """
    raw = os.environ.get(THREADS_ENV, "1").strip().lower() or "1"
    if raw == "auto":
        cores = os.cpu_count() or 1
        return 2 if cores >= 2 and _load_average() < cores - 1 else 1
    if raw not in ("1", "2"):
        raise ValueError(f"{THREADS_ENV} must be 1, 2 or auto, got {raw!r}")
    return int(raw)


def _load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:  # not available on this system
        return 0.0


def split_point(n: int) -> int:
    """Where numpy's pairwise summation first splits an array of ``n`` doubles (0: it does not).

    ``np.add.reduce`` over a contiguous array of n > 128 doubles returns
    ``pairwise(a[:h]) + pairwise(a[h:])`` with h = n // 2 rounded down to a multiple of 8, and the
    sum of each half is itself that half's ``np.sum``: so the sums of two halves cut here, added,
    are the whole array's sum to the last bit (tests/test_billing_threads.py holds this).
    """
    if n <= 128:
        return 0
    h = n // 2
    return h - h % 8


def _helper_pool() -> ThreadPoolExecutor:
    """One helper thread per process (made again in a child process after a fork)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="regie-billing"))
        return _pool[1]


def halves(n: int) -> int:
    """The split point a step over ``n`` households uses now: 0 for one thread."""
    if n < MIN_SPLIT_HOUSEHOLDS or thread_count() < 2:
        return 0
    return split_point(n)


def run_halves(n: int, h: int, part: Callable[[int, int], T]) -> tuple[T, T]:
    """``part(0, h)`` on this thread and ``part(h, n)`` on the helper thread, at once."""
    later = _helper_pool().submit(part, h, n)
    try:
        first = part(0, h)
    finally:
        second = later.result()
    return first, second


class SplitDraws:
    """The uniforms of one household step drawn by two threads, the same as one call would draw.

    A ``Generator.random`` double takes one 64-bit output of its PCG64, so the second half's
    uniforms are what a copy of the generator advanced by ``h`` draws. After both halves the
    generator itself is advanced past the whole step, as one call of ``n`` draws leaves it.
    """

    def __init__(self) -> None:
        self._bits = np.random.PCG64(0)
        self._spare = np.random.Generator(self._bits)

    def second_half(self, rng: np.random.Generator, h: int) -> np.random.Generator | None:
        """A generator positioned ``h`` draws after ``rng`` (None when ``rng`` cannot jump)."""
        if not isinstance(rng.bit_generator, np.random.PCG64):
            return None
        self._bits.state = rng.bit_generator.state
        self._bits.advance(h)
        return self._spare


_numba_loops: Any = None  # the compiled module, imported on first use
_numba_broken: str | None = None  # why numba could not be loaded, if it could not


def _load_numba() -> Any:
    global _numba_loops
    if _numba_loops is None:
        from sim.core import _billing_numba

        _numba_loops = _billing_numba
    return _numba_loops


def numba_available() -> bool:
    """Whether numba is installed (found without importing it: importing costs ~0.2 s); looked up
    once a process (a look-up costs ~40 µs, and the billing path is asked at every billing date)."""
    global _numba_found
    if _numba_found is None:
        import importlib.util

        _numba_found = importlib.util.find_spec("numba") is not None
    return _numba_found


_numba_found: bool | None = None


def kernel_name() -> str:
    """``"numba"`` or ``"numpy"``: the path :func:`billing_step` takes in this process.

    Under ``auto`` the first call loads numba's loops (~0.3 s); a numba that is installed but
    fails to load is reported once, as a warning, and numpy is used from then on.
    """
    global _kernel_memo
    raw = os.environ.get(KERNEL_ENV)
    memo = _kernel_memo  # the last answer, while the variable and numba's loading are unchanged
    if raw == memo[0] and memo[1] is _numba_loops is not None and _numba_broken is None:
        return memo[2]
    name = _kernel_name(raw)
    _kernel_memo = (raw, _numba_loops, name)
    return name


_kernel_memo: tuple[str | None, Any, str] = (None, None, "")


def _kernel_name(raw: str | None) -> str:
    want = (raw or "auto").strip().lower() or "auto"
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


#: :func:`median_exact`: the sample of each narrowing, the window either side of its middle
MEDIAN_SAMPLE = 1023
MEDIAN_HALF_WINDOW = 64


def median_exact(x: np.ndarray) -> float:
    """``np.median(x)``, the same double (a zero's sign aside: ``np.median`` returns whichever zero
    its partition leaves in the middle); ``x`` may be reordered (as ``overwrite_input=True``).

    numpy partitions 20,000 doubles in ~0.2 ms here and 100,000 in ~1 ms (a branch per value that
    goes wrong half of the time around the middle). On the numba path a large array is narrowed
    first: in an evenly spaced sample of 1023 values, the place of the median's ranks, 64 places
    either side, bounds a window that holds them (their place in the sample has a standard
    deviation of ~16 places), and one compiled pass without branches
    (:func:`sim.core._billing_numba.window_pass`) copies the ~1/8 of the values in it; again while
    more than 4096 remain, then numpy partitions what is left. The median is the same order
    statistics (their mean, as ``np.median`` takes it, for an even count); a window that misses
    them, or a NaN, go to ``np.median``, unless every value is the same (then the median is it).
    """
    n = x.shape[0]
    if not (x.ndim == 1 and n >= 8 * 1024 and x.dtype == np.float64 and kernel_name() == "numba"):
        return float(np.median(x, overwrite_input=True))
    nb = _load_numba()
    lo, hi = (n - 1) // 2, n // 2  # the median's ranks in what is left
    src = x
    while src.shape[0] > 4096:
        m = src.shape[0]
        step = m // MEDIAN_SAMPLE
        at = (lo * MEDIAN_SAMPLE) // m  # where the ranks sit in the sample: the window's middle
        first = max(at - MEDIAN_HALF_WINDOW, 0)
        last = min(at + MEDIAN_HALF_WINDOW, MEDIAN_SAMPLE - 1)
        # the sample's two order statistics (the values a sort would put there; a zero's sign
        # aside, which the window's comparisons do not see), without sorting the whole sample
        sample = np.partition(src[: step * MEDIAN_SAMPLE : step], [first, last])
        buf = _median_buffer(m + 1, src)  # room for the pass's last write
        below, k, nan = nb.window_pass(src, sample[first], sample[last], buf)
        lo, hi = lo - below, hi - below
        if k == m and not nan and sample[first] == sample[last]:
            # every value is the same one (a tariff left as it was: every bill's ratio is 1):
            # the median's values are it, their mean as np.median takes it
            return float(np.add.reduce(src[: hi + 1 - lo]) / (hi + 1 - lo))
        if nan or lo < 0 or hi >= k or k == m:  # a NaN, a window that misses, or no narrowing
            return float(np.median(x, overwrite_input=True))
        src = buf[:k]
    part = np.partition(src, [lo, hi] if hi > lo else lo)
    # np.median's mean of the middle value(s): np.mean's sum over the count, without its wrapper
    return float(np.add.reduce(part[lo : hi + 1]) / (hi + 1 - lo))


_median_local = threading.local()


def _median_buffer(size: int, src: np.ndarray) -> np.ndarray:
    """A buffer of ``size`` doubles kept by this thread (two, used in turn, never ``src``'s): a
    new one of 800 kB costs its page faults, ~0.4 ms here, more than the pass that fills it."""
    bufs = _median_local.__dict__.setdefault("bufs", [np.empty(0), np.empty(0)])
    i = 1 if np.shares_memory(bufs[0], src) else 0
    if bufs[i].shape[0] < size:
        bufs[i] = np.empty(size)
    return cast(np.ndarray, bufs[i][:size])


def count_above(
    bills: np.ndarray,
    sewer: np.ndarray,
    income: np.ndarray,
    threshold: float,
    work: tuple[np.ndarray, np.ndarray] | None = None,
) -> int:
    """How many of ``(bills + sewer) / income`` are above ``threshold``: one compiled pass on the
    numba path, numpy's arrays otherwise (in ``work``: a float and a bool array, when given)."""
    if kernel_name() == "numba":
        return int(_load_numba().count_above(bills, sewer, income, threshold))
    burden, above = work if work is not None else (None, None)
    burden = np.add(bills, sewer, out=burden)
    burden /= income
    return int(np.count_nonzero(np.greater(burden, threshold, out=above)))


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
    after: After | None = None,
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
    after : callable or None
        More work on the same households once they are billed, on the same thread:
        ``after(cut, unpaid)`` gets a slice of the households (all of them, or one thread's half)
        and the indices of the unpaid bills within it, and returns sums over that slice, taken by
        numpy over whole arrays of the slice (so that the halves' sums add up to the whole
        sums exactly, :func:`split_point`). They are added up in ``BillingTotals.after``.
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
            after,
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
        after,
    )


def unpaid_indices(
    total: np.ndarray, payment: Payment, rng: np.random.Generator, work: BillingWork
) -> np.ndarray:
    """Indices of the unpaid bills: one uniform per household, unpaid when it is below
    p = 1 / (exp(−z) + 1)."""
    return _unpaid_part(total, payment.neg_factor, payment.logit0, rng, work.buf, work.uniforms)


def _unpaid_part(
    total: np.ndarray,
    neg_factor: np.ndarray,
    logit0: float,
    rng: np.random.Generator,
    buf: np.ndarray,
    uniforms: np.ndarray,
) -> np.ndarray:
    negz = np.multiply(total, neg_factor, out=buf)
    negz -= logit0
    np.exp(negz, out=negz)
    negz += 1.0
    p = np.reciprocal(negz, out=negz)
    draws = rng.random(out=uniforms)
    return np.flatnonzero(draws < p)


@dataclass(frozen=True)
class _Part:
    """One thread's share of a billing date: its households' bill parts, their sums (numpy's, in
    the order :func:`_totals` takes them) and its unpaid households (indices within the share)."""

    total: np.ndarray
    vat: np.ndarray
    levies: np.ndarray
    sums: tuple[float, float, float, float, float]  # total, vat, levies, excl, rebate
    unpaid: np.ndarray
    after: tuple[float, ...] = ()


def _sums(
    total: np.ndarray, vat: np.ndarray, levies: np.ndarray, excl: np.ndarray, rebate: np.ndarray | None
) -> tuple[float, float, float, float, float]:
    """float(a.sum()) of each, without ndarray.sum's Python wrapper (the same reduction); no
    ``rebate`` array is a sum of 0.0 (every household's rebate is 0.0 without a social tariff)."""
    t, v, le, e = (float(np.add.reduce(a)) for a in (total, vat, levies, excl))
    return t, v, le, e, (0.0 if rebate is None else float(np.add.reduce(rebate)))


def _in_halves(
    n: int,
    rng: np.random.Generator,
    work: BillingWork,
    part: Callable[[int, int, np.random.Generator], _Part],
) -> BillingTotals:
    """Run ``part`` over every household, on two threads when :func:`halves` says so, and add up.

    Each household gets the same arithmetic and the same uniform as on one thread, and the sums
    of the two halves, cut where numpy's pairwise sum cuts (:func:`split_point`), add up to the
    whole arrays' sums exactly: the totals are the same to the last bit.
    """
    h = halves(n)
    second = work.draws.second_half(rng, h) if h else None
    if second is None:
        return _totals([part(0, n, rng)], [0])
    parts = run_halves(n, h, lambda lo, hi: part(lo, hi, rng if lo == 0 else second))
    bits = rng.bit_generator
    assert isinstance(bits, np.random.PCG64)  # else second_half gave None
    bits.advance(n - h)  # as if it had drawn all n uniforms itself
    return _totals(list(parts), [0, h])


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
    after: After | None = None,
) -> BillingTotals:
    acc_in, acc_out, s_in, s_out = _weights(weights, under, explicit is None)
    surcharged = tariff.seasonal.eur_per_m3 * price_index > 0.0  # else the season volume is unused
    n = indoor.shape[0]

    def part(lo: int, hi: int, gen: np.random.Generator) -> _Part:
        cut = slice(lo, hi)
        metered, season, buf = work.metered[cut], work.season[cut], work.buf[cut]
        ex_all, ex_season = (explicit[0][cut], explicit[1][cut]) if explicit is not None else (None, None)
        _period_volume(indoor[cut], outdoor[cut], acc_in, acc_out, ex_all, under, metered, buf)
        if surcharged:
            _period_volume(indoor[cut], outdoor[cut], s_in, s_out, ex_season, under, season, buf)
        br = tariffs.bill(
            metered,
            _share(persons, n, cut),
            tariff,
            months=months,
            season_volume_m3=season if surcharged else None,
            eligible=_share(eligible, n, cut),
            income_eur_per_year=_share(income, n, cut),
            price_index=price_index,
            levies_index=levies_index,
        )
        # non-payment: logistic in the bill's share of income (annualised, in %); p = 1 / (e^-z + 1)
        unpaid = _unpaid_part(
            br.total_eur, payment.neg_factor[cut], payment.logit0, gen, buf, work.uniforms[cut]
        )
        year_volume[cut] += metered
        year_bill[cut] += br.total_eur
        t, v, le = br.total_eur, br.vat_eur, br.levies_eur
        sums = _sums(t, v, le, br.total_excl_tax_eur, br.social_rebate_eur)
        return _Part(t, v, le, sums, unpaid, after(cut, unpaid) if after is not None else ())

    return _in_halves(n, rng, work, part)


def _share(a: Any, n: int, cut: slice) -> Any:
    """A per-household array's share of the households (anything else as it is)."""
    return a[cut] if isinstance(a, np.ndarray) and a.ndim == 1 and a.shape[0] == n else a


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


def _totals(parts: list[_Part], offsets: list[int]) -> BillingTotals:
    """Sums over households, by numpy on both paths (the same per-household values give the
    same sums); the shares' sums added in household order, their unpaid bills gathered in it."""
    billed, vat, levies_sum, excl, rebate = parts[0].sums
    extra = parts[0].after
    for p in parts[1:]:
        billed, vat, levies_sum, excl, rebate = (
            billed + p.sums[0],
            vat + p.sums[1],
            levies_sum + p.sums[2],
            excl + p.sums[3],
            rebate + p.sums[4],
        )
        extra = tuple(x + y for x, y in zip(extra, p.after, strict=True))
    if len(parts) == 1:
        p = parts[0]
        unpaid = p.unpaid
        unpaid_total, unpaid_vat, unpaid_levies = p.total[unpaid], p.vat[unpaid], p.levies[unpaid]
    else:
        unpaid = np.concatenate([p.unpaid + off for p, off in zip(parts, offsets, strict=True)])
        unpaid_total = np.concatenate([p.total[p.unpaid] for p in parts])
        unpaid_vat = np.concatenate([p.vat[p.unpaid] for p in parts])
        unpaid_levies = np.concatenate([p.levies[p.unpaid] for p in parts])
    return BillingTotals(
        billed_eur=billed,
        paid_eur=billed - float(unpaid_total.sum()),
        vat_paid_eur=vat - float(unpaid_vat.sum()),
        levies_paid_eur=levies_sum - float(unpaid_levies.sum()),
        revenue_eur=excl - levies_sum,
        social_rebate_eur=rebate,
        unpaid_idx=unpaid,
        after=extra,
    )


def _weights(weights: np.ndarray, under: float, fold: bool) -> tuple[float, float, float, float]:
    """The period's weights, times the metered share when no explicit volume is added after."""
    k = 1.0 - under if fold else 1.0
    return (float(weights[0]) * k, float(weights[1]) * k, float(weights[2]) * k, float(weights[3]) * k)


def _loop_tariff(
    tariff: Tariff, price_index: float, eligible: np.ndarray, income: np.ndarray
) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...], int]:
    """The tariff as the compiled loop takes it: the billed blocks' bounds and prices (the same
    skips as :func:`sim.core.tariff._compute`) and the kind of social tariff applied."""
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
    return tuple(los), tuple(ups), tuple(prices), kind


def price_120m3_eur_per_m3(
    tariff: Tariff, persons: int, price_index: float = 1.0, levies_index: float | None = None
) -> float:
    """:func:`sim.core.tariff.price_120m3_eur_per_m3`, the same double: on the numba path the
    projection's compiled loop (:func:`year_bills`) bills the one household of 120 m3 (no social
    tariff, no season volume), instead of the vectorised bill's fifteen passes over one value."""
    if kernel_name() != "numba":
        return tariffs.price_120m3_eur_per_m3(tariff, persons, price_index, levies_index)
    # the households' own dtype (int8) when it holds ``persons``: the loop then runs the one
    # compiled version the projections use (a second one costs each worker ~4 ms to load); the loop
    # reads the size as a double either way, the same double
    small = 1 <= persons <= 127 and float(persons).is_integer()
    size = np.array([persons], dtype=np.int8 if small else np.float64)
    total, _ = year_bills(
        np.array([tariffs.REFERENCE_VOLUME_M3]),
        size,
        tariff,
        eligible=np.zeros(1, dtype=bool),
        income=np.zeros(1),  # not read: nobody is eligible
        price_index=price_index,
        levies_index=price_index if levies_index is None else levies_index,
        kernel="numba",
    )
    return float(total[0]) / tariffs.REFERENCE_VOLUME_M3


def year_bills(
    volume: np.ndarray,
    persons: np.ndarray,
    tariff: Tariff,
    *,
    eligible: np.ndarray,
    income: np.ndarray,
    price_index: float,
    levies_index: float,
    kernel: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each household's yearly bill incl. tax under ``tariff`` for ``volume``, and its bill excl.
    tax minus levies (what the service keeps): a projection, no payment drawn.

    The numpy path is :func:`sim.core.tariff.bill` (12 months, no seasonal volume); the numba path
    runs the billing date's arithmetic compiled for a year (:func:`sim.core._billing_numba.year_loop`:
    indoor = ``volume`` with weight 1, no outdoor volume, the same metered volume to the bit), one
    pass writing two arrays instead of some fifteen passes. Both give the same doubles for every
    household (``tests/test_billing_threads.py``).
    """
    if kernel is None:
        kernel = kernel_name()
    if kernel == "numpy":
        br = tariffs.bill(
            volume,
            persons,
            tariff,
            months=12,
            eligible=eligible,
            income_eur_per_year=income,
            price_index=price_index,
            levies_index=levies_index,
        )
        # a copy of the total: the breakdown's arrays are rows of one workspace that a view would
        # keep alive; the net in the workspace's excl. tax row, which nobody reads after
        net = np.subtract(br.total_excl_tax_eur, br.levies_eur, out=br.total_excl_tax_eur)
        return br.total_eur.copy(), net
    if kernel != "numba":
        raise ValueError(f"kernel must be 'numpy' or 'numba', got {kernel!r}")
    if not (price_index >= 0.0 and price_index < np.inf):
        raise ValueError(f"price_index must be finite and ≥ 0, got {price_index}")
    if tariff.blocks_per_person and persons.size and persons.min() < 1:
        raise ValueError("persons must be finite and ≥ 1")
    los, ups, prices, kind = _loop_tariff(tariff, price_index, eligible, income)
    social = tariff.social
    n = volume.shape[0]
    total, net = np.empty(n), np.empty(n)
    _load_numba().year_loop(
        volume,
        1.0,
        0.0,  # no outdoor volume
        0.0,
        bool(tariff.blocks_per_person),
        persons,
        tariff.standing_charge_eur_per_year * 1.0 * price_index,  # as tariff._compute: × period
        los,
        ups,
        prices,
        tariff.levies_eur_per_m3 * levies_index,
        tariff.vat_pct / 100.0,
        kind,
        1.0 - social.price_factor,
        social.bill_cap_pct_of_income / 100.0 * 1.0,
        eligible,
        income,
        total,
        net,
    )
    return total, net


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
    after: After | None = None,
) -> BillingTotals:
    if int(months) != months or months < 1:
        raise ValueError(f"months must be a whole number ≥ 1, got {months}")
    if tariff.blocks_per_person and persons.size and persons.min() < 1:
        raise ValueError("persons must be finite and ≥ 1")
    period = months / 12.0
    los, ups, prices, kind = _loop_tariff(tariff, price_index, eligible, income)
    social = tariff.social
    nb = _load_numba()
    w = work  # short name: the loop takes nine of its arrays
    acc_in, acc_out, s_in, s_out = _weights(weights, under, explicit is None)
    los_t, ups_t, prices_t = los, ups, prices
    per_person = bool(tariff.blocks_per_person)
    standing = tariff.standing_charge_eur_per_year * period * price_index
    surcharge = tariff.seasonal.eur_per_m3 * price_index
    levies_rate = tariff.levies_eur_per_m3 * levies_index
    vat_rate = tariff.vat_pct / 100.0
    keep_share = 1.0 - social.price_factor
    cap_factor = social.bill_cap_pct_of_income / 100.0 * period
    n = indoor.shape[0]

    def part(lo: int, hi: int, gen: np.random.Generator) -> _Part:
        cut = slice(lo, hi)
        ex_all, ex_season = (explicit[0][cut], explicit[1][cut]) if explicit is not None else (w.buf, w.buf)
        total, vat, levies, excl, rebate = (
            w.total[cut],
            w.vat[cut],
            w.levies[cut],
            w.excl[cut],
            w.rebate[cut],
        )
        # the numpy path's draws: one per household, in order (nothing else draws from this stream
        # in between, so drawing them before the bills gives each household the same uniform)
        draws = gen.random(out=w.uniforms[cut])
        maybe = w.maybe[cut]
        nb.bill_loop(
            indoor[cut],
            outdoor[cut],
            acc_in,
            acc_out,
            s_in,
            s_out,
            explicit is not None,
            ex_all,
            ex_season,
            1.0 - under,
            per_person,
            persons[cut],
            period,
            standing,
            los_t,
            ups_t,
            prices_t,
            surcharge,
            levies_rate,
            vat_rate,
            kind,
            keep_share,
            cap_factor,
            eligible[cut],
            income[cut],
            payment.neg_factor[cut],
            payment.logit0,
            year_volume[cut],
            year_bill[cut],
            total,
            vat,
            levies,
            excl,
            rebate,
            draws,
            maybe,
        )
        index = np.flatnonzero(maybe)  # the few the bound does not rule out (~1 in 30), in order
        unpaid = index[: nb.unpaid_exact(draws, total, payment.neg_factor[cut], payment.logit0, index)]
        # without a social tariff the loop writes no rebate: each is 0.0 × (1 + VAT) = 0.0, their sum 0.0
        sums = _sums(total, vat, levies, excl, rebate if kind != SOCIAL_NONE else None)
        return _Part(total, vat, levies, sums, unpaid, after(cut, unpaid) if after is not None else ())

    return _in_halves(n, rng, w, part)

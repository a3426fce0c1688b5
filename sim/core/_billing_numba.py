"""The billing date's household step as two loops compiled by numba (see :mod:`sim.core.billing`).

Imported only when numba is installed and chosen.

* :func:`bill_loop` forms each household's metered volume and bill and the logit of its
  non-payment probability, in one pass that the compiler vectorises: no call, no branch that
  depends on the household, the tariff blocks a tuple of fixed length (one compiled version per
  number of blocks) so that their loop unrolls. Each household's arithmetic follows
  :func:`sim.core.tariff._compute` and :func:`sim.core.billing._vectorised` operation by operation, in the
  same order, without fast-math or fused multiply-adds, so each household's bill is the same
  double on both paths; the sums over households are then taken by numpy on both paths.
* the uniforms are drawn in bulk by numpy from the ``payments`` stream before the loop (as on the
  numpy path, one per household in order), and :func:`bill_loop` marks the households whose draw a
  cheap upper bound of their probability does not rule out (about one in fifty-five at 100,000
  households); :func:`unpaid_exact` takes the exact test, with its exponential, on those alone.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# compiled once, cached on disk beside this file (or in numba's user cache when that is read-only)
_jit = njit(cache=True, nogil=True, error_model="numpy")


@_jit
def bill_loop(
    indoor,
    outdoor,
    acc_in,
    acc_out,
    s_in,
    s_out,
    has_explicit,
    ex_all,
    ex_season,
    metered_factor,
    per_person,
    persons,
    period,
    standing,
    block_lo,
    block_up,
    block_price,
    surcharge_rate,
    levies_rate,
    vat_rate,
    social_kind,
    keep_share,
    cap_factor,
    eligible,
    income,
    neg_factor,
    logit0,
    year_volume,
    year_bill,
    total_o,
    vat_o,
    levies_o,
    excl_o,
    rebate_o,
    uniforms,
    maybe_o,
):  # pragma: no cover - compiled
    n = indoor.shape[0]
    unscaled = (not per_person) and period == 1.0
    cap_divisor = 1.0 + vat_rate
    for i in range(n):
        # metered and season volumes of the period
        m = indoor[i] * acc_in
        m += outdoor[i] * acc_out
        sv = indoor[i] * s_in
        sv += outdoor[i] * s_out
        if has_explicit:  # else the metered share is already in the weights
            m += ex_all[i]
            sv += ex_season[i]
            m *= metered_factor
            sv *= metered_factor
        # volume compared with the bounds (per person and per period)
        if per_person:
            scale = np.float64(persons[i]) * period
            u = m / scale
        else:
            scale = period
            u = m if period == 1.0 else m / period
        excl = standing
        volume_eur = 0.0
        for b in range(len(block_lo)):  # a tuple: unrolled
            lo = block_lo[b]
            t = max(u, lo)
            t = min(t, block_up[b])
            t -= lo
            if not unscaled:
                t *= scale
            t *= block_price[b]
            excl += t
            volume_eur += t
        if surcharge_rate > 0.0:
            excl += sv * surcharge_rate
        levies = m * levies_rate
        excl += levies
        rebate_x = 0.0
        if social_kind == 1:  # reduced blocks
            rebate_x = volume_eur * keep_share if eligible[i] else 0.0
        elif social_kind == 2:  # bill capped at a share of income
            cap = max(income[i] * cap_factor, 0.0)
            gross = excl * vat_rate
            gross += excl
            rebate_x = excl - cap / cap_divisor if (eligible[i] and gross > cap) else 0.0
        excl -= rebate_x
        vat = excl * vat_rate
        total = excl + vat
        rebate_ttc = rebate_x * vat_rate
        rebate_ttc += rebate_x
        # minus the logit of P(unpaid): the annualised bill's share of income, in %
        x = total * neg_factor[i]
        x -= logit0
        year_volume[i] += m
        year_bill[i] += total
        total_o[i] = total
        vat_o[i] = vat
        levies_o[i] = levies
        excl_o[i] = excl
        if social_kind != 0:  # else every rebate is 0.0 (and so their sum): nothing to write
            rebate_o[i] = rebate_ttc
        # whether the household's draw may be below p = 1 / (e^x + 1): for x > 0 a draw at or above
        # 1 / (a lower bound of e^x + 1), with room for rounding, is not (a byte without a branch;
        # :func:`unpaid_exact` decides for the few others)
        # e^x + 1 ≥ 2 + x + x²/2 + x³/6 + x⁴/24 + x⁵/120 for x > 0 (Taylor, every term ≥ 0): five
        # terms leave ~1 household in 55 to the exact test (100,000 households) where three left 1 in 29
        x2 = x * x
        poly = (
            2.0 + x + x2 * 0.5 + x2 * x * (1.0 / 6.0) + x2 * x2 * (1.0 / 24.0) + x2 * x2 * x * (1.0 / 120.0)
        )
        maybe_o[i] = (x <= 0.0) | (uniforms[i] * poly < 1.0 + 1e-9)


@_jit
def unpaid_exact(uniforms, total, neg_factor, logit0, index):  # pragma: no cover - compiled
    """Keep, in place and in order, the households of ``index`` (those :func:`bill_loop` marked as
    maybe unpaid) whose draw is below p = 1 / (exp(x) + 1), x = −z computed again from the stored
    bill as :func:`bill_loop` computed it (the same double); return how many are kept."""
    kept = 0
    for j in range(index.shape[0]):
        i = index[j]
        x = total[i] * neg_factor[i]
        x -= logit0
        if uniforms[i] < 1.0 / (math.exp(x) + 1.0):
            index[kept] = i
            kept += 1
    return kept


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _store_sums(sums_o, d, s0, s1, s2, s3, s4, s5, s6, s7):  # pragma: no cover - compiled
    """Write one decile's eight running sums back to column ``d`` of ``sums_o``."""
    sums_o[0, d] = s0
    sums_o[1, d] = s1
    sums_o[2, d] = s2
    sums_o[3, d] = s3
    sums_o[4, d] = s4
    sums_o[5, d] = s5
    sums_o[6, d] = s6
    sums_o[7, d] = s7


@_jit
def year_end_loop(
    decile,
    income,
    volume,
    bill,
    sewered,
    persons,
    short,
    sew_standing,
    sew_price,
    threshold,
    sums_o,
):  # pragma: no cover - compiled
    """The year end's household pass (:meth:`sim.water.service.WaterService.year_row`): each
    household's sewerage bill, burden and whether it is above ``threshold``, summed by decile into
    ``sums_o`` (rows: income, volume, bill, sewerage, persons, bill / income, burden, above;
    column d - 1 for decile d) in household order, as ``np.bincount`` adds its weights; returns the
    households above the threshold and those neither above it nor rationed (``short``).

    The sums of the decile in hand are carried in locals and written back to ``sums_o`` (then the
    next decile's read from it) when the decile changes: each sum takes the same additions in the
    same order whatever the households' order, and the households of a town, drawn tenth by tenth,
    come decile after decile, so the sums stay in registers instead of eight memory round trips a
    household."""
    n_above = 0
    n_included = 0
    cur = np.int64(-1)
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    for i in range(decile.shape[0]):
        d = np.int64(decile[i]) - 1
        if d != cur:
            if cur >= 0:
                _store_sums(sums_o, cur, s0, s1, s2, s3, s4, s5, s6, s7)
            cur = d
            s0 = sums_o[0, d]
            s1 = sums_o[1, d]
            s2 = sums_o[2, d]
            s3 = sums_o[3, d]
            s4 = sums_o[4, d]
            s5 = sums_o[5, d]
            s6 = sums_o[6, d]
            s7 = sums_o[7, d]
        v = volume[i]
        sew = sew_standing + sew_price * v if sewered[i] else 0.0
        b = bill[i]
        inc = income[i]
        burden = b + sew
        burden /= inc
        above = burden > threshold
        if above:
            n_above += 1
        elif not short[i]:
            n_included += 1
        s0 += inc
        s1 += v
        s2 += b
        s3 += sew
        s4 += np.float64(persons[i])
        s5 += b / inc
        s6 += burden
        s7 += 1.0 if above else 0.0
    if cur >= 0:
        _store_sums(sums_o, cur, s0, s1, s2, s3, s4, s5, s6, s7)
    return n_above, n_included


@_jit
def count_above(bills, sewer, income, threshold):  # pragma: no cover - compiled
    """How many households have (bill + sewerage bill) / income above ``threshold``: one pass,
    each burden the double of the arrays ``(bills + sewer) / income``."""
    k = 0
    for i in range(bills.shape[0]):
        burden = bills[i] + sewer[i]
        burden /= income[i]
        if burden > threshold:
            k += 1
    return k


@_jit
def window_pass(x, lo, hi, buf):  # pragma: no cover - compiled
    """Copy the values of ``x`` between ``lo`` and ``hi`` (both included) to ``buf`` (room for
    ``len(x) + 1``); return (how many are below ``lo``, how many were copied, whether ``x`` holds
    a NaN). Without a branch on the values: ~1 ns a value where a branch, wrong half of the time
    on values around a median, costs ~6 ns."""
    below = 0
    k = 0
    nan = False
    for i in range(x.shape[0]):
        v = x[i]
        below += v < lo
        buf[k] = v
        k += (v >= lo) & (v <= hi)
        nan |= v != v
    return below, k, nan


@_jit
def year_loop(
    volume,
    acc_in,
    outdoor,
    acc_out,
    per_person,
    persons,
    standing,
    block_lo,
    block_up,
    block_price,
    levies_rate,
    vat_rate,
    social_kind,
    keep_share,
    cap_factor,
    eligible,
    income,
    total_o,
    net_o,
):  # pragma: no cover - compiled
    """A year's bill of each household for ``volume`` (:func:`sim.core.billing.year_bills`): the
    arithmetic of :func:`bill_loop` for one period of 12 months, no seasonal volume and no payment
    rule (``acc_in`` = 1, ``outdoor`` = ``acc_out`` = 0, given at run time so that nothing is
    folded: the same doubles), writing only the bill incl. tax and the bill excl. tax minus levies
    (two arrays where :func:`bill_loop` writes eight)."""
    n = volume.shape[0]
    cap_divisor = 1.0 + vat_rate
    for i in range(n):
        m = volume[i] * acc_in
        m += outdoor * acc_out
        if per_person:
            scale = np.float64(persons[i]) * 1.0
            u = m / scale
        else:
            scale = np.float64(1.0)
            u = m
        excl = standing
        volume_eur = 0.0
        for b in range(len(block_lo)):  # a tuple: unrolled
            lo = block_lo[b]
            t = max(u, lo)
            t = min(t, block_up[b])
            t -= lo
            if per_person:
                t *= scale
            t *= block_price[b]
            excl += t
            volume_eur += t
        levies = m * levies_rate
        excl += levies
        rebate_x = 0.0
        if social_kind == 1:  # reduced blocks
            rebate_x = volume_eur * keep_share if eligible[i] else 0.0
        elif social_kind == 2:  # bill capped at a share of income
            cap = max(income[i] * cap_factor, 0.0)
            gross = excl * vat_rate
            gross += excl
            rebate_x = excl - cap / cap_divisor if (eligible[i] and gross > cap) else 0.0
        excl -= rebate_x
        vat = excl * vat_rate
        total_o[i] = excl + vat
        net_o[i] = excl - levies


@_jit
def period_line_loop(year_volume, prev, price, standing, factor, bills_o):  # pragma: no cover - compiled
    """A second line of the period's bill on its volume (:meth:`sim.water.service.WaterService.bill`:
    the sewerage): each household's volume of the year so far minus ``prev`` (what was billed
    before), then ``prev`` set to the year's volume; the bill is (volume × ``price`` + ``standing``) ×
    ``factor`` (1 for a sewered household, 0 otherwise), the numpy path's operations in its order."""
    for i in range(year_volume.shape[0]):
        v = year_volume[i]
        b = v - prev[i]
        prev[i] = v
        b *= price
        b += standing
        b *= factor[i]
        bills_o[i] = b


@_jit
def where_line_loop(volume, connected, standing, price, out):  # pragma: no cover - compiled
    """``np.where(connected, standing + price * volume, 0.0)`` in one pass (a yearly line of the
    bill, :func:`sim.water.sewerage.sewerage_bill_eur`): the same operations for each household."""
    for i in range(volume.shape[0]):
        out[i] = standing + price * volume[i] if connected[i] else 0.0


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _small_sum(a, n):  # pragma: no cover - compiled
    """``np.add.reduce(a[:n])`` for ``n`` ≤ 128, the same double: numpy adds the pairwise sum of
    the values to 0.0, and below its block of 128 that sum is eight running sums (each value to the
    sum of its place modulo 8) joined in pairs, then the values past the last multiple of 8, or,
    below 8 values, a running sum from −0.0."""
    if n < 8:
        res = -0.0
        for i in range(n):
            res += a[i]
        return 0.0 + res
    r0, r1, r2, r3, r4, r5, r6, r7 = a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
    i = 8
    stop = n - n % 8
    while i < stop:
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[i]
        i += 1
    return 0.0 + res


@_jit
def loans_month_loop(principal, rate_m, payment, months_left, work):  # pragma: no cover - compiled
    """One month of a loan book none of whose loans is in its last month (at most 128 loans),
    in place: :meth:`sim.core.ledger.Loans.month`'s numpy operations loan by loan (interest, the
    payment less it, at most the principal, as ``np.minimum``: NaN from either), the two sums as
    ``np.add.reduce``; returns (interest, repaid, whether every principal left is above 1e-9)."""
    n = principal.shape[0]
    interest_o = work[0]
    repay_o = work[1]
    alive = True
    for i in range(n):
        p = principal[i]
        it = p * rate_m[i]
        r = payment[i] - it
        if not (r <= p or r != r):
            r = p
        left = p - r
        principal[i] = left
        months_left[i] -= 1
        interest_o[i] = it
        repay_o[i] = r
        alive &= left > 1e-9
    return _small_sum(interest_o, n), _small_sum(repay_o, n), alive

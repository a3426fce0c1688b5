"""Money: loans with constant annuities, and the monthly ledger of the service.

The ledger is cash-based: receipts are bills actually paid (VAT and levies included, then remitted;
the sewerage part of the bill is collected for the sewerage authority and remitted the same month)
and loan proceeds; payments are opex, capex, debt service, taxes remitted and the money that leaves
the service (operator margin, head-office fees, delegation overhead, corporate taxes). Every month
``cash_end = cash_start + receipts - payments`` holds exactly, with each term recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.core.billing import _load_numba, kernel_name

#: the most loans :func:`sim.core._billing_numba.loans_month_loop` sums (numpy's pairwise block)
_COMPILED_LOANS_MAX = 128
_F8, _I8 = np.dtype(np.float64), np.dtype(np.int64)


def annuity_payment(principal: float, rate_per_period: float, periods: int) -> float:
    """Constant payment repaying ``principal`` over ``periods`` at ``rate_per_period``."""
    if periods <= 0:
        return principal
    if abs(rate_per_period) < 1e-12:  # (1 + r)**-n rounds to 1: the zero-rate annuity
        return principal / periods
    return principal * rate_per_period / (1.0 - (1.0 + rate_per_period) ** -periods)


@dataclass
class Loans:
    """A book of fixed-rate, monthly-annuity loans, vectorised over loans."""

    principal: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rate_m: np.ndarray = field(default_factory=lambda: np.zeros(0))
    months_left: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    payment: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: the fewest months left of any loan (a bound, kept by :meth:`add` and :meth:`month`)
    _min_left: int = field(default=0, init=False, repr=False, compare=False)

    def add(self, amount: float, rate_pct_year: float, years: int) -> None:
        if amount <= 0:
            return
        r = rate_pct_year / 100.0 / 12.0
        n = int(years * 12)
        self.principal = np.append(self.principal, amount)
        self.rate_m = np.append(self.rate_m, r)
        self.months_left = np.append(self.months_left, n)
        self.payment = np.append(self.payment, annuity_payment(amount, r, n))
        self._min_left = min(self._min_left, n) if self.principal.size > 1 else n

    @property
    def outstanding(self) -> float:
        return float(self.principal.sum())

    def month(self, compiled: bool | None = None) -> tuple[float, float]:
        """Pay one month; returns (interest, principal repaid). ``compiled``: whether the billing
        path is numba's (:func:`sim.core.billing.kernel_name`), if the caller knows it."""
        n = self.principal.size
        if n == 0:
            return 0.0, 0.0
        if (
            self._min_left > 1
            and n <= _COMPILED_LOANS_MAX
            and self.principal.dtype is self.rate_m.dtype is self.payment.dtype is _F8
            and self.months_left.dtype is _I8
            and (kernel_name() == "numba" if compiled is None else compiled)
        ):
            # the numpy operations below, in one compiled pass over the loans, in place (the same
            # doubles: tests/test_fast_paths.py); a pair of buffers kept for the sums' terms
            work = self.__dict__.get("_work")
            if work is None:
                work = self.__dict__["_work"] = np.empty((2, _COMPILED_LOANS_MAX))
            interest_sum, repay_sum, alive = _load_numba().loans_month_loop(
                self.principal, self.rate_m, self.payment, self.months_left, work
            )
            self._min_left -= 1
            if not alive:
                keep = self.principal > 1e-9
                self.principal, self.rate_m = self.principal[keep], self.rate_m[keep]
                self.months_left, self.payment = self.months_left[keep], self.payment[keep]
            return float(interest_sum), float(repay_sum)
        interest = self.principal * self.rate_m
        if self._min_left > 1:
            # no loan in its last month: the same arithmetic with fewer numpy calls (where() would
            # pick payment − interest for every loan, and every loan has months left after this one)
            repay = np.subtract(self.payment, interest)
            np.minimum(repay, self.principal, out=repay)
            self.principal = self.principal - repay
            self.months_left = self.months_left - 1
            self._min_left -= 1
            if not np.greater(self.principal, 1e-9).all():
                alive = self.principal > 1e-9
                self.principal, self.rate_m = self.principal[alive], self.rate_m[alive]
                self.months_left, self.payment = self.months_left[alive], self.payment[alive]
            return float(np.add.reduce(interest)), float(np.add.reduce(repay))
        repay = np.minimum(
            np.where(self.months_left <= 1, self.principal, self.payment - interest), self.principal
        )
        self.principal = self.principal - repay
        self.months_left = self.months_left - 1
        alive = (self.months_left > 0) & (self.principal > 1e-9)
        if not alive.all():
            self.principal, self.rate_m = self.principal[alive], self.rate_m[alive]
            self.months_left, self.payment = self.months_left[alive], self.payment[alive]
        self._min_left = int(self.months_left.min()) if self.months_left.size else 0
        # = .sum() of each, without its Python wrapper (a handful of loans, every month)
        return float(np.add.reduce(interest)), float(np.add.reduce(repay))

    def remove(self, share: float) -> float:
        """Transfer a share of every loan away (e.g. to the authority); returns principal moved."""
        moved = float(self.principal.sum() * share)
        self.principal = self.principal * (1.0 - share)
        self.payment = self.payment * (1.0 - share)
        return moved

    def next_year_split(self) -> tuple[float, float]:
        """(interest, principal) of the next twelve months at current terms, without paying them."""
        principal, months_left = self.principal.copy(), self.months_left.copy()
        interest_sum = repaid_sum = 0.0
        for _ in range(12):
            live = months_left > 0
            interest = np.where(live, principal * self.rate_m, 0.0)
            repay = np.where(months_left <= 1, principal, self.payment - interest)
            repay = np.where(live, np.minimum(repay, principal), 0.0)
            principal = principal - repay
            months_left = months_left - 1
            interest_sum += float(interest.sum())
            repaid_sum += float(repay.sum())
        return interest_sum, repaid_sum

    def yearly_service(self) -> float:
        """Debt service of the next twelve months at current terms (for budget projections)."""
        return float((self.payment * np.minimum(self.months_left, 12)).sum())


#: the ledger's receipt and payment lines, in the order they appear in ``periods``
RECEIPT_LINES = ("bill_receipts_eur", "loan_proceeds_eur", "other_receipts_eur", "sewerage_collected_eur")
PAYMENT_LINES = (
    "staff_eur",
    "subcontracting_eur",
    "energy_eur",
    "treatment_eur",
    "overheads_eur",
    "repairs_eur",
    "participation_eur",
    "renewal_capex_eur",
    "other_capex_eur",
    "interest_eur",
    "principal_eur",
    "vat_remitted_eur",
    "levies_remitted_eur",
    "sewerage_remitted_eur",
    "margin_eur",
    "head_office_eur",
    "delegation_overhead_eur",
    "corporate_tax_eur",
    "provision_kept_eur",
    "operator_result_eur",
    "share_interest_eur",
    "transition_eur",
    "treasury_interest_eur",
)
OPEX_LINES = (
    "staff_eur",
    "subcontracting_eur",
    "energy_eur",
    "treatment_eur",
    "overheads_eur",
    "repairs_eur",
    "participation_eur",
    "transition_eur",
)
CAPEX_LINES = ("renewal_capex_eur", "other_capex_eur")
OUTFLOW_LINES = (
    "margin_eur",
    "head_office_eur",
    "delegation_overhead_eur",
    "corporate_tax_eur",
    "provision_kept_eur",
    "operator_result_eur",
)


#: every line of the ledger, receipts first; the first :data:`N_RECEIPTS` are receipts
ALL_LINES = RECEIPT_LINES + PAYMENT_LINES
N_RECEIPTS = len(RECEIPT_LINES)


def close_month(
    cash_start: float, lines: dict[str, float], extra_payments: tuple[str, ...] = ()
) -> dict[str, float]:
    """Sum receipts and payments of a month and close the cash balance.

    ``extra_payments`` are a service's own payment lines (e.g. electricity's compensation for long
    cuts), recorded after the common ones."""
    # each line looked up once (the same sums, in the same order: tests/test_fast_paths.py)
    values = [lines.get(k, 0.0) for k in ALL_LINES]
    receipts = sum(values[:N_RECEIPTS])
    payments = sum(values[N_RECEIPTS:])
    row = dict(zip(ALL_LINES, values, strict=True))
    for k in extra_payments:
        v = lines.get(k, 0.0)
        payments += v
        row[k] = v
    row.update(
        cash_start_eur=cash_start,
        receipts_eur=receipts,
        payments_eur=payments,
        cash_end_eur=cash_start + receipts - payments,
    )
    return row

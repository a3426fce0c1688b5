"""Energy poverty: the ONPE energy-effort indicator and its 10 % variant (electricity.md §4.1)."""

from __future__ import annotations

from typing import Any

import numpy as np

#: ONPE energy-effort indicator (TEE): housing energy spending above 8 % of income, among the
#: households of the three lowest income deciles (electricity.md §4.1)
ONPE_THRESHOLD_PCT = 8.0
ONPE_LOWEST_DECILES = 3
#: the classic (UK, Boardman) threshold; no current French official source uses it (§4.1)
BOARDMAN_THRESHOLD_PCT = 10.0


def energy_poverty_pct(
    spending_eur: Any,
    income_eur: Any,
    decile: Any,
    threshold_pct: float = ONPE_THRESHOLD_PCT,
    lowest_deciles: int | None = ONPE_LOWEST_DECILES,
) -> float:
    """Share of all households (%) in energy poverty.

    Rule (electricity.md §4.1, ONPE "taux d'effort énergétique"): a household is counted when its
    energy spending exceeds ``threshold_pct`` % of its income **and** it is in the
    ``lowest_deciles`` lowest income deciles (deciles 1 = poorest … 10); the rate is over all
    households (3.2 M households, 10.8 % in 2022). ``threshold_pct=10`` gives the 10 % variant;
    ``lowest_deciles=None`` drops the income condition. ``spending_eur`` is what the model knows
    of each household's housing energy (its electricity bill, incl. taxes): for a household heated
    otherwise the indicator then misses its heating fuel.
    """
    spend = np.asarray(spending_eur, dtype=float)
    income = np.asarray(income_eur, dtype=float)
    dec = np.asarray(decile)
    if spend.shape != income.shape or spend.shape != dec.shape or spend.size == 0:
        raise ValueError("one spending, income and decile per household are needed")
    if np.any(income <= 0):
        raise ValueError("incomes must be > 0")
    poor = spend > threshold_pct / 100.0 * income
    if lowest_deciles is not None:
        poor &= dec <= lowest_deciles
    return 100.0 * float(poor.mean())

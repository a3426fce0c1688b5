"""Energy poverty: the ONPE energy-effort indicator and its 10 % variant (electricity.md §4.1), and
what a household heated otherwise than by electricity spends on its heating energy (the ONPE counts
all housing energy spending)."""

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
    ``lowest_deciles=None`` drops the income condition. ``spending_eur`` is each household's
    housing energy spending, incl. taxes: the service passes its electricity bill plus, for a
    household heated otherwise, :func:`other_heating_spending_eur`.
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


def other_heating_spending_eur(
    need_kwh: Any,
    price_eur_per_kwh: float,
    efficiency: float,
    weather_factor: float = 1.0,
    need_factor: float = 1.0,
) -> Any:
    """Each household's yearly spending on a heating energy other than electricity, € incl. taxes.

    Rule: spending = need × need_factor × weather_factor / efficiency × price, with ``need`` the
    heating part of the published electric uses of a household of its size (electricity.md §3.1),
    ``need_factor`` the dwelling's heat need as a multiple of it
    (``energy_poverty.other_heating_need_factor``, calibrated between 1 and the ADEME/CEREN
    dwelling's 3.24, see its source), ``efficiency`` the heat
    delivered per kWh of that energy (electric resistance heating = 1), ``price`` the energy's
    price per kWh, all costs in, and ``weather_factor`` the year's heating degree-days over the
    normal year's (the factor the service's electric heating follows). Works on arrays.
    """
    if not price_eur_per_kwh >= 0:
        raise ValueError("the price must be >= 0")
    if not efficiency > 0:
        raise ValueError("the efficiency must be > 0")
    if not weather_factor >= 0:
        raise ValueError("the weather factor must be >= 0")
    if not need_factor > 0:
        raise ValueError("the need factor must be > 0")
    return np.asarray(need_kwh, dtype=float) * (need_factor * weather_factor / efficiency * price_eur_per_kwh)

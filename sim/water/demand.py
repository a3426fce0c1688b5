"""How households' water use answers the price: one function for the engine and the tariff designer.

Demand responds to the real marginal price with a constant elasticity (households.md and water.md
§3.6 give the ranges), and conservation campaigns cut it by a share::

    factor = (max(p / cpi, 0.05) / max(p_ref, 0.05)) ** elasticity × (1 − conservation)

where ``p`` is each household's marginal price incl. levies and VAT at last year's volume and
``p_ref`` the price at which the town's mean consumption was observed (first-year euros). Prices
are floored at 0.05 €/m3 so that a free block does not send the factor to infinity.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

PRICE_FLOOR_EUR_PER_M3 = 0.05


def price_response(
    price_eur_per_m3: ArrayLike,
    cpi: float,
    reference_price_eur_per_m3: ArrayLike,
    elasticity: float,
    conservation: float,
) -> NDArray[np.float64]:
    """The factor on each household's base use (see the module docstring).

    When every household sees the same price against the same reference (a single block and no
    free volume: the usual case), the factor is computed once and repeated: the same floats as
    household by household, without a power per household (the dearest step of a year start).
    """
    price = np.asarray(price_eur_per_m3, dtype=np.float64)
    reference = np.asarray(reference_price_eur_per_m3)
    if price.ndim == 1 and price.size > 1 and reference.shape == price.shape:
        if _constant(price) and _constant(reference):
            one = _factor(price[:1], cpi, reference[:1], elasticity, conservation)
            return np.full(price.shape, one[0])
    return _factor(price, cpi, reference, elasticity, conservation)


def _factor(
    price: NDArray[np.float64],
    cpi: float,
    reference: ArrayLike,
    elasticity: float,
    conservation: float,
) -> NDArray[np.float64]:
    real = np.maximum(price / cpi, PRICE_FLOOR_EUR_PER_M3)
    factor: NDArray[np.float64] = (real / np.maximum(reference, PRICE_FLOOR_EUR_PER_M3)) ** elasticity
    factor *= 1.0 - conservation
    return factor


def _constant(a: np.ndarray) -> bool:
    """Whether every value of ``a`` is the same number (never with a NaN)."""
    return bool(a.min() == a.max())

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
    """The factor on each household's base use (see the module docstring)."""
    real = np.maximum(np.asarray(price_eur_per_m3, dtype=np.float64) / cpi, PRICE_FLOOR_EUR_PER_M3)
    factor: NDArray[np.float64] = (
        real / np.maximum(reference_price_eur_per_m3, PRICE_FLOOR_EUR_PER_M3)
    ) ** elasticity
    factor *= 1.0 - conservation
    return factor

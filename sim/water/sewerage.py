"""Mains sewerage (assainissement collectif): the second priced line of the water bill.

Sewerage is billed with water, on the metered water volume, by the water service, which collects it
for the sewerage authority and remits what it collects (as it does for the agency levies): it is
not money of the water service, so it never changes the water price nor the service's budget. Its
tariff (:class:`sim.scenario.model.Sewerage`: a standing charge and a price per m3, incl. tax) follows
inflation. Households on individual sanitation (ANC) pay none of it. The affordability test (water.md
§3.5: 3 % of income for water *and* sewerage) adds it to the water bill.
"""

from __future__ import annotations

import numpy as np

from sim.core.tariff import REFERENCE_VOLUME_M3
from sim.scenario.model import Sewerage


def sewerage_bill_eur(
    volume_m3: np.ndarray, sewered: np.ndarray, spec: Sewerage, price_index: float, months: int = 12
) -> np.ndarray:
    """Each household's sewerage bill incl. tax for ``months`` months of standing charge and
    ``volume_m3``; 0 for a household that is not sewered."""
    standing = spec.standing_charge_eur_per_year * price_index * months / 12.0
    out: np.ndarray = np.where(sewered, standing + spec.price_eur_per_m3 * price_index * volume_m3, 0.0)
    return out


def sewerage_price_120m3_eur_per_m3(spec: Sewerage, price_index: float) -> float:
    """Sewerage price of the 120 m3 reference bill (the sewerage part of SISPEA D102.0), €/m3."""
    return price_index * (spec.standing_charge_eur_per_year / REFERENCE_VOLUME_M3 + spec.price_eur_per_m3)

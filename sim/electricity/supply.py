"""The cost of the energy a local supplier buys, by year: ARENH until 2025, the market after
(electricity.md §6.3)."""

from __future__ import annotations

from sim.electricity import law
from sim.scenario.electricity import Supply


def arenh_served_share(supply: Supply, year: int) -> float:
    """Share of the supplier's volumes bought at the ARENH price in ``year``.

    Rule (electricity.md §6.3): until 31 Dec 2025, the share of volumes valued at the ARENH price
    (``arenh_share_of_volumes``, about 70 % in the pre-2022 TRV method) times the allocation share
    left by the 100 TWh ceiling (:func:`~sim.electricity.law.arenh_allocation_share`); nothing
    from 2026, when ARENH has ended.
    """
    if year > law.ARENH_LAST_DAY.year:
        return 0.0
    served = law.arenh_allocation_share(law.ARENH_CEILING_TWH, supply.arenh_requested_twh)
    return supply.arenh_share_of_volumes * served


def energy_cost_eur_per_mwh(supply: Supply, year: int, market_eur_per_mwh: float) -> float:
    """Average cost of a MWh bought in ``year``: the ARENH share at 42 €/MWh, the rest at the market
    price (electricity.md §6.3). After 2025 the whole volume is at the market price; the post-ARENH
    mechanism (an average near 70 €/MWh with redistribution when prices spike) is not modelled."""
    share = arenh_served_share(supply, year)
    return share * law.ARENH_PRICE_EUR_PER_MWH + (1.0 - share) * market_eur_per_mwh

"""The cost of the energy a local supplier buys, by year: ARENH until 2025, the market after, less
the post-ARENH redistribution when prices spike (electricity.md §6.3)."""

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


def post_arenh_cost_eur_per_mwh(
    market_eur_per_mwh: float, threshold_eur_per_mwh: float, share_pct: float
) -> float:
    """Cost of a MWh bought at the market after ARENH, net of what is given back when prices spike.

    Rule (electricity.md §6.3: "Post-ARENH from 1 Jan 2026: mechanism aiming at an average of
    ~70 €/MWh, with redistribution to consumers when prices spike"), modelled as: when the market
    price exceeds ``threshold_eur_per_mwh``, ``share_pct`` % of the excess above it is given back,
    so ``cost = market − share × max(market − threshold, 0)``. The reference gives no share and
    does not detail the law's mechanism (versement nucléaire universel): the share is an
    assumption, 0 (none) by default.
    """
    if market_eur_per_mwh < 0 or threshold_eur_per_mwh < 0:
        raise ValueError("market price and threshold must be ≥ 0")
    if not 0.0 <= share_pct <= 100.0:
        raise ValueError("the redistributed share must be between 0 and 100 %")
    excess = max(market_eur_per_mwh - threshold_eur_per_mwh, 0.0)
    return market_eur_per_mwh - share_pct / 100.0 * excess


def energy_cost_eur_per_mwh(
    supply: Supply, year: int, market_eur_per_mwh: float, price_index: float = 1.0
) -> float:
    """Average cost of a MWh bought in ``year``: the ARENH share at 42 €/MWh, the rest at the market
    price (electricity.md §6.3). After 2025 the whole volume is bought at the market price, less the
    post-ARENH redistribution when the price spikes above the threshold
    (:func:`post_arenh_cost_eur_per_mwh`; none with the default share of 0 %). The threshold is in
    the opening year's euros and moves with ``price_index`` (the year's inflation since the start),
    as the market price does: inflation alone is not a spike (an assumption)."""
    if year > law.ARENH_LAST_DAY.year:
        return post_arenh_cost_eur_per_mwh(
            market_eur_per_mwh,
            supply.post_arenh_threshold_eur_per_mwh * price_index,
            supply.post_arenh_redistribution_pct,
        )
    share = arenh_served_share(supply, year)
    return share * law.ARENH_PRICE_EUR_PER_MWH + (1.0 - share) * market_eur_per_mwh

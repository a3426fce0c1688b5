"""The legal cap on the standing charge (arrêté of 6 August 2007 as amended, water.md §3.4).

The standing charge may be at most 30 % (urban communes) or 40 % (rural communes) of the yearly cost
of 120 m3, both excluding taxes and levies. This is the one place the rule is computed: the
scenario refuses a tariff above it, the committee and the workshop refuse proposals above it, and
:func:`sim.core.tariff.standing_charge_share_pct` is this function.
"""

from __future__ import annotations

from typing import Protocol

REFERENCE_VOLUME_M3 = 120.0  # SISPEA D102.0's reference yearly volume


def cap_pct(urban: bool) -> float:
    """The cap in % of the 120 m3 cost: 30 urban, 40 rural."""
    return 30.0 if urban else 40.0


class _Block(Protocol):
    up_to_m3: float | None
    price_eur_per_m3: float


class _Tariff(Protocol):
    standing_charge_eur_per_year: float
    free_volume_m3: float
    blocks_per_person: bool

    @property
    def blocks(self) -> tuple[_Block, ...]: ...


def volume_part_120m3_eur(tariff: _Tariff, persons: int) -> float:
    """Volume part excl. tax of a 120 m3 yearly bill at the full price, in euros.

    Same conventions as :func:`sim.core.tariff.bill`: bounds and free volume per year (per person
    when ``blocks_per_person``), the free volume is the first slice, a block bills the part of
    ``[max(lower, free), min(upper, 120)]`` it holds.
    """
    scale = float(persons) if tariff.blocks_per_person else 1.0
    u = REFERENCE_VOLUME_M3 / scale
    free = min(u, tariff.free_volume_m3)
    total = 0.0
    lower = 0.0
    for block in tariff.blocks:
        upper = float("inf") if block.up_to_m3 is None else block.up_to_m3
        billed = max(min(u, upper) - max(lower, free), 0.0)
        total += billed * scale * block.price_eur_per_m3
        lower = upper
    return total


def standing_charge_share_pct(tariff: _Tariff, persons: int) -> float:
    """Standing charge as a share of the 120 m3 yearly cost, excl. levies and VAT, in %.

    ``100 × standing / (standing + volume part of a 120 m3 yearly bill)`` for a household of
    ``persons`` (which matters only when blocks are per person), at the full (non-social) price.
    Returns 0 when the 120 m3 cost is 0.
    """
    standing = tariff.standing_charge_eur_per_year
    cost = standing + volume_part_120m3_eur(tariff, persons)
    return 0.0 if cost <= 0.0 else 100.0 * standing / cost

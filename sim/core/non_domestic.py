"""Non-domestic users: businesses, public buildings and buildings' collective meters.

They are a handful of meter groups, not households: each group has a number of meters, a yearly
volume and whether it pays sewerage. They are billed at the tariff in force (the standing charge per
meter, and one price per m3: the mean volume price of the 120 m3 bill, see
:class:`sim.scenario.model.NonDomestic`), plus levies and VAT; they are assumed to pay their bills
in full (an assumption: P154.0 is not split by user kind). Their volumes are carried by the
network, so they enter the water balance and the yield (P104.3 counts billed non-domestic volumes).
Their use does not answer the price (an assumption: no elasticity for businesses or public
buildings is in the reference files); restrictions cut it as households' indoor use, and in a
shortfall they share, in proportion, what is left after households' essential volumes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core import tariff as tariffs
from sim.core.households import DAYS_PER_YEAR
from sim.scenario.model import NonDomestic, Tariff


@dataclass(frozen=True)
class NonDomesticMeters:
    """One entry per group, in the scenario's order.

    Attributes
    ----------
    kind : tuple of str
    meters : array of float, meters of each group
    m3_per_year : array of float, volume each group uses in a year without restriction
    sewered : array of bool, whether the group pays mains sewerage
    """

    kind: tuple[str, ...]
    meters: np.ndarray
    m3_per_year: np.ndarray
    sewered: np.ndarray

    @classmethod
    def of(cls, spec: NonDomestic, households: int, inhabitants: int) -> NonDomesticMeters:
        users = spec.users
        return cls(
            kind=tuple(u.kind for u in users),
            meters=np.array([u.meters_per_1000_households * households / 1000.0 for u in users]),
            m3_per_year=np.array(
                [u.l_per_inhabitant_day * inhabitants * DAYS_PER_YEAR / 1000.0 for u in users]
            ),
            sewered=np.array([u.sewerage for u in users], dtype=bool),
        )

    @property
    def empty(self) -> bool:
        return len(self.kind) == 0


@dataclass(frozen=True)
class NonDomesticBill:
    """Sums over the groups of one billing date, euros (all paid)."""

    total_eur: float  # incl. tax
    vat_eur: float
    levies_eur: float
    revenue_eur: float  # excl. tax and levies


def volume_price_eur_per_m3(tariff: Tariff, persons: int, price_index: float) -> float:
    """The mean volume price excl. tax of the 120 m3 bill: its blocks and surcharge-free volume part
    over 120 m3 (standing charge, levies and VAT excluded), at ``price_index``.

    Remembered for the last few (tariff, persons, index): a run asks it at every billing date with
    the same frozen tariff, and billing one household costs as many numpy calls as billing all.
    """
    key = (id(tariff), persons, price_index)
    hit = _VOLUME_PRICES.get(key)
    if hit is not None and hit[0] is tariff:  # the tariff is kept, so its id is not reused
        return hit[1]
    bd = tariffs.bill(np.array([tariffs.REFERENCE_VOLUME_M3]), persons, tariff, price_index=price_index)
    price = float(bd.volume_eur[0]) / tariffs.REFERENCE_VOLUME_M3
    if len(_VOLUME_PRICES) >= 64:
        _VOLUME_PRICES.clear()
    _VOLUME_PRICES[key] = (tariff, price)
    return price


_VOLUME_PRICES: dict[tuple[int, int, float], tuple[Tariff, float]] = {}


def bill_non_domestic(
    meters: NonDomesticMeters,
    volume_m3: np.ndarray,
    tariff: Tariff,
    persons: int,
    months: int,
    price_index: float,
    levies_index: float,
) -> NonDomesticBill:
    """Bills of the groups for ``months`` months of standing charge and ``volume_m3`` (per group)."""
    if meters.empty:
        return NonDomesticBill(0.0, 0.0, 0.0, 0.0)
    # the sums as .sum() / np.sum take them, without their Python wrappers (a billing date and a
    # projection each ask, for a handful of groups)
    meters_n = float(np.add.reduce(meters.meters))
    standing = meters_n * tariff.standing_charge_eur_per_year * price_index * months / 12.0
    vol = float(np.add.reduce(volume_m3, axis=None))
    volume = vol * volume_price_eur_per_m3(tariff, persons, price_index)
    levies = vol * tariff.levies_eur_per_m3 * levies_index
    excl = standing + volume + levies
    vat = excl * tariff.vat_pct / 100.0
    return NonDomesticBill(
        total_eur=excl + vat, vat_eur=vat, levies_eur=levies, revenue_eur=standing + volume
    )

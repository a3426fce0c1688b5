"""Household electricity use by heating type and size (electricity.md §3.1).

The reference gives four published cases (Ministère de l'Économie, 22 Jan 2024): one person in a
flat, four persons in a house, each heated by electricity or otherwise. Between them, yearly use is
taken as linear in the number of persons, per heating type (assumption: the two cases mix size and
dwelling, so the dwelling's own effect is folded into the size slope).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.scenario.electricity import ElectricityHouseholds


def annual_kwh(hh: ElectricityHouseholds, persons: Any, electric_heating: Any) -> Any:
    """Yearly kWh of households of ``persons`` persons, heated by electricity or not (arrays).

    kWh = k₁ + (k₄ − k₁) / 3 × (persons − 1), with k₁ the one-person-flat and k₄ the four-person-house
    figures of the heating type (electricity.md §3.1): 2,200 / 3,700 kWh heated otherwise,
    4,200 / 9,000 kWh with electric heating.
    """
    p = np.asarray(persons, dtype=float)
    elec = np.asarray(electric_heating, dtype=bool)
    k1 = np.where(elec, hh.kwh_flat_1_person_electric_heating, hh.kwh_flat_1_person_other_heating)
    k4 = np.where(elec, hh.kwh_house_4_persons_electric_heating, hh.kwh_house_4_persons_other_heating)
    out = k1 + (k4 - k1) / 3.0 * (p - 1.0)
    return float(out) if out.ndim == 0 else out


def mean_annual_kwh(hh: ElectricityHouseholds) -> float:
    """Expected yearly kWh of a household drawn from the scenario's size and heating shares."""
    sizes = np.arange(1, 6)
    shares = np.asarray(hh.size_shares)
    e = hh.electric_heating_share
    return float((shares * (e * annual_kwh(hh, sizes, True) + (1 - e) * annual_kwh(hh, sizes, False))).sum())

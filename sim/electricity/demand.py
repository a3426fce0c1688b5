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


DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)


def degree_days(hh: ElectricityHouseholds, temperature_c: Any) -> Any:
    """Heating degree-days of each month: days × max(base − mean temperature, 0) (assumption: the
    monthly-mean approximation of daily degree-days). ``temperature_c`` has 12 values (or rows of 12)."""
    t = np.asarray(temperature_c, dtype=float)
    return DAYS_IN_MONTH * np.maximum(hh.heating_base_temperature_c - t, 0.0)


def monthly_kwh(
    hh: ElectricityHouseholds, persons: Any, electric_heating: Any, month: int, temperature_c: float
) -> np.ndarray:
    """Each household's kWh in calendar month ``month`` (0-11) at mean temperature ``temperature_c``.

    Use apart from heating (the yearly use of the same household heated otherwise) is spread by days.
    The heating part of an electrically heated household (its yearly use minus the same household
    heated otherwise, electricity.md §3.1) is spread by heating degree-days: in a year of normal
    temperatures the twelve months add up to :func:`annual_kwh` exactly, and each degree colder
    adds days × heating part / normal yearly degree-days (winter thermosensitivity; RTE measures
    about +2,300 MW per −1 °C nationally, electricity.md §3.2).
    """
    p = np.asarray(persons, dtype=float)
    elec = np.asarray(electric_heating, dtype=bool)
    other = annual_kwh(hh, p, np.zeros_like(elec))
    heating = np.where(elec, annual_kwh(hh, p, np.ones_like(elec)) - other, 0.0)
    normal_dd = float(degree_days(hh, hh.normal_monthly_temperature_c).sum())
    dd = DAYS_IN_MONTH[month] * max(hh.heating_base_temperature_c - temperature_c, 0.0)
    return np.asarray(other * DAYS_IN_MONTH[month] / DAYS_IN_MONTH.sum() + heating * dd / normal_dd)

"""Household electricity use by heating type, size and dwelling (electricity.md §3.1).

The reference gives four published cases (Ministère de l'Économie, 22 Jan 2024): one person in a
flat, four persons in a house, each heated by electricity or otherwise. Use apart from heating (the
use of a household heated otherwise) is taken as linear in the number of persons between the two
cases (assumption). The heating part (electric minus other use of the same case) also depends on the
dwelling: a house needs ``house_heating_factor`` times a flat's heat for the same household
(assumption), and the heating per extra person is what is left of the gap between the one-person
flat and the four-person house once the dwelling explains its share. Both published cases stay
exact whatever the factor; with a factor of 1 the dwelling is folded into the size slope again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.scenario.electricity import ElectricityHouseholds

#: household sizes of the scenario's shares (``size_shares``, ``house_share_by_size``)
SIZES = np.arange(1, 6)


def other_kwh(hh: ElectricityHouseholds, persons: Any) -> Any:
    """Yearly kWh apart from heating: k₁ + (k₄ − k₁) / 3 × (persons − 1), k₁ and k₄ the one-person
    flat's and four-person house's use when heated otherwise (2,200 and 3,700 kWh, §3.1)."""
    p = np.asarray(persons, dtype=float)
    k1, k4 = hh.kwh_flat_1_person_other_heating, hh.kwh_house_4_persons_other_heating
    out = k1 + (k4 - k1) / 3.0 * (p - 1.0)
    return float(out) if out.ndim == 0 else out


def heating_kwh(hh: ElectricityHouseholds, persons: Any, house: Any) -> Any:
    """Yearly electric heating at normal temperatures of a household of ``persons`` persons in a
    house (``house`` True) or a flat, were it heated with electricity.

    With h₁ the one-person flat's heating (4,200 − 2,200 = 2,000 kWh, §3.1), h₄ the four-person
    house's (9,000 − 3,700 = 5,300 kWh) and f the ``house_heating_factor``, a flat of p persons needs
    h₁ (4 − p) / 3 + h₄ / f × (p − 1) / 3 and a house f times that, written
    f h₁ (4 − p) / 3 + h₄ (p − 1) / 3 so that the two published cases come out exactly.
    """
    p = np.asarray(persons, dtype=float)
    on_house = np.asarray(house, dtype=bool)
    f = hh.house_heating_factor
    h1 = hh.kwh_flat_1_person_electric_heating - hh.kwh_flat_1_person_other_heating
    h4 = hh.kwh_house_4_persons_electric_heating - hh.kwh_house_4_persons_other_heating
    flat = h1 * (4.0 - p) / 3.0 + h4 / f * (p - 1.0) / 3.0
    in_house = f * h1 * (4.0 - p) / 3.0 + h4 * (p - 1.0) / 3.0
    out = np.where(on_house, in_house, flat)
    return float(out) if out.ndim == 0 else out


def annual_kwh(hh: ElectricityHouseholds, persons: Any, electric_heating: Any, house: Any) -> Any:
    """Yearly kWh of households of ``persons`` persons, heated by electricity or not, in a house or
    a flat (arrays): :func:`other_kwh` plus, for electric heating, :func:`heating_kwh`.

    The published cases (§3.1): 2,200 / 4,200 kWh for one person in a flat heated otherwise / with
    electricity, 3,700 / 9,000 kWh for four persons in a house.
    """
    elec = np.asarray(electric_heating, dtype=bool)
    out = np.asarray(other_kwh(hh, persons)) + np.where(elec, heating_kwh(hh, persons, house), 0.0)
    return float(out) if out.ndim == 0 else out


def mean_annual_kwh(hh: ElectricityHouseholds) -> float:
    """Expected yearly kWh of a household drawn from the scenario's size, dwelling and heating shares."""
    shares = np.asarray(hh.size_shares)
    houses = np.asarray(hh.house_share_by_size)
    heat = houses * heating_kwh(hh, SIZES, True) + (1 - houses) * heating_kwh(hh, SIZES, False)
    return float((shares * (other_kwh(hh, SIZES) + hh.electric_heating_share * heat)).sum())


DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)


def degree_days(hh: ElectricityHouseholds, temperature_c: Any) -> Any:
    """Heating degree-days of each month: days × max(base − mean temperature, 0) (assumption: the
    monthly-mean approximation of daily degree-days). ``temperature_c`` has 12 values (or rows of 12)."""
    t = np.asarray(temperature_c, dtype=float)
    return DAYS_IN_MONTH * np.maximum(hh.heating_base_temperature_c - t, 0.0)


def monthly_kwh(
    hh: ElectricityHouseholds,
    persons: Any,
    electric_heating: Any,
    house: Any,
    month: int,
    temperature_c: float,
) -> np.ndarray:
    """Each household's kWh in calendar month ``month`` (0-11) at mean temperature ``temperature_c``.

    Use apart from heating (the yearly use of the same household heated otherwise) is spread by days.
    The heating part of an electrically heated household (:func:`heating_kwh`, by size and
    dwelling, electricity.md §3.1) is spread by heating degree-days: in a year of normal
    temperatures the twelve months add up to :func:`annual_kwh` exactly, and each degree colder
    adds days × heating part / normal yearly degree-days (winter thermosensitivity; RTE measures
    about +2,300 MW per −1 °C nationally, electricity.md §3.2).
    """
    p = np.asarray(persons, dtype=float)
    elec = np.asarray(electric_heating, dtype=bool)
    other = other_kwh(hh, p)
    heating = np.where(elec, heating_kwh(hh, p, house), 0.0)
    normal_dd = float(degree_days(hh, hh.normal_monthly_temperature_c).sum())
    dd = DAYS_IN_MONTH[month] * max(hh.heating_base_temperature_c - temperature_c, 0.0)
    return np.asarray(other * DAYS_IN_MONTH[month] / DAYS_IN_MONTH.sum() + heating * dd / normal_dd)

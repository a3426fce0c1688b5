"""Households of an electricity service: the core's deciles, incomes and sizes, plus a heating type,
a dwelling (flat or house), a subscribed power and a yearly use split into a part that follows the
days and a heating part that follows the cold (electricity.md §3.1-3.2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.households import BasePopulation, draw_households
from sim.electricity.demand import heating_kwh, other_kwh
from sim.scenario.electricity import ElectricityHouseholds


@dataclass
class ElectricityPopulation(BasePopulation):
    """:class:`~sim.core.households.BasePopulation` and, per household:

    electric_heating : bool, heated with electricity
    kva : float, subscribed power
    other_kwh_per_year : float, yearly use apart from heating (the same household heated otherwise)
    heating_kwh_per_year : float, yearly electric heating at normal temperatures (0 if heated otherwise)
    other_heating_kwh_per_year : float, for a household heated otherwise, the heat its dwelling needs
        in a year of normal temperatures, in electric-equivalent kWh (what the same household would
        use for electric heating); 0 if heated with electricity. Never billed by the service: it
        prices the other heating energy of the energy-poverty indicator (:mod:`sim.electricity.poverty`)
    house : bool, lives in a house (False: a flat)
    hphc : bool, on the HP/HC option when each household is on its own option (``own_option``;
        drawn in every town, used only then)
    """

    electric_heating: np.ndarray
    kva: np.ndarray
    other_kwh_per_year: np.ndarray
    heating_kwh_per_year: np.ndarray
    other_heating_kwh_per_year: np.ndarray
    house: np.ndarray
    hphc: np.ndarray


def build_electricity_population(
    spec: ElectricityHouseholds, rng: np.random.Generator, start_year: int
) -> ElectricityPopulation:
    """Draw the households from the ``population`` stream: the core's draws, then one uniform per
    household for its heating type (``electric_heating_share``, independent of income and size:
    an assumption, the reference gives no split by decile). Use follows :mod:`sim.electricity.demand`;
    a household heated otherwise keeps its heating need (``other_heating_kwh_per_year``), not billed.

    The dwelling is drawn from a child of the ``population`` stream (:meth:`numpy.random.Generator.spawn`),
    one uniform per household against ``house_share_by_size`` of its size: spawning leaves the
    stream where it was, so every draw made from it before and after (the engine's take-up of a
    social tariff comes next) is the one it was without dwellings. Then, from the same child, one
    uniform per household for its option (:func:`hphc_probability`)."""
    base = draw_households(spec, rng, start_year)
    electric = rng.random(base.count) < spec.electric_heating_share
    (own,) = rng.spawn(1)
    house = own.random(base.count) < np.asarray(spec.house_share_by_size)[base.persons.astype(np.intp) - 1]
    on_hphc = own.random(base.count) < np.where(electric, *hphc_probability(spec))
    other = np.asarray(other_kwh(spec, base.persons), dtype=float)
    # the heating part of use (electricity.md §3.1): billed for electric heating, met by another
    # energy for the others (the same need, expressed in electric-equivalent kWh: an assumption)
    need = np.asarray(heating_kwh(spec, base.persons, house), dtype=float)
    heating = np.where(electric, need, 0.0)
    other_heating = np.where(electric, 0.0, need)
    kva = np.where(electric, float(spec.kva_electric_heating), float(spec.kva_other_heating))
    return ElectricityPopulation(
        base.decile,
        base.income_eur_per_year,
        base.persons,
        electric,
        kva,
        other,
        heating,
        other_heating,
        house,
        on_hphc,
    )


def hphc_probability(spec: ElectricityHouseholds) -> tuple[float, float]:
    """Probability that a household is on HP/HC when each is on its own option: heated with
    electricity, ``hphc_share_electric_heating`` (assumption); heated otherwise, what makes the town's
    share ``hphc_share`` (electricity.md §1.4), kept between 0 and 1."""
    e = spec.electric_heating_share
    p_elec = spec.hphc_share_electric_heating
    p_other = (spec.hphc_share - e * p_elec) / (1.0 - e) if e < 1.0 else 0.0
    return p_elec, min(max(p_other, 0.0), 1.0)

"""The Scenario: a frozen, validated description of one town's water service.

A scenario is data only. Each block (``town``, ``households``, ``network``, ``resource``, ``tariff``,
``finance``, ``workforce``, ``billing``, ``affordability``, ``governance``, ``shocks``) is a pydantic
model whose fields carry their unit, bounds, meaning and source (see :mod:`sim.scenario.params`). Unknown keys
are errors. YAML files may ``extends:`` another file and change a few keys.

Sources quoted as "water.md §x" refer to ``shared/reference/water.md`` of the project, which gives the
publication behind each figure; "households.md" likewise.
"""

from __future__ import annotations

import copy
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from sim.scenario import loader
from sim.scenario.caps import cap_pct, standing_charge_share_pct
from sim.scenario.errors import CapError, Problem, ScenarioError, problems_from_validation
from sim.scenario.params import param
from sim.scenario.paths import split_path

MAX_HOUSEHOLDS = 2_000_000
MAX_HORIZON_YEARS = 100


class Block(BaseModel):
    """Base of every scenario block: frozen, unknown keys forbidden."""

    # validators built at a block's first validation, not at import: a pool worker only unpickles
    # scenarios and never builds them (~0.1 s of its start-up; tests/test_fast_paths.py)
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True, defer_build=True)


# --------------------------------------------------------------------------------------------
# town
# --------------------------------------------------------------------------------------------
class Town(Block):
    name: str = param(
        "Ville-sur-Eau",
        desc="Name of the town",
        desc_fr="Nom de la commune",
        source="assumption: a fictional French town",
    )
    start_year: int = param(
        2026,
        unit="year",
        ge=1990,
        le=2100,
        desc="First simulated year",
        desc_fr="Première année simulée",
        source="assumption: the current year",
    )
    urban: bool = param(
        True,
        desc="Urban commune (standing-charge cap 30 %) or rural (40 %)",
        desc_fr="Commune urbaine (plafond de la part fixe 30 %) ou rurale (40 %)",
        source="water.md §3.4: arrêté of 6 Aug 2007 as amended (30 % urban, 40 % rural)",
    )


# --------------------------------------------------------------------------------------------
# households
# --------------------------------------------------------------------------------------------
# INSEE 2018 household disposable income (households.md): decile bounds D1..D9 with D7, D8 interpolated
# log-linearly between D6 and D9 as households.md asks.
_D7 = round(36_156 * (65_250 / 36_156) ** (1 / 3))
_D8 = round(36_156 * (65_250 / 36_156) ** (2 / 3))
INSEE_DECILE_MEANS_EUR = (
    10_030.0,  # mean below D1 (INSEE)
    (13_820 + 17_820) / 2,  # midpoint D1-D2 (derived)
    19_730.0,  # mean D2-D3 (INSEE)
    (21_670 + 25_764) / 2,  # midpoint (derived)
    (25_764 + 30_620) / 2,
    (30_620 + 36_156) / 2,
    (36_156 + _D7) / 2,
    (_D7 + _D8) / 2,
    (_D8 + 65_250) / 2,
    102_880.0,  # mean above D9 (INSEE)
)


class HouseholdBase(Block):
    """What every service knows of its households: how many, their sizes, incomes and their risk of
    leaving a bill unpaid. Each service's households block adds its own use (water: litres per
    person; electricity: heating and subscribed power)."""

    count: int = param(
        20_000,
        unit="households",
        ge=10,
        le=MAX_HOUSEHOLDS,
        widget=True,
        desc="Number of households served",
        desc_fr="Nombre de ménages desservis",
        source="assumption: a town of about 45,000 inhabitants",
    )
    size_shares: tuple[float, float, float, float, float] = param(
        (0.37, 0.33, 0.14, 0.11, 0.05),
        unit="share",
        desc="Shares of households of 1, 2, 3, 4 and 5 persons",
        desc_fr="Part des ménages de 1, 2, 3, 4 et 5 personnes",
        source="households.md: INSEE 2022 by département (alone ~39 %, 2 persons 32-37 %, 3-4 persons "
        "20-27 %, 5+ 3-6 %), adjusted to the national mean of 2.16 persons (INSEE 2021)",
    )
    decile_mean_income_eur: tuple[float, ...] = param(
        INSEE_DECILE_MEANS_EUR,
        unit="€/yr",
        desc="Mean disposable income of each household income decile, first simulated year",
        desc_fr="Revenu disponible moyen de chaque décile de revenu des ménages",
        source="households.md: INSEE 2018 household disposable income (D1 mean 10,030 €, D2-D3 mean "
        "19,730 €, top mean 102,880 €; other deciles as midpoints of published bounds, D7-D8 "
        "interpolated log-linearly)",
    )
    income_reference_year: int = param(
        2018,
        unit="year",
        ge=1990,
        le=2100,
        desc="Year of the incomes given in decile_mean_income_eur",
        desc_fr="Année des revenus donnés dans decile_mean_income_eur",
        source="households.md: the INSEE household disposable incomes are 2018 figures",
    )
    income_growth_pct_per_year: float = param(
        3.0,
        unit="%/yr",
        ge=-10,
        le=20,
        desc="Nominal growth of household income per year, from the income year to the first simulated year",
        desc_fr="Croissance nominale annuelle du revenu des ménages, de l'année des revenus à la première "
        "année simulée",
        source="INSEE national accounts (derived) [C]: household gross disposable income +3.4 %/yr in "
        "value 2018-2022 (1,430.8 to 1,638.1 bn€, France portrait social 2023, "
        "insee.fr/fr/statistiques/7666881) and +8.0 % in 2023 (Revenus et patrimoine 2024, "
        "insee.fr/fr/statistiques/7941371); rounded down to 3 %/yr per household because the number "
        "of households grows too (not yet in households.md)",
    )
    size_decile_factor: tuple[float, float, float, float, float, float, float, float, float, float] = param(
        (0.57, 0.63, 0.69, 0.85, 0.98, 1.08, 1.17, 1.26, 1.34, 1.43),
        unit="×",
        desc="Mean household size of each income decile, relative to the town's mean (1 everywhere: "
        "size independent of income)",
        desc_fr="Taille moyenne des ménages de chaque décile de revenu, rapportée à la moyenne de la "
        "commune (1 partout : taille indépendante du revenu)",
        source="households.md: INSEE 2018, households below D1 have 1.10 consumption units and those "
        "between D2 and D3 1.21 (about 1.24 and 1.50 persons with 0.42 unit per extra person, "
        "derived), against a town mean of 2.16 persons; D2 interpolated; D4-D10 rise linearly so "
        "that the factors average 1 (assumption) [C]",
    )
    income_spread: float = param(
        0.08,
        unit="log sd",
        ge=0,
        le=1,
        desc="Spread of incomes within a decile (lognormal sd)",
        desc_fr="Dispersion des revenus dans un décile (écart-type log)",
        source="assumption: keeps deciles distinct",
    )
    unpaid_base_probability: float = param(
        0.011,
        unit="probability",
        ge=0,
        le=1,
        desc="Probability a bill goes unpaid when its burden is zero",
        desc_fr="Probabilité qu'une facture reste impayée quand son poids est nul",
        source="assumption: calibrated so the unpaid rate matches P154.0 (1.0-1.6 %, water.md §1.5)",
    )
    unpaid_burden_slope: float = param(
        0.50,
        unit="1/%",
        ge=0,
        le=5,
        desc="Growth of the log-odds of non-payment per point of bill/income",
        desc_fr="Hausse du risque d'impayé par point de facture/revenu",
        source="assumption: non-payment rises with the bill's share of income (design)",
    )

    @field_validator("size_shares")
    @classmethod
    def _shares_sum_to_one(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if any(x < 0 for x in v) or abs(sum(v) - 1.0) > 1e-6:
            raise ValueError("shares must be ≥ 0 and sum to 1")
        return v

    @field_validator("size_decile_factor")
    @classmethod
    def _positive_size_factors(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if any(not (0.05 <= x <= 20.0) for x in v):
            raise ValueError("ten factors between 0.05 and 20 are needed")
        return v

    @field_validator("decile_mean_income_eur")
    @classmethod
    def _ten_increasing(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if len(v) != 10 or any(x <= 0 for x in v) or any(b < a for a, b in zip(v, v[1:], strict=False)):
            raise ValueError("ten positive, increasing values are needed")
        return v


class Households(HouseholdBase):
    consumption_decile_factor: tuple[float, float, float, float, float, float, float, float, float, float] = (
        param(
            (0.62, 0.70, 0.79, 0.87, 0.96, 1.04, 1.13, 1.21, 1.30, 1.38),
            unit="×",
            desc="Water use per person of each income decile, relative to the others before the town "
            "mean is applied (1 everywhere: use independent of income)",
            desc_fr="Consommation par personne de chaque décile de revenu, relative aux autres avant "
            "mise à la moyenne de la commune (1 partout : consommation indépendante du revenu)",
            source="water.md §1.7: low-income people use ~90 L/day against 146 L/person/day on "
            "average (CIEau, INSEE) for D1 (90 / 146 = 0.62); the rise to D10 is an assumption "
            "(linear, factors averaging 1) [C]",
        )
    )
    house_share: float = param(
        0.55,
        unit="share",
        ge=0,
        le=1,
        desc="Share of households living in a house (rest in flats)",
        desc_fr="Part des ménages en maison (les autres en appartement)",
        source="assumption: order of magnitude of the French housing stock",
    )
    garden_share_of_houses: float = param(
        0.85,
        unit="share",
        ge=0,
        le=1,
        desc="Share of houses with a watered garden",
        desc_fr="Part des maisons avec un jardin arrosé",
        source="assumption",
    )
    pool_share_of_houses: float = param(
        0.08,
        unit="share",
        ge=0,
        le=1,
        desc="Share of houses with a private pool",
        desc_fr="Part des maisons avec piscine",
        source="assumption",
    )
    consumption_l_per_person_day: float = param(
        146.0,
        unit="L/person/day",
        gt=20,
        le=600,
        widget=True,
        desc="Mean domestic consumption per person at the reference price",
        desc_fr="Consommation domestique moyenne par personne au prix de référence",
        source="water.md §1.7: 146 L/person/day (SDES/OFB, 2017 data)",
    )
    consumption_spread: float = param(
        0.35,
        unit="log sd",
        ge=0,
        le=1.5,
        desc="Spread of consumption between households (lognormal sd)",
        desc_fr="Dispersion des consommations entre ménages",
        source="assumption",
    )
    outdoor_share_garden: float = param(
        0.20,
        unit="share",
        ge=0,
        lt=1,
        desc="Share of a garden household's consumption used outdoors (watering, washing)",
        desc_fr="Part de la consommation d'un ménage avec jardin utilisée à l'extérieur",
        source="assumption",
    )
    pool_m3_per_year: float = param(
        15.0,
        unit="m3/yr",
        ge=0,
        le=200,
        desc="Yearly water for a private pool (topping up)",
        desc_fr="Eau annuelle d'une piscine privée (appoint)",
        source="assumption",
    )
    price_elasticity: float = param(
        -0.20,
        unit="",
        ge=-2,
        le=0,
        widget=True,
        desc="Constant elasticity of demand to the real marginal price",
        desc_fr="Élasticité de la demande au prix marginal réel",
        source="assumption: short-run values in the literature lie between -0.1 and -0.5 (not in "
        "the project's reference file)",
    )
    reference_marginal_price_eur_per_m3: float = param(
        1.80,
        unit="€/m3",
        gt=0,
        le=50,
        desc="Marginal price incl. tax and levies at which the mean consumption was observed",
        desc_fr="Prix marginal TTC (redevances comprises) auquel la consommation moyenne a été observée",
        source="water.md §1.1: water-only price 2.21 € TTC/m3 for 120 m3 in 2022 data, of which the "
        "standing charge ~16 % (CLCV 2019): a marginal price near 1.8 € (derived) [C]",
    )
    essential_l_per_person_day: float = param(
        51.0,
        unit="L/person/day",
        ge=0,
        le=200,
        desc="Essential volume protected from restrictions",
        desc_fr="Volume essentiel protégé des restrictions",
        source="water.md §3.4: 51 L/person/day (Environment Ministry press release, 6 Mar 2014)",
    )
    conservation_response: float = param(
        0.0,
        unit="share",
        ge=0,
        le=0.5,
        desc="Demand cut from conservation campaigns in force (0 if none)",
        desc_fr="Baisse de la demande due aux campagnes d'économie d'eau",
        source="assumption: set by governance (contribution programmes)",
    )

    @field_validator("consumption_decile_factor")
    @classmethod
    def _positive_factors(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if any(not (0.05 <= x <= 20.0) for x in v):
            raise ValueError("ten factors between 0.05 and 20 are needed")
        return v


# --------------------------------------------------------------------------------------------
# network
# --------------------------------------------------------------------------------------------
class Material(Block):
    hazard_model: Literal["shamir_howard", "weibull"] = param(
        "shamir_howard",
        desc="Break-rate model: Shamir-Howard exponential or Weibull power law",
        desc_fr="Modèle de casse : exponentiel (Shamir-Howard) ou Weibull",
        source="water.md §4.2: Shamir & Howard (1979); Weibull models (Rev. sci. eau 2016)",
    )
    breaks_per_km_year_new: float = param(
        0.02,
        unit="breaks/km/yr",
        ge=0,
        le=5,
        desc="Break rate of a new pipe (Shamir-Howard N0) or at age = scale (Weibull)",
        desc_fr="Taux de casse d'une conduite neuve (ou à l'âge d'échelle pour Weibull)",
        source="assumption: no French parameter values retrieved (water.md §4.2); calibrated on "
        "the derived 7.4 breaks/100 km/yr of the USU 2018 survey",
    )
    growth_per_year: float = param(
        0.02,
        unit="1/yr",
        ge=0,
        le=0.2,
        desc="Shamir-Howard growth rate A of the break rate with age",
        desc_fr="Taux de croissance A de la casse avec l'âge",
        source="assumption: see breaks_per_km_year_new",
    )
    weibull_shape: float = param(
        2.0,
        unit="",
        gt=0,
        le=10,
        desc="Weibull shape (>1 ageing)",
        desc_fr="Forme de Weibull",
        source="assumption",
    )
    weibull_scale_years: float = param(
        60.0, unit="yr", gt=0, le=300, desc="Weibull scale", desc_fr="Échelle de Weibull", source="assumption"
    )
    life_years: float = param(
        75.0,
        unit="yr",
        gt=0,
        le=200,
        desc="Expected service life",
        desc_fr="Durée de vie attendue",
        source="water.md §1.8: UFC-Que Choisir 2023 citing Eaufrance",
    )


DEFAULT_MATERIALS: dict[str, dict[str, Any]] = {
    # life years from water.md §1.8; break-rate parameters are assumptions (see Material)
    "grey_cast_iron": {"breaks_per_km_year_new": 0.030, "growth_per_year": 0.022, "life_years": 75},
    "pvc_glued": {"breaks_per_km_year_new": 0.040, "growth_per_year": 0.022, "life_years": 50},
    "asbestos_cement": {"breaks_per_km_year_new": 0.030, "growth_per_year": 0.025, "life_years": 50},
    "steel": {"breaks_per_km_year_new": 0.035, "growth_per_year": 0.020, "life_years": 75},
    "ductile_iron": {"breaks_per_km_year_new": 0.010, "growth_per_year": 0.015, "life_years": 100},
    "pe": {"breaks_per_km_year_new": 0.015, "growth_per_year": 0.012, "life_years": 100},
}


class Cohort(Block):
    material: str = param(
        "ductile_iron",
        desc="Material (a key of network.materials)",
        desc_fr="Matériau",
        source="see network.cohorts",
    )
    install_year: int = param(
        1980,
        unit="year",
        ge=1850,
        le=2100,
        desc="Year laid",
        desc_fr="Année de pose",
        source="see network.cohorts",
    )
    length_km: float = param(
        10.0,
        unit="km",
        gt=0,
        le=100_000,
        desc="Length of mains",
        desc_fr="Longueur de conduites",
        source="see network.cohorts",
    )


def _default_cohorts() -> tuple[Cohort, ...]:
    # 300 km, shares of fragile materials from water.md §1.8 (grey cast iron 17 %, glued PVC 31 %,
    # asbestos-cement 4 %, steel 3 %), rest ductile iron / PE (assumption); under 40 % laid before
    # 1970 (INRAE 2021); ages spread over decades (assumption).
    rows = [
        ("grey_cast_iron", 1950, 25.0),
        ("grey_cast_iron", 1965, 26.0),
        ("steel", 1960, 9.0),
        ("asbestos_cement", 1968, 12.0),
        ("pvc_glued", 1972, 30.0),
        ("pvc_glued", 1980, 33.0),
        ("pvc_glued", 1990, 30.0),
        ("ductile_iron", 1962, 25.0),
        ("ductile_iron", 1985, 30.0),
        ("ductile_iron", 2000, 35.0),
        ("pe", 2008, 25.0),
        ("ductile_iron", 2015, 20.0),
    ]
    return tuple(Cohort(material=m, install_year=y, length_km=k) for m, y, k in rows)


class Network(Block):
    materials: dict[str, Material] = param(
        lambda: {k: Material(**v) for k, v in DEFAULT_MATERIALS.items()},
        desc="Break-rate parameters per material",
        desc_fr="Paramètres de casse par matériau",
        source="see Material",
    )
    cohorts: tuple[Cohort, ...] = param(
        _default_cohorts,
        desc="Mains by material and install year",
        desc_fr="Conduites par matériau et année de pose",
        source="water.md §1.8: fragile-material shares (UFC 2023 / Eaufrance), <40 % laid before "
        "1970 (INRAE 2021); split by year is an assumption",
    )
    connections_per_household: float = param(
        0.6,
        unit="connections/household",
        gt=0,
        le=1,
        desc="Service connections per household (flats share one)",
        desc_fr="Branchements par ménage (les immeubles en partagent un)",
        source="assumption",
    )
    private_pipe_m_per_connection: float = param(
        5.0,
        unit="m",
        ge=0,
        le=100,
        desc="Length of pipe between property line and meter",
        desc_fr="Longueur entre limite de propriété et compteur",
        source="assumption (UARL term Lp, water.md §4.4)",
    )
    pressure_m: float = param(
        45.0,
        unit="m",
        ge=10,
        le=150,
        desc="Average operating pressure",
        desc_fr="Pression moyenne de service",
        source="assumption within the UARL validity range 25-100 m (water.md §4.4)",
    )
    background_ili: float = param(
        2.0,
        unit="",
        ge=0.5,
        le=20,
        desc="Background real losses / UARL at the start (before bursts)",
        desc_fr="Pertes réelles de fond / pertes incompressibles (UARL) au départ",
        source="assumption: calibrated so the yield is ~80 % (water.md §1.2)",
    )
    ili_growth_per_year_of_age: float = param(
        0.02,
        unit="1/yr",
        ge=0,
        le=0.5,
        desc="Growth of background leakage per year of network mean age",
        desc_fr="Hausse des fuites de fond par année d'âge moyen du réseau",
        source="assumption",
    )
    visible_share: float = param(
        0.6,
        unit="share",
        ge=0,
        le=1,
        desc="Share of breaks that surface (visible)",
        desc_fr="Part des casses visibles",
        source="assumption",
    )
    visible_flow_m3_per_h: float = param(
        10.0,
        unit="m3/h",
        ge=0,
        le=500,
        desc="Mean flow of a visible break",
        desc_fr="Débit moyen d'une casse visible",
        source="assumption: below the 40 m3/h burst of water.md §4.2 (SAGE Gironde 2004)",
    )
    hidden_flow_m3_per_h: float = param(
        2.2,
        unit="m3/h",
        ge=0,
        le=100,
        desc="Mean flow of a hidden leak",
        desc_fr="Débit moyen d'une fuite invisible",
        source="water.md §4.2: unreported leak of 2.2 m3/h (SAGE Gironde 2004)",
    )
    visible_detection_h: float = param(
        8.0,
        unit="h",
        ge=0,
        le=2000,
        desc="Mean delay before a visible break is reported",
        desc_fr="Délai moyen de signalement d'une casse visible",
        source="assumption",
    )
    hidden_detection_days: float = param(
        120.0,
        unit="days",
        ge=0,
        le=3650,
        desc="Mean delay before a hidden leak is found",
        desc_fr="Délai moyen de détection d'une fuite invisible",
        source="assumption",
    )
    active_leak_detection: bool = param(
        False,
        widget=True,
        desc="Active leak detection campaigns",
        desc_fr="Recherche active de fuites",
        source="assumption",
    )
    active_detection_factor: float = param(
        0.3,
        unit="×",
        gt=0,
        le=1,
        desc="Multiplier on hidden-leak detection delay with active detection",
        desc_fr="Facteur sur le délai de détection avec recherche active",
        source="assumption",
    )
    citizen_reporting_factor: float = param(
        1.0,
        unit="×",
        gt=0,
        le=1,
        desc="Multiplier on visible-break reporting delay from citizen reporting (1 = none)",
        desc_fr="Facteur sur le délai de signalement grâce aux citoyens (1 = aucun)",
        source="assumption: set by the commons contribution programme",
    )
    repair_h: float = param(
        6.0,
        unit="h",
        gt=0,
        le=500,
        desc="Mean repair duration",
        desc_fr="Durée moyenne de réparation",
        source="assumption: typical repair duration not found (water.md §4.2)",
    )
    repair_cost_eur: float = param(
        1_000.0,
        unit="€",
        ge=0,
        le=1e6,
        desc="Cost of one repair",
        desc_fr="Coût d'une réparation",
        source="water.md §4.2: ~1,000 € (ouvertures.net c. 2010) [C]",
    )
    isolated_section_km: float = param(
        0.25,
        unit="km",
        ge=0,
        le=20,
        desc="Length of main shut off during a repair",
        desc_fr="Longueur de conduite coupée pendant une réparation",
        source="assumption",
    )
    renewal_rate_pct: float = param(
        0.6,
        unit="%/yr",
        ge=0,
        le=10,
        widget=True,
        desc="Share of mains length renewed each year (worst cohorts first)",
        desc_fr="Part du linéaire renouvelée chaque année (les pires tronçons d'abord)",
        source="water.md §1.4: ~0.55-0.6 %/yr (Observatoire, 2011-2016)",
    )
    renewal_cost_eur_per_km: float = param(
        150_000.0,
        unit="€/km",
        ge=0,
        le=5e6,
        desc="Cost of renewing one km of main",
        desc_fr="Coût du renouvellement d'un km de conduite",
        source="water.md §4.3: 150,000 €/km (ouvertures.net c. 2010) [C]",
    )
    renewal_material: str = param(
        "pe", desc="Material of renewed mains", desc_fr="Matériau posé au renouvellement", source="assumption"
    )
    meter_under_registration_pct: float = param(
        3.0,
        unit="%",
        ge=0,
        le=30,
        desc="Customer meter under-registration (apparent loss)",
        desc_fr="Sous-comptage des compteurs (pertes apparentes)",
        source="assumption",
    )
    unauthorised_pct: float = param(
        0.5,
        unit="%",
        ge=0,
        le=30,
        desc="Unauthorised consumption, share of delivered volume",
        desc_fr="Consommations non autorisées",
        source="assumption",
    )
    unbilled_authorised_pct: float = param(
        2.0,
        unit="%",
        ge=0,
        le=30,
        desc="Unbilled authorised use (flushing, fire fighting), share of delivered volume",
        desc_fr="Volumes autorisés non facturés (purges, incendie)",
        source="assumption",
    )

    @property
    def length_km(self) -> float:
        return float(sum(c.length_km for c in self.cohorts))

    @model_validator(mode="after")
    def _materials_known(self) -> Network:
        known = set(self.materials)
        for i, c in enumerate(self.cohorts):
            if c.material not in known:
                raise ValueError(f"cohorts[{i}].material '{c.material}' is not one of {sorted(known)}")
        if self.renewal_material not in known:
            raise ValueError(f"renewal_material '{self.renewal_material}' is not one of {sorted(known)}")
        if not self.cohorts:
            raise ValueError("at least one cohort is needed")
        return self

    @property
    def renewal_life_years(self) -> float:
        """Service life of what renewal lays (the renewal material's), for book values."""
        return self.materials[self.renewal_material].life_years


# --------------------------------------------------------------------------------------------
# resource
# --------------------------------------------------------------------------------------------
RESTRICTION_LEVELS = ("none", "vigilance", "alerte", "alerte_renforcee", "crise")


class UsageRule(Block):
    outdoor_cut_pct: float = param(
        0.0,
        unit="%",
        ge=0,
        le=100,
        desc="Cut of outdoor use",
        desc_fr="Baisse des usages extérieurs",
        source="see resource",
    )
    indoor_cut_pct: float = param(
        0.0,
        unit="%",
        ge=0,
        le=100,
        desc="Cut of indoor use above the essential volume",
        desc_fr="Baisse des usages intérieurs au-dessus du volume essentiel",
        source="see resource",
    )


def _default_rules() -> dict[str, UsageRule]:
    # water.md §6: vigilance = awareness only; alerte = no watering 11:00-18:00, no pool filling,
    # no car washing; renforcée = no lawn watering; crise = priority uses only. Percentages are
    # assumptions translating these measures into cuts of outdoor/indoor use.
    return {
        "none": UsageRule(),
        "vigilance": UsageRule(outdoor_cut_pct=5.0, indoor_cut_pct=0.0),
        "alerte": UsageRule(outdoor_cut_pct=40.0, indoor_cut_pct=0.0),
        "alerte_renforcee": UsageRule(outdoor_cut_pct=75.0, indoor_cut_pct=5.0),
        "crise": UsageRule(outdoor_cut_pct=100.0, indoor_cut_pct=15.0),
    }


class Resource(Block):
    capacity_m3: float = param(
        12_000_000.0,
        unit="m3",
        gt=0,
        le=1e11,
        desc="Usable storage of the aquifer/reservoir",
        desc_fr="Réserve utile de la nappe ou de la retenue",
        source="assumption: about 4 years of the town's abstraction",
    )
    initial_fill: float = param(
        0.75,
        unit="share",
        ge=0,
        le=1,
        desc="Stock at start / capacity",
        desc_fr="Remplissage initial",
        source="assumption",
    )
    mean_recharge_m3_per_year: float = param(
        8_500_000.0,
        unit="m3/yr",
        ge=0,
        le=1e11,
        widget=True,
        desc="Mean yearly natural recharge",
        desc_fr="Recharge naturelle annuelle moyenne",
        source="assumption: about 2.9 times the town's abstraction",
    )
    recharge_cv: float = param(
        0.25,
        unit="",
        ge=0,
        le=2,
        desc="Year-to-year variability of recharge (coefficient of variation)",
        desc_fr="Variabilité interannuelle de la recharge",
        source="assumption",
    )
    drought_probability: float = param(
        0.10,
        unit="1/yr",
        ge=0,
        le=1,
        widget=True,
        desc="Probability that a year is a drought year",
        desc_fr="Probabilité qu'une année soit sèche",
        source="assumption: ~20 of ~100 départements restricted each year (water.md §6)",
    )
    drought_recharge_factor: float = param(
        0.35,
        unit="×",
        ge=0,
        le=1,
        desc="Recharge multiplier in a drought year",
        desc_fr="Facteur de recharge en année sèche",
        source="assumption",
    )
    climate_trend_pct_per_decade: float = param(
        -5.0,
        unit="%/decade",
        ge=-50,
        le=50,
        widget=True,
        desc="Trend of mean recharge per decade",
        desc_fr="Tendance de la recharge par décennie",
        source="assumption: declining recharge under climate change",
    )
    outflow_per_month: float = param(
        0.05,
        unit="1/month",
        ge=0,
        le=1,
        desc="Natural outflow (springs, rivers) as a share of stock",
        desc_fr="Débit naturel sortant (sources, rivières) en part du stock",
        source="assumption",
    )
    thresholds: tuple[float, float, float, float] = param(
        (0.45, 0.35, 0.25, 0.15),
        unit="share of capacity",
        desc="Stock levels below which vigilance, alerte, alerte renforcée, crise apply",
        desc_fr="Seuils de stock déclenchant vigilance, alerte, alerte renforcée, crise",
        source="assumption: the four French levels (water.md §6), thresholds set by prefectoral order",
    )
    usage_rules: dict[str, UsageRule] = param(
        _default_rules,
        desc="Usage rule of each restriction level",
        desc_fr="Règle d'usage de chaque niveau de restriction",
        source="water.md §6 (measures per level); percentages are assumptions",
    )

    @field_validator("thresholds")
    @classmethod
    def _decreasing(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if any(b > a for a, b in zip(v, v[1:], strict=False)) or not all(0 <= x <= 1 for x in v):
            raise ValueError("four shares between 0 and 1, from vigilance down to crise")
        return v

    @field_validator("usage_rules")
    @classmethod
    def _all_levels(cls, v: dict[str, UsageRule]) -> dict[str, UsageRule]:
        missing = [lvl for lvl in RESTRICTION_LEVELS if lvl not in v]
        extra = [k for k in v if k not in RESTRICTION_LEVELS]
        if missing or extra:
            raise ValueError(
                f"one rule per level {list(RESTRICTION_LEVELS)}; missing {missing}, unknown {extra}"
            )
        return v


# --------------------------------------------------------------------------------------------
# tariff
# --------------------------------------------------------------------------------------------
class TariffBlock(Block):
    up_to_m3: float | None = param(
        None,
        unit="m3/yr",
        gt=0,
        le=1e6,
        desc="Upper bound of the block (none for the last block)",
        desc_fr="Borne haute de la tranche (aucune pour la dernière)",
        source="tariff",
    )
    price_eur_per_m3: float = param(
        1.0,
        unit="€/m3",
        ge=0,
        le=50,
        desc="Price of the block, excl. tax",
        desc_fr="Prix de la tranche, hors taxes",
        source="tariff",
    )


class SocialTariff(Block):
    enabled: bool = param(
        False,
        desc="Social tariff on",
        desc_fr="Tarification sociale active",
        source="water.md §3.4: loi 2019-1461 art. 15 allows it",
    )
    eligible_deciles: tuple[int, ...] = param(
        (),
        desc="Income deciles eligible (1 = poorest)",
        desc_fr="Déciles de revenu éligibles (1 = les plus modestes)",
        source="tariff",
    )
    eligible_share: float = param(
        1.0,
        unit="share",
        ge=0,
        le=1,
        desc="Share of households in eligible deciles that actually receive it (CSS-like take-up)",
        desc_fr="Part des ménages éligibles qui en bénéficient (recours)",
        source="assumption",
    )
    kind: Literal["reduced_blocks", "bill_cap"] = param(
        "reduced_blocks",
        desc="Reduced block prices, or a cap on the bill as a share of income",
        desc_fr="Tranches à prix réduit, ou plafond de facture en part du revenu",
        source="tariff",
    )
    price_factor: float = param(
        0.39,
        unit="×",
        ge=0,
        le=1,
        desc="Multiplier on block prices for eligible households",
        desc_fr="Facteur sur les prix des tranches pour les ménages éligibles",
        source="water.md §3.1: Dunkerque CMU-C price 0.32 vs 0.83 €/m3 (≈0.39)",
    )
    bill_cap_pct_of_income: float = param(
        3.0,
        unit="% of income",
        gt=0,
        le=100,
        desc="Cap on the bill incl. tax as a share of income",
        desc_fr="Plafond de la facture TTC en part du revenu",
        source="water.md §3.5: 3 % affordability reference (Sénat 2011)",
    )

    @field_validator("eligible_deciles")
    @classmethod
    def _deciles(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if any(d < 1 or d > 10 for d in v):
            raise ValueError("deciles are numbered 1 to 10")
        return tuple(sorted(set(v)))


class SeasonalSurcharge(Block):
    eur_per_m3: float = param(
        0.0,
        unit="€/m3",
        ge=0,
        le=20,
        desc="Surcharge on volume used in the season months",
        desc_fr="Majoration sur le volume consommé en saison",
        source="tariff",
    )
    months: tuple[int, ...] = param(
        (6, 7, 8, 9), desc="Months of the season (1-12)", desc_fr="Mois de la saison (1-12)", source="tariff"
    )

    @field_validator("months")
    @classmethod
    def _months(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if any(m < 1 or m > 12 for m in v):
            raise ValueError("months are numbered 1 to 12")
        return tuple(sorted(set(v)))


def _default_blocks() -> tuple[TariffBlock, ...]:
    return (TariffBlock(price_eur_per_m3=1.30),)


class Tariff(Block):
    standing_charge_eur_per_year: float = param(
        45.0,
        unit="€/yr",
        ge=0,
        le=5_000,
        widget=True,
        desc="Standing charge (abonnement), excl. tax",
        desc_fr="Part fixe (abonnement), HT",
        source="assumption: CLCV 2019 puts the standing charge at ~16 % of the bill (water.md §1.1)",
    )
    free_volume_m3: float = param(
        0.0,
        unit="m3/yr",
        ge=0,
        le=1_000,
        widget=True,
        desc="Free essential volume per household (or per person) per year",
        desc_fr="Volume gratuit par ménage (ou par personne) et par an",
        source="tariff; e.g. Montpellier 15 m3 free (water.md §3.3)",
    )
    blocks: tuple[TariffBlock, ...] = param(
        _default_blocks,
        desc="Increasing blocks; the last has no upper bound",
        desc_fr="Tranches progressives ; la dernière n'a pas de borne",
        source="assumption: a single volume price giving a 120 m3 price near the national water-only "
        "mean of 2.21 € TTC/m3 (water.md §1.1, 2022 data)",
    )
    blocks_per_person: bool = param(
        False,
        desc="Block bounds and free volume are per person",
        desc_fr="Bornes des tranches et volume gratuit par personne",
        source="tariff",
    )
    levies_eur_per_m3: float = param(
        0.40,
        unit="€/m3",
        ge=0,
        le=10,
        desc="Water-agency levies passed through",
        desc_fr="Redevances de l'agence de l'eau (reversées)",
        source="assumption: order of magnitude of agency levies on the water bill",
    )
    vat_pct: float = param(
        5.5,
        unit="%",
        ge=0,
        le=30,
        desc="VAT on drinking water",
        desc_fr="TVA sur l'eau potable",
        source="French reduced VAT rate on drinking water (CGI art. 278-0 bis)",
    )
    seasonal: SeasonalSurcharge = param(
        SeasonalSurcharge, desc="Seasonal surcharge", desc_fr="Majoration saisonnière", source="tariff"
    )
    social: SocialTariff = param(
        SocialTariff, desc="Social tariff", desc_fr="Tarification sociale", source="tariff"
    )
    index_on_inflation: bool = param(
        True,
        desc="Prices follow inflation each year",
        desc_fr="Prix indexés chaque année sur l'inflation",
        source="assumption: yearly indexation, as in most services",
    )

    @model_validator(mode="after")
    def _blocks_increasing(self) -> Tariff:
        if not self.blocks:
            raise ValueError("at least one block is needed")
        bounds = [b.up_to_m3 for b in self.blocks]
        if bounds[-1] is not None:
            raise ValueError(f"blocks[{len(bounds) - 1}]: the last block must have no up_to_m3")
        inner = bounds[:-1]
        for i, ub in enumerate(inner):
            if ub is None:
                raise ValueError(f"blocks[{i}]: only the last block may have no up_to_m3")
            if i > 0 and ub <= inner[i - 1]:  # type: ignore[operator]
                raise ValueError(f"blocks[{i}].up_to_m3 must be above blocks[{i - 1}].up_to_m3")
        return self


# --------------------------------------------------------------------------------------------
# money, staff, billing, affordability, shocks
# --------------------------------------------------------------------------------------------
class FinanceBase(Block):
    """Money every service shares: cash, debt, borrowing, overheads, inflation, the operator's
    margin and fees. Each service adds its own per-unit costs and charges."""

    initial_cash_eur: float = param(
        1_500_000.0,
        unit="€",
        ge=-1e10,
        le=1e10,
        desc="Cash and reserves at start",
        desc_fr="Trésorerie initiale",
        source="assumption",
    )
    initial_debt_eur: float = param(
        6_000_000.0,
        unit="€",
        ge=0,
        le=1e11,
        desc="Outstanding debt at start",
        desc_fr="Dette initiale",
        source="assumption",
    )
    initial_debt_remaining_years: int = param(
        20,
        unit="yr",
        ge=1,
        le=80,
        desc="Remaining term of the initial debt",
        desc_fr="Durée restante de la dette initiale",
        source="assumption",
    )
    interest_rate_pct: float = param(
        2.1,
        unit="%/yr",
        ge=0,
        le=20,
        widget=True,
        desc="Interest rate on new loans",
        desc_fr="Taux d'intérêt des nouveaux emprunts",
        source="water.md §5: Aqua Prêt = Livret A + 0.4 % (Livret A 1.7 % from Aug 2025)",
    )
    loan_term_years: int = param(
        40,
        unit="yr",
        ge=1,
        le=80,
        desc="Term of new loans",
        desc_fr="Durée des nouveaux emprunts",
        source="water.md §5: Aqua Prêt 25-40 years, up to 60",
    )
    capex_debt_share_pct: float = param(
        50.0,
        unit="%",
        ge=0,
        le=100,
        desc="Share of capital spending financed by new loans",
        desc_fr="Part de l'investissement financée par l'emprunt",
        source="assumption",
    )
    overheads_eur_per_year: float = param(
        450_000.0,
        unit="€/yr",
        ge=0,
        le=1e10,
        desc="Fixed overheads (billing, IT, buildings)",
        desc_fr="Frais généraux fixes",
        source="assumption",
    )
    other_capex_eur_per_year: float = param(
        600_000.0,
        unit="€/yr",
        ge=0,
        le=1e10,
        desc="Capital spending besides mains renewal (plants, meters, reservoirs)",
        desc_fr="Investissements hors renouvellement des conduites",
        source="assumption: total investment ~0.3-0.5 €/m3 sold as Paris/SEDIF (water.md §2.3)",
    )
    other_assets_life_years: float = param(
        30.0,
        unit="yr",
        ge=1,
        le=150,
        desc="Depreciation period of the assets besides mains (plants, reservoirs, meters), M49 accounts",
        desc_fr="Durée d'amortissement des biens hors conduites (usines, réservoirs, compteurs), comptes M49",
        source="assumption: a mix of civil works depreciated over several decades and meters and "
        "electromechanical equipment over 10-15 years; no published mix in the reference files",
    )
    inflation_mean_pct: float = param(
        1.3,
        unit="%/yr",
        ge=-5,
        le=30,
        desc="Mean yearly inflation",
        desc_fr="Inflation annuelle moyenne",
        source="water.md §1.1: CPI +1.3 %/yr 2012-2022 (BdT 2024)",
    )
    inflation_sd_pct: float = param(
        1.0,
        unit="%/yr",
        ge=0,
        le=20,
        desc="Year-to-year spread of inflation",
        desc_fr="Variabilité de l'inflation",
        source="assumption",
    )
    treasury_rate_pct: float = param(
        3.5,
        unit="%/yr",
        ge=0,
        le=30,
        desc="Interest on the short-term treasury line, drawn when cash falls below zero between bills",
        desc_fr="Taux de la ligne de trésorerie, tirée quand la trésorerie passe sous zéro entre deux "
        "factures",
        source="assumption: a short-term line at about Euribor 3 months (≈ 2 %) plus 1.5 points",
    )
    treasury_line_months: float = param(
        6.0,
        unit="months of costs",
        ge=0,
        le=24,
        desc="Size of the treasury line, in months of the year's expected costs; cash below it means "
        "the plan is not financed, and the run says so",
        desc_fr="Plafond de la ligne de trésorerie, en mois de coûts prévus de l'année ; en dessous, le "
        "plan n'est pas financé et la simulation le dit",
        source="assumption: a short-term line (under a year) covering one billing interval (6 months) "
        "of spending",
    )
    labour_drift_pct: float = param(
        0.0,
        unit="%/yr",
        ge=-10,
        le=10,
        desc="Labour costs: growth above inflation (wages, the labour index of a K formula)",
        desc_fr="Coût du travail : hausse au-dessus de l'inflation (salaires, indice salaires du K)",
        source="assumption: none above inflation; from 2012 to 2022 the drinking-water "
        "price grew 1.0 %/yr against CPI 1.3 %/yr (water.md §1.1): costs did not outgrow inflation",
    )
    energy_drift_pct: float = param(
        0.0,
        unit="%/yr",
        ge=-10,
        le=20,
        desc="Energy prices: growth above inflation (pumping costs, the energy index of a K formula)",
        desc_fr="Prix de l'énergie : hausse au-dessus de l'inflation (pompage, indice énergie du K)",
        source="assumption: none above inflation; from 2012 to 2022 the drinking-water "
        "price grew 1.0 %/yr against CPI 1.3 %/yr (water.md §1.1): costs did not outgrow inflation",
    )
    works_drift_pct: float = param(
        0.0,
        unit="%/yr",
        ge=-10,
        le=10,
        desc="Works prices: growth above inflation (renewal, repairs, the public-works index of a K formula)",
        desc_fr="Prix des travaux : hausse au-dessus de l'inflation (renouvellement, réparations, "
        "indice TP du K)",
        source="assumption: none above inflation; from 2012 to 2022 the drinking-water "
        "price grew 1.0 %/yr against CPI 1.3 %/yr (water.md §1.1): costs did not outgrow inflation",
    )
    operator_margin_pct: float = param(
        0.0,
        unit="% of revenue",
        ge=0,
        le=80,
        desc="Operator margin leaving the service",
        desc_fr="Marge de l'opérateur qui quitte le service",
        source="water.md §2.3: 0 for a régie; DSP see governance",
    )
    head_office_fee_pct: float = param(
        0.0,
        unit="% of revenue",
        ge=0,
        le=50,
        desc="Head-office fees (frais de siège)",
        desc_fr="Frais de siège",
        source="water.md §2.3: no published percentage found",
    )


class Finance(FinanceBase):
    energy_eur_per_m3: float = param(
        0.06,
        unit="€/m3",
        ge=0,
        le=5,
        desc="Energy cost per m3 produced",
        desc_fr="Coût de l'énergie par m3 produit",
        source="assumption: electricity is 5-30 % of opex (water.md §5)",
    )
    treatment_eur_per_m3: float = param(
        0.12,
        unit="€/m3",
        ge=0,
        le=5,
        desc="Treatment cost per m3 produced",
        desc_fr="Coût de traitement par m3 produit",
        source="water.md §2.3: UFC 2006 treatment 0.14-0.22 €/m3 [C]; set lower for groundwater (assumption)",
    )
    delegation_overhead_eur_per_m3: float = param(
        0.0,
        unit="€/m3",
        ge=0,
        le=5,
        desc="Delegated-management overhead per m3 billed",
        desc_fr="Surcoût de la gestion déléguée par m3 facturé",
        source="water.md §2.3: CRC IdF (SEDIF) +0.10 €/m3; 0 for a régie",
    )
    corporate_tax_eur_per_m3: float = param(
        0.0,
        unit="€/m3",
        ge=0,
        le=5,
        desc="Corporate and business taxes a régie does not pay",
        desc_fr="Impôts (IS, CFE) qu'une régie ne paie pas",
        source="water.md §2.3: CRC IdF (SEDIF) +0.05 €/m3; 0 for a régie",
    )


class Workforce(Block):
    fte_per_1000_customers: float = param(
        0.95,
        unit="FTE/1000 customers",
        gt=0,
        le=20,
        desc="Staff per 1,000 customers, repair crews apart (they are counted by crew)",
        desc_fr="Effectif pour 1 000 abonnés, hors équipes d'intervention (comptées par équipe)",
        source="derived: water.md §5 gives 1.4 per 1,000 in all (Montpellier régie, 93 posts / "
        "67,000) [C]; less the base town's 3 crews of 3 for 20,000 customers (0.45 per 1,000)",
    )
    wage_cost_eur_per_fte_year: float = param(
        52_000.0,
        unit="€/FTE/yr",
        ge=0,
        le=500_000,
        desc="Loaded wage cost per FTE",
        desc_fr="Coût salarial chargé par ETP",
        source="assumption",
    )
    crews: int = param(
        3,
        unit="crews",
        ge=1,
        le=500,
        widget=True,
        desc="Repair crews on call",
        desc_fr="Équipes d'intervention",
        source="assumption",
    )
    crew_size_fte: float = param(
        3.0,
        unit="FTE",
        gt=0,
        le=20,
        desc="FTE per repair crew (paid as staff: a crew more is a wage bill more)",
        desc_fr="ETP par équipe (payés comme personnel : une équipe de plus, une masse salariale de plus)",
        source="assumption",
    )
    planned_hours_per_km_year: float = param(
        10.0,
        unit="h/km/yr",
        ge=0,
        le=1000,
        desc="Crews' planned work (valves, hydrants, connections, meters) per km of mains a year; a "
        "break found during a planned job waits for its end",
        desc_fr="Travaux programmés des équipes (vannes, poteaux, branchements, compteurs) par km de "
        "réseau et par an ; une casse découverte pendant un chantier attend sa fin",
        source="assumption: about 60 % of the base town's 3 crews' working time (no French benchmark "
        "retrieved, water.md §5)",
    )
    subcontracted_pct: float = param(
        15.0,
        unit="%",
        ge=0,
        le=100,
        desc="Share of work subcontracted",
        desc_fr="Part du travail sous-traitée",
        source="assumption",
    )
    subcontract_premium_pct: float = param(
        15.0,
        unit="%",
        ge=-50,
        le=200,
        desc="Extra cost of subcontracted work over in-house",
        desc_fr="Surcoût de la sous-traitance",
        source="assumption",
    )
    overtime_threshold_repairs_per_crew_month: float = param(
        6.0,
        unit="repairs",
        gt=0,
        le=1000,
        desc="Repairs per crew per month above which overtime is paid",
        desc_fr="Réparations par équipe et par mois au-delà desquelles on paie des heures sup.",
        source="assumption",
    )
    overtime_hours_per_extra_repair: float = param(
        6.0,
        unit="h",
        ge=0,
        le=100,
        desc="Overtime hours per repair above threshold",
        desc_fr="Heures sup. par réparation au-delà du seuil",
        source="assumption",
    )


class Billing(Block):
    interval_months: Literal[1, 2, 3, 4, 6, 12] = param(
        6,
        unit="months",
        desc="Months between bills",
        desc_fr="Mois entre deux factures",
        source="assumption: half-yearly billing is common in France",
    )


class Affordability(Block):
    threshold_pct: float = param(
        3.0,
        unit="% of income",
        gt=0,
        le=100,
        widget=True,
        desc="Affordability threshold",
        desc_fr="Seuil d'accessibilité",
        source="water.md §3.5: 3 % of income (Sénat 2011; OECD 3-5 %)",
    )


class Sewerage(Block):
    """Mains sewerage (assainissement collectif), billed with water on the same volume.

    The water service bills and collects it for the sewerage authority and remits what it collects,
    as it does for the agency levies: it is a line of every connected household's bill, not money
    of the water service. Households on individual sanitation (ANC) do not pay it.
    """

    standing_charge_eur_per_year: float = param(
        44.0,
        unit="€/yr",
        ge=0,
        le=2000,
        desc="Sewerage standing charge per connected household, incl. tax",
        desc_fr="Part fixe de l'assainissement par ménage raccordé, TTC",
        source="water.md §1.1: sewerage 2.31 € TTC/m3 for 120 m3 (277 €/yr, 2022 data), of which the "
        "standing charge ~16 % as for the whole bill (CLCV 2019) [C]: 44 €/yr (derived)",
    )
    price_eur_per_m3: float = param(
        1.94,
        unit="€/m3",
        ge=0,
        le=20,
        desc="Sewerage price per m3 of water used, incl. tax and levies",
        desc_fr="Prix de l'assainissement par m3 d'eau consommée, TTC, redevances comprises",
        source="water.md §1.1: (277.2 € − 44 € standing charge) / 120 m3 = 1.94 € TTC/m3 (derived), so "
        "that 120 m3 cost the national 2.31 €/m3 (2022 data)",
    )
    individual_share: float = param(
        0.05,
        unit="share",
        ge=0,
        le=1,
        desc="Share of households on individual sanitation (ANC), who pay no sewerage (houses only)",
        desc_fr="Part des ménages en assainissement non collectif (ANC), qui ne paient pas "
        "l'assainissement (maisons seulement)",
        source="assumption for a town of ~43,000 inhabitants: nationally 17-20 % of households are on "
        "ANC (5 M installations; Revue EIN / TNS Sofres, and the Environment Ministry in 2012), "
        "mostly in small communes (70 % of dwellings below 400 inhabitants)",
    )


NON_DOMESTIC_KINDS = ("businesses", "public_buildings", "collective_meters")


class NonDomesticUsers(Block):
    """One group of non-domestic meters: businesses, public buildings or a building's general meter."""

    kind: Literal["businesses", "public_buildings", "collective_meters"] = param(
        "businesses",
        desc="Kind of user",
        desc_fr="Type d'usager",
        source="water.md §1.2: P104.3 counts billed non-domestic volumes beside domestic ones",
    )
    meters_per_1000_households: float = param(
        50.0,
        unit="meters/1000 households",
        ge=0,
        le=2000,
        desc="Meters of this kind per 1,000 households (each pays the standing charge)",
        desc_fr="Compteurs de ce type pour 1 000 ménages (chacun paie la part fixe)",
        source="assumption",
    )
    l_per_inhabitant_day: float = param(
        10.0,
        unit="L/inhabitant/day",
        ge=0,
        le=2000,
        desc="Water billed to this kind of user, per inhabitant of the town and per day",
        desc_fr="Eau facturée à ce type d'usager, par habitant de la commune et par jour",
        source="assumption",
    )
    sewerage: bool = param(
        True,
        desc="Whether these meters pay mains sewerage",
        desc_fr="Ces compteurs paient-ils l'assainissement collectif",
        source="assumption: non-domestic users in a sewered town are connected",
    )


def _default_non_domestic() -> tuple[NonDomesticUsers, ...]:
    # 33 L/inhabitant/day in all: FP2E/BDO bill 179 L/day/inhabitant for all billed volumes against
    # 146 L domestic (water.md §1.7), derived [C]; the split and the meter counts are assumptions
    return (
        NonDomesticUsers(kind="businesses", meters_per_1000_households=50.0, l_per_inhabitant_day=20.0),
        NonDomesticUsers(kind="public_buildings", meters_per_1000_households=4.0, l_per_inhabitant_day=5.0),
        NonDomesticUsers(kind="collective_meters", meters_per_1000_households=30.0, l_per_inhabitant_day=8.0),
    )


class NonDomestic(Block):
    """Users that are not households, billed at the tariff in force and carried by the network.

    Each meter pays the tariff's standing charge; its volume is billed at the mean volume price of
    the 120 m3 bill (blocks, free volume and seasonal surcharge are for households), plus levies and
    VAT. Assumption: CGCT L2224-12-1 bills every supply at its category's tariff, and a single
    price per m3 for collective meters is what Montpellier does (water.md §3.3).
    """

    users: tuple[NonDomesticUsers, ...] = param(
        _default_non_domestic,
        desc="Non-domestic meter groups (empty: households only)",
        desc_fr="Groupes de compteurs non domestiques (vide : ménages seulement)",
        source="water.md §1.7: 179 L/day/inhabitant billed in all (FP2E/BDO 2021) against 146 L "
        "domestic (SDES 2017): ~33 L/inhabitant/day non-domestic, derived [C]; split by kind is an "
        "assumption (businesses 20, public buildings 5, collective meters 8)",
    )


class Shock(Block):
    year: int = param(
        2030,
        unit="year",
        ge=1990,
        le=2200,
        desc="Calendar year of the shock",
        desc_fr="Année du choc",
        source="scenario",
    )
    kind: Literal["drought", "energy_price", "storm"] = param(
        "drought",
        desc="Kind of shock (storm: electricity only)",
        desc_fr="Type de choc (tempête : électricité seulement)",
        source="scenario",
    )
    factor: float = param(
        1.0,
        unit="×",
        ge=0,
        le=20,
        desc="Recharge factor (drought), energy price multiplier, or a storm's restoration time "
        "relative to storm Ciarán's (storm)",
        desc_fr="Facteur de recharge (sécheresse), multiplicateur du prix de l'énergie, ou durée de "
        "réalimentation d'une tempête rapportée à celle de Ciarán (tempête)",
        source="scenario",
    )


# --------------------------------------------------------------------------------------------
# governance: who decides (see sim/governance/)
# --------------------------------------------------------------------------------------------
class Concession(Block):
    contract_start_year: int = param(
        2020,
        unit="year",
        ge=1900,
        le=2200,
        desc="Year the delegation contract started",
        desc_fr="Année de début du contrat de délégation",
        source="scenario",
    )
    duration_years: int = param(
        12,
        unit="yr",
        ge=1,
        le=99,
        widget=True,
        desc="Contract duration",
        desc_fr="Durée du contrat",
        source="water.md §2.3: mean DSP duration ~11 years since 1998 (Observatoire loi Sapin)",
    )
    k_fixed_share: float = param(
        0.15,
        unit="share",
        ge=0,
        le=1,
        desc="Fixed part a of the indexation Kn = a + Σ wi·Ii/Ii0",
        desc_fr="Partie fixe a de l'indexation Kn",
        source="assumption: structure of water.md §2.3 (Linossier 2010); no published coefficients",
    )
    k_labour_weight: float = param(
        0.45,
        unit="share",
        ge=0,
        le=1,
        desc="Weight of the labour index",
        desc_fr="Poids de l'indice salaires",
        source="assumption",
    )
    k_energy_weight: float = param(
        0.15,
        unit="share",
        ge=0,
        le=1,
        desc="Weight of the energy index",
        desc_fr="Poids de l'indice énergie",
        source="assumption",
    )
    k_works_weight: float = param(
        0.25,
        unit="share",
        ge=0,
        le=1,
        desc="Weight of the public-works index (TP10a-like)",
        desc_fr="Poids de l'indice travaux publics",
        source="assumption",
    )
    index_spread_pct: float = param(
        1.5,
        unit="%/yr",
        ge=0,
        le=20,
        desc="Year-to-year spread of the contract's published indices around the cost paths (basis risk)",
        desc_fr="Variabilité annuelle des indices publiés du contrat autour des coûts (risque de base)",
        source="assumption",
    )
    renewal_obligation_pct: float = param(
        0.6,
        unit="%/yr",
        ge=0,
        le=10,
        desc="Contractual renewal obligation (share of length per year)",
        desc_fr="Obligation contractuelle de renouvellement",
        source="water.md §1.4: national rate ~0.6 %/yr",
    )
    renewal_realisation: float = param(
        0.8,
        unit="share",
        ge=0,
        le=1,
        widget=True,
        desc="Share of the renewal obligation actually carried out",
        desc_fr="Part de l'obligation de renouvellement réalisée",
        source="assumption: CRC Rhône-Alpes 1996 found provisions above actual renewal (water.md §2.3)",
    )
    renewal_obligation_need_pct: float | None = param(
        None,
        unit="% of need",
        ge=0,
        le=300,
        desc="Renewal obligation as a share of the network's renewal need (its length over its "
        "materials' service lives, each year); none = the share of length above",
        desc_fr="Obligation de renouvellement en part du besoin du réseau (son linéaire rapporté à la "
        "durée de vie de ses matériaux, chaque année) ; vide = la part du linéaire ci-dessus",
        source="DESIGN: issue 15, finding 2 (the renewal obligation defined against the network's "
        "needs); none keeps the earlier rule",
    )
    unspent_provision_returned: bool = param(
        False,
        desc="Unspent renewal provisions are returned to the authority at contract end",
        desc_fr="Les provisions de renouvellement non dépensées reviennent à la collectivité",
        source="water.md §2.3: CRC Rhône-Alpes 1996 (not returned); biens de retour (ADES 2020)",
    )
    renegotiation_every_years: int = param(
        5,
        unit="yr",
        ge=1,
        le=50,
        desc="Years between renegotiation reviews (avenant)",
        desc_fr="Années entre deux revoyures (avenant)",
        source="assumption",
    )
    margin_target_pct: float | None = param(
        None,
        unit="% of revenue",
        ge=-50,
        le=80,
        desc="Margin below which the operator asks for an avenant, and that a re-tender bid adds; "
        "none = the operator's margin plus head-office fee (finance), so it is counted once",
        desc_fr="Marge en dessous de laquelle l'opérateur demande un avenant, et qu'ajoute une offre "
        "au renouvellement ; vide = marge plus frais de siège de l'opérateur (finance), comptés une fois",
        source="DESIGN: issue 15, finding 1 (the margin reaches the price once)",
    )
    avenant_price_step_pct: float = param(
        10.0,
        unit="%",
        ge=0,
        le=100,
        desc="Largest price rise an avenant grants (it restores the target margin up to this)",
        desc_fr="Hausse maximale accordée par un avenant (qui rétablit la marge visée jusqu'à ce plafond)",
        source="assumption",
    )
    cost_of_capital_pct: float = param(
        5.0,
        unit="%/yr",
        ge=0,
        le=30,
        desc="Operator's cost of capital on new borrowing",
        desc_fr="Coût du capital de l'opérateur",
        source="assumption: above Ofwat's PR24 4.03 % real allowed return (water.md §5), nominal",
    )
    at_end: Literal["retender", "regie", "commons"] = param(
        "retender",
        widget=True,
        desc="What happens at contract end",
        desc_fr="Ce qui se passe à la fin du contrat",
        source="scenario",
    )
    retender_bidders: int = param(
        2,
        unit="bidders",
        ge=1,
        le=20,
        desc="Bidders at a re-tender; the lowest bid wins (1: the incumbent alone)",
        desc_fr="Candidats au renouvellement ; l'offre la plus basse l'emporte (1 : le sortant seul)",
        source="water.md §2.3: about 2 offers per tender (2.1 to 2.8 in 2000-2008, ~2 in 2011)",
    )
    retender_cost_catch_up_pct: float = param(
        15.0,
        unit="%",
        ge=0,
        le=80,
        desc="Largest cost saving a bidder can offer on last year's costs (each bidder's saving is "
        "drawn between 0 and this)",
        desc_fr="Plus forte économie de coûts qu'un candidat peut offrir sur les coûts de l'an passé "
        "(tirée entre 0 et cette valeur pour chaque candidat)",
        source="derived: with 2 bidders the best of two savings drawn in 0-15 % averages 10 %, the "
        "fall of delegate prices at renewal seen by the Observatoire loi Sapin (water.md §2.3)",
    )
    retender_price_change_pct: float = param(
        0.0,
        unit="%",
        ge=-80,
        le=100,
        desc="Further change on the winning bid at re-tender, beyond the bidders' competition",
        desc_fr="Variation supplémentaire de l'offre retenue au renouvellement, au-delà de la "
        "concurrence entre candidats",
        source="assumption: none beyond the competition between bidders",
    )
    transition_cost_eur: float = param(
        800_000.0,
        unit="€",
        ge=0,
        le=1e10,
        desc="One-off cost of remunicipalisation (studies, IT, billing)",
        desc_fr="Coût ponctuel du retour en régie",
        source="assumption",
    )
    staff_transferred_share: float = param(
        0.98,
        unit="share",
        ge=0,
        le=1,
        desc="Share of the operator's staff transferred",
        desc_fr="Part du personnel transféré",
        source="water.md §2.1: Montpellier, 56 of 57 technicians joined the régie",
    )
    staff_hired_pct: float = param(
        0.0,
        unit="%",
        ge=0,
        le=200,
        desc="Staff the régie hires at the switch, in % of the staff transferred: the functions the "
        "operator's group ran centrally (billing, customer service, engineering)",
        desc_fr="Personnel que la régie recrute au changement, en % du personnel transféré : les "
        "fonctions que le groupe de l'exploitant assurait en central (facturation, relation "
        "usagers, ingénierie)",
        source="assumption: none by default, the central functions being paid in the operator's "
        "margin (no double count); water.md §2.1 (derived): Lyon about 350 agents for 280 Veolia "
        "staff transferred (+25 %), Nice 256 for 179 (+43 %), as sensitivity cases",
    )
    subcontracted_pct_after_return: float | None = param(
        None,
        unit="%",
        ge=0,
        le=100,
        desc="Work subcontracted after the return to public hands (none: unchanged)",
        desc_fr="Travail sous-traité après le retour en gestion publique (vide : inchangé)",
        source="assumption: a choice of the new operator; none keeps the concession's share",
    )
    wage_change_at_return_pct: float = param(
        0.0,
        unit="%",
        ge=-50,
        le=100,
        desc="Change of the wage cost per FTE at the return to public hands",
        desc_fr="Variation du coût salarial par ETP au retour en gestion publique",
        source="assumption: transferred contracts keep their pay (Code du travail, art. L1224-1 and "
        "L1224-3); a new agreement is a choice",
    )
    surplus_to_operator: bool = param(
        True,
        desc="The operator keeps the operating result above the reserve target, and covers "
        "losses below it (it bears the operating risk)",
        desc_fr="L'opérateur garde le résultat au-delà de la réserve visée et couvre les pertes en deçà",
        source="water.md §2.3: the delegate's remuneration and risk (CRC IdF on SEDIF)",
    )
    assets_returned: bool = param(
        True,
        desc="Return goods (biens de retour) come back free",
        desc_fr="Les biens de retour reviennent gratuitement",
        source="water.md §2.3 (biens de retour)",
    )

    @model_validator(mode="after")
    def _weights(self) -> Concession:
        total = self.k_fixed_share + self.k_labour_weight + self.k_energy_weight + self.k_works_weight
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"k_fixed_share + the three index weights must sum to 1 (found {total:.3f})")
        return self


class Council(Block):
    cost_recovery_years: int = param(
        3,
        unit="yr",
        ge=1,
        le=30,
        desc="Years over which the council closes the budget gap",
        desc_fr="Années pour résorber l'écart budgétaire",
        source="assumption",
    )
    max_change_pct: float = param(
        5.0,
        unit="%/yr",
        ge=0,
        le=100,
        widget=True,
        desc="Largest yearly tariff change the council accepts",
        desc_fr="Variation annuelle maximale du tarif",
        source="assumption",
    )
    reserve_target_months: float = param(
        4.0,
        unit="months of costs",
        ge=0,
        le=60,
        desc="Reserve the council aims to hold",
        desc_fr="Réserve visée",
        source="assumption",
    )
    election_first_year: int = param(
        2026,
        unit="year",
        ge=1900,
        le=2200,
        desc="A municipal election year",
        desc_fr="Une année d'élections municipales",
        source="French municipal elections of March 2026, every 6 years",
    )
    election_every_years: int = param(
        6,
        unit="yr",
        ge=1,
        le=20,
        desc="Years between elections",
        desc_fr="Années entre deux élections",
        source="Code électoral: 6-year municipal term",
    )
    recovery_tolerance_pct: float = param(
        3.0,
        unit="%",
        ge=0,
        le=100,
        desc="Shortfall of projected revenue against costs tolerated for a tariff to be put to a vote",
        desc_fr="Écart de recettes toléré pour qu'un tarif soit soumis au vote",
        source="assumption: a water budget (M49 budget annexe) must balance",
    )
    cost_basis: Literal["cash", "m49"] = param(
        "cash",
        desc="Costs the tariff recovers: cash (opex, debt service, self-financed investment) or M49 "
        "(opex, interest, and depreciation or principal repaid, whichever is larger)",
        desc_fr="Charges que le tarif couvre : trésorerie (exploitation, annuités, investissement "
        "autofinancé) ou M49 (exploitation, intérêts, et amortissements ou capital remboursé, le plus "
        "grand des deux)",
        source="DESIGN: issue 15, finding 2 (cost recovery defined against the M49 accounts); cash "
        "keeps the earlier rule",
    )
    freeze_before_election: bool = param(
        True,
        desc="Tariff frozen in the year before an election",
        desc_fr="Tarif gelé l'année précédant une élection",
        source="assumption: a common electoral practice",
    )


class LoggedDecision(Block):
    meeting: int = param(
        1, ge=1, le=1000, desc="Meeting number (1 = first)", desc_fr="Numéro de réunion", source="workshop"
    )
    item: str = param("tariff", desc="Agenda item", desc_fr="Point de l'ordre du jour", source="workshop")
    option: str = param("keep", desc="Option chosen", desc_fr="Option choisie", source="workshop")
    votes_public: int | None = param(
        None,
        ge=0,
        le=10_000,
        desc="Votes for, public college",
        desc_fr="Voix pour, collège public",
        source="workshop",
    )
    votes_operators: int | None = param(
        None,
        ge=0,
        le=10_000,
        desc="Votes for, operators' college",
        desc_fr="Voix pour, collège opérateurs",
        source="workshop",
    )
    votes_citizens: int | None = param(
        None,
        ge=0,
        le=10_000,
        desc="Votes for, citizens' college",
        desc_fr="Voix pour, collège citoyens",
        source="workshop",
    )
    veto: bool = param(False, desc="Citizens' veto used", desc_fr="Veto citoyen", source="workshop")
    tariff: Tariff | None = param(
        None,
        desc="The tariff of a variant proposed by people (option 'variant…')",
        desc_fr="Le tarif d'une variante proposée par les participants (option « variant… »)",
        source="workshop",
    )


class Committee(Block):
    power: Literal["auto", "consultative", "deciding"] = param(
        "auto",
        desc="Committee power; auto = deciding under commons, consultative otherwise",
        desc_fr="Pouvoir du comité ; auto = décisionnel en communs, consultatif sinon",
        source="DESIGN: CCSPL consultative under DSP and régie",
    )
    seats_public: int = param(
        4,
        ge=1,
        le=100,
        desc="Seats of the public actors' college",
        desc_fr="Sièges du collège des acteurs publics",
        source="assumption: three colleges (Société des Communs booklet)",
    )
    seats_operators: int = param(
        4,
        ge=1,
        le=100,
        desc="Seats of the operators' college (worker majority)",
        desc_fr="Sièges du collège des opérateurs (majorité de salariés)",
        source="assumption",
    )
    seats_citizens: int = param(
        4,
        ge=1,
        le=100,
        desc="Seats of the citizens' college",
        desc_fr="Sièges du collège citoyen",
        source="assumption",
    )
    citizen_veto: bool = param(
        True,
        desc="Citizens may veto proposals that hurt affordability or cut the essential volume",
        desc_fr="Veto citoyen sur ce qui nuit à l'accessibilité ou réduit le volume essentiel",
        source="design (issue)",
    )
    veto_tolerance_pp: float = param(
        1.0,
        unit="points",
        ge=0,
        le=100,
        desc="Rise of the share of households above 3 % of income that is a material harm (a veto "
        "needs more)",
        desc_fr="Hausse de la part des ménages au-dessus de 3 % du revenu qui fait un tort réel (le "
        "veto demande davantage)",
        source='assumption: the national share above 3 % is known to about one point ("about one '
        'million households", 3-4 %, water.md §3.5); a smaller rise is within what the indicator tells',
    )
    veto_cooldown_meetings: int = param(
        0,
        unit="meetings",
        ge=0,
        le=50,
        desc="Meetings during which a vetoed option is not put on the agenda again (0: it may come "
        "back at the next meeting)",
        desc_fr="Nombre de réunions pendant lesquelles une option frappée de veto ne revient pas à "
        "l'ordre du jour (0 : elle peut revenir à la réunion suivante)",
        source="assumption: 0 keeps the earlier rule; a committee meets once a year, so a vetoed "
        "option already waits a year",
    )
    tariff_step_pct: float = param(
        20.0,
        unit="%",
        gt=0,
        le=100,
        desc="Largest step a proposal takes from the tariff in force (standing charge cut, social "
        "price factor)",
        desc_fr="Plus grand pas d'une proposition depuis le tarif en vigueur (baisse de la part fixe, "
        "facteur du tarif social)",
        source="assumption: a committee revises a tariff by steps it can explain, not by halving it",
    )
    social_takeup_share: float = param(
        0.75,
        unit="share",
        ge=0,
        le=1,
        desc="Take-up of a social tariff the committee creates, among eligible households",
        desc_fr="Recours au tarif social créé par le comité, parmi les ménages éligibles",
        source="electricity.md §4.2: the chèque énergie was used by 75 % of its beneficiaries in 2018 "
        "(a French social-aid take-up used as a proxy)",
    )
    vote_noise: float = param(
        0.15,
        unit="",
        ge=0,
        le=5,
        desc="Spread of members' judgement around their college's objective",
        desc_fr="Dispersion des avis des membres autour de l'objectif du collège",
        source="assumption",
    )
    renewal_plan_pct: float = param(
        1.0,
        unit="%/yr",
        ge=0,
        le=10,
        desc="Renewal rate of the 'plan' option",
        desc_fr="Taux de renouvellement de l'option « plan »",
        source="water.md §1.4: Assises de l'eau target 1 %/yr",
    )
    leak_reporting_factor: float = param(
        0.5,
        unit="×",
        gt=0,
        le=1,
        desc="Reporting delay multiplier when citizens report leaks",
        desc_fr="Facteur de délai de signalement avec les citoyens",
        source="assumption",
    )
    conservation_cut: float = param(
        0.03,
        unit="share",
        ge=0,
        le=0.5,
        desc="Demand cut of a conservation campaign",
        desc_fr="Baisse de demande d'une campagne d'économies",
        source="assumption (Dunkerque -2.5 % after a new tariff, water.md §3.1)",
    )
    facilitation_fte: float = param(
        1.0,
        unit="FTE",
        ge=0,
        le=50,
        desc="Facilitation staff of a deciding committee",
        desc_fr="ETP d'animation d'un comité décisionnel",
        source="assumption",
    )
    meeting_cost_eur_per_year: float = param(
        10_000.0,
        unit="€/yr",
        ge=0,
        le=1e7,
        desc="Rooms, documents, compensation of members' time",
        desc_fr="Salles, documents, indemnisation du temps des membres",
        source="assumption",
    )
    earlier_restriction_step: float = param(
        0.10,
        unit="share of capacity",
        ge=0,
        le=0.5,
        desc="How much earlier restrictions start under the 'preserve' usage rule",
        desc_fr="Avance des seuils de restriction avec la règle « préserver »",
        source="assumption",
    )
    scic_shares_eur: float = param(
        0.0,
        unit="€",
        ge=0,
        le=1e9,
        desc="Citizen shares raised (SCIC) at the start",
        desc_fr="Parts citoyennes (SCIC) levées au départ",
        source="scenario",
    )
    scic_interest_cap_pct: float = param(
        2.0,
        unit="%/yr",
        ge=0,
        le=20,
        desc="Capped interest on citizen shares",
        desc_fr="Intérêt plafonné des parts citoyennes",
        source="assumption",
    )
    variants: tuple[Tariff, ...] = param(
        (),
        desc="Tariff variants proposed by people, put to the vote beside the procedure's options "
        "(scaled to the revenue needed and checked like them)",
        desc_fr="Variantes de tarif proposées par les participants, soumises au vote avec les options "
        "de la procédure (ajustées aux recettes nécessaires et vérifiées comme elles)",
        source="workshop",
    )
    decision_log: tuple[LoggedDecision, ...] = param(
        (),
        desc="Decisions taken by people, replacing the procedure's choice",
        desc_fr="Décisions prises par les participants, à la place de la procédure",
        source="workshop",
    )
    stop_at_meeting: int | None = param(
        None,
        ge=1,
        le=1000,
        desc="Stop the run at this meeting and return its agenda",
        desc_fr="Arrêter à cette réunion et rendre son ordre du jour",
        source="workshop",
    )


#: the three ways to run the service; the governance registry gives each its tariff rule
Regime = Literal["regie", "concession", "commons"]
REGIMES: tuple[str, ...] = typing.get_args(Regime)
#: the order pages show them in (private, public, commons), and the order of a comparison
REGIMES_SHOWN: tuple[str, ...] = tuple(sorted(REGIMES, key=("concession", "regie", "commons").index))


class Governance(Block):
    regime: Regime = param(
        "regie", widget=True, desc="Who runs the service", desc_fr="Mode de gestion", source="scenario"
    )
    tariff_rule: Literal["auto", "contract", "council", "committee"] = param(
        "auto",
        desc="Who sets the tariff; auto = the regime's own rule",
        desc_fr="Qui fixe le tarif ; auto = la règle du mode de gestion",
        source="DESIGN",
    )
    opening_tariff: Literal["entered", "cost_of_service"] = param(
        "entered",
        widget=True,
        desc="First year's tariff: as entered, or its structure scaled to the town's cost of service "
        "(plus, in a concession, the operator's margin, head-office fee, delegation overhead, taxes "
        "and unspent renewal provision)",
        desc_fr="Tarif de la 1re année : tel que saisi, ou sa structure mise au niveau du coût du "
        "service de la commune (plus, en concession, marge, frais de siège, frais de délégation, "
        "impôts et provision de renouvellement non dépensée du délégataire)",
        source="DESIGN: issue 15, finding 1 (every regime opens from the same cost of service)",
    )
    concession: Concession = param(
        Concession, desc="Delegation contract", desc_fr="Contrat de DSP", source="see fields"
    )
    council: Council = param(
        Council, desc="Municipal council rules", desc_fr="Règles du conseil", source="see fields"
    )
    committee: Committee = param(
        Committee, desc="User committee", desc_fr="Comité d'usagers", source="see fields"
    )


# --------------------------------------------------------------------------------------------
# the scenario
# --------------------------------------------------------------------------------------------
class Scenario(Block):
    """A whole town, its service and the horizon of the run."""

    town: Town = param(Town, desc="The town", desc_fr="La commune", source="see fields")
    households: Households = param(Households, desc="Households", desc_fr="Ménages", source="see fields")
    network: Network = param(Network, desc="Mains network", desc_fr="Réseau", source="see fields")
    resource: Resource = param(Resource, desc="Water resource", desc_fr="Ressource", source="see fields")
    tariff: Tariff = param(Tariff, desc="Tariff", desc_fr="Tarif", source="see fields")
    finance: Finance = param(Finance, desc="Money", desc_fr="Finances", source="see fields")
    workforce: Workforce = param(Workforce, desc="Staff", desc_fr="Personnel", source="see fields")
    billing: Billing = param(Billing, desc="Billing", desc_fr="Facturation", source="see fields")
    affordability: Affordability = param(
        Affordability, desc="Affordability", desc_fr="Accessibilité", source="see fields"
    )
    sewerage: Sewerage = param(
        Sewerage, desc="Mains sewerage", desc_fr="Assainissement collectif", source="see fields"
    )
    non_domestic: NonDomestic = param(
        NonDomestic, desc="Non-domestic users", desc_fr="Usagers non domestiques", source="see fields"
    )
    governance: Governance = param(Governance, desc="Who decides", desc_fr="Qui décide", source="see fields")
    shocks: tuple[Shock, ...] = param((), desc="Forced shocks", desc_fr="Chocs imposés", source="scenario")
    horizon_years: int = param(
        30,
        unit="yr",
        ge=1,
        le=MAX_HORIZON_YEARS,
        widget=True,
        desc="Years simulated",
        desc_fr="Années simulées",
        source="scenario",
    )
    seed: int = param(
        1, ge=0, le=2**63 - 1, desc="Random seed", desc_fr="Graine aléatoire", source="scenario"
    )
    service: str = param(
        "water",
        desc="Network service simulated (its name in the service registry)",
        desc_fr="Service en réseau simulé (son nom dans le registre des services)",
        source="scenario",
    )

    @field_validator("shocks")
    @classmethod
    def _water_shocks_only(cls, v: tuple[Shock, ...]) -> tuple[Shock, ...]:
        for i, sh in enumerate(v):
            if sh.kind == "storm":
                raise ValueError(
                    f"shocks[{i}]: a storm is an electricity shock; water has drought, energy_price"
                )
        return v

    @model_validator(mode="after")
    def _standing_charge_cap(self) -> Scenario:
        cap = cap_pct(self.town.urban)
        share = standing_charge_share_pct(self.tariff, reference_persons(self))
        if share > cap + 1e-9:
            raise CapError(share, cap, self.town.urban)
        return self


def reference_persons(s: Scenario) -> int:
    """Household size used for the 120 m3 reference bill when blocks are per person.

    The mean household size of the scenario, rounded (2 for the French mean of 2.16).
    """
    mean = sum((i + 1) * sh for i, sh in enumerate(s.households.size_shares))
    return max(1, round(mean))


# --------------------------------------------------------------------------------------------
# YAML: load, save, extends, --set overrides
# --------------------------------------------------------------------------------------------
MAX_FILE_BYTES = loader.MAX_FILE_BYTES
MAX_EXTENDS_DEPTH = loader.MAX_EXTENDS_DEPTH
deep_merge = loader.deep_merge
resolve_extends = loader.resolve_extends
scenarios_dir = loader.scenarios_dir


def parse_yaml_text(text: str | bytes, origin: str) -> dict[str, Any]:
    """Parse a scenario's YAML with every limit of :mod:`sim.scenario.loader`; located errors."""
    return loader.parse_yaml(loader.decode_text(text, origin), origin)


#: the scenario model of each service other than water, chosen by the ``service`` key of a
#: scenario (``sim.scenario.electricity`` registers ``electricity``); any other name is a water
#: :class:`Scenario`, whose service registry reports an unknown name as a located error
SERVICE_MODELS: dict[str, type[BaseModel]] = {}


def model_for(data: Mapping[str, Any]) -> type[BaseModel]:
    """The scenario model that validates ``data``: by its ``service`` key, water by default."""
    service = data.get("service") if isinstance(data, Mapping) else None
    return SERVICE_MODELS.get(service, Scenario) if isinstance(service, str) else Scenario


def scenario_from_dict(data: Mapping[str, Any], origin: str = "<scenario>") -> Scenario:
    """Validate a plain mapping into a Scenario, or raise a located ScenarioError.

    The model is chosen by the ``service`` key (:func:`model_for`): a water :class:`Scenario` by
    default, an :class:`~sim.scenario.electricity.ElectricityScenario` for ``electricity``.
    Every door ends here: values pydantic would let through (a YAML boolean for a number, NaN,
    1e308, a lone surrogate) or choke on (nesting too deep) are refused first.
    """
    if not isinstance(data, Mapping):
        raise ScenarioError([Problem(origin, "", "not_a_mapping", {"found": type(data).__name__})])
    if loader.is_multiservice_data(data):  # several services: sim.scenario.multi reads it
        where = "service" if data.get("service") == "multi" else "services"
        raise ScenarioError([Problem(origin, where, "multi_here", {})])
    model = model_for(data)
    problems = loader.check_values(data, origin, model)
    if problems:
        raise ScenarioError(problems)
    try:
        return model.model_validate(dict(data))  # type: ignore[return-value]
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, origin, model)) from None
    except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:  # a validator's arithmetic
        raise ScenarioError([Problem(origin, "", "generic", {"detail": type(exc).__name__})]) from None


def _with_defaults(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` over every default value, so a ``--set`` path the file leaves out exists."""
    return deep_merge(model_for(data)().model_dump(mode="json"), data)


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load a YAML scenario file (following ``extends:``) and apply dotted-path overrides.

    ``extends:`` may name a file in the scenario's own folder tree, or a built-in scenario by
    name (see :mod:`sim.scenario.loader`).

    Raises
    ------
    ScenarioError
        With one located problem per bad key; nothing else is raised for bad input.
    """
    p = Path(path)
    data = loader.read_mapping(p, str(p))
    if overrides:
        data = apply_overrides(_with_defaults(data), overrides, str(p))
    return scenario_from_dict(data, str(p))


def loads_scenario(
    text: str | bytes,
    origin: str = "<upload>",
    overrides: Mapping[str, Any] | None = None,
    *,
    other_services: tuple[str, ...] = (),
) -> Scenario:
    """Load a scenario from YAML text or bytes (an upload, a form, a link).

    ``extends:`` may name only a built-in scenario (``town.yaml``): text from outside never
    reaches another file of the server. A scenario of a service with its own model (``service:
    electricity``) is refused, located at ``service``, unless ``other_services`` names it: the
    doors that read text (dashboard uploads and links, workshops) show water only so far.
    """
    data = loader.read_mapping(text if isinstance(text, bytes) else str(text), origin)
    service = data.get("service")
    if isinstance(service, str) and service in SERVICE_MODELS and service not in other_services:
        raise ScenarioError([Problem(origin, "service", "service_not_here", {"found": service})])
    if overrides:
        data = apply_overrides(_with_defaults(data), overrides, origin)
    return scenario_from_dict(data, origin)


def set_path(data: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """Return a copy of ``data`` with ``dotted`` (``a.b[1].c``) set to ``value``."""
    out = copy.deepcopy(data)
    keys = split_path(dotted)
    node: Any = out
    for i, key in enumerate(keys[:-1]):
        nxt = keys[i + 1]
        if isinstance(key, int):
            node = node[key]
            continue
        if key not in node or node[key] is None:
            node[key] = [] if isinstance(nxt, int) else {}
        elif isinstance(node[key], tuple):
            node[key] = list(node[key])
        node = node[key]
    last = keys[-1]
    if isinstance(last, int):
        node[last] = value
    else:
        node[last] = value
    return out


def apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any], origin: str) -> dict[str, Any]:
    """Apply ``{"households.count": 100000}`` style overrides; values parsed as YAML if strings."""
    out = data
    for dotted, raw in overrides.items():
        try:
            value = loader.parse_yaml(raw, origin, document=False) if isinstance(raw, str) else raw
        except ScenarioError as err:
            raise ScenarioError(
                [Problem(origin, dotted, "set_syntax", {"detail": err.problems[0].message("en")})]
            ) from None
        try:
            out = set_path(out, dotted, value)
        except (IndexError, KeyError, TypeError, ValueError):
            raise ScenarioError([Problem(origin, dotted, "bad_override_path", {})]) from None
    return out


def scenario_to_dict(s: Scenario) -> dict[str, Any]:
    """Plain, YAML-ready mapping of every value (tuples become lists)."""
    return s.model_dump(mode="json")


def dumps_scenario(s: Scenario) -> str:
    """The scenario as YAML text; ``loads_scenario(dumps_scenario(s)) == s``."""
    return yaml.safe_dump(scenario_to_dict(s), sort_keys=False, allow_unicode=True)


def save_scenario(s: Scenario, path: str | Path) -> None:
    """Write the scenario to ``path`` atomically (a temp file renamed over the target)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(p.suffix + ".tmp")
    tmp.write_text(dumps_scenario(s), encoding="utf-8")
    tmp.replace(p)


def scale_town(s: Scenario, households: int) -> Scenario:
    """The same town with ``households`` households, everything that grows with size scaled.

    ``households.count`` alone changes only the number of households: a 2,000-household town would
    keep 300 km of mains and the fixed costs of 20,000 households. This scales, by the same factor,
    the mains length of every cohort (or an electricity network's line length), the resource
    (capacity, recharge), the fixed money amounts
    (initial cash and debt, overheads, other capital spending, citizen shares; for electricity also
    the social fund and its step), an electricity town's community PV (installed and a programme's
    step; not the legal ceiling of collective self-consumption) and the repair crews (at least
    one, their staff scaled with the town), so costs, losses and local production per household stay
    those of the original town.
    """
    k = households / s.households.count
    data = scenario_to_dict(s)
    data["households"]["count"] = int(households)
    if isinstance(s, Scenario):  # water: the mains of every cohort and the resource
        for c in data["network"]["cohorts"]:
            c["length_km"] *= k
        data["resource"]["capacity_m3"] *= k
        data["resource"]["mean_recharge_m3_per_year"] *= k
    else:  # another service's scenario (electricity): its line length, community PV, social fund
        data["network"]["length_km"] *= k
        pv = data["local_production"]
        pv["pv_kwp"] *= k  # the legal ceiling of collective self-consumption (acc_limit_kw) is not
        pv["step_kwp"] *= k  # the town's: it stays
        fund = data["energy_poverty"]["arrears"]
        fund["social_fund_eur_per_year"] *= k
        fund["social_fund_step_eur_per_year"] *= k
    for key in ("initial_cash_eur", "initial_debt_eur", "overheads_eur_per_year", "other_capex_eur_per_year"):
        data["finance"][key] *= k
    data["governance"]["committee"]["scic_shares_eur"] *= k
    crews = max(1, round(s.workforce.crews * k))
    data["workforce"]["crews"] = crews
    # a crew is people: the staff of the scaled crews keeps the original's per household (a small
    # town's single crew is then part of a crew, e.g. shared with a neighbouring service)
    data["workforce"]["crew_size_fte"] = s.workforce.crew_size_fte * s.workforce.crews * k / crews
    return scenario_from_dict(data, "<scale_town>")


def with_changes(s: Scenario, changes: Mapping[str, Any]) -> Scenario:
    """A new validated Scenario with dotted-path changes applied (for sweeps and the dashboard)."""
    data = apply_overrides(scenario_to_dict(s), changes, "<changes>")
    return scenario_from_dict(data, "<changes>")

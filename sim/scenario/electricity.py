"""The electricity scenario: a town's households, its electricity tariff and supply costs.

A scenario whose ``service`` is ``electricity`` is validated by :class:`ElectricityScenario` (the one
loader, :func:`sim.scenario.model.load_scenario`, picks the model by the ``service`` key). Blocks
the two services share (``town``, ``governance``) are the water scenario's own classes.

Sources quoted as "electricity.md §x" refer to ``shared/reference/electricity.md``, which gives the
publication behind each figure; "households.md" likewise. Every other default is an assumption.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import field_validator, model_validator

from sim.scenario.model import (
    MAX_HORIZON_YEARS,
    MAX_HOUSEHOLDS,
    SERVICE_MODELS,
    Block,
    Committee,
    FinanceBase,
    Governance,
    HouseholdBase,
    LoggedDecision,
    Shock,
    Town,
    Workforce,
)
from sim.scenario.params import param

#: the TRVE Base grid of 1 February 2024, taxes included (electricity.md §1.4, CRE "Comprendre les TRVE")
TRVE_2024_BASE_FIXED_EUR_PER_YEAR = {3: 116.04, 6: 151.86, 9: 190.91, 12: 230.89, 15: 264.62}
TRVE_2024_BASE_EUR_PER_KWH = 0.2516
#: the TRVE HP/HC grid of 1 February 2024, taxes included (electricity.md §1.4)
TRVE_2024_HPHC_FIXED_EUR_PER_YEAR = {6: 157.87, 9: 200.33, 12: 241.54}
TRVE_2024_HPHC_EUR_PER_KWH = {"hp": 0.2700, "hc": 0.2068}
#: the TRVE Tempo grid of 1 February 2024 at 6 kVA, taxes included (electricity.md §1.4)
TRVE_2024_TEMPO_FIXED_EUR_PER_YEAR = {6: 157.09}
TRVE_2024_TEMPO_EUR_PER_KWH = {
    "blue_hc": 0.1296,
    "blue_hp": 0.1609,
    "white_hc": 0.1486,
    "white_hp": 0.1894,
    "red_hc": 0.1568,
    "red_hp": 0.7562,
}
#: the energy periods a grid of each option prices
OPTION_PERIODS = {
    "base": ("base",),
    "hphc": ("hp", "hc"),
    "tempo": tuple(TRVE_2024_TEMPO_EUR_PER_KWH),
}
EnergyPeriod = Literal["base", "hp", "hc", "blue_hc", "blue_hp", "white_hc", "white_hp", "red_hc", "red_hp"]


class ElectricityHouseholds(HouseholdBase):
    count: int = param(
        20_000,
        unit="households",
        ge=10,
        le=MAX_HOUSEHOLDS,
        widget=True,
        desc="Number of households supplied",
        desc_fr="Nombre de ménages desservis",
        source="assumption: a town of about 20,000 households (issue 12)",
    )
    unpaid_burden_slope: float = param(
        0.10,
        unit="1/%",
        ge=0,
        le=5,
        desc="Growth of the log-odds of non-payment per point of bill/income",
        desc_fr="Hausse du risque d'impayé par point de facture/revenu",
        source="assumption: electricity takes 3-10 % of a modest income, several times water's "
        "share, so the slope is a fifth of water's to keep unpaid rates of the same order",
    )
    unpaid_base_probability: float = param(
        0.004,
        unit="probability",
        ge=0,
        le=1,
        desc="Probability a bill goes unpaid when its burden is zero",
        desc_fr="Probabilité qu'une facture reste impayée quand son poids est nul",
        source="assumption: electricity.md §4.3 counts 913,611 interventions for unpaid electricity "
        "bills in 2023 over 33.8 million residential sites (§3.1): 2.7 % of households a year; a bill's "
        "risk is taken near half of that, six bills a year and the burden term adding the rest",
    )
    electric_heating_share: float = param(
        0.39,
        unit="share",
        ge=0,
        le=1,
        widget=True,
        desc="Share of households heated with electricity",
        desc_fr="Part des ménages chauffés à l'électricité",
        source="electricity.md §3.1: 39 % of households heated with electricity (RTE 2015)",
    )
    kwh_flat_1_person_other_heating: float = param(
        2_200.0,
        unit="kWh/yr",
        gt=0,
        le=50_000,
        desc="Yearly use of one person in a flat heated otherwise (gas)",
        desc_fr="Consommation annuelle d'une personne seule en appartement chauffé autrement (gaz)",
        source="electricity.md §3.1: 2,200 kWh (Ministère de l'Économie, 22 Jan 2024)",
    )
    kwh_flat_1_person_electric_heating: float = param(
        4_200.0,
        unit="kWh/yr",
        gt=0,
        le=50_000,
        desc="Yearly use of one person in a flat with electric heating",
        desc_fr="Consommation annuelle d'une personne seule en appartement chauffé à l'électricité",
        source="electricity.md §3.1: 4,200 kWh (Ministère de l'Économie, 22 Jan 2024)",
    )
    kwh_house_4_persons_other_heating: float = param(
        3_700.0,
        unit="kWh/yr",
        gt=0,
        le=50_000,
        desc="Yearly use of four persons in a house heated otherwise (gas)",
        desc_fr="Consommation annuelle de quatre personnes en maison chauffée autrement (gaz)",
        source="electricity.md §3.1: 3,700 kWh (Ministère de l'Économie, 22 Jan 2024)",
    )
    kwh_house_4_persons_electric_heating: float = param(
        9_000.0,
        unit="kWh/yr",
        gt=0,
        le=50_000,
        desc="Yearly use of four persons in a house with electric heating",
        desc_fr="Consommation annuelle de quatre personnes en maison chauffée à l'électricité",
        source="electricity.md §3.1: 9,000 kWh (Ministère de l'Économie, 22 Jan 2024)",
    )
    house_share_by_size: tuple[float, float, float, float, float] = param(
        (0.38, 0.62, 0.65, 0.72, 0.75),
        unit="share",
        desc="Share of households living in a house (the rest in flats), for households of 1, 2, 3, 4 "
        "and 5 persons",
        desc_fr="Part des ménages vivant en maison (les autres en appartement), pour les ménages de 1, "
        "2, 3, 4 et 5 personnes",
        source="assumption: the reference file gives no split of dwellings; order of magnitude of "
        "INSEE's housing figures (about 55 % of main residences are houses, people living alone "
        "mostly in flats), 55 % over the town's sizes as the water scenario's house_share",
    )
    house_heating_factor: float = param(
        1.3,
        unit="×",
        ge=1,
        le=2.5,
        desc="Heat a house needs over a flat's, for a household of the same size",
        desc_fr="Chaleur nécessaire à une maison par rapport à un appartement, pour un ménage de même taille",
        source="assumption: a house has more floor area and more walls and roof to the outside than a "
        "flat for the same household (order of magnitude, not in the reference file); 1.5 would put "
        "the town's energy poverty at 12.1 %, above the ONPE band its need factor is calibrated to, "
        "1.3 keeps it at 11.5 %. The published one-person flat and four-person house (electricity.md "
        "§3.1) stay exact: the heating per extra person is what the factor does not explain",
    )
    kva_other_heating: int = param(
        6,
        unit="kVA",
        ge=3,
        le=36,
        desc="Subscribed power of a household heated otherwise",
        desc_fr="Puissance souscrite d'un ménage chauffé autrement",
        source="assumption: 6 kVA, the TRVE's reference power (electricity.md §1.4 quotes its "
        "bills at 6 kVA)",
    )
    kva_electric_heating: int = param(
        9,
        unit="kVA",
        ge=3,
        le=36,
        desc="Subscribed power of a household with electric heating",
        desc_fr="Puissance souscrite d'un ménage chauffé à l'électricité",
        source="assumption: 9 kVA, the next step of the TRVE grid (electricity.md §1.4)",
    )
    hphc_share: float = param(
        0.476,
        unit="share",
        ge=0,
        le=1,
        desc="Share of households on the peak/off-peak (HP/HC) option when each is on its own option "
        "(own_option); otherwise for reference only, every household being billed on tariff.option",
        desc_fr="Part des ménages en option heures pleines / heures creuses quand chacun a sa propre "
        "option (own_option) ; sinon pour mémoire, chaque ménage étant facturé à l'option du scénario "
        "(tariff.option)",
        source="electricity.md §1.4: EDF 11.8 M Base and 10.7 M HP/HC customers (cbanque 2023): "
        "10.7 / 22.5 = 0.476 (derived)",
    )
    own_option: bool = param(
        False,
        desc="Each household on its own option under the regulated tariff: Base, or HP/HC at the TRVE "
        "grids' ratios (off: every household on tariff.option)",
        desc_fr="Chaque ménage à sa propre option au tarif réglementé : Base, ou HP/HC aux rapports des "
        "grilles du TRVE (désactivé : tous les ménages à l'option du scénario)",
        source="assumption: off by default so that tariff.option keeps its meaning; electricity.md §1.4 "
        "counts both options among EDF's customers. Needs a Base tariff; under a local offer the "
        "offer's option applies to every household",
    )
    hphc_share_electric_heating: float = param(
        0.75,
        unit="share",
        ge=0,
        le=1,
        desc="Share of the households heated with electricity that are on HP/HC when each is on its "
        "own option (the others make up hphc_share)",
        desc_fr="Part des ménages chauffés à l'électricité en HP/HC quand chacun a sa propre option "
        "(les autres complètent hphc_share)",
        source="assumption: a household heating (and heating its water) with electricity gains most "
        "from off-peak hours; not in the reference file. With 39 % electric heating and hphc_share "
        "0.476, 30 % of the households heated otherwise are on HP/HC",
    )
    hc_share_of_kwh: float = param(
        0.35,
        unit="share",
        ge=0,
        le=1,
        desc="Share of an HP/HC household's kWh used in off-peak hours",
        desc_fr="Part des kWh d'un ménage HP/HC consommés en heures creuses",
        source="assumption: 8 off-peak hours of 24 (electricity.md §1.4) with water heating moved "
        "into them; the Enedis profiles RES2_HC/RES2_HP were not retrieved",
    )
    normal_monthly_temperature_c: tuple[float, ...] = param(
        (5.0, 5.6, 8.8, 11.5, 15.2, 18.3, 20.5, 20.3, 16.9, 13.0, 8.3, 5.5),
        unit="°C",
        desc="Normal mean temperature of each month, January to December",
        desc_fr="Température moyenne normale de chaque mois, de janvier à décembre",
        source="assumption: close to the Paris normals; not in the reference file",
    )
    heating_base_temperature_c: float = param(
        18.0,
        unit="°C",
        ge=5,
        le=25,
        desc="Outdoor temperature below which homes are heated (degree-day base)",
        desc_fr="Température extérieure en dessous de laquelle on chauffe (base des degrés-jours)",
        source="assumption: the usual 18 °C base of French degree-days; not in the reference file",
    )
    temperature_sd_c: float = param(
        1.5,
        unit="°C",
        ge=0,
        le=10,
        desc="Spread of a month's mean temperature around its normal (year-to-year)",
        desc_fr="Écart-type de la température moyenne d'un mois autour de sa normale",
        source="assumption: monthly means in France stray by one to two degrees from their normals; "
        "not in the reference file",
    )
    reference_price_eur_per_kwh: float = param(
        0.2516,
        unit="€/kWh",
        gt=0,
        le=5,
        desc="Marginal price incl. taxes at which the yearly uses above were observed",
        desc_fr="Prix marginal TTC auquel les consommations annuelles ci-dessus ont été observées",
        source="electricity.md §1.4 and §3.1: the uses were published on 22 Jan 2024, under the "
        "TRVE Base energy price of 25.16 c€/kWh TTC (derived)",
    )
    price_elasticity: float = param(
        -0.126,
        unit="",
        ge=-2,
        le=0,
        widget=True,
        desc="Short-run price elasticity of electricity demand",
        desc_fr="Élasticité-prix de court terme de la demande d'électricité",
        source="electricity.md §3.3: short run -0.126 (Labandeira et al. 2017 meta-analysis); "
        "-0.8 (Auray et al., French panel) is a sensitivity case",
    )

    @field_validator("house_share_by_size")
    @classmethod
    def _shares_of_houses(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0.0 <= x <= 1.0 for x in v):
            raise ValueError("five shares between 0 and 1 are needed")
        return v

    @model_validator(mode="after")
    def _a_heating_season(self) -> ElectricityHouseholds:
        if len(self.normal_monthly_temperature_c) != 12:
            raise ValueError("normal_monthly_temperature_c needs twelve months")
        if all(t >= self.heating_base_temperature_c for t in self.normal_monthly_temperature_c):
            raise ValueError("at least one month must be colder than heating_base_temperature_c")
        flat_1 = self.kwh_flat_1_person_electric_heating - self.kwh_flat_1_person_other_heating
        house_4 = self.kwh_house_4_persons_electric_heating - self.kwh_house_4_persons_other_heating
        if self.house_heating_factor * flat_1 > house_4 + 1e-9:
            raise ValueError(
                "house_heating_factor × the one-person flat's heating (electric minus other heating "
                "use) exceeds the four-person house's: a larger household would need less heat"
            )
        return self


class CostStack(Block):
    """The costs a regulated-style tariff stacks (electricity.md §1.4, art. L.337-6): energy and
    capacity, network (TURPE), commercial costs, margin. Used when ``tariff.build`` is
    ``cost_stack``; all amounts excl. tax."""

    energy_eur_per_mwh: float = param(
        114.0,
        unit="€/MWh",
        ge=0,
        le=5_000,
        widget=True,
        desc="Energy and capacity supply cost",
        desc_fr="Coût de l'énergie et de la capacité",
        source="derived: the value for which this stack gives the TRVE Base bill of 1 Feb 2024 "
        "(electricity.md §1.4) at 6 kVA and 4.4 MWh, the CRE's average use (§1.4)",
    )
    network_eur_per_customer_year: float = param(
        25.70,
        unit="€/yr",
        ge=0,
        le=1_000,
        desc="Network tariff (TURPE) fixed part per customer: management and metering",
        desc_fr="Part fixe du TURPE par client : gestion et comptage",
        source="assumption: TURPE 6 BT ≤ 36 kVA management 7.46 + metering 18.24 €/yr as quoted "
        "on centralesvillageoises.fr (2021); not in the reference file",
    )
    network_eur_per_kva_year: float = param(
        8.52,
        unit="€/kVA/yr",
        ge=0,
        le=200,
        desc="Network tariff (TURPE) fixed withdrawal part per subscribed kVA",
        desc_fr="Part fixe de soutirage du TURPE par kVA souscrit",
        source="assumption: TURPE 6 BT ≤ 36 kVA, 8.52 €/kVA/yr as quoted on "
        "centralesvillageoises.fr (2021); not in the reference file",
    )
    network_eur_per_mwh: float = param(
        68.4,
        unit="€/MWh",
        ge=0,
        le=1_000,
        desc="Network tariff (TURPE) energy part",
        desc_fr="Part énergie du TURPE",
        source="derived: TURPE ≈ 30 % of the TTC bill (electricity.md §6.1) for the TRVE Base "
        "bill of 1 Feb 2024 at 6 kVA and 4.4 MWh, less the fixed parts above",
    )
    commercial_eur_per_customer_year: float = param(
        50.0,
        unit="€/yr",
        ge=0,
        le=1_000,
        desc="Commercial costs of the supplier per customer",
        desc_fr="Coûts commerciaux du fournisseur par client",
        source="assumption: not in the reference file",
    )
    margin_pct: float = param(
        3.0,
        unit="%",
        ge=0,
        le=100,
        widget=True,
        desc="Margin on the stacked costs",
        desc_fr="Marge sur les coûts empilés",
        source="assumption: not in the reference file",
    )
    hp_factor: float = param(
        1.0731,
        unit="",
        gt=0,
        le=5,
        desc="Peak-hour energy price as a multiple of the Base price",
        desc_fr="Prix de l'énergie en heures pleines, en multiple du prix Base",
        source="derived: HP 27.00 / Base 25.16 c€ TTC, TRVE of 1 Feb 2024 (electricity.md §1.4)",
    )
    hc_factor: float = param(
        0.8219,
        unit="",
        gt=0,
        le=5,
        desc="Off-peak energy price as a multiple of the Base price",
        desc_fr="Prix de l'énergie en heures creuses, en multiple du prix Base",
        source="derived: HC 20.68 / Base 25.16 c€ TTC, TRVE of 1 Feb 2024 (electricity.md §1.4)",
    )


class ElectricitySocial(Block):
    """A local social measure: a rebate on the bill of the households of some deciles, decided
    locally (the chèque énergie is national and paid by the State: it is counted in the energy
    poverty indicator, not in the operator's accounts)."""

    enabled: bool = param(
        False,
        desc="Local social rebate on",
        desc_fr="Remise sociale locale active",
        source="assumption: a local decision (electricity.md §1.2: operators decide social measures)",
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
        desc="Share of eligible households that receive it (take-up)",
        desc_fr="Part des ménages éligibles qui en bénéficient (recours)",
        source="assumption",
    )
    rebate_pct: float = param(
        20.0,
        unit="%",
        ge=0,
        le=100,
        desc="Rebate on the bill excl. tax of an eligible household",
        desc_fr="Remise sur la facture HT d'un ménage éligible",
        source="assumption: of the order of the chèque énergie's average 150 € on a 1,000 € bill "
        "(electricity.md §4.2)",
    )

    @field_validator("eligible_deciles")
    @classmethod
    def _deciles(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if any(d < 1 or d > 10 for d in v):
            raise ValueError("deciles are 1 to 10")
        return tuple(sorted(set(v)))


class TempoCalendar(Block):
    """How many days of each colour the Tempo option has, and how they are drawn (electricity.md
    §1.4: 22 red days between 1 November and 31 March, weekdays only, and 43 white days)."""

    red_days: int = param(
        22,
        unit="days/yr",
        ge=0,
        le=100,
        desc="Red days a year (weekdays from 1 November to 31 March, the coldest ones)",
        desc_fr="Jours rouges par an (jours ouvrés du 1er novembre au 31 mars, les plus froids)",
        source="electricity.md §1.4: Tempo, 22 red days between 1 Nov and 31 Mar, weekdays only",
    )
    white_days: int = param(
        43,
        unit="days/yr",
        ge=0,
        le=200,
        desc="White days a year (the next coldest days, Sundays excepted)",
        desc_fr="Jours blancs par an (les jours suivants les plus froids, hors dimanches)",
        source="electricity.md §1.4: Tempo, 43 white days; Sundays kept blue is an assumption (the "
        "reference is silent on it)",
    )
    daily_temperature_sd_c: float = param(
        3.0,
        unit="°C",
        ge=0,
        le=15,
        desc="Spread of a day's mean temperature around its month's (draws the coldest days)",
        desc_fr="Écart type de la température d'un jour autour de celle de son mois (tire les jours "
        "les plus froids)",
        source="assumption: not in the reference; it only ranks days for the colours, the month's "
        "use is unchanged",
    )
    heating_hc_share: float = param(
        1 / 3,
        unit="share",
        ge=0,
        le=1,
        desc="Share of electric heating used in the off-peak hours (22:00-06:00)",
        desc_fr="Part du chauffage électrique consommée en heures creuses (22 h - 6 h)",
        source="assumption: heating runs evenly over the day, 8 off-peak hours of 24 (electricity.md "
        "§1.4); the other uses keep households.hc_share_of_kwh",
    )


class EssentialBlock(Block):
    """A first block of kWh per consumption unit at a lower price, financed by the kWh above it
    (a local offer's structure; electricity.md §1.2: operators decide their offers' structure)."""

    enabled: bool = param(
        False,
        desc="Essential-kWh block on",
        desc_fr="Tranche de kWh essentiels active",
        source="assumption: a local decision",
    )
    kwh_per_unit_year: float = param(
        1_000.0,
        unit="kWh/CU/yr",
        ge=0,
        le=20_000,
        desc="kWh a year in the essential block per consumption unit (1, 0.5, 0.3 per person)",
        desc_fr="kWh par an de la tranche essentielle par unité de consommation (1 ; 0,5 ; 0,3 par personne)",
        source="assumption: about half the 2,200 kWh of a one-person flat heated otherwise "
        "(electricity.md §3.1); consumption units as the chèque énergie's (§4.2)",
    )
    price_factor: float = param(
        0.5,
        unit="×",
        ge=0,
        le=1,
        desc="Energy price excl. tax in the block, times the option's price",
        desc_fr="Prix HT de l'énergie dans la tranche, fois le prix de l'option",
        source="assumption",
    )
    above_factor: float = param(
        1.0,
        unit="×",
        ge=1,
        le=5,
        desc="Energy price excl. tax above the block, times the option's price (what finances it)",
        desc_fr="Prix HT de l'énergie au-delà de la tranche, fois le prix de l'option (ce qui la finance)",
        source="tariff: set so that the block is financed by the kWh above it (local offer), 1 "
        "under the regulated tariff (the service's margin pays)",
    )


class ElectricityTariff(Block):
    """A household electricity tariff: a fixed part by subscribed kVA and an energy price per kWh,
    Base or HP/HC. A published grid may be entered as the CRE publishes it, taxes included."""

    option: Literal["base", "hphc", "tempo"] = param(
        "base",
        widget=True,
        desc="Tariff option: Base (one price), peak/off-peak (HP/HC) or Tempo (blue, white and red "
        "days, each with HP and HC)",
        desc_fr="Option tarifaire : Base (un prix), heures pleines / heures creuses, ou Tempo (jours "
        "bleus, blancs et rouges, chacun en HP et HC)",
        source="electricity.md §1.4: TRVE options Base, Heures Creuses and Tempo",
    )
    build: Literal["grid", "cost_stack"] = param(
        "grid",
        desc="Prices from the grid below, or built from the cost stack",
        desc_fr="Prix tirés de la grille ci-dessous, ou construits par empilement des coûts",
        source="electricity.md §1.4: the TRVE is built by cost stacking (art. L.337-6)",
    )
    prices_include_taxes: bool = param(
        True,
        desc="The grid's prices include taxes (excise, CTA, VAT), as the CRE publishes them",
        desc_fr="Les prix de la grille sont TTC (accise, CTA, TVA), comme la CRE les publie",
        source="electricity.md §1.4: CRE publishes the TRVE TTC",
    )
    prices_date: date = param(
        date(2024, 2, 1),
        desc="Date the grid applies from; its taxes turn prices incl. taxes into prices excl. taxes",
        desc_fr="Date d'application de la grille ; ses taxes servent à passer du TTC au HT",
        source="electricity.md §1.4: TRVE grid of 1 Feb 2024",
    )
    fixed_eur_per_year_by_kva: dict[int, float] = param(
        lambda: dict(TRVE_2024_BASE_FIXED_EUR_PER_YEAR),
        unit="€/yr",
        desc="Fixed part (subscription) per year, by subscribed power in kVA",
        desc_fr="Part fixe (abonnement) annuelle, par puissance souscrite en kVA",
        source="electricity.md §1.4: TRVE Base, 1 Feb 2024, TTC (CRE)",
    )
    energy_eur_per_kwh: dict[EnergyPeriod, float] = param(
        lambda: {"base": TRVE_2024_BASE_EUR_PER_KWH},
        unit="€/kWh",
        desc="Energy price per kWh: base; or hp and hc; or, for Tempo, blue_hc, blue_hp, white_hc, "
        "white_hp, red_hc, red_hp",
        desc_fr="Prix de l'énergie par kWh : base ; ou hp et hc ; ou, en Tempo, blue_hc, blue_hp, "
        "white_hc, white_hp, red_hc, red_hp",
        source="electricity.md §1.4: TRVE Base 25.16 c€/kWh TTC, 1 Feb 2024 (CRE)",
    )
    turpe_fixed_eur_per_customer_year: float = param(
        25.70,
        unit="€/yr",
        ge=0,
        le=1_000,
        desc="TURPE fixed part per customer (excl. tax), the base of the CTA with the part per kVA",
        desc_fr="Part fixe du TURPE par client (HT), assiette de la CTA avec la part par kVA",
        source="assumption: TURPE 6 BT ≤ 36 kVA management 7.46 + metering 18.24 €/yr as quoted "
        "on centralesvillageoises.fr (2021); not in the reference file. It only splits the fixed "
        "part between subscription and CTA: a grid entered TTC keeps its TTC total",
    )
    turpe_fixed_eur_per_kva_year: float = param(
        8.52,
        unit="€/kVA/yr",
        ge=0,
        le=200,
        desc="TURPE fixed withdrawal part per kVA (excl. tax), base of the CTA",
        desc_fr="Part fixe de soutirage du TURPE par kVA (HT), assiette de la CTA",
        source="assumption: TURPE 6 BT ≤ 36 kVA, 8.52 €/kVA/yr as quoted on "
        "centralesvillageoises.fr (2021); not in the reference file",
    )
    pricing: Literal["regulated", "local"] = param(
        "regulated",
        desc="Who sets the prices: regulated (the TRVE, set nationally by cost stacking) or local "
        "(the operator's own offer, set by the regime's rule)",
        desc_fr="Qui fixe les prix : réglementé (le TRVE, fixé nationalement par empilement des coûts) "
        "ou local (l'offre propre de l'opérateur, fixée selon la règle du régime)",
        source="electricity.md §1.4: the ELD supply at the TRVE, set by the CRE and the government "
        "(art. L.337-6); a local offer is the operator's decision",
    )
    shield_max_rise_pct: float | None = param(
        None,
        unit="%/yr",
        ge=0,
        le=100,
        desc="Price shield: the regulated price may rise by at most this much a year, the State "
        "paying the supplier the difference (none: no shield)",
        desc_fr="Bouclier tarifaire : le prix réglementé monte d'au plus ce taux par an, l'État "
        "compensant la différence au fournisseur (aucun : pas de bouclier)",
        source="electricity.md §1.5: +4 % TTC in Feb 2022 and +15 % in Feb 2023, suppliers "
        "compensated; a public-policy parameter",
    )
    fixed_part_factor: float = param(
        1.0,
        unit="×",
        ge=0,
        le=5,
        desc="Local offer: multiplier on the fixed part's prices excl. tax (1: the grid's)",
        desc_fr="Offre locale : facteur sur les prix HT de la part fixe (1 : ceux de la grille)",
        source="tariff: a decision of the local offer's structure",
    )
    energy_part_factor: float = param(
        1.0,
        unit="×",
        ge=0,
        le=5,
        desc="Local offer: multiplier on the energy prices excl. tax (1: the grid's)",
        desc_fr="Offre locale : facteur sur les prix HT de l'énergie (1 : ceux de la grille)",
        source="tariff: a decision of the local offer's structure",
    )
    index_on_inflation: bool = param(
        True,
        desc="Prices excl. tax follow inflation unless a decision changes them",
        desc_fr="Les prix HT suivent l'inflation sauf décision contraire",
        source="assumption: the local offer is revised with prices; TRVE and TURPE move by CRE "
        "formulas (electricity.md §1.4)",
    )
    social: ElectricitySocial = param(
        ElectricitySocial, desc="Local social rebate", desc_fr="Remise sociale locale", source="see fields"
    )
    tempo: TempoCalendar = param(TempoCalendar, desc="Tempo days", desc_fr="Jours Tempo", source="see fields")
    essential_block: EssentialBlock = param(
        EssentialBlock, desc="Essential-kWh block", desc_fr="Tranche de kWh essentiels", source="see fields"
    )
    what_if_excise_eur_per_mwh: float | None = param(
        None,
        unit="€/MWh",
        ge=0,
        le=1_000,
        desc="What if: an excise other than the law's (none: the law's rate of the billing date)",
        desc_fr="Et si : une accise autre que celle de la loi (aucune : le taux légal à la date)",
        source="what if: national law sets the excise (electricity.md §6.2)",
    )
    what_if_vat_pct: float | None = param(
        None,
        unit="%",
        ge=0,
        le=100,
        desc="What if: one VAT rate on the whole bill other than the law's (none: the law's rates)",
        desc_fr="Et si : un taux de TVA unique sur toute la facture autre que la loi (aucun : la loi)",
        source="what if: national law sets VAT (electricity.md §6.2)",
    )

    @field_validator("fixed_eur_per_year_by_kva", "energy_eur_per_kwh", mode="before")
    @classmethod
    def _null_removes(cls, v: object) -> object:
        """A null price removes a step or a period inherited through ``extends`` (a Tempo file
        extending a Base town drops the Base price and the 3 kVA step)."""
        if isinstance(v, dict):
            return {k: x for k, x in v.items() if x is not None}
        return v

    @field_validator("fixed_eur_per_year_by_kva")
    @classmethod
    def _kva_steps(cls, v: dict[int, float]) -> dict[int, float]:
        if not v:
            raise ValueError("at least one subscribed power is needed")
        for kva, eur in v.items():
            if not 1 <= kva <= 36:
                raise ValueError(f"{kva} kVA: household powers lie between 1 and 36 kVA")
            if not 0 <= eur <= 10_000:
                raise ValueError(f"{eur} €/yr at {kva} kVA: between 0 and 10,000 € a year")
        return dict(sorted(v.items()))

    @field_validator("energy_eur_per_kwh")
    @classmethod
    def _prices(cls, v: dict[str, float]) -> dict[str, float]:
        for key, eur in v.items():
            if not 0 <= eur <= 10:
                raise ValueError(f"{key}: {eur} €/kWh, between 0 and 10 € per kWh")
        return v

    @model_validator(mode="after")
    def _periods_of_the_option(self) -> ElectricityTariff:
        if self.build == "cost_stack" and self.option == "tempo":
            raise ValueError("option tempo is entered as a published grid (build: grid), not a cost stack")
        if self.build == "grid":
            need = set(OPTION_PERIODS[self.option])
            have = set(self.energy_eur_per_kwh)
            if have != need:
                raise ValueError(
                    f"option {self.option} needs energy_eur_per_kwh keys {sorted(need)}, found {sorted(have)}"
                )
        return self


class Supply(Block):
    """Where the energy comes from (electricity.md §6.3)."""

    arenh_share_of_volumes: float = param(
        0.70,
        unit="share",
        ge=0,
        le=1,
        desc="Share of volumes valued at the ARENH price before clipping (until 2025)",
        desc_fr="Part des volumes valorisés au prix ARENH avant écrêtement (jusqu'en 2025)",
        source="electricity.md §6.3: about 70 % in the pre-2022 TRV method (Visioboard, secondary)",
    )
    arenh_requested_twh: float = param(
        134.93,
        unit="TWh",
        ge=0,
        le=1_000,
        desc="National ARENH requests (the clipping follows from the 100 TWh ceiling)",
        desc_fr="Demandes nationales d'ARENH (l'écrêtement découle du plafond de 100 TWh)",
        source="electricity.md §6.3: 2025 window, 134.93 TWh requested",
    )
    market_price_eur_per_mwh: float = param(
        70.0,
        unit="€/MWh",
        ge=0,
        le=5_000,
        widget=True,
        desc="Wholesale market price of the first year",
        desc_fr="Prix de gros du marché la première année",
        source="assumption: the post-ARENH target average of ~70 €/MWh (electricity.md §6.3)",
    )
    forward_bought_share: float = param(
        0.0,
        unit="share",
        ge=0,
        le=1,
        desc="Share of the energy bought forward over the two years before delivery, as the regulated "
        "tariff's smoothing assumes; the rest is bought at the year's price",
        desc_fr="Part de l'énergie achetée à terme au cours des deux années précédant la livraison, comme "
        "le suppose le lissage du tarif réglementé ; le reste est acheté au prix de l'année",
        source="assumption: the reference gives the TRVE's two-year smoothing of the market part "
        "(electricity.md §1.4) but not how a local distributor buys; 0 buys at the year's price, 1 as "
        "the smoothing assumes",
    )
    post_arenh_threshold_eur_per_mwh: float = param(
        70.0,
        unit="€/MWh",
        ge=0,
        le=5_000,
        desc="Post-ARENH (from 2026): market price above which part of the excess is given back to consumers",
        desc_fr="Post-ARENH (dès 2026) : prix de marché au-delà duquel une part de l'excédent est "
        "reversée aux consommateurs",
        source='electricity.md §6.3: post-ARENH mechanism "aiming at an average of ~70 €/MWh"',
    )
    post_arenh_redistribution_pct: float = param(
        0.0,
        unit="%",
        ge=0,
        le=100,
        desc="Post-ARENH (from 2026): share of the market price's excess above the threshold given back "
        "to consumers when prices spike",
        desc_fr="Post-ARENH (dès 2026) : part de l'excédent du prix de marché au-delà du seuil reversée aux "
        "consommateurs quand les prix flambent",
        source="assumption: the reference gives no share; the law's mechanism (versement nucléaire "
        "universel) is not detailed in the reference file; 0 = none, as before",
    )
    regulated_tariff_market_eur_per_mwh: float = param(
        70.0,
        unit="€/MWh",
        ge=0,
        le=5_000,
        desc="Market price the opening regulated tariff (TRVE) was built on; from the second year the "
        "TRVE's energy part follows the supply cost actually met, in level",
        desc_fr="Prix de marché sur lequel le tarif réglementé (TRVE) d'ouverture a été construit ; dès "
        "la deuxième année, la part énergie du TRVE suit, en niveau, le coût d'approvisionnement constaté",
        source="assumption: the post-ARENH target average of ~70 €/MWh (electricity.md §6.3); the TRVE "
        "of 1 Feb 2026, the first after ARENH, moved by only −0.7 % (§1.4), so the 2025 grid already "
        "reflected that level",
    )


class ElectricityNetwork(Block):
    """The low- and medium-voltage network: its incidents and storms (electricity.md §2)."""

    length_km: float = param(
        626.0,
        unit="km",
        gt=0,
        le=1_000_000,
        desc="Length of lines",
        desc_fr="Longueur des lignes",
        source="derived: URM Metz 4,293 km for 297,000 inhabitants (electricity.md §1.3), i.e. 31 m "
        "per household of 2.16 persons, for 20,000 households",
    )
    underground_share: float = param(
        0.66,
        unit="share",
        ge=0,
        le=1,
        widget=True,
        desc="Share of lines underground (storms cut only overhead lines)",
        desc_fr="Part des lignes enfouies (les tempêtes ne coupent que l'aérien)",
        source="electricity.md §1.3: 66 % of the HTA network underground (SICAE Somme et "
        "Cambraisis); taken for the whole network (assumption)",
    )
    incidents_saifi: float = param(
        1.5,
        unit="cuts/customer/yr",
        ge=0,
        le=50,
        desc="Long cuts per customer per year from ordinary incidents, works and upstream",
        desc_fr="Coupures longues par client et par an dues aux incidents ordinaires, travaux et amont",
        source="electricity.md §2.2: F-BT 1.91 cuts per customer in 2022 (Enedis) and 1.09-1.39 "
        "in 2004-2006, climatic events partly included: 1.5 (assumption within the range)",
    )
    overhead_incident_ratio: float = param(
        2.0,
        unit="×",
        ge=1,
        le=20,
        desc="How many more ordinary incidents a km of overhead line has than a km underground",
        desc_fr="Combien d'incidents ordinaires de plus a un km de ligne aérienne qu'un km souterrain",
        source="assumption: overhead lines are exposed to wind, trees and lightning; the reference "
        "file gives no split (incidents_saifi is the mix of the opening network)",
    )
    incident_age_growth_pct_per_year: float = param(
        2.0,
        unit="%/yr",
        ge=0,
        le=20,
        desc="How much a km of line's ordinary incidents grow per year of its age (compounded); "
        "incidents_saifi stays the opening network's",
        desc_fr="De combien les incidents ordinaires d'un km de ligne augmentent par année d'âge "
        "(composé) ; incidents_saifi reste celui du réseau de départ",
        source="assumption: the reference file gives no network age nor ageing rate; 2 %/yr, the "
        "Shamir-Howard exponential form of the water mains (an oldest km of 45 years has 2.4 times "
        "a new km's incidents); the opening network is taken as installed evenly over "
        "asset_life_years, overhead and underground alike",
    )
    customers_per_incident: int = param(
        150,
        unit="customers",
        ge=1,
        le=100_000,
        desc="Customers cut by one ordinary incident",
        desc_fr="Clients coupés par un incident ordinaire",
        source="assumption: a low-voltage feeder section; not in the reference file",
    )
    incident_caidi_min: float = param(
        31.0,
        unit="min",
        gt=3,
        le=10_000,
        desc="Mean duration of an ordinary long cut",
        desc_fr="Durée moyenne d'une coupure longue ordinaire",
        source="electricity.md §2.2: 59.5 min / 1.91 cuts ≈ 31 min per cut (Enedis 2022, derived)",
    )
    incident_duration_log_sd: float = param(
        0.8,
        unit="log sd",
        ge=0,
        le=3,
        desc="Spread of ordinary cut durations (lognormal)",
        desc_fr="Dispersion des durées des coupures ordinaires (lognormale)",
        source="assumption: not in the reference file",
    )
    storms_per_year: float = param(
        0.15,
        unit="storms/yr",
        ge=0,
        le=50,
        widget=True,
        desc="Storms that cut overhead lines in the town, per year",
        desc_fr="Tempêtes coupant les lignes aériennes de la commune, par an",
        source="assumption: with the two parameters below, storms add about 14 min of SAIDI a year "
        "on average, the climatic part of critère B before 2023 (14.4 min, electricity.md §2.2)",
    )
    storm_overhead_share_cut: float = param(
        0.5,
        unit="share",
        ge=0,
        le=1,
        desc="Share of customers on overhead lines cut by a storm",
        desc_fr="Part des clients sur lignes aériennes coupés par une tempête",
        source="assumption: see storms_per_year",
    )
    storm_restoration_scale: float = param(
        0.25,
        unit="",
        gt=0,
        le=10,
        desc="Restoration time of a storm as a multiple of storm Ciarán's curve",
        desc_fr="Durée de rétablissement d'une tempête en multiple de la courbe de la tempête Ciarán",
        source="assumption: ordinary storms are restored four times faster than Ciarán (Nov 2023, "
        "electricity.md §2.3, mean cut ≈ 37 h); 1 replays Ciarán",
    )
    storm_crew_share_pct: float = param(
        0.0,
        unit="%",
        ge=0,
        le=100,
        desc="Share of the operator's own crews a storm takes off ordinary work (all its crews when "
        "it shares them with another service); 0: reinforcements from outside restore the storm",
        desc_fr="Part des équipes de l'opérateur qu'une tempête retire du travail ordinaire (toutes "
        "ses équipes quand il les partage avec un autre service) ; 0 : des renforts extérieurs "
        "rétablissent la tempête",
        source="assumption: the reference gives no figure for a local operator's own crews in a storm "
        "(electricity.md §2.3 gives Ciarán's restoration by Enedis with reinforcements); 0 keeps "
        "the storm off the crews",
    )
    storm_crew_hours: float = param(
        24.0,
        unit="h",
        gt=0,
        le=720,
        desc="Hours a storm keeps those crews, from its start",
        desc_fr="Heures pendant lesquelles une tempête garde ces équipes, depuis son début",
        source="assumption: the first day of the restoration; with storm_restoration_scale 0.25 "
        "nine customers in ten are restored by then (Ciarán's curve, electricity.md §2.3)",
    )
    renewal_rate_pct: float = param(
        1.0,
        unit="%/yr",
        ge=0,
        le=10,
        widget=True,
        desc="Share of the network renewed each year; renewed overhead lines are put underground",
        desc_fr="Part du réseau renouvelée chaque année ; les lignes aériennes renouvelées sont enfouies",
        source="assumption: about 1 % a year, a 100-year cycle; SICAE Somme invests ~5 M€ a year on "
        "351 GWh routed (electricity.md §1.3)",
    )
    renewal_cost_eur_per_km: float = param(
        90_000.0,
        unit="€/km",
        gt=0,
        le=2_000_000,
        desc="Cost of renewing (undergrounding) one km of low-voltage line",
        desc_fr="Coût du renouvellement (enfouissement) d'un km de ligne basse tension",
        source="assumption: order of magnitude of low-voltage undergrounding; not in the reference file",
    )
    asset_life_years: float = param(
        45.0,
        unit="yr",
        gt=0,
        le=150,
        desc="Service life of a line (depreciation, book values, the renewal need)",
        desc_fr="Durée de vie d'une ligne (amortissement, valeur comptable, besoin de renouvellement)",
        source="assumption",
    )
    repair_cost_eur: float = param(
        1_500.0,
        unit="€",
        ge=0,
        le=1_000_000,
        desc="Materials and vehicles of one incident's repair (crews' wages are in staff costs)",
        desc_fr="Matériel et véhicules d'une réparation d'incident (salaires des équipes à part)",
        source="assumption",
    )
    repair_hours_per_incident: float = param(
        2.0,
        unit="h",
        gt=0,
        le=48,
        desc="Crew time on site for an ordinary incident (customers wait for a crew first)",
        desc_fr="Temps d'équipe sur place pour un incident ordinaire (après l'attente d'une équipe)",
        source="assumption: the cut then lasts wait + this time; the published CAIDI (31 min, "
        "electricity.md §2.2) is reached by remote switching for most customers, which "
        "incident_caidi_min models",
    )
    upstream_eur_per_mwh: float = param(
        10.0,
        unit="€/MWh",
        ge=0,
        le=200,
        desc="What the distributor pays upstream per MWh routed (transmission, RTE)",
        desc_fr="Ce que le distributeur paie en amont par MWh acheminé (transport, RTE)",
        source="assumption: the transmission part of the TURPE, which the reference file does not "
        "split out (electricity.md §1.4 gives the TURPE as a whole)",
    )
    losses_pct: float = param(
        6.0,
        unit="%",
        ge=0,
        le=30,
        desc="Technical losses: share of the energy bought that the network loses",
        desc_fr="Pertes techniques : part de l'énergie achetée perdue par le réseau",
        source="assumption: order of magnitude of French distribution losses; not in the reference file",
    )
    kva_for_compensation: float = param(
        7.2,
        unit="kVA",
        gt=0,
        le=36,
        desc="Mean subscribed power, for the compensation of cuts over 5 h",
        desc_fr="Puissance souscrite moyenne, pour l'indemnisation des coupures de plus de 5 h",
        source="derived: 6 kVA for the 61 % heated otherwise and 9 kVA for the 39 % with electric "
        "heating (households block)",
    )

    @property
    def renewal_life_years(self) -> float:
        """Service life of what renewal lays, for book values."""
        return self.asset_life_years


class Arrears(Block):
    """Unpaid bills carried per household as arrears, repaid over the following bills, written
    off after some months; a social fund that pays part of the arrears of the poorest; when an
    intervention (power limitation or cut) starts (electricity.md §4.3 for the rules on cuts; the
    reference is silent on payment plans and write-offs: those are assumptions)."""

    enabled: bool = param(
        False,
        desc="Carry unpaid bills as arrears (off: an unpaid bill is lost at once)",
        desc_fr="Reporter les factures impayées en dette (non : une facture impayée est perdue aussitôt)",
        source="assumption: off keeps the simpler rule (every unpaid bill is bad debt)",
    )
    repayment_share_per_bill: float = param(
        0.25,
        unit="share",
        ge=0,
        le=1,
        desc="Share of its arrears a household repays with each bill it pays (payment plan)",
        desc_fr="Part de sa dette qu'un ménage rembourse avec chaque facture payée (échéancier)",
        source="assumption: a plan of about four instalments; the reference gives no figure (§4.3)",
    )
    write_off_months: int = param(
        24,
        unit="months",
        ge=1,
        le=120,
        desc="Arrears older than this are written off",
        desc_fr="Les dettes plus anciennes que cela sont passées en pertes",
        source="assumption: the reference gives no figure (§4.3); two years",
    )
    limit_after_months: int = param(
        2,
        unit="months",
        ge=0,
        le=60,
        desc="An intervention (limitation or cut) starts once a household's arrears are this old",
        desc_fr="Une intervention (limitation ou coupure) commence quand la dette d'un ménage a cet âge",
        source="assumption: one two-month bill unpaid; the 2023 decree's 60 days of minimum supply "
        "(electricity.md §4.3)",
    )
    limit_after_step_months: int = param(
        2,
        unit="months",
        ge=1,
        le=24,
        desc="Committee: how much later the power-limitation policy option starts interventions",
        desc_fr="Comité : de combien l'option de politique de limitation retarde les interventions",
        source="assumption: one billing period",
    )
    social_fund_eur_per_year: float = param(
        0.0,
        unit="€/yr",
        ge=0,
        le=100_000_000,
        desc="Social fund: euros a year paying part of the arrears of the three lowest deciles and "
        "chèque énergie holders (from the tariff or the surplus)",
        desc_fr="Fonds social : euros par an qui paient une part des dettes des trois premiers déciles "
        "et des bénéficiaires du chèque énergie (sur le tarif ou l'excédent)",
        source="assumption: a local decision, like the départements' FSL (electricity.md §4.3)",
    )
    social_fund_share: float = param(
        0.5,
        unit="share",
        ge=0,
        le=1,
        desc="Share of an eligible household's arrears the fund pays (while its year's budget lasts)",
        desc_fr="Part de la dette d'un ménage éligible que le fonds paie (tant que son budget annuel "
        "le permet)",
        source="assumption: the reference gives no FSL figure",
    )
    social_fund_step_eur_per_year: float = param(
        50_000.0,
        unit="€/yr",
        ge=0,
        le=10_000_000,
        desc="Committee: how much the social fund option adds a year",
        desc_fr="Comité : ce que l'option du fonds social ajoute par an",
        source="assumption: about 2.5 € per household of a 20,000-household town",
    )


class EnergyPoverty(Block):
    """The ONPE energy-effort indicator (electricity.md §4.1)."""

    threshold_pct: float = param(
        8.0,
        unit="% of income",
        gt=0,
        le=100,
        widget=True,
        desc="Energy spending above this share of income counts as energy poverty",
        desc_fr="Part du revenu au-delà de laquelle la dépense d'énergie signale la précarité",
        source="electricity.md §4.1: ONPE TEE indicator, > 8 % of income (10 % is the UK variant)",
    )
    lowest_deciles: int = param(
        3,
        unit="deciles",
        ge=1,
        le=10,
        desc="Only households in this many lowest income deciles count",
        desc_fr="Seuls comptent les ménages des déciles de revenu les plus bas, en nombre",
        source="electricity.md §4.1: ONPE TEE, the three lowest deciles",
    )
    count_other_heating: bool = param(
        True,
        desc="Count the heating energy of households heated otherwise (gas, fuel oil, wood) in their "
        "energy spending (off: the electricity bill only)",
        desc_fr="Compter l'énergie de chauffage des ménages chauffés autrement (gaz, fioul, bois) dans "
        "leur dépense d'énergie (non : la facture d'électricité seule)",
        source="electricity.md §4.1: the ONPE counts all housing energy spending",
    )
    other_heating_price_eur_per_kwh: float = param(
        0.12,
        unit="€/kWh",
        gt=0,
        le=1,
        desc="Price incl. taxes of a kWh of the other heating energy (gas, fuel oil, wood), all costs in",
        desc_fr="Prix TTC d'un kWh de l'autre énergie de chauffage (gaz, fioul, bois), tout compris",
        source="assumption: order of magnitude of the CRE gas reference price (prix repère), heating "
        "use, 2024-2025: about 0.10-0.11 €/kWh incl. taxes plus its yearly subscription spread over "
        "the use; fuel oil of the same order, wood cheaper; not in the reference file",
    )
    other_heating_efficiency: float = param(
        0.8,
        unit="kWh heat/kWh energy",
        ge=0.3,
        le=1,
        desc="Heat delivered per kWh of the other heating energy, electric resistance heating being 1 "
        "(the energy bought is the heating need over this)",
        desc_fr="Chaleur fournie par kWh de l'autre énergie de chauffage, le chauffage électrique à "
        "effet Joule valant 1 (l'énergie achetée est le besoin de chauffage divisé par ce rendement)",
        source="assumption: typical seasonal efficiency of gas boilers (standard about 0.75-0.85, "
        "condensing about 0.9, on the billed gross calorific value), fuel-oil boilers and wood stoves "
        "lower; not in the reference file",
    )
    other_heating_need_factor: float = param(
        2.0,
        unit="×",
        gt=0,
        le=5,
        desc="Heat need of a dwelling heated otherwise, as a multiple of the heating part of the "
        "published electric uses (1: the same need as an electrically heated household of its size)",
        desc_fr="Besoin de chaleur d'un logement chauffé autrement, en multiple de la part chauffage des "
        "consommations électriques publiées (1 : le même besoin qu'un ménage de même taille chauffé à "
        "l'électricité)",
        source="assumption, calibrated within a published bracket (electricity.md §3.1, §4.1): 1 is the "
        "heating part of the published electric uses (2,000 kWh for one person in a flat, 5,300 for "
        "four in a house; 3,254 kWh on average over the town's sizes); 3.24 is the heating of the "
        "ADEME/CEREN all-electric dwelling (10,542 kWh, 2012 data) over that average. 2.0 lands the "
        "town's ONPE indicator at 10-12 % (10.8 % measured in 2022, 11.6 % weather-corrected); the "
        "reference gives no heating use of dwellings heated by gas, fuel oil or wood",
    )
    unpaid_response: Literal["limit", "cut"] = param(
        "limit",
        desc="What the supplier does about an unpaid bill outside the winter truce: limit the power "
        "(limit) or cut (cut; chèque énergie holders first get 60 days at 1 kVA)",
        desc_fr="Ce que fait le fournisseur d'une facture impayée hors trêve hivernale : limiter la "
        "puissance (limit) ou couper (cut ; les bénéficiaires du chèque énergie ont d'abord 60 jours "
        "à 1 kVA)",
        source="electricity.md §4.3: since 1 Apr 2022 EDF no longer cuts for unpaid bills and limits "
        "power all year; décret 2023-133 for the minimum supply",
    )
    arrears: Arrears = param(
        Arrears,
        desc="Arrears and their recovery",
        desc_fr="Impayés et leur recouvrement",
        source="see fields",
    )


class LocalProduction(Block):
    """Community photovoltaics on the town's roofs, used within the network (collective
    self-consumption, electricity.md §5.2-5.4)."""

    pv_kwp: float = param(
        0.0,
        unit="kWp",
        ge=0,
        le=10_000,
        widget=True,
        desc="Community PV installed at the start",
        desc_fr="Photovoltaïque citoyen installé au départ",
        source="assumption: none at the start; a committee may invest (electricity.md §5.2)",
    )
    yield_kwh_per_kwp_year: float = param(
        1_300.0,
        unit="kWh/kWp/yr",
        gt=0,
        le=2_500,
        desc="Yearly production of one kWp",
        desc_fr="Production annuelle d'un kWc",
        source="electricity.md §5.3: ~1,300 kWh per kWp per year in France (capacity factor ~15 %)",
    )
    january_load_factor_pct: float = param(
        5.2,
        unit="%",
        gt=0,
        le=100,
        desc="Load factor of the darkest month (January)",
        desc_fr="Facteur de charge du mois le plus sombre (janvier)",
        source="electricity.md §3.2: monthly PV load factor 5.2 % in January (Auvergne-Rhône-Alpes 2016)",
    )
    august_load_factor_pct: float = param(
        20.8,
        unit="%",
        gt=0,
        le=100,
        desc="Load factor of the sunniest month (August)",
        desc_fr="Facteur de charge du mois le plus ensoleillé (août)",
        source="electricity.md §3.2: monthly PV load factor 20.8 % in August (Auvergne-Rhône-Alpes 2016)",
    )
    capex_eur_per_kwp: float = param(
        1_100.0,
        unit="€/kWp",
        gt=0,
        le=10_000,
        desc="Cost of installing one kWp on roofs",
        desc_fr="Coût d'installation d'un kWc en toiture",
        source="electricity.md §5.4: ~1,100 €/kWp on buildings and car-park shades (CRE 2019)",
    )
    opex_eur_per_kwp_year: float = param(
        20.0,
        unit="€/kWp/yr",
        ge=0,
        le=500,
        desc="Operating cost of one kWp a year",
        desc_fr="Coût d'exploitation d'un kWc par an",
        source="electricity.md §5.4: OPEX < 20 €/kWp/yr (CRE 2019); the upper bound taken",
    )
    life_years: float = param(
        25.0,
        unit="yr",
        gt=0,
        le=60,
        desc="Service life of the panels (depreciation)",
        desc_fr="Durée de vie des panneaux (amortissement)",
        source="assumption: the usual production warranty; not in the reference file",
    )
    acc_limit_kw: float = param(
        5_000.0,
        unit="kW",
        gt=0,
        le=10_000,
        desc="Legal ceiling of a collective self-consumption operation",
        desc_fr="Plafond légal d'une opération d'autoconsommation collective",
        source="electricity.md §5.2: arrêté of 21 Nov 2019, < 3 MW then 5 MW (mainland); < 10 MW "
        "by derogation when a commune takes part",
    )
    step_kwp: float = param(
        500.0,
        unit="kWp",
        gt=0,
        le=5_000,
        desc="Size of a community PV programme the committee can vote",
        desc_fr="Taille d'un programme de photovoltaïque citoyen que le comité peut voter",
        source="assumption: about seven operations of the average size (~71 kWp, electricity.md §5.2)",
    )

    @model_validator(mode="after")
    def _within_the_law(self) -> LocalProduction:
        if self.pv_kwp > self.acc_limit_kw:
            raise ValueError(
                f"pv_kwp {self.pv_kwp:g} is above the legal ceiling acc_limit_kw {self.acc_limit_kw:g}"
            )
        if self.august_load_factor_pct < self.january_load_factor_pct:
            raise ValueError("august_load_factor_pct must be at least january_load_factor_pct")
        return self


class ElectricityFinance(FinanceBase):
    delegation_overhead_eur_per_mwh: float = param(
        0.0,
        unit="€/MWh",
        ge=0,
        le=100,
        desc="Group overhead charged to the service per MWh sold (a concession's)",
        desc_fr="Frais de siège facturés au service par MWh vendu (concession)",
        source="assumption: none by default; a regime file states its own",
    )
    corporate_tax_eur_per_mwh: float = param(
        0.0,
        unit="€/MWh",
        ge=0,
        le=100,
        desc="Corporate taxes per MWh sold (a concession's)",
        desc_fr="Impôts sur les sociétés par MWh vendu (concession)",
        source="assumption: none by default; a regime file states its own",
    )


class ElectricityBilling(Block):
    interval_months: Literal[1, 2, 3, 4, 6, 12] = param(
        2,
        unit="months",
        desc="Months between bills",
        desc_fr="Mois entre deux factures",
        source="assumption: household electricity bills every two months",
    )


class ElectricityLoggedDecision(LoggedDecision):
    """A decision of the room on an electricity service: a variant's tariff is an electricity one."""

    tariff: ElectricityTariff | None = param(
        None,
        desc="The tariff of a variant proposed by people (option 'variant…')",
        desc_fr="Le tarif d'une variante proposée par les participants (option « variant… »)",
        source="workshop",
    )


class ElectricityCommittee(Committee):
    """The user committee of an electricity service: its variants are electricity tariffs (a fixed
    part by kVA and prices per kWh, an essential-kWh block, a local social rebate)."""

    variants: tuple[ElectricityTariff, ...] = param(
        (),
        desc="Tariff variants proposed by people, put to the vote beside the procedure's options "
        "(a local offer's scaled to the revenue needed; under the regulated tariff the price is the "
        "national one and what they add must fit the service's margin)",
        desc_fr="Variantes de tarif proposées par les participants, soumises au vote avec les options "
        "de la procédure (celles d'une offre locale ajustées aux recettes nécessaires ; au tarif "
        "réglementé le prix reste le national et ce qu'elles ajoutent doit tenir dans la marge)",
        source="workshop",
    )
    decision_log: tuple[ElectricityLoggedDecision, ...] = param(
        (),
        desc="Decisions taken by people, replacing the procedure's choice",
        desc_fr="Décisions prises par les participants, à la place de la procédure",
        source="workshop",
    )


class ElectricityGovernance(Governance):
    """Who decides for an electricity service (its committee's variants are electricity tariffs)."""

    committee: ElectricityCommittee = param(
        ElectricityCommittee, desc="User committee", desc_fr="Comité d'usagers", source="see fields"
    )


class ElectricityScenario(Block):
    """A town's electricity service: households, tariff, supply and who decides."""

    service: Literal["electricity"] = param(
        "electricity",
        desc="Network service simulated (its name in the service registry)",
        desc_fr="Service en réseau simulé (son nom dans le registre des services)",
        source="scenario",
    )
    town: Town = param(Town, desc="The town", desc_fr="La commune", source="see fields")
    households: ElectricityHouseholds = param(
        ElectricityHouseholds, desc="Households", desc_fr="Ménages", source="see fields"
    )
    tariff: ElectricityTariff = param(ElectricityTariff, desc="Tariff", desc_fr="Tarif", source="see fields")
    cost_stack: CostStack = param(
        CostStack, desc="Stacked costs", desc_fr="Empilement des coûts", source="see fields"
    )
    network: ElectricityNetwork = param(
        ElectricityNetwork, desc="Network", desc_fr="Réseau", source="see fields"
    )
    supply: Supply = param(Supply, desc="Supply", desc_fr="Approvisionnement", source="see fields")
    local_production: LocalProduction = param(
        LocalProduction, desc="Local production", desc_fr="Production locale", source="see fields"
    )
    energy_poverty: EnergyPoverty = param(
        EnergyPoverty, desc="Energy poverty", desc_fr="Précarité énergétique", source="see fields"
    )
    finance: ElectricityFinance = param(
        ElectricityFinance, desc="Finance", desc_fr="Finances", source="see fields"
    )
    workforce: Workforce = param(Workforce, desc="Workforce", desc_fr="Personnel", source="see fields")
    billing: ElectricityBilling = param(
        ElectricityBilling, desc="Billing", desc_fr="Facturation", source="see fields"
    )
    shocks: tuple[Shock, ...] = param(
        (),
        desc="Shocks: energy_price multiplies the market price of a year (a 2022-like crisis); storm "
        "adds a storm on 2 November of the year, restored along Ciarán's curve times its factor",
        desc_fr="Chocs : energy_price multiplie le prix de marché d'une année (crise type 2022) ; storm "
        "ajoute une tempête le 2 novembre de l'année, réalimentée selon la courbe de Ciarán fois son facteur",
        source="scenario",
    )
    governance: ElectricityGovernance = param(
        ElectricityGovernance, desc="Who decides", desc_fr="Qui décide", source="see fields"
    )
    horizon_years: int = param(
        30,
        unit="yr",
        ge=1,
        le=MAX_HORIZON_YEARS,
        desc="Years simulated",
        desc_fr="Années simulées",
        source="scenario",
    )
    seed: int = param(
        1, ge=0, le=2**63 - 1, desc="Random seed", desc_fr="Graine aléatoire", source="scenario"
    )

    @field_validator("shocks")
    @classmethod
    def _energy_shocks_only(cls, v: tuple[Shock, ...]) -> tuple[Shock, ...]:
        for i, sh in enumerate(v):
            if sh.kind == "drought":
                raise ValueError(
                    f"shocks[{i}]: a drought is a water shock; electricity has energy_price, storm"
                )
        return v

    @model_validator(mode="after")
    def _own_options_beside_base(self) -> ElectricityScenario:
        if self.households.own_option and self.tariff.option != "base":
            raise ValueError(
                "households.own_option needs tariff.option: base (the HP/HC prices are derived from the "
                f"Base grid at the TRVE's ratios); this tariff's option is {self.tariff.option}"
            )
        return self


SERVICE_MODELS["electricity"] = ElectricityScenario

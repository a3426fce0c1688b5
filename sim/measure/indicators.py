"""The one table of indicators: name, unit, French and English labels, direction, SISPEA code.

Every indicator is a column of a run's ``years`` table (a few: of its ``deciles`` table, or a count
of its ``decisions``), computed after the run from the recorded facts. This table says, once, how
each is named, in which unit it is read and which way is better for the people the service
serves; the CLI's summary, the futures' plain-language statements (:mod:`sim.experiments.ensemble`),
the headline figures (:mod:`sim.measure.summary`) and the side-by-side table of regimes
(:mod:`sim.experiments.compare`, the dashboard's Compare page) read it.
An indicator belongs to one service (``water``) or to every service (``any``); outputs show only
those a run has (:func:`available`).

SISPEA codes are the French water-service observatory's (water.md §1.1): D102.0 price of 120 m3,
P104.3 network yield, P106.3 linear loss index, P107.2 renewal rate, P153.2 debt extinction
years (outstanding debt / gross self-financing capacity, :mod:`sim.core.accounts`), P154.0 unpaid
rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from sim.i18n import t

Unit = Literal[
    "eur",
    "eur_per_m3",
    "pct",
    "m3",
    "fte",
    "l_per_person_day",
    "count",
    "per_100km",
    "m3_per_km_day",
    "ratio",
    "h",
    "km",
    "years",
    "days",
    "eur_per_kwh",
    "minutes",
    "per_customer",
    "kwh",
    "per_1000",
]
Direction = Literal["lower", "higher", "neutral"]
Table = Literal["years", "deciles", "decisions"]

#: how each unit is written, as a key of the locale catalogues (sim/locales/*.json)
UNIT_KEYS: dict[str, str] = {
    "eur": "unit.eur",
    "eur_per_m3": "unit.eur_per_m3",
    "pct": "unit.pct",
    "m3": "unit.m3",
    "fte": "unit.fte",
    "l_per_person_day": "unit.l_per_person_day",
    "count": "unit.count",
    "per_100km": "unit.breaks_per_100km_year",
    "m3_per_km_day": "unit.m3_per_km_day",
    "ratio": "unit.none",
    "h": "unit.hours",
    "km": "unit.km",
    "years": "unit.years",
    "days": "unit.days_per_year",
    "eur_per_kwh": "unit.eur_per_kwh",
    "minutes": "unit.minutes",
    "per_customer": "unit.cuts_per_customer",
    "kwh": "unit.kwh_per_year",
    "per_1000": "unit.per_1000_households",
}


@dataclass(frozen=True)
class Indicator:
    """One indicator of the ``years`` table.

    ``label_fr``/``label_en`` name it in a table or on an axis (``{threshold}`` is replaced by the
    scenario's affordability threshold); ``phrase_fr``/``phrase_en`` name it in a sentence ("in 8 of
    10 futures, *the 120 m3 bill* stays below …"). ``direction`` says which way is better for
    households, workers and the network: ``lower`` (a bill), ``higher`` (a yield), ``neutral``.
    ``table`` is the run's table that holds it: ``years`` (one value a year), ``deciles`` (one a
    year and income decile) or ``decisions`` (counted over the run).

    ``axis_unit`` is the unit on a chart's axis and a headline figure when it says more than
    ``unit`` (a yearly flow: ``unit.eur_per_year``; a total over the run keeps ``unit``).
    ``headline`` ranks it among the headline figures of each service it is one of
    (``(("water", 1),)``), shown with ``decimals`` digits under the short name ``short_fr`` /
    ``short_en`` (its ``label`` when empty; the label is the figure's help).
    """

    name: str
    unit: Unit
    label_fr: str
    label_en: str
    direction: Direction
    service: str = "any"
    sispea: str = ""
    phrase_fr: str = ""
    phrase_en: str = ""
    plural: bool = False
    step: float | None = None  # rounding step of statements; None: two significant figures
    table: Table = "years"
    threshold: str = "3"  # the default threshold of a label with ``{threshold}`` (its service's)
    axis_unit: str = ""  # locale key of the unit on an axis, when not UNIT_KEYS[unit]
    headline: tuple[tuple[str, int], ...] = ()  # (service, rank) of a headline figure
    decimals: int = 1  # digits of a headline figure
    short_fr: str = ""
    short_en: str = ""

    def label(self, lang: str, threshold: str | None = None) -> str:
        text = self.label_fr if lang == "fr" else self.label_en
        return text.replace("{threshold}", self.threshold if threshold is None else threshold)

    def short_label(self, lang: str, threshold: str | None = None) -> str:
        """The name of a headline figure (the label, when it has no short one)."""
        short = self.short_fr if lang == "fr" else self.short_en
        return short.replace("{threshold}", self.threshold if threshold is None else threshold) or self.label(
            lang, threshold
        )

    def unit_label(self, lang: str) -> str:
        """The unit as a reader sees it (``€/m³``, ``ETP``…), in ``lang``."""
        return t(UNIT_KEYS[self.unit], lang)

    @property
    def axis_unit_key(self) -> str:
        """The locale key of the unit on a chart's axis or a headline figure."""
        return self.axis_unit or UNIT_KEYS[self.unit]


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "price_120m3_eur_per_m3",
        "eur_per_m3",
        "Prix du m3 (120 m3) TTC",
        "Price per m3 (120 m3) incl. VAT",
        "lower",
        sispea="D102.0",
        phrase_fr="le prix du m3 (facture de 120 m3)",
        phrase_en="the price per m3 of the 120 m3 bill",
        step=0.05,
        headline=(("water", 1),),
        decimals=2,
        short_fr="Prix du m³ (120 m³)",
        short_en="Price per m³ (120 m³)",
    ),
    Indicator(
        "bill_120m3_eur",
        "eur",
        "Facture de 120 m3 TTC",
        "Bill for 120 m3 incl. VAT",
        "lower",
        phrase_fr="la facture de 120 m3",
        phrase_en="the 120 m3 bill",
        axis_unit="unit.eur_per_year",
    ),
    Indicator(
        "sewerage_price_120m3_eur_per_m3",
        "eur_per_m3",
        "Prix de l'assainissement du m3 (120 m3) TTC",
        "Sewerage price per m3 (120 m3) incl. tax",
        "lower",
        service="water",
        phrase_fr="le prix de l'assainissement au m3 (120 m3)",
        phrase_en="the sewerage price per m3 of the 120 m3 bill",
        step=0.05,
    ),
    Indicator(
        "yield_pct",
        "pct",
        "Rendement",
        "Network yield",
        "higher",
        service="water",
        sispea="P104.3",
        phrase_fr="le rendement du réseau",
        phrase_en="the network yield",
        headline=(("water", 3),),
        short_fr="Rendement du réseau",
        short_en="Network yield",
    ),
    Indicator(
        "consumption_l_per_person_day",
        "l_per_person_day",
        "Consommation L/hab/j",
        "Consumption L/person/day",
        "neutral",
        service="water",
    ),
    Indicator(
        "unpaid_rate_pct",
        "pct",
        "Impayés",
        "Unpaid bills",
        "lower",
        sispea="P154.0",
        phrase_fr="le taux d'impayés",
        phrase_en="the unpaid rate",
        step=0.1,
    ),
    Indicator(
        "share_households_above_3pct",
        "pct",
        "Ménages au-dessus de {threshold} %",
        "Households above {threshold}%",
        "lower",
        phrase_fr="la part des ménages dont l'eau et l'assainissement coûtent plus de 3 % du revenu",
        phrase_en="the share of households paying more than 3% of income for water and sewerage",
        headline=(("water", 2),),
        short_fr="Ménages au-delà de {threshold} %",
        short_en="Households above {threshold} %",
    ),
    Indicator(
        "price_ref_eur_per_kwh",
        "eur_per_kwh",
        "Prix du kWh TTC (ménage de référence : 6 kVA, 4 400 kWh)",
        "Price per kWh incl. taxes (reference household: 6 kVA, 4,400 kWh)",
        "lower",
        service="electricity",
        phrase_fr="le prix du kWh du ménage de référence",
        phrase_en="the reference household's price per kWh",
        step=0.005,
        headline=(("electricity", 1),),
        decimals=4,
        short_fr="Prix du kWh",
        short_en="Price per kWh",
    ),
    Indicator(
        "bill_ref_eur",
        "eur",
        "Facture annuelle TTC du ménage de référence",
        "Yearly bill incl. taxes of the reference household",
        "lower",
        service="electricity",
        phrase_fr="la facture annuelle du ménage de référence",
        phrase_en="the reference household's yearly bill",
        headline=(("electricity", 2),),
        decimals=0,
        short_fr="Facture de référence",
        short_en="Reference bill",
    ),
    Indicator(
        "energy_poverty_pct",
        "pct",
        "Précarité énergétique (effort > {threshold} %, 3 premiers déciles)",
        "Energy poverty (effort > {threshold}%, three lowest deciles)",
        "lower",
        service="electricity",
        phrase_fr="la part des ménages en précarité énergétique (indicateur ONPE, toute l'énergie du "
        "logement)",
        phrase_en="the share of households in energy poverty (ONPE indicator, all housing energy)",
        step=0.1,
        threshold="8",
        headline=(("electricity", 3),),
        short_fr="Précarité énergétique",
        short_en="Energy poverty",
    ),
    Indicator(
        "energy_poverty_after_cheque_pct",
        "pct",
        "Précarité énergétique après chèque énergie (effort > {threshold} %, 3 premiers déciles)",
        "Energy poverty after the chèque énergie (effort > {threshold}%, three lowest deciles)",
        "lower",
        service="electricity",
        phrase_fr="la part des ménages en précarité énergétique après chèque énergie",
        phrase_en="the share of households in energy poverty after the chèque énergie",
        step=0.1,
        threshold="8",
    ),
    Indicator(
        "energy_poverty_elec_only_pct",
        "pct",
        "Précarité énergétique, facture d'électricité seule (effort > {threshold} %, 3 premiers déciles)",
        "Energy poverty on the electricity bill alone (effort > {threshold}%, three lowest deciles)",
        "lower",
        service="electricity",
        phrase_fr="la part des ménages en précarité énergétique sur la seule facture d'électricité",
        phrase_en="the share of households in energy poverty on the electricity bill alone",
        step=0.1,
        threshold="8",
    ),
    Indicator(
        "other_heating_eur",
        "eur",
        "Chauffage hors électricité acheté par les ménages (compté dans la précarité énergétique)",
        "Heating energy other than electricity bought by households (counted in energy poverty)",
        "neutral",
        service="electricity",
        phrase_fr="le chauffage hors électricité acheté par les ménages",
        phrase_en="the heating energy other than electricity households buy",
    ),
    Indicator(
        "energy_poverty_10pct",
        "pct",
        "Précarité énergétique au seuil de 10 %",
        "Energy poverty at the 10 % threshold",
        "lower",
        service="electricity",
        phrase_fr="la part des ménages en précarité énergétique au seuil de 10 %",
        phrase_en="the share of households in energy poverty at the 10 % threshold",
        step=0.1,
    ),
    Indicator(
        "saifi_excl_med",
        "per_customer",
        "Coupures longues par client hors événements majeurs",
        "Long cuts per customer excluding major events",
        "lower",
        service="electricity",
        phrase_fr="le nombre de coupures longues par client hors événements majeurs",
        phrase_en="the number of long cuts per customer excluding major events",
        step=0.05,
    ),
    Indicator(
        "caidi_min",
        "minutes",
        "Durée moyenne d'une coupure (CAIDI)",
        "Mean duration of a cut (CAIDI)",
        "lower",
        service="electricity",
        phrase_fr="la durée moyenne d'une coupure",
        phrase_en="the mean duration of a cut",
        step=1.0,
    ),
    Indicator(
        "caidi_excl_med_min",
        "minutes",
        "Durée moyenne d'une coupure hors événements majeurs",
        "Mean duration of a cut excluding major events",
        "lower",
        service="electricity",
        phrase_fr="la durée moyenne d'une coupure hors événements majeurs",
        phrase_en="the mean duration of a cut excluding major events",
        step=1.0,
    ),
    Indicator(
        "interventions",
        "count",
        "Interventions pour impayé (limitations de puissance et coupures)",
        "Interventions for unpaid bills (power limitations and cuts)",
        "lower",
        service="electricity",
        phrase_fr="les interventions pour impayé",
        phrase_en="the interventions for unpaid bills",
        plural=True,
    ),
    Indicator(
        "cheque_energie_eur",
        "eur",
        "Chèques énergie reçus par les ménages",
        "Chèques énergie received by households",
        "neutral",
        service="electricity",
        phrase_fr="les chèques énergie reçus par les ménages",
        phrase_en="the chèques énergie households receive",
        plural=True,
    ),
    Indicator(
        "interventions_per_1000",
        "per_1000",
        "Interventions pour impayé pour 1 000 ménages",
        "Interventions for unpaid bills per 1,000 households",
        "lower",
        service="electricity",
        phrase_fr="les interventions pour impayé pour 1 000 ménages",
        phrase_en="the interventions for unpaid bills per 1,000 households",
        plural=True,
        step=1.0,
    ),
    Indicator(
        "local_production_share_pct",
        "pct",
        "Part de l'électricité produite localement",
        "Share of electricity produced locally",
        "higher",
        service="electricity",
        phrase_fr="la part de l'électricité produite localement",
        phrase_en="the share of electricity produced locally",
        step=0.1,
    ),
    Indicator(
        "losses_pct",
        "pct",
        "Pertes techniques",
        "Technical losses",
        "lower",
        service="electricity",
        phrase_fr="les pertes techniques",
        phrase_en="the technical losses",
        plural=True,
        step=0.1,
    ),
    Indicator(
        "saifi",
        "per_customer",
        "Coupures longues par client (SAIFI)",
        "Long cuts per customer (SAIFI)",
        "lower",
        service="electricity",
        phrase_fr="le nombre de coupures longues par client",
        phrase_en="the number of long cuts per customer",
        step=0.05,
        headline=(("electricity", 7),),
        decimals=2,
        short_fr="SAIFI (coupures/client)",
        short_en="SAIFI (cuts per customer)",
    ),
    Indicator(
        "saidi_min",
        "minutes",
        "Temps de coupure par client (SAIDI)",
        "Minutes cut per customer (SAIDI)",
        "lower",
        service="electricity",
        phrase_fr="le temps de coupure par client",
        phrase_en="the minutes cut per customer",
        step=1.0,
        headline=(("electricity", 5),),
        decimals=0,
        short_fr="Coupure par client (SAIDI)",
        short_en="Cut per customer (SAIDI)",
    ),
    Indicator(
        "saidi_excl_med_min",
        "minutes",
        "Temps de coupure par client hors événements majeurs",
        "Minutes cut per customer excluding major events",
        "lower",
        service="electricity",
        phrase_fr="le temps de coupure par client hors événements majeurs",
        phrase_en="the minutes cut per customer excluding major events",
        step=1.0,
        headline=(("electricity", 6),),
        decimals=0,
        short_fr="SAIDI hors év. majeurs",
        short_en="SAIDI excl. major events",
    ),
    Indicator(
        "underground_share_pct",
        "pct",
        "Part du réseau enfouie",
        "Share of the network underground",
        "higher",
        service="electricity",
        phrase_fr="la part du réseau enfouie",
        phrase_en="the share of the network underground",
        step=0.5,
        headline=(("electricity", 4),),
        short_fr="Réseau enfoui",
        short_en="Network underground",
    ),
    Indicator(
        "lines_mean_age_years",
        "years",
        "Âge moyen des lignes",
        "Mean age of the lines",
        "lower",
        service="electricity",
        phrase_fr="l'âge moyen des lignes",
        phrase_en="the mean age of the lines",
        step=0.5,
    ),
    Indicator(
        "compensation_eur",
        "eur",
        "Indemnités pour coupures de plus de 5 h",
        "Compensation for cuts over 5 h",
        "lower",
        service="electricity",
        phrase_fr="les indemnités versées pour coupures longues",
        phrase_en="the compensation paid for long cuts",
        plural=True,
        headline=(("electricity", 8),),
        decimals=0,
        short_fr="Indemnités de coupure",
        short_en="Compensation for cuts",
    ),
    Indicator(
        "breaks",
        "count",
        "Casses",
        "Breaks",
        "lower",
        service="water",
        phrase_fr="le nombre de casses dans l'année",
        phrase_en="the number of breaks in the year",
        axis_unit="unit.breaks_per_year",
        headline=(("water", 4),),
        decimals=0,
        short_fr="Casses dans l'année",
        short_en="Breaks in the year",
    ),
    Indicator(
        "breaks_per_100km",
        "per_100km",
        "Casses pour 100 km",
        "Breaks per 100 km",
        "lower",
        service="water",
        phrase_fr="le nombre de casses pour 100 km",
        phrase_en="breaks per 100 km",
    ),
    Indicator(
        "outflow_eur",
        "eur",
        "Argent sortant du service",
        "Money leaving the service",
        "lower",
        phrase_fr="l'argent qui quitte le service dans l'année",
        phrase_en="the money leaving the service in the year",
        axis_unit="unit.eur_per_year",
        headline=(("water", 5), ("electricity", 9)),
        decimals=0,
        short_fr="Argent sortant",
        short_en="Money leaving",
    ),
    Indicator(
        "debt_eur",
        "eur",
        "Dette",
        "Debt",
        "lower",
        phrase_fr="la dette du service",
        phrase_en="the service's debt",
        headline=(("water", 6), ("electricity", 11)),
        decimals=0,
    ),
    Indicator(
        "reserves_eur",
        "eur",
        "Réserves",
        "Reserves",
        "higher",
        phrase_fr="les réserves du service",
        phrase_en="the service's reserves",
        plural=True,
        headline=(("electricity", 10),),
        decimals=0,
    ),
    Indicator(
        "fte",
        "fte",
        "ETP",
        "FTE",
        "higher",
        phrase_fr="l'effectif du service",
        phrase_en="the service's staff",
        headline=(("water", 7), ("electricity", 12)),
        short_fr="Effectif",
        short_en="Staff",
    ),
    Indicator(
        "ilp_m3_per_km_day",
        "m3_per_km_day",
        "Indice linéaire de pertes",
        "Linear loss index",
        "lower",
        service="water",
        sispea="P106.3",
    ),
    Indicator(
        "ili",
        "ratio",
        "Indice de fuites structurelles (ILI)",
        "Infrastructure leakage index (ILI)",
        "lower",
        service="water",
    ),
    Indicator(
        "renewal_rate_pct",
        "pct",
        "Taux de renouvellement (5 ans)",
        "Renewal rate (5 years)",
        "higher",
        service="water",
        sispea="P107.2",
        axis_unit="unit.pct_per_year",
    ),
    Indicator(
        "mean_repair_hours", "h", "Durée moyenne de réparation", "Mean repair time", "lower", service="water"
    ),
    Indicator(
        "network_mean_age_years",
        "years",
        "Âge moyen du réseau",
        "Mean age of the network",
        "lower",
        service="water",
    ),
    Indicator(
        "restriction_days", "days", "Jours de restriction", "Days under restriction", "lower", service="water"
    ),
    Indicator(
        "renewal_gap_km",
        "km",
        "Écart de renouvellement au besoin",
        "Renewal gap against the need",
        "lower",
        service="water",
        phrase_fr="le renouvellement qui manque pour garder l'âge du réseau stable",
        phrase_en="the renewal missing to keep the network's age stable",
        axis_unit="unit.km_per_year",
    ),
    Indicator(
        "renewal_gap_eur",
        "eur",
        "Écart de renouvellement au besoin (€)",
        "Renewal gap against the need (€)",
        "lower",
        service="water",
        axis_unit="unit.eur_per_year",
    ),
    Indicator(
        "depreciation_eur",
        "eur",
        "Amortissements (M49)",
        "Depreciation (M49)",
        "neutral",
        axis_unit="unit.eur_per_year",
    ),
    Indicator(
        "caf_gross_eur",
        "eur",
        "Capacité d'autofinancement brute",
        "Gross self-financing capacity",
        "higher",
        phrase_fr="la capacité d'autofinancement brute",
        phrase_en="the gross self-financing capacity",
        axis_unit="unit.eur_per_year",
    ),
    Indicator(
        "caf_net_eur",
        "eur",
        "Capacité d'autofinancement nette",
        "Net self-financing capacity",
        "higher",
        phrase_fr="la capacité d'autofinancement nette",
        phrase_en="the net self-financing capacity",
        axis_unit="unit.eur_per_year",
    ),
    Indicator(
        "debt_extinction_years",
        "years",
        "Durée d'extinction de la dette",
        "Debt extinction years",
        "lower",
        sispea="P153.2",
        phrase_fr="la durée d'extinction de la dette",
        phrase_en="the years needed to repay the debt",
        step=0.5,
    ),
    Indicator(
        "book_value_eur",
        "eur",
        "Valeur nette comptable des biens",
        "Net book value of assets",
        "higher",
    ),
    Indicator("revenue_eur", "eur", "Recettes", "Revenue", "neutral", axis_unit="unit.eur_per_year"),
    Indicator(
        "opex_eur",
        "eur",
        "Dépenses d'exploitation",
        "Operating costs",
        "neutral",
        axis_unit="unit.eur_per_year",
    ),
    Indicator(
        "capex_eur", "eur", "Investissements", "Capital spending", "neutral", axis_unit="unit.eur_per_year"
    ),
    Indicator(
        "mean_bill_eur",
        "eur",
        "Facture annuelle moyenne",
        "Mean yearly bill",
        "lower",
        phrase_fr="la facture annuelle moyenne",
        phrase_en="the mean yearly bill",
        table="deciles",
        axis_unit="unit.eur_per_year",
    ),
    Indicator(
        "decisions_binding",
        "count",
        "Décisions contraignantes",
        "Binding decisions",
        "neutral",
        table="decisions",
    ),
    Indicator("vetoes", "count", "Vetos citoyens", "Citizens' vetoes", "neutral", table="decisions"),
)

BY_NAME: dict[str, Indicator] = {i.name: i for i in INDICATORS}


def indicator(name: str) -> Indicator:
    """The indicator called ``name``; a name not in the table is an error that lists the table."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown indicator {name!r}; indicators are {sorted(BY_NAME)}") from None


def affordability_threshold_pct(scenario: Any) -> float:
    """The threshold (% of income) of the scenario's affordability indicator: water's
    ``affordability.threshold_pct``, electricity's ``energy_poverty.threshold_pct``."""
    block = getattr(scenario, "affordability", None) or scenario.energy_poverty
    return float(block.threshold_pct)


def available(years: pd.DataFrame) -> list[Indicator]:
    """The indicators a run's ``years`` table holds, in the table's order."""
    return [i for i in INDICATORS if i.table == "years" and i.name in years.columns]


def headlines(service: str) -> list[Indicator]:
    """The headline figures of ``service`` (water's for a service that has none), in their order."""
    ranked = sorted((dict(i.headline)[service], i) for i in INDICATORS if service in dict(i.headline))
    return [i for _, i in ranked] if ranked else headlines("water")

"""Documented low/high ranges of uncertain parameters, for one-at-a-time sensitivity (tornado).

Water's tornado uses the schema's validation bounds (``ge``/``le``: wide, they show mechanisms, not
probabilities). For electricity the reference file gives plausible ranges for several parameters;
each range here cites its section of ``shared/reference/electricity.md`` or says it is an
assumption (``source`` starting with ``assumption``). A range must hold the default of the base
town strictly inside it (``tests/test_sensitivity_electricity.py`` checks both).

To add a range: one entry in :data:`ELECTRICITY_RANGES` (dotted path of the parameter, low, high,
source in English and French).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentedRange:
    """A plausible low/high value of a parameter and where it comes from."""

    low: float
    high: float
    source: str  # "electricity.md §x: …", or "assumption: …"
    source_fr: str


#: electricity parameters with a documented plausible range (dotted path → range)
ELECTRICITY_RANGES: dict[str, DocumentedRange] = {
    "households.price_elasticity": DocumentedRange(
        -0.8,
        -0.1,
        "electricity.md §3.3: short run -0.1 to -0.2 (meta-analysis, Labandeira et al. 2017); "
        "-0.8 (Auray et al., French panel) taken as the low end, a sensitivity case",
        "electricity.md §3.3 : court terme -0,1 à -0,2 (méta-analyse, Labandeira et al. 2017) ; "
        "-0,8 (Auray et al., panel français) pris comme borne basse, un cas de sensibilité",
    ),
    "supply.market_price_eur_per_mwh": DocumentedRange(
        42.0,
        114.0,
        "electricity.md §6.3 and §1.4: low, the ARENH price 42 €/MWh; high, 114 €/MWh, the energy "
        "and capacity cost that reproduces the TRVE Base bill of 1 Feb 2024 (derived)",
        "electricity.md §6.3 et §1.4 : bas, le prix de l'ARENH 42 €/MWh ; haut, 114 €/MWh, le coût "
        "de l'énergie et de la capacité qui redonne la facture TRVE Base du 1er février 2024 (calculé)",
    ),
    "network.storms_per_year": DocumentedRange(
        0.05,
        0.63,
        "electricity.md §2.2: 19 large climatic events in 2023 against 4-5 in previous years, so "
        "high = 0.15 × 19 / 4.5 (derived); low = one storm in twenty years (assumption)",
        "electricity.md §2.2 : 19 grands événements climatiques en 2023 contre 4 à 5 les années "
        "précédentes, d'où haut = 0,15 × 19 / 4,5 (calculé) ; bas = une tempête en vingt ans "
        "(hypothèse)",
    ),
    "network.storm_restoration_scale": DocumentedRange(
        0.1,
        1.0,
        "electricity.md §2.3: high = 1, storm Ciarán's own restoration curve; low = ten times "
        "faster (assumption)",
        "electricity.md §2.3 : haut = 1, la courbe de rétablissement de la tempête Ciarán ; bas = "
        "dix fois plus rapide (hypothèse)",
    ),
    "network.incidents_saifi": DocumentedRange(
        1.09,
        1.91,
        "electricity.md §2.2: long cuts per BT user, 1.09 (2005 mean, EDF network) to 1.91 "
        "(Enedis F-BT 2022)",
        "electricity.md §2.2 : coupures longues par usager BT, 1,09 (moyenne 2005, réseau EDF) à "
        "1,91 (F-BT Enedis 2022)",
    ),
    "network.losses_pct": DocumentedRange(
        4.0,
        8.0,
        "assumption: ±2 points around 6 %; the reference file gives no figure for distribution losses",
        "hypothèse : ±2 points autour de 6 % ; le fichier de référence ne donne pas de chiffre "
        "de pertes de distribution",
    ),
    "local_production.yield_kwh_per_kwp_year": DocumentedRange(
        1_051.0,
        1_577.0,
        "electricity.md §5.3: capacity factor ~12 % in the north to ~18 % in the south (×8,760 h, "
        "derived); 1,300 kWh/kWp nationally. Moves results only when community PV is installed",
        "electricity.md §5.3 : facteur de charge ~12 % au nord à ~18 % au sud (×8 760 h, calculé) ; "
        "1 300 kWh/kWc en moyenne nationale. Ne change les résultats que s'il y a du "
        "photovoltaïque citoyen",
    ),
    "households.electric_heating_share": DocumentedRange(
        0.332,
        0.45,
        "electricity.md §3.1: 33.2 % of primary residences (2010, weak source) to 39 % (RTE 2015); "
        "high = 45 % (assumption: a town with more electric heating)",
        "electricity.md §3.1 : 33,2 % des résidences principales (2010, source faible) à 39 % "
        "(RTE 2015) ; haut = 45 % (hypothèse : une commune plus chauffée à l'électricité)",
    ),
    "households.temperature_sd_c": DocumentedRange(
        1.0,
        2.0,
        "assumption: monthly means stray by one to two degrees from their normals (not in the "
        "reference file)",
        "hypothèse : les moyennes mensuelles s'écartent d'un à deux degrés de leur normale (absent "
        "du fichier de référence)",
    ),
}

#: documented ranges by service (water has none: its tornado uses the schema's bounds)
DOCUMENTED_RANGES: dict[str, dict[str, DocumentedRange]] = {"electricity": ELECTRICITY_RANGES}


def ranges_for(service: str) -> dict[str, DocumentedRange]:
    """The documented ranges of ``service`` (empty when it has none)."""
    return DOCUMENTED_RANGES.get(service, {})

"""What French law fixes nationally for a household's electricity, as pure, tested rule functions.

A local operator (régie, SEM, SICAE, concession) decides none of this: taxes (excise, CTA, VAT) and
their periods, the compensation owed for long cuts (TURPE rule), the winter truce and its power
limitation rules, the chèque énergie, and ARENH. A scenario may relax a rule only as a labelled
"what if"; the functions here state the law as it is (or was, by date).

Every figure is quoted from ``shared/reference/electricity.md``; the section is given in each
docstring. Where the reference leaves a gap, the choice is written down as an assumption.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

# --------------------------------------------------------------------------------------------
# taxes by period (electricity.md §6.2)
# --------------------------------------------------------------------------------------------
#: Excise on electricity for households (≤ 36 kVA), € per MWh, from each start date (electricity.md
#: §6.2 table "Excise on electricity"). Before 2022 the local TCFE taxes were separate and are not
#: included here.
EXCISE_EUR_PER_MWH: tuple[tuple[date, float], ...] = (
    (date(2021, 1, 1), 22.5),  # CSPE proper, pre-shield (Vattenfall 2022)
    (date(2022, 1, 1), 25.83),  # after absorbing the departmental TCFE (service-public.fr A15480)
    (date(2022, 2, 1), 1.0),  # the price shield: 1 €/MWh to 31 Jan 2024 (service-public.fr; EDF)
    (date(2024, 2, 1), 21.0),  # arrêté of 25 Jan 2024 (Alterna)
    (date(2025, 2, 1), 33.70),  # normal rate indexed to inflation, arrêté of 20 Dec 2024 (Alterna)
    # 25.09 normal + 4.89 ZNI surcharge, art. L.312-37-1 CIBS (Alterna; Selectra). The reference
    # says "1 Aug - 31 Dec 2025" and gives nothing for January 2026: assumption, the rate holds
    # until the next change on 1 Feb 2026.
    (date(2025, 8, 1), 29.98),
    (date(2026, 2, 1), 30.35),  # SICAE de Précy-Saint-Martin (2026)
)

#: CTA rate on the fixed part (excl. tax) of the TURPE, distribution-connected users, % (electricity.md
#: §6.2, "CTA": 21.93 %, cut to 15 % from 1 Feb 2026). The reference gives no start date for 21.93 %:
#: assumption, it applies from the first date of the excise table.
CTA_PCT: tuple[tuple[date, float], ...] = (
    (date(2021, 1, 1), 21.93),
    (date(2026, 2, 1), 15.0),
)

#: VAT, % (electricity.md §6.2, "VAT"): (on the subscription and the CTA, on consumption and excise).
#: 5.5 % / 20 % until 31 Jul 2025; 20 % on the whole bill from 1 Aug 2025.
VAT_PCT: tuple[tuple[date, tuple[float, float]], ...] = (
    (date(2021, 1, 1), (5.5, 20.0)),
    (date(2025, 8, 1), (20.0, 20.0)),
)


def _in_force(table: tuple[tuple[date, Any], ...], day: date, what: str) -> Any:
    """The value of ``table`` in force on ``day`` (the last row starting on or before it)."""
    if day < table[0][0]:
        raise ValueError(f"no {what} known before {table[0][0].isoformat()} (asked for {day.isoformat()})")
    value = table[0][1]
    for start, v in table:
        if start <= day:
            value = v
    return value


@dataclass(frozen=True)
class Taxes:
    """The taxes on a household's electricity bill in force on one day (electricity.md §6.2).

    ``excise_eur_per_kwh`` is charged on every kWh; ``cta_pct`` on the fixed part (excl. tax) of
    the network tariff (TURPE) included in the subscription; ``vat_fixed_pct`` on the subscription
    and the CTA; ``vat_energy_pct`` on the energy and the excise.
    """

    day: date
    excise_eur_per_kwh: float
    cta_pct: float
    vat_fixed_pct: float
    vat_energy_pct: float


def taxes_on(day: date) -> Taxes:
    """The excise, CTA and VAT of a household (≤ 36 kVA) bill on ``day``.

    Rules (electricity.md §6.2): excise by period (1 €/MWh under the 2022-2024 shield, 21 € from
    1 Feb 2024, 33.70 € from 1 Feb 2025, 29.98 € from 1 Aug 2025, 30.35 € from 1 Feb 2026); CTA
    21.93 % of the TURPE fixed part, 15 % from 1 Feb 2026; VAT 5.5 % on the subscription and CTA and
    20 % on energy and excise, then 20 % on everything from 1 Aug 2025 (the August 2025 change).
    A date after the last change keeps the last rates. A date before 1 Jan 2021 is a ``ValueError``.
    """
    vat_fixed, vat_energy = _in_force(VAT_PCT, day, "VAT rate")
    return Taxes(
        day=day,
        excise_eur_per_kwh=_in_force(EXCISE_EUR_PER_MWH, day, "excise rate") / 1000.0,
        cta_pct=_in_force(CTA_PCT, day, "CTA rate"),
        vat_fixed_pct=vat_fixed,
        vat_energy_pct=vat_energy,
    )


# --------------------------------------------------------------------------------------------
# compensation for long cuts (electricity.md §2.3)
# --------------------------------------------------------------------------------------------
COMPENSATION_TRANCHE_H = 5.0
COMPENSATION_MAX_TRANCHES = 40
COMPENSATION_EUR_HT_PER_KVA_UP_TO_36 = 2.0
COMPENSATION_EUR_HT_PER_KVA_ABOVE_36 = 3.5


def outage_compensation_eur_ht(kva: Any, hours: Any) -> Any:
    """Compensation (€ excl. tax) owed to a customer for one cut, by the TURPE rule.

    Rule (electricity.md §2.3, "Compensation for long cuts"; TURPE 5 deliberation of 17 Nov 2016,
    TURPE 6 deliberation 2021-13 of 21 Jan 2021): an interruption of **more than 5 h** attributable
    to the public distribution network, exceptional events included, is compensated per 5-hour
    tranche, at most 40 tranches (8 days 8 h): 2 € HT per subscribed kVA and tranche up to 36 kVA,
    3.50 € HT per kVA above. Paid by the network operator, automatically, through the supplier.

    A tranche is a whole 5 hours (a 12 h cut is 2 tranches); a cut of exactly 5 h is not "more
    than 5 h" and gives nothing. Works on scalars or numpy arrays (broadcast).
    """
    kva_a = np.asarray(kva, dtype=float)
    h = np.asarray(hours, dtype=float)
    if np.any(kva_a < 0) or np.any(h < 0) or not (np.all(np.isfinite(kva_a)) and np.all(np.isfinite(h))):
        raise ValueError("kVA and hours must be finite and ≥ 0")
    tranches = np.where(
        h > COMPENSATION_TRANCHE_H,
        np.minimum(np.floor(h / COMPENSATION_TRANCHE_H), COMPENSATION_MAX_TRANCHES),
        0.0,
    )
    rate = np.where(kva_a <= 36, COMPENSATION_EUR_HT_PER_KVA_UP_TO_36, COMPENSATION_EUR_HT_PER_KVA_ABOVE_36)
    out = tranches * rate * kva_a
    return float(out) if out.ndim == 0 else out


# --------------------------------------------------------------------------------------------
# winter truce and power limitation (electricity.md §4.3)
# --------------------------------------------------------------------------------------------
#: first and last day (month, day) of the winter truce, inclusive (loi Brottes, since 2013)
WINTER_TRUCE_START = (11, 1)
WINTER_TRUCE_END = (3, 31)
#: décret 2023-133 (26 Feb 2023): minimum supply before any cut, for chèque énergie or FSL
#: beneficiaries with a smart meter: 1 kVA for 60 days, then at least 20 days' notice
MINIMUM_SUPPLY_KVA = 1.0
MINIMUM_SUPPLY_DAYS = 60
NOTICE_BEFORE_CUT_DAYS = 20


def in_winter_truce(day: date) -> bool:
    """Whether ``day`` falls in the winter truce, 1 November to 31 March inclusive.

    Rule (electricity.md §4.3, loi Brottes 2013): during the truce no supplier may have electricity
    cut in a primary residence for unpaid bills.
    """
    return day.month >= WINTER_TRUCE_START[0] or day.month <= WINTER_TRUCE_END[0]


def winter_truce_dates(year: int) -> tuple[date, date]:
    """The truce that starts in ``year``: (1 Nov ``year``, 31 Mar ``year + 1``) (electricity.md §4.3)."""
    return date(year, *WINTER_TRUCE_START), date(year + 1, *WINTER_TRUCE_END)


def truce_power_limit_kva(subscribed_kva: float, cheque_energie_certificate: bool = False) -> float | None:
    """The power to which a supplier may reduce an unpaid customer during the winter truce.

    Rule (electricity.md §4.3, energie-info.fr): power may be reduced to 3 kVA for contracts of 6 kVA
    or more and to 2 kVA for smaller ones, except for chèque énergie beneficiaries who sent in their
    certificate (then ``None``: no reduction). Never above the subscribed power.
    """
    if cheque_energie_certificate:
        return None
    return min(float(subscribed_kva), 3.0 if subscribed_kva >= 6 else 2.0)


# --------------------------------------------------------------------------------------------
# chèque énergie (electricity.md §4.2)
# --------------------------------------------------------------------------------------------
def cheque_energie_units(persons: Any) -> Any:
    """Consumption units of a household for the chèque énergie.

    Rule (electricity.md §4.2, "Eligibility"): 1 for the first person, 0.5 for the second, 0.3 for
    each additional person (not the INSEE scale of households.md, which counts children under 14
    at 0.3 and others at 0.5). Works on an int or a numpy array of sizes (each ≥ 1).
    """
    p = np.asarray(persons)
    if np.any(p < 1) or not np.all(np.equal(np.mod(p, 1), 0)):
        raise ValueError("a household has a whole number of persons, at least 1")
    p = p.astype(float)
    out = 1.0 + 0.5 * (p >= 2) + 0.3 * np.maximum(p - 2.0, 0.0)
    return float(out) if out.ndim == 0 else out


#: Amount grid of the chèque énergie, € per year, by reference taxable income per consumption unit
#: (upper bounds of the bands, €) and by units (1; more than 1 and less than 2; 2 or more).
#: Not in the reference file, whose §4.2 gives only the range 48-277 € and the ceiling; the grid is
#: the one published by groupe-casol.fr, "Le chèque énergie et ce qu'il implique"
#: (https://groupe-casol.fr/le-cheque-energie-et-ce-quil-implique), with a 10,800 € ceiling. Its
#: smallest and largest amounts are the reference's 48 and 277 € (checked by a test).
CHEQUE_BAND_UPPER_EUR_PER_UNIT = (5_600.0, 6_700.0, 7_700.0, 10_800.0)
CHEQUE_AMOUNTS_EUR = (
    (194.0, 146.0, 98.0, 48.0),  # 1 unit
    (240.0, 176.0, 113.0, 63.0),  # more than 1 and less than 2 units
    (277.0, 202.0, 126.0, 76.0),  # 2 units or more
)


def cheque_energie_amount_eur(
    reference_income_eur: Any, persons: Any, ceiling_eur_per_unit: float | None = None
) -> Any:
    """The chèque énergie of a household, € per year (0 when not eligible).

    Rule: eligible when the reference taxable income per consumption unit
    (:func:`cheque_energie_units`) is below the ceiling (electricity.md §4.2: 10,700 € from 2019,
    11,000 € in 2021); the amount falls with income per unit and rises with units, per the grid
    :data:`CHEQUE_AMOUNTS_EUR` (source given there; its ceiling, 10,800 €, is the default).
    ``ceiling_eur_per_unit`` may raise or lower the top of the last band. Works on arrays.
    """
    income = np.asarray(reference_income_eur, dtype=float)
    units = np.asarray(cheque_energie_units(persons), dtype=float)
    per_unit = income / units
    bounds = np.array(CHEQUE_BAND_UPPER_EUR_PER_UNIT)
    if ceiling_eur_per_unit is not None:
        bounds = bounds.copy()
        bounds[-1] = ceiling_eur_per_unit
    band = np.searchsorted(bounds, per_unit, side="right")  # at a bound: the next band up
    row = np.where(units <= 1.0, 0, np.where(units < 2.0, 1, 2))
    grid = np.array(CHEQUE_AMOUNTS_EUR)
    amount = np.where(band < len(bounds), grid[row, np.minimum(band, len(bounds) - 1)], 0.0)
    return float(amount) if amount.ndim == 0 else amount


# --------------------------------------------------------------------------------------------
# ARENH (electricity.md §6.3)
# --------------------------------------------------------------------------------------------
ARENH_PRICE_EUR_PER_MWH = 42.0
ARENH_CEILING_TWH = 100.0
ARENH_LAST_DAY = date(2025, 12, 31)
#: the post-ARENH mechanism from 1 Jan 2026 aims at an average of about 70 €/MWh (electricity.md §6.3)
POST_ARENH_TARGET_EUR_PER_MWH = 70.0


def arenh_allocation_share(ceiling_twh: float, requested_twh: float) -> float:
    """Share of each supplier's ARENH request that is served (1 − the clipping, "écrêtement").

    Rule (electricity.md §6.3; NOME law, arrêté of 28 Apr 2011): at most ``ceiling_twh`` a year
    (100 TWh) is sold at 42 €/MWh; when requests exceed the ceiling every request is served in
    the same proportion, ceiling / requests. The 2025 window: 134.93 TWh requested, 74.12 %
    served, 25.88 % clipped. ARENH ends on 31 Dec 2025.
    """
    if ceiling_twh < 0 or requested_twh < 0:
        raise ValueError("ceiling and requests must be ≥ 0")
    if requested_twh <= ceiling_twh:
        return 1.0
    return ceiling_twh / requested_twh

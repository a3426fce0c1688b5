"""Electricity tariffs and one household's bill, line by line, with the taxes of a date.

A tariff (:class:`~sim.scenario.electricity.ElectricityTariff`) is a fixed part by subscribed kVA
plus an energy price per kWh, Base or HP/HC. Its prices are either a published grid, entered with
or without taxes, or built by stacking costs (energy, network TURPE, commercial costs, margin;
electricity.md §1.4, art. L.337-6). Taxes are the law's, by date (:func:`sim.electricity.law.taxes_on`).

How a grid entered taxes included becomes prices excluding taxes, on ``prices_date`` (§6.2):

- energy: ``p_TTC = (p_HT + excise) × (1 + VAT on energy)``, so ``p_HT = p_TTC / (1 + VAT) − excise``;
- fixed part: ``F_TTC = (F_HT + CTA) × (1 + VAT on the subscription)`` with
  ``CTA = CTA rate × TURPE fixed part (HT)``, so ``F_HT = F_TTC / (1 + VAT) − CTA``.

Billed on the same date, the bill is the grid's arithmetic exactly; billed on another date (the
August 2025 VAT change, a new excise), the prices excl. taxes are kept and the taxes change.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from sim.electricity.law import Taxes, taxes_on
from sim.scenario.electricity import (
    OPTION_PERIODS,
    TRVE_2024_BASE_EUR_PER_KWH,
    TRVE_2024_BASE_FIXED_EUR_PER_YEAR,
    TRVE_2024_HPHC_EUR_PER_KWH,
    TRVE_2024_HPHC_FIXED_EUR_PER_YEAR,
    CostStack,
    ElectricityTariff,
)

PERIODS = OPTION_PERIODS
#: Tempo's day colours, and the days a year of each in the reference (electricity.md §1.4)
COLOURS = ("blue", "white", "red")
DAYS_PER_YEAR = 365


def billing_taxes(tariff: ElectricityTariff, day: date) -> Taxes:
    """The taxes a bill of ``day`` carries: the law's (:func:`~sim.electricity.law.taxes_on`), or,
    where the tariff sets a "what if" (``what_if_excise_eur_per_mwh``, ``what_if_vat_pct``), that
    value instead, as a labelled relaxation of national law. Prices entered taxes included are
    always converted with the law's taxes of their date: the grid was published under the law."""
    t = taxes_on(day)
    if tariff.what_if_excise_eur_per_mwh is not None:
        t = replace(t, excise_eur_per_kwh=tariff.what_if_excise_eur_per_mwh / 1000.0)
    if tariff.what_if_vat_pct is not None:
        t = replace(t, vat_fixed_pct=tariff.what_if_vat_pct, vat_energy_pct=tariff.what_if_vat_pct)
    return t


def is_what_if(tariff: ElectricityTariff) -> bool:
    """Whether the tariff's bills depart from national law (a labelled "what if")."""
    return tariff.what_if_excise_eur_per_mwh is not None or tariff.what_if_vat_pct is not None


@dataclass(frozen=True)
class PricesExclTax:
    """A tariff's prices excluding every tax: fixed part (€/yr) by kVA and energy (€/kWh) by period.

    ``parts`` splits each price into its stacked costs when the tariff is built from a cost stack
    (``{"energy": …, "network": …, "commercial": …, "margin": …}`` per kVA for the fixed part and
    per period for the energy), and is empty for a published grid.
    """

    option: str
    fixed_eur_per_year_by_kva: dict[int, float]
    energy_eur_per_kwh: dict[str, float]
    fixed_parts: dict[int, dict[str, float]]
    energy_parts: dict[str, dict[str, float]]
    #: Tempo: the red and white days a year (the rest are blue), to weigh a reference kWh
    colour_days: tuple[int, int] = (22, 43)


def turpe_fixed_eur_per_year(tariff: ElectricityTariff, kva: float) -> float:
    """The fixed part (excl. tax) of the network tariff for ``kva``: the base of the CTA (§6.2)."""
    return tariff.turpe_fixed_eur_per_customer_year + tariff.turpe_fixed_eur_per_kva_year * kva


def cta_eur_per_year(tariff: ElectricityTariff, kva: float, taxes: Taxes) -> float:
    """CTA (€/yr) = CTA rate × fixed part (HT) of the TURPE (electricity.md §6.2)."""
    return taxes.cta_pct / 100.0 * turpe_fixed_eur_per_year(tariff, kva)


def stacked_prices(stack: CostStack, option: str, kvas: tuple[int, ...]) -> PricesExclTax:
    """Prices excl. tax built by stacking costs (electricity.md §1.4, art. L.337-6).

    Fixed part (€/yr) = (network per customer + network per kVA × kVA + commercial) × (1 + margin);
    energy (€/kWh) = (energy + network per MWh) / 1000 × (1 + margin), times the HP or HC factor
    for the HP/HC option.
    """
    m = stack.margin_pct / 100.0
    fixed_parts: dict[int, dict[str, float]] = {}
    for kva in kvas:
        network = stack.network_eur_per_customer_year + stack.network_eur_per_kva_year * kva
        commercial = stack.commercial_eur_per_customer_year
        fixed_parts[kva] = {
            "energy": 0.0,
            "network": network,
            "commercial": commercial,
            "margin": m * (network + commercial),
        }
    factors = {"base": 1.0, "hp": stack.hp_factor, "hc": stack.hc_factor}
    energy_parts: dict[str, dict[str, float]] = {}
    for period in PERIODS[option]:
        f = factors[period]
        energy = stack.energy_eur_per_mwh / 1000.0 * f
        network = stack.network_eur_per_mwh / 1000.0 * f
        energy_parts[period] = {
            "energy": energy,
            "network": network,
            "commercial": 0.0,
            "margin": m * (energy + network),
        }
    return PricesExclTax(
        option=option,
        fixed_eur_per_year_by_kva={k: sum(v.values()) for k, v in fixed_parts.items()},
        energy_eur_per_kwh={k: sum(v.values()) for k, v in energy_parts.items()},
        fixed_parts=fixed_parts,
        energy_parts=energy_parts,
    )


def prices_excl_tax(tariff: ElectricityTariff, stack: CostStack | None = None) -> PricesExclTax:
    """The tariff's prices excluding taxes (see the module docstring for a grid entered TTC).

    A local offer's structure (``fixed_part_factor``, ``energy_part_factor``) multiplies the prices
    excl. tax (and each of their stacked parts). Raises ``ValueError`` when a price entered taxes
    included is below the taxes it must contain.
    """
    p = _with_factors(_grid_prices(tariff, stack), tariff.fixed_part_factor, tariff.energy_part_factor)
    if tariff.option == "tempo":
        p = replace(p, colour_days=(tariff.tempo.red_days, tariff.tempo.white_days))
    return p


def _with_factors(p: PricesExclTax, fixed: float, energy: float) -> PricesExclTax:
    if fixed == 1.0 and energy == 1.0:
        return p
    return PricesExclTax(
        option=p.option,
        fixed_eur_per_year_by_kva={k: v * fixed for k, v in p.fixed_eur_per_year_by_kva.items()},
        energy_eur_per_kwh={k: v * energy for k, v in p.energy_eur_per_kwh.items()},
        fixed_parts={k: {q: x * fixed for q, x in v.items()} for k, v in p.fixed_parts.items()},
        energy_parts={k: {q: x * energy for q, x in v.items()} for k, v in p.energy_parts.items()},
        colour_days=p.colour_days,
    )


def _grid_prices(tariff: ElectricityTariff, stack: CostStack | None) -> PricesExclTax:
    if tariff.build == "cost_stack":
        if stack is None:
            raise ValueError("a tariff built from a cost stack needs the scenario's cost_stack")
        return stacked_prices(stack, tariff.option, tuple(tariff.fixed_eur_per_year_by_kva))
    fixed = dict(tariff.fixed_eur_per_year_by_kva)
    energy = {p: tariff.energy_eur_per_kwh[p] for p in PERIODS[tariff.option]}
    if tariff.prices_include_taxes:
        t = taxes_on(tariff.prices_date)
        fixed = {
            kva: ttc / (1 + t.vat_fixed_pct / 100.0) - cta_eur_per_year(tariff, kva, t)
            for kva, ttc in fixed.items()
        }
        energy = {p: ttc / (1 + t.vat_energy_pct / 100.0) - t.excise_eur_per_kwh for p, ttc in energy.items()}
        low = [f"{k} kVA" for k, v in fixed.items() if v < 0] + [p for p, v in energy.items() if v < 0]
        if low:
            raise ValueError(f"prices below the taxes they include: {', '.join(low)}")
    return PricesExclTax(tariff.option, fixed, energy, {}, {})


#: labels of the bill's lines, (French, English)
LABELS = {
    "fixed": ("Abonnement (part fixe) HT", "Subscription (fixed part) excl. tax"),
    "energy_base": ("Énergie HT", "Energy excl. tax"),
    "energy_hp": ("Énergie heures pleines HT", "Peak-hour energy excl. tax"),
    "energy_hc": ("Énergie heures creuses HT", "Off-peak energy excl. tax"),
    "energy_blue_hc": ("Énergie jours bleus, heures creuses HT", "Blue days off-peak energy excl. tax"),
    "energy_blue_hp": ("Énergie jours bleus, heures pleines HT", "Blue days peak energy excl. tax"),
    "energy_white_hc": ("Énergie jours blancs, heures creuses HT", "White days off-peak energy excl. tax"),
    "energy_white_hp": ("Énergie jours blancs, heures pleines HT", "White days peak energy excl. tax"),
    "energy_red_hc": ("Énergie jours rouges, heures creuses HT", "Red days off-peak energy excl. tax"),
    "energy_red_hp": ("Énergie jours rouges, heures pleines HT", "Red days peak energy excl. tax"),
    "essential_block": (
        "Tranche de kWh essentiels (écart au prix de l'option) HT",
        "Essential-kWh block (difference to the option's price) excl. tax",
    ),
    "supply": ("Fourniture : énergie et capacité", "Supply: energy and capacity"),
    "network": ("Réseau (TURPE)", "Network (TURPE)"),
    "commercial": ("Coûts commerciaux", "Commercial costs"),
    "margin": ("Marge", "Margin"),
    "cta": ("Contribution tarifaire d'acheminement (CTA)", "Network contribution (CTA)"),
    "excise": ("Accise sur l'électricité", "Excise on electricity"),
    "total_excl_tax": ("Total HT", "Total excl. tax"),
    "vat_fixed": ("TVA sur l'abonnement et la CTA", "VAT on subscription and CTA"),
    "vat_energy": ("TVA sur l'énergie et l'accise", "VAT on energy and excise"),
    "total": ("Total TTC", "Total incl. taxes"),
}


def _line(key: str, eur: float, **extra: float | None) -> dict[str, object]:
    fr, en = LABELS[key]
    return {"key": key, "label_fr": fr, "label_en": en, "eur": eur, **extra}


def bill_lines(
    tariff: ElectricityTariff,
    kva: int,
    kwh_by_period: dict[str, float],
    *,
    day: date | None = None,
    stack: CostStack | None = None,
    units: float = 1.0,
) -> list[dict[str, object]]:
    """One household's yearly bill, line by line (€), with the taxes in force on ``day``.

    ``day`` defaults to the tariff's ``prices_date``. ``kwh_by_period`` has ``base``; or ``hp`` and
    ``hc``; or Tempo's six periods (``blue_hc`` … ``red_hp``). With an essential-kWh block, the
    household's ``units`` (consumption units, :func:`sim.electricity.law.cheque_energie_units`) set
    its block, and an ``essential_block`` line gives the difference to the option's prices.
    Lines: the fixed part and the energy (or, for a cost-stack tariff, supply, network,
    commercial costs and margin), CTA, excise, ``total_excl_tax``, the two VAT lines and ``total``
    (taxes included). Each line has ``key``, ``label_fr``, ``label_en`` and ``eur``. A tariff with a
    "what if" on taxes (:func:`billing_taxes`) labels its tax lines "what if".
    """
    if kva not in tariff.fixed_eur_per_year_by_kva:
        allowed = ", ".join(str(k) for k in tariff.fixed_eur_per_year_by_kva)
        raise ValueError(f"{kva} kVA is not in the tariff's grid ({allowed} kVA)")
    periods = PERIODS[tariff.option]
    if set(kwh_by_period) != set(periods):
        raise ValueError(f"option {tariff.option} bills kWh by {', '.join(periods)}")
    if any(v < 0 for v in kwh_by_period.values()):
        raise ValueError("kWh must be ≥ 0")
    t = billing_taxes(tariff, tariff.prices_date if day is None else day)
    prices = prices_excl_tax(tariff, stack)
    fixed_ht = prices.fixed_eur_per_year_by_kva[kva]
    energy_ht = {p: kwh_by_period[p] * prices.energy_eur_per_kwh[p] for p in periods}
    kwh = sum(kwh_by_period.values())
    block_eur = 0.0
    eb = tariff.essential_block
    if eb.enabled and kwh > 0:
        ratio = min(kwh, eb.kwh_per_unit_year * units) / kwh
        block_eur = sum(energy_ht.values()) * (
            eb.above_factor - 1.0 + (eb.price_factor - eb.above_factor) * ratio
        )
    lines: list[dict[str, object]] = []
    if prices.fixed_parts:
        for part in ("energy", "network", "commercial", "margin"):
            eur = prices.fixed_parts[kva][part] + sum(
                kwh_by_period[p] * prices.energy_parts[p][part] for p in periods
            )
            lines.append(_line("supply" if part == "energy" else part, eur))
    else:
        lines.append(_line("fixed", fixed_ht))
        for p in periods:
            unit = prices.energy_eur_per_kwh[p]
            lines.append(_line(f"energy_{p}", energy_ht[p], kwh=kwh_by_period[p], eur_per_kwh=unit))
    if eb.enabled:
        lines.append(_line("essential_block", block_eur, kwh=min(kwh, eb.kwh_per_unit_year * units)))
        energy_ht["essential_block"] = block_eur
    cta = cta_eur_per_year(tariff, kva, t)
    excise = t.excise_eur_per_kwh * kwh
    lines.append(_line("cta", cta, rate_pct=t.cta_pct))
    lines.append(_what_if(_line("excise", excise, eur_per_kwh=t.excise_eur_per_kwh), tariff, "excise"))
    total_ht = fixed_ht + sum(energy_ht.values()) + cta + excise
    vat_fixed = t.vat_fixed_pct / 100.0 * (fixed_ht + cta)
    vat_energy = t.vat_energy_pct / 100.0 * (sum(energy_ht.values()) + excise)
    lines.append(_line("total_excl_tax", total_ht))
    lines.append(_what_if(_line("vat_fixed", vat_fixed, rate_pct=t.vat_fixed_pct), tariff, "vat"))
    lines.append(_what_if(_line("vat_energy", vat_energy, rate_pct=t.vat_energy_pct), tariff, "vat"))
    lines.append(_line("total", total_ht + vat_fixed + vat_energy))
    return lines


def _what_if(line: dict[str, object], tariff: ElectricityTariff, tax: str) -> dict[str, object]:
    """Label a tax line "what if" when the tariff replaces that tax's legal rate."""
    changed = tariff.what_if_excise_eur_per_mwh if tax == "excise" else tariff.what_if_vat_pct
    if changed is None:
        return line
    return {
        **line,
        "label_fr": f"{line['label_fr']} (et si : hors loi)",
        "label_en": f"{line['label_en']} (what if: not the law)",
        "what_if": True,
    }


def bill_total_eur(
    tariff: ElectricityTariff,
    kva: int,
    kwh_by_period: dict[str, float],
    *,
    day: date | None = None,
    stack: CostStack | None = None,
    units: float = 1.0,
) -> float:
    """The yearly bill taxes included (€): the ``total`` line of :func:`bill_lines`."""
    lines = bill_lines(tariff, kva, kwh_by_period, day=day, stack=stack, units=units)
    return float(lines[-1]["eur"])  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# every household's bill at once (the service's billing step and the governance's projections)
# --------------------------------------------------------------------------------------------
#: the reference household of headline prices: 6 kVA and 4,400 kWh a year, the average residential
#: TRVE customer of 2024 (electricity.md §3.1 and §1.4)
REFERENCE_KVA = 6
REFERENCE_KWH = 4_400.0
#: its consumption units, for an essential-kWh block: two persons (1 + 0.5, the chèque énergie's
#: rule, electricity.md §4.2), near the mean household of 2.16 persons (households.md): an assumption
REFERENCE_UNITS = 1.5


@dataclass(frozen=True)
class HouseholdBills:
    """Bills of a billing period, one value per household (€): ``revenue`` is the supplier's price
    excl. tax after any local rebate (fixed part and energy), ``levies`` the CTA and excise, ``vat``
    both VAT lines, ``total`` the bill taxes included; ``rebate_eur`` is the local rebate excl. tax,
    summed over households."""

    revenue: np.ndarray
    levies: np.ndarray
    vat: np.ndarray
    total: np.ndarray
    rebate_eur: float


def tempo_reference_shares(red_days: int, white_days: int, hc_share: float) -> dict[str, float]:
    """A reference kWh's split over Tempo's six periods: by days of each colour (the use of a
    household heated otherwise, spread evenly over the days: an assumption) and, within a day, by
    the off-peak share ``hc_share`` (electricity.md §1.4: HC 22:00-06:00)."""
    days = {"red": red_days, "white": white_days, "blue": DAYS_PER_YEAR - red_days - white_days}
    out = {}
    for c in COLOURS:
        d = days[c] / DAYS_PER_YEAR
        out[f"{c}_hc"] = d * hc_share
        out[f"{c}_hp"] = d * (1.0 - hc_share)
    return out


def energy_price_eur_per_kwh(prices: PricesExclTax, hc_share: float) -> float:
    """The energy price excl. tax of a kWh: Base; HP and HC weighted by the off-peak share; or
    Tempo's six prices weighted by :func:`tempo_reference_shares`."""
    e = prices.energy_eur_per_kwh
    if prices.option == "base":
        return e["base"]
    if prices.option == "tempo":
        shares = tempo_reference_shares(*prices.colour_days, hc_share)
        return sum(shares[p] * e[p] for p in shares)
    return (1.0 - hc_share) * e["hp"] + hc_share * e["hc"]


def bill_households(
    tariff: ElectricityTariff,
    prices: PricesExclTax,
    taxes: Taxes,
    kva: np.ndarray,
    kwh: np.ndarray,
    *,
    months: int,
    hc_share: float,
    price_index: float = 1.0,
    network_index: float = 1.0,
    eligible: np.ndarray | None = None,
    fixed_eur_per_year: np.ndarray | None = None,
    turpe_eur_per_year: np.ndarray | None = None,
    kwh_by_period: dict[str, np.ndarray] | None = None,
    block_kwh: np.ndarray | None = None,
) -> HouseholdBills:
    """Every household's bill for ``months`` months of fixed part and ``kwh`` kWh, vectorised.

    The arithmetic of :func:`bill_lines` (fixed part by kVA, energy, CTA on the TURPE fixed part,
    excise per kWh, VAT on each base), with the supplier's prices excl. tax times ``price_index``
    (decisions and indexation), the TURPE fixed part (the CTA's base, set nationally) times
    ``network_index``, and a local rebate (``tariff.social``) on the supplier's price for the
    ``eligible`` households. With both indices 1, 12 months and no rebate, each household's
    ``total`` is :func:`bill_total_eur` of its kVA and kWh. ``fixed_eur_per_year`` (each
    household's fixed part at index 1, :func:`fixed_by_household`) and ``turpe_eur_per_year`` (its
    TURPE fixed part, :func:`turpe_fixed_eur_per_year`) may be given when already known.
    ``kwh_by_period`` (each household's kWh by the option's periods, summing to ``kwh``) prices
    each period at its own price (Tempo's six); without it, ``hc_share`` weighs HP and HC.
    ``block_kwh`` is each household's essential block of the period (kWh): with the tariff's
    ``essential_block`` on, the kWh within it cost ``price_factor`` times the option's price and
    those above ``above_factor`` times. Works in place on a few arrays: it runs at every billing
    date on every household.
    """
    share = months / 12.0
    if fixed_eur_per_year is None:
        fixed_eur_per_year = fixed_by_household(prices, kva)
    if turpe_eur_per_year is None:
        turpe_eur_per_year = (
            tariff.turpe_fixed_eur_per_customer_year + tariff.turpe_fixed_eur_per_kva_year * kva
        )
    fixed = fixed_eur_per_year * (price_index * share)
    if kwh_by_period is not None:
        energy = np.zeros_like(kwh, dtype=float)
        for p, v in kwh_by_period.items():
            energy += v * (prices.energy_eur_per_kwh[p] * price_index)
    else:
        energy = kwh * (energy_price_eur_per_kwh(prices, hc_share) * price_index)
    eb = tariff.essential_block
    if eb.enabled and block_kwh is not None:
        ratio = np.divide(np.minimum(block_kwh, kwh), kwh, out=np.zeros_like(energy), where=kwh > 0)
        energy *= eb.above_factor + (eb.price_factor - eb.above_factor) * ratio
    soc = tariff.social
    rebate_eur = 0.0
    if soc.enabled and eligible is not None and soc.rebate_pct > 0:
        keep = np.where(eligible, 1.0 - soc.rebate_pct / 100.0, 1.0)
        rebate_eur = float(((fixed + energy) * (1.0 - keep)).sum())
        fixed *= keep
        energy *= keep
    cta = turpe_eur_per_year * (taxes.cta_pct / 100.0 * network_index * share)
    excise = kwh * taxes.excise_eur_per_kwh
    vat = np.add(fixed, cta)
    vat *= taxes.vat_fixed_pct / 100.0
    tmp = np.add(energy, excise)
    tmp *= taxes.vat_energy_pct / 100.0
    vat += tmp
    revenue = np.add(fixed, energy, out=fixed)
    levies = np.add(cta, excise, out=cta)
    total = np.add(revenue, levies, out=energy)
    total += vat
    return HouseholdBills(revenue, levies, vat, total, rebate_eur)


def fixed_by_household(prices: PricesExclTax, kva: np.ndarray) -> np.ndarray:
    """Each household's fixed part excl. tax (€/yr) at index 1, from its subscribed power."""
    steps = np.array(sorted(prices.fixed_eur_per_year_by_kva), dtype=float)
    grid = np.array([prices.fixed_eur_per_year_by_kva[int(k)] for k in steps])
    pos = np.searchsorted(steps, kva)
    if np.any(pos >= steps.size) or np.any(steps[np.minimum(pos, steps.size - 1)] != kva):
        raise ValueError("every subscribed power must be in the tariff's grid")
    out: np.ndarray = grid[pos]
    return out


def marginal_price_eur_per_kwh(
    prices: PricesExclTax, taxes: Taxes, hc_share: float, price_index: float, above_factor: float = 1.0
) -> float:
    """What one more kWh costs a household, taxes included (no rebate; with an essential-kWh block,
    a kWh above the block: the marginal kWh of most households)."""
    p = energy_price_eur_per_kwh(prices, hc_share) * price_index * above_factor + taxes.excise_eur_per_kwh
    return p * (1.0 + taxes.vat_energy_pct / 100.0)


def reference_kva(tariff: ElectricityTariff) -> int:
    """The grid's power closest to the reference household's 6 kVA (the higher one on a tie)."""
    steps = sorted(tariff.fixed_eur_per_year_by_kva)
    return min(steps, key=lambda k: (abs(k - REFERENCE_KVA), -k))


#: the TRVE HP/HC grid over the Base grid of 1 February 2024 (electricity.md §1.4): HP and HC energy
#: prices over the Base price, and the fixed part at 6 kVA (applied at every power: an assumption)
HPHC_OVER_BASE = {
    "hp": TRVE_2024_HPHC_EUR_PER_KWH["hp"] / TRVE_2024_BASE_EUR_PER_KWH,
    "hc": TRVE_2024_HPHC_EUR_PER_KWH["hc"] / TRVE_2024_BASE_EUR_PER_KWH,
    "fixed": TRVE_2024_HPHC_FIXED_EUR_PER_YEAR[6] / TRVE_2024_BASE_FIXED_EUR_PER_YEAR[6],
}


def hphc_of_base(tariff: ElectricityTariff) -> ElectricityTariff:
    """The peak/off-peak (HP/HC) tariff beside a Base tariff: a published grid's prices times the
    TRVE grids' ratios (:data:`HPHC_OVER_BASE`); a tariff built from the cost stack is built again
    for HP/HC (its ``hp_factor`` and ``hc_factor``). Everything else (taxes, rebate, essential block,
    structure factors) is the Base tariff's."""
    if tariff.build == "cost_stack":
        return tariff.model_copy(update={"option": "hphc"})
    return hphc_grid(tariff)


def hphc_grid(tariff: ElectricityTariff) -> ElectricityTariff:
    """A Base grid's prices turned into peak/off-peak hours: each price times the published TRVE
    grids' ratio (:data:`HPHC_OVER_BASE`; the fixed part's ratio at 6 kVA applied at every power, an
    assumption); everything else is the Base tariff's."""
    base = tariff.energy_eur_per_kwh["base"]
    return tariff.model_copy(
        update={
            "option": "hphc",
            "energy_eur_per_kwh": {"hp": base * HPHC_OVER_BASE["hp"], "hc": base * HPHC_OVER_BASE["hc"]},
            "fixed_eur_per_year_by_kva": {
                k: v * HPHC_OVER_BASE["fixed"] for k, v in tariff.fixed_eur_per_year_by_kva.items()
            },
        }
    )


def own_options_apply(own_option: bool, tariff: ElectricityTariff) -> bool:
    """Whether households with ``households.own_option`` are each billed on their own option under
    ``tariff``: under the regulated tariff's Base grid (each at its own TRVE grid). Under a local
    offer the offer's option applies to every household, a switch the committee votes included."""
    return bool(own_option and tariff.pricing == "regulated" and tariff.option == "base")


@dataclass(frozen=True)
class OwnOptions:
    """A town whose households are each on their own option, Base or HP/HC (``households.own_option``
    under the regulated tariff): the Base prices with the HP/HC energy prices beside them (one
    :class:`PricesExclTax` pricing the three periods, its ``option`` Base for the reference
    household), the HP/HC prices alone, and each household's fixed part excl. tax at index 1."""

    prices: PricesExclTax
    hphc: PricesExclTax
    fixed_eur_per_year: np.ndarray


def own_options(
    tariff: ElectricityTariff, stack: CostStack | None, kva: np.ndarray, on_hphc: np.ndarray
) -> OwnOptions:
    """The prices of a Base ``tariff`` for households each on their own option (``on_hphc``)."""
    base = prices_excl_tax(tariff, stack)
    hphc = prices_excl_tax(hphc_of_base(tariff), stack)
    both = replace(
        base,
        energy_eur_per_kwh={**base.energy_eur_per_kwh, **hphc.energy_eur_per_kwh},
        energy_parts={**base.energy_parts, **hphc.energy_parts},
    )
    fixed = np.where(on_hphc, fixed_by_household(hphc, kva), fixed_by_household(base, kva))
    return OwnOptions(both, hphc, fixed)


def own_option_kwh(kwh: np.ndarray, on_hphc: np.ndarray, hc_share: float) -> dict[str, np.ndarray]:
    """Each household's kWh by period when each is on its own option: all Base, or HP and HC at the
    off-peak share ``hc_share`` (the ``kwh_by_period`` of :func:`bill_households`)."""
    hp = np.where(on_hphc, kwh, 0.0)
    hc = hp * hc_share
    hp -= hc
    return {"base": np.where(on_hphc, 0.0, kwh), "hp": hp, "hc": hc}


def own_option_marginal_price_eur_per_kwh(
    opts: OwnOptions,
    taxes: Taxes,
    hc_share: float,
    price_index: float,
    on_hphc: np.ndarray,
    above_factor: float = 1.0,
) -> np.ndarray:
    """:func:`marginal_price_eur_per_kwh` of each household on its own option."""
    base = marginal_price_eur_per_kwh(opts.prices, taxes, hc_share, price_index, above_factor)
    hphc = marginal_price_eur_per_kwh(opts.hphc, taxes, hc_share, price_index, above_factor)
    return np.where(on_hphc, hphc, base)

"""M49-style accounts of the service: depreciation, self-financing capacity, debt extinction years.

The French water and sewerage budget nomenclature (M49) keeps accrual accounts beside the cash
ledger (:mod:`sim.core.ledger`); this module derives their main figures from the run, every year,
without moving any money (the cash ledger stays the one that must balance):

- **depreciation** (amortissement): straight-line, over a stated life per asset class. Mains are
  the network's cohorts (:class:`sim.core.assets.Cohorts`): each material's ``life_years``
  (water.md §1.8), the scenario's cohorts valued at the first year's renewal cost per km (an
  assumption: historical costs are not in the scenario), renewed mains at what they cost. Other
  assets (plants, meters, reservoirs: ``finance.other_capex_eur_per_year``) are yearly vintages
  over ``finance.other_assets_life_years``, opening with the past years' spending at the first
  year's level (an assumption: a steady state). Mains taken out by a renewal are written off at
  their net book value.
- **self-financing capacity** (capacité d'autofinancement, CAF): gross CAF = operating receipts
  (bills paid, net of VAT and levies remitted) − operating expenses including interest (opex,
  interest on loans, the treasury line and citizen shares, and the money that leaves the service);
  net CAF = gross CAF − principal repaid.
- **debt extinction years** (SISPEA P153.2, durée d'extinction de la dette): outstanding debt at
  year end / gross CAF; not defined (NaN) when the gross CAF is not positive.
- the **accounting result** (résultat): gross CAF − depreciation − write-offs.

The renewal gap against the network's needs is the service's (``renewal_gap_km``, water).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.core.ledger import OPEX_LINES, OUTFLOW_LINES

#: year accumulators the accounts need beside the engine's own
ACCOUNT_YEAR_KEYS = ("vat_remitted_eur", "levies_remitted_eur", "share_interest_eur")

#: the M49 columns of the ``years`` table, in order
ACCOUNT_COLUMNS = (
    "depreciation_network_eur",
    "depreciation_other_eur",
    "depreciation_eur",
    "assets_written_off_eur",
    "book_value_eur",
    "operating_receipts_eur",
    "operating_expenses_eur",
    "caf_gross_eur",
    "caf_net_eur",
    "accounting_result_eur",
    "debt_extinction_years",
)


@dataclass
class Vintages:
    """Assets bought year by year, each vintage depreciated straight-line over ``life`` years."""

    year: np.ndarray  # year each vintage entered service (1 January)
    gross: np.ndarray  # its cost (€ of that year)
    life: float

    @classmethod
    def steady_state(cls, start_year: int, spend_per_year: float, life: float) -> Vintages:
        """The vintages still on the books at ``start_year`` if ``spend_per_year`` was spent in
        each of the past years (an assumption: a service that invested at its current level)."""
        n = int(np.ceil(life))
        years = float(start_year) - np.arange(n, 0, -1, dtype=float)
        return cls(years, np.full(n, float(spend_per_year)), float(life))

    def add(self, year: int, amount: float) -> None:
        if amount > 0:
            self.year = np.append(self.year, float(year))
            self.gross = np.append(self.gross, float(amount))

    def book_value_eur(self, at: float) -> float:
        used = np.clip(at - self.year, 0.0, self.life) / self.life
        return float((self.gross * (1.0 - used)).sum())

    def depreciation_eur(self, year: int) -> float:
        return self.book_value_eur(float(year)) - self.book_value_eur(float(year + 1))


def expected_depreciation_eur(
    cohorts: Any,
    other: Vintages,
    year: int,
    renewal_eur: float,
    renewal_life_years: float,
    other_capex_eur: float,
) -> float:
    """Depreciation expected in ``year``, seen from its 1 January before the year's investment:
    the assets on the books, plus the first year of this year's renewal and other investment."""
    dep = other.depreciation_eur(year) + other_capex_eur / other.life
    if cohorts is not None:
        dep += cohorts.depreciation_eur(year) + renewal_eur / renewal_life_years
    return dep


def account_columns(
    acc: dict[str, float],
    debt_eur: float,
    depreciation_network_eur: float,
    depreciation_other_eur: float,
    written_off_eur: float,
    book_value_eur: float,
    extra_opex_lines: tuple[str, ...] = (),
) -> dict[str, float]:
    """The year's M49 figures from its accumulators (see the module docstring); ``extra_opex_lines``
    are the service's own operating lines (:attr:`sim.core.engine.Service.extra_opex_lines`)."""
    receipts = acc["bill_receipts_eur"] - acc["vat_remitted_eur"] - acc["levies_remitted_eur"]
    expenses = (
        sum(acc[k] for k in OPEX_LINES)
        + sum(acc[k] for k in extra_opex_lines)
        + acc["interest_eur"]
        + acc["treasury_interest_eur"]
        + acc["share_interest_eur"]
        + sum(acc[k] for k in OUTFLOW_LINES)
    )
    caf = receipts - expenses
    depreciation = depreciation_network_eur + depreciation_other_eur
    return {
        "depreciation_network_eur": depreciation_network_eur,
        "depreciation_other_eur": depreciation_other_eur,
        "depreciation_eur": depreciation,
        "assets_written_off_eur": written_off_eur,
        "book_value_eur": book_value_eur,
        "operating_receipts_eur": receipts,
        "operating_expenses_eur": expenses,
        "caf_gross_eur": caf,
        "caf_net_eur": caf - acc["principal_eur"],
        "accounting_result_eur": caf - depreciation - written_off_eur,
        "debt_extinction_years": debt_eur / caf if caf > 0 else float("nan"),
    }

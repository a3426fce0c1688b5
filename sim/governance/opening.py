"""The opening tariff: every regime starts from the same cost of service (issue 15, finding 1).

With ``governance.opening_tariff: cost_of_service``, the tariff entered in the scenario gives the
*structure* (standing charge, blocks, social tariff); its level in the first year is scaled so
that the year's expected receipts cover the town's cost of service:

- the costs the council budgets for (:meth:`sim.core.engine.Engine.yearly_cost_parts`:
  staff, energy and treatment, overheads, self-financed investment, debt service, participation;
  or, with ``governance.council.cost_basis: m49``, the same operating costs, interest, and the
  year's depreciation or principal repaid, whichever is larger), the same for every regime;
- in a concession, the tender price adds what the operator takes: its margin and head-office fee
  (shares of revenue), the delegation overhead and corporate taxes (per m3 billed) and the
  renewal provision it collects but does not spend;
- grossed up by the share of bills expected to go unpaid
  (:meth:`~sim.core.engine.Engine.expected_unpaid_share`).

Revenue ``R`` then solves ``R (1 - u) = C + (m + h) R + (d + t) V + P``, i.e.
``R = (C + (d + t) V + P) / (1 - u - m - h)``; the same ``C`` for every regime on one town, so
the money parameters reach the price, and nothing is counted twice. The decision is recorded,
with its parts, in the run's ``decisions`` table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.core.engine import Engine
from sim.i18n import reason

#: fixed-point passes between the tariff level and the unpaid share it implies
_PASSES = 3


@dataclass(frozen=True)
class OpeningCost:
    """What the first year's tariff must recover, in € of the first year (excl. VAT and levies)."""

    costs: dict[str, float]  # Engine.yearly_cost_parts()
    volume_m3: float  # expected billed volume
    margin_share: float = 0.0  # concession: operator margin, share of revenue
    head_office_share: float = 0.0  # concession: head-office fee, share of revenue
    per_m3_eur: float = 0.0  # concession: delegation overhead + corporate taxes, €/m3
    provision_eur: float = 0.0  # concession: renewal provision collected and not spent

    @property
    def cost_eur(self) -> float:
        return float(sum(self.costs.values()))

    def revenue_eur(self, unpaid_share: float) -> float:
        """Revenue to bill so that receipts cover costs and what the operator takes."""
        # the unpaid share counted at most 50 %, as the council's budget does (target_revenue);
        # what the operator takes leaves at least 5 % of revenue to pay the costs
        keep = max(1.0 - min(unpaid_share, 0.5) - self.margin_share - self.head_office_share, 0.05)
        return (self.cost_eur + self.per_m3_eur * self.volume_m3 + self.provision_eur) / keep


def opening_cost(eng: Engine, concession: bool) -> OpeningCost:
    """The cost of service of ``eng``'s town in its first year, as a regime would price it."""
    st = eng.state
    volume = float(eng.last_year_metered.sum())
    costs = eng.yearly_cost_parts(eng.scenario.governance.council.cost_basis)
    if not concession:
        return OpeningCost(costs=costs, volume_m3=volume)
    return OpeningCost(
        costs=costs,
        volume_m3=volume,
        margin_share=st.margin_pct / 100.0,
        head_office_share=st.head_office_pct / 100.0,
        per_m3_eur=(st.delegation_eur_per_unit + st.corporate_tax_eur_per_unit) * eng.cpi,
        provision_eur=st.provision_kept_eur_this_year,
    )


def open_tariff(eng: Engine, concession: bool) -> dict[str, Any]:
    """Scale the tariff in force so the first year recovers the cost of service; the decision row."""
    st = eng.state
    cost = opening_cost(eng, concession)
    index = st.tariff_index
    unpaid = 0.0
    for _ in range(_PASSES):
        revenue_now, bills = eng.project(st.tariff, index)
        unpaid = eng.expected_unpaid_share(bills)
        target = cost.revenue_eur(unpaid)
        index = index * target / revenue_now if revenue_now > 0 else index
    factor = index / st.tariff_index
    st.tariff_index = index
    why = reason("opening_cost_of_service", cost_eur=cost.cost_eur, cost_parts=list(cost.costs.items()))
    if concession:
        why += reason(
            "tender_adds",
            tender_margin_pct=100 * cost.margin_share,
            head_office_pct=100 * cost.head_office_share,
            per_m3_eur=cost.per_m3_eur,
            provision_eur=cost.provision_eur,
        )
    return {
        "body": "contract" if concession else "council",
        "item": "opening_tariff",
        "option": f"x{factor:.3f}",
        "binding": True,
        "adopted": True,
        "veto": False,
        "reason": why + reason("opening_scaled", unpaid_pct=100 * unpaid, factor=factor),
    }

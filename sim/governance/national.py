"""The national rule: a regulated tariff (the TRVE) is set nationally, not by any local regime.

French law fixes the regulated sale tariff by cost stacking (CRE and government, art. L.337-6,
electricity.md §1.4), for Enedis's and the local distributors' customers alike. Under it a régie, a
concession and a cooperative sell at the same prices; they differ in their costs, in what they do
with the surplus (a concession's operator takes it; a régie or a cooperative keeps it in the
service) and in the local decisions the committee may take (a local social aid, renewal). The index
comes from the service (:meth:`sim.electricity.service.ElectricityService.regulated_price_index`);
a price shield (``tariff.shield_max_rise_pct``, electricity.md §1.5) caps the yearly rise, the
State paying the supplier what the cap withholds.
"""

from __future__ import annotations

from typing import Any

from sim.core.engine import Engine
from sim.governance.rules import PolicyView
from sim.i18n import reason
from sim.scenario.model import Scenario


class NationalRule:
    name = "national"

    def __init__(self, scenario: Scenario):
        self.scenario = scenario

    def decide(self, eng: Engine, year: int, policy: PolicyView) -> list[dict[str, Any]]:
        st = eng.state
        before = st.tariff_index
        wanted = eng.service.regulated_price_index(eng)
        if wanted is None:  # a local offer: nothing is set nationally
            return []
        shield = getattr(st.tariff, "shield_max_rise_pct", None)
        decided = wanted
        why = reason("national_cost_stacking")
        if shield is not None and wanted > before * (1.0 + shield / 100.0):
            decided = before * (1.0 + shield / 100.0)
            withheld = eng.project_revenue(st.tariff, wanted) - eng.project_revenue(st.tariff, decided)
            st.other_receipts_eur_this_year += withheld
            rise = 100 * (wanted / before - 1)
            why += reason("price_shield", shield_pct=shield, rise_pct=rise, withheld_eur=withheld)
        st.tariff_index = decided
        policy.keep_cpi_base = eng.cpi
        return [
            policy.row(
                "tariff", f"{100 * (decided / before - 1):+.1f} %", True, True, False, why, body="state"
            )
        ]

"""Public régie: the council sets the tariff each year towards cost recovery.

Rule: the revenue to raise is next year's costs plus a share of the gap to the reserve target
(:func:`sim.governance.committee.target_revenue`); the tariff moves by the factor that would raise it, bounded
by ``council.max_change_pct`` a year, and is frozen (nominal) in the year before a municipal
election when ``council.freeze_before_election``. The committee (CCSPL) gives a consultative opinion.
"""

from __future__ import annotations

from typing import Any

from sim.core.engine import Engine
from sim.governance import committee as cm
from sim.governance.rules import PolicyView
from sim.i18n import reason
from sim.scenario.model import Scenario


def pre_election_year(year: int, first_election: int, every: int) -> bool:
    """True when ``year + 1`` is an election year."""
    return (year + 1 - first_election) % every == 0


class CouncilRule:
    name = "council"

    def __init__(self, scenario: Scenario):
        self.council = scenario.governance.council

    def decide(self, eng: Engine, year: int, policy: PolicyView) -> list[dict[str, Any]]:
        st = eng.state
        c = self.council
        before = st.tariff_index
        target: float | None = None
        if c.freeze_before_election and pre_election_year(
            year, c.election_first_year, c.election_every_years
        ):
            factor, option, why = 1.0, "freeze", reason("frozen_before_election")
        else:
            target = cm.target_revenue(eng, c)
            current = eng.project_revenue(st.tariff, st.tariff_index)
            wanted = target / current if current > 0 else 1.0
            bound = c.max_change_pct / 100.0
            factor = min(max(wanted, 1.0 - bound), 1.0 + bound)
            option = f"{100 * (factor - 1):+.1f} %"
            why = reason("cost_recovery_bounded", needed_pct=100 * (wanted - 1), bound_pct=c.max_change_pct)
        st.tariff_index = before * factor
        policy.keep_cpi_base = eng.cpi
        rows = [policy.row("tariff", option, True, True, False, why, body="council")]
        if not policy.deciding:
            rows.append(policy.consultative_opinion(eng, st.tariff_index, before, target))
        return rows

"""Commons co-governance: the committee's colleges vote the tariff (and the other agenda items).

The tariff item is voted like every other (:mod:`sim.governance.committee`); this rule only holds the tariff
item, so a commons can also be given another tariff rule for comparison.
"""

from __future__ import annotations

from typing import Any

from sim.core.engine import Engine
from sim.governance.rules import PolicyView
from sim.scenario.model import Scenario


class CommitteeRule:
    name = "committee"

    def __init__(self, scenario: Scenario):
        self.scenario = scenario

    def decide(self, eng: Engine, year: int, policy: PolicyView) -> list[dict[str, Any]]:
        if policy.deciding:
            return []  # the tariff is one item of the meeting (PolicyView.committee_items)
        # a committee rule with a consultative committee: its vote is applied as a recommendation
        # taken up by the authority (documented), so the rule still sets a tariff
        return policy.committee_items(eng, ("tariff",))

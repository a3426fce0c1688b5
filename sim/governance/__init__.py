"""Who decides: one small strategy object per regime behind one interface.

The engine calls :meth:`GovernedPolicy.year_start` / ``year_end`` at its decision dates; the
policy changes only the engine's :class:`~sim.core.engine.State` and returns decision rows. The regime
(``governance.regime``) chooses the tariff rule — contract indexation (concession), council cost
recovery (régie), committee vote (commons) — unless ``governance.tariff_rule`` names another; all
money differences come from named parameters in the scenario.
"""

from __future__ import annotations

from sim.governance.base import GovernedPolicy
from sim.governance.rules import TariffRule
from sim.scenario.model import Scenario


def policy_for(scenario: Scenario) -> GovernedPolicy:
    """The policy of the scenario's regime."""
    return GovernedPolicy(scenario)


__all__ = ["GovernedPolicy", "TariffRule", "policy_for"]

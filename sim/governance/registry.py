"""The regime registry: which rule sets the tariff, by name.

A regime (``governance.regime``) names its default tariff rule; ``governance.tariff_rule`` may name
another (a "what if": a régie whose tariff follows a contract's indexation, say). Every name is looked
up here and an unknown one is a located scenario error, never a silent default. Adding a rule is
adding one line to :data:`RULES`, and its name to the scenario's allowed values.
"""

from __future__ import annotations

from typing import Any

from sim.governance.commons import CommitteeRule
from sim.governance.concession import ContractRule
from sim.governance.national import NationalRule
from sim.governance.regie import CouncilRule
from sim.governance.rules import TariffRule
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.model import Scenario

#: tariff rule name -> class (each takes the scenario)
RULES: dict[str, Any] = {
    "contract": ContractRule,
    "council": CouncilRule,
    "committee": CommitteeRule,
    "national": NationalRule,
}

#: regime -> the rule that sets its tariff unless ``governance.tariff_rule`` says otherwise (one
#: entry per name of :data:`sim.scenario.model.REGIMES`; a test holds them equal)
DEFAULT_RULE: dict[str, str] = {"concession": "contract", "regie": "council", "commons": "committee"}


def _unknown(path: str, found: str, allowed: list[str]) -> ScenarioError:
    return ScenarioError(
        [Problem("<scenario>", path, "literal_error", {"found": found, "allowed": ", ".join(allowed)})]
    )


def rule_name(scenario: Scenario) -> str:
    """The tariff rule in force for the scenario's regime: a regulated tariff (an electricity
    scenario's ``tariff.pricing: regulated``) is the national rule's, whatever the regime."""
    g = scenario.governance
    if g.regime not in DEFAULT_RULE:
        raise _unknown("governance.regime", g.regime, sorted(DEFAULT_RULE))
    if getattr(scenario.tariff, "pricing", "local") == "regulated":
        return "national"
    return DEFAULT_RULE[g.regime] if g.tariff_rule == "auto" else g.tariff_rule


def rule_for(name: str, scenario: Scenario) -> TariffRule:
    """A new tariff rule object of that name for the scenario."""
    if name not in RULES:
        raise _unknown("governance.tariff_rule", name, sorted(RULES))
    rule: TariffRule = RULES[name](scenario)
    return rule

"""What a tariff rule and the policy that holds it promise each other (no regime imports another).

:class:`TariffRule` is what :mod:`~sim.governance.concession`, :mod:`~sim.governance.regie` and
:mod:`~sim.governance.commons` implement; :class:`PolicyView` is the part of
:class:`~sim.governance.base.GovernedPolicy` a rule may use. Both are protocols, so the rules and
the policy depend on this module and not on each other.
"""

from __future__ import annotations

from typing import Any, Protocol

from sim.core.engine import Engine
from sim.i18n import Reason


class PolicyView(Protocol):
    """The governed policy, as a tariff rule sees it."""

    deciding: bool  # the committee decides (commons, or a régie that gives it the power)
    keep_cpi_base: float  # CPI at which the tariff in force was set
    concession_active: bool
    contract: Any  # the concession's ContractState (sim.governance.concession)

    def row(
        self,
        item: str,
        option: str,
        binding: bool,
        adopted: bool,
        veto: bool,
        why: Reason,
        yes: dict[str, Any] | None = None,
        body: str = "committee",
    ) -> dict[str, Any]: ...

    def consultative_opinion(
        self, eng: Engine, decided_index: float, before_index: float, target: float | None = None
    ) -> dict[str, Any]: ...

    def committee_items(self, eng: Engine, items: tuple[str, ...] | None = None) -> list[dict[str, Any]]: ...

    def switch_rule(self, name: str) -> None: ...


class TariffRule(Protocol):
    """Sets the tariff at the start of each year (after the first)."""

    name: str

    def decide(self, eng: Engine, year: int, policy: PolicyView) -> list[dict[str, Any]]: ...

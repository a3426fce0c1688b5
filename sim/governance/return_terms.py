"""The terms of a return to public hands that concern the workers: subcontracting and pay.

When a concession ends with a remunicipalisation (``governance.concession.at_end`` is ``regie`` or
``commons``), the contract rule (:mod:`sim.governance.concession`) stops the operator's margin,
fees and taxes, transfers the staff and finances the transition. What the new operator then does
with the work is a choice of its own, named by three parameters of ``governance.concession``:

- ``subcontracted_pct_after_return``: the share of work subcontracted from the switch year on
  (none: unchanged, the subcontracts carry on). Work brought back in-house is paid at the in-house
  wage instead of the subcontract premium, and counts as in-house FTE;
- ``wage_change_at_return_pct``: the change of the wage cost per FTE at the switch (the new
  operator's pay agreement; 0: transferred contracts carry on with their pay);
- ``staff_hired_pct``: staff hired beyond those transferred, in % of them, for the functions the
  operator's group ran centrally (Lyon +25 %, Nice +43 %, water.md §2.1; 0: none, as the margin
  that paid them is no longer counted).

:class:`ReturnTerms` wraps the regime's policy: in the January the contract ends it applies the
terms to the engine's :class:`~sim.core.engine.State` right after the contract rule has decided, and
records a ``return_terms`` decision (its reason a code with the figures), so the ``decisions`` table
says what changed. With both
parameters at their defaults it changes nothing, and runs are identical to the wrapped policy's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.core.engine import Policy
from sim.i18n import reason

if TYPE_CHECKING:
    from sim.core.engine import Engine
    from sim.scenario.model import Scenario

#: the option of the ``contract_end`` decision that marks a return to public hands
RETURN_OPTIONS: tuple[str, ...] = ("remunicipalisation_regie", "remunicipalisation_commons")


def has_terms(scenario: Scenario) -> bool:
    """Whether the scenario names any term of the return (else :class:`ReturnTerms` is not needed)."""
    c = scenario.governance.concession
    return (
        c.subcontracted_pct_after_return is not None
        or c.wage_change_at_return_pct != 0.0
        or c.staff_hired_pct != 0.0
    )


class ReturnTerms(Policy):
    """``inner`` (the regime's policy), plus the workers' terms of a return to public hands."""

    def __init__(self, inner: Policy, scenario: Scenario):
        self.inner = inner
        self.concession = scenario.governance.concession

    def __getattr__(self, name: str) -> Any:  # the agenda, the contract...: the inner policy's
        return getattr(self.inner, name)

    def year_start(self, eng: Engine, year: int) -> list[dict[str, Any]]:
        rows = self.inner.year_start(eng, year)
        if any(r.get("item") == "contract_end" and r.get("option") in RETURN_OPTIONS for r in rows):
            rows.append(self.apply(eng))
        return rows

    def year_end(self, eng: Engine, year: int) -> list[dict[str, Any]]:
        return self.inner.year_end(eng, year)

    def apply(self, eng: Engine) -> dict[str, Any]:
        """Change the engine's state at the switch; return the decision row that says so."""
        c, st = self.concession, eng.state
        before = st.subcontracted_pct
        if c.subcontracted_pct_after_return is not None:
            st.subcontracted_pct = float(c.subcontracted_pct_after_return)
        st.wage_factor *= 1.0 + c.wage_change_at_return_pct / 100.0
        hired = st.staff_transferred * c.staff_hired_pct / 100.0
        st.extra_fte += hired
        after, wage = st.subcontracted_pct, c.wage_change_at_return_pct
        return {
            "body": "contract",
            "item": "return_terms",
            "option": "insourced" if after < before else "subcontracting_kept",
            "binding": True,
            "adopted": True,
            "reason": reason(
                "return_terms",
                before_pct=before,
                after_pct=after,
                wage_change_pct=wage,
                hired_fte=round(hired, 1),  # the FTE as said: to a tenth
            ),
        }


def with_return_terms(policy: Policy, scenario: Scenario) -> Policy:
    """``policy`` wrapped in :class:`ReturnTerms` when the scenario names terms; else ``policy``."""
    return ReturnTerms(policy, scenario) if has_terms(scenario) else policy

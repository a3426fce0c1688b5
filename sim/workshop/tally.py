"""The college rules applied to the room's votes (pure functions, no I/O).

For one agenda item, with the options the model put on the table:

1. **Per college**: a college supports an option when more than half of its *present* members
   (the participants of that college in the session) voted for it. Abstaining counts as not for.
2. **Adoption**: an option passes when it is supported by a majority of the colleges present
   (with all three colleges present: two of three). At most one option can pass.
3. **Citizens' veto** (when the scenario's ``committee.citizen_veto`` is on): an option that cuts
   the essential volume, or raises the share of households above the affordability threshold beyond
   the reference (the option the model puts first, or its ``veto_reference_share_pct`` when the
   status quo cannot balance the budget, plus ``veto_tolerance_pp``), is blocked when the citizens'
   college did not support it. The rule is the model's own (:func:`sim.governance.committee.vote_item`).
4. **Work organisation** is decided by the operators' (workers') college alone: the option that
   more than half of the present operators voted for.
5. If nothing passes, the first option stands (the status quo, or the default the model names
   when the status quo does not recover costs). If nobody voted on the item at all, the procedure's
   own choice is taken, and the decision says so.

Consultative items (``binding`` false: the committee gives an opinion, the council or the contract
decides) are tallied the same way; the result is recorded as the room's opinion.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sim.workshop.store import COLLEGES, WORK_ITEM

#: reason codes (each has a message in :mod:`sim.workshop.strings` as ``reason_<code>``)
REASONS = ("adopted", "workers_decide", "no_majority", "vetoed", "no_votes", "workers_no_majority")


@dataclass(frozen=True)
class VetoRule:
    enabled: bool = True
    tolerance_pp: float = 0.0


def veto_harm(option: dict[str, Any], options: list[dict[str, Any]], rule: VetoRule) -> dict[str, Any] | None:
    """The harm for which the citizens may veto ``option``, or ``None`` when they may not.

    ``{"cuts_essential": bool, "share_above_pct": float | None, "reference_pct": float | None}``:
    the option cuts the essential volume, or raises the share of households above the
    affordability threshold from the reference to ``share_above_pct`` beyond the tolerance. This is
    the one veto rule: :func:`veto_eligible`, :func:`tally_item` and the page all read it.
    """
    if not rule.enabled:
        return None
    eff = option.get("effects") or {}
    share = eff.get("share_above_pct")
    ref = eff.get("veto_reference_share_pct", (options[0].get("effects") or {}).get("share_above_pct"))
    worse = share is not None and ref is not None and share > ref + rule.tolerance_pp
    if not (option.get("cuts_essential") or worse):
        return None
    return {
        "cuts_essential": bool(option.get("cuts_essential")),
        "share_above_pct": share,
        "reference_pct": ref,
    }


def veto_eligible(option: dict[str, Any], options: list[dict[str, Any]], rule: VetoRule) -> bool:
    """True when the citizens may veto ``option``: it cuts the essential volume or worsens
    affordability beyond the reference and the tolerance."""
    return veto_harm(option, options, rule) is not None


def tally_item(
    item: dict[str, Any], votes: list[tuple[str, str]], present: dict[str, int], rule: VetoRule
) -> dict[str, Any]:
    """Decide one agenda item from the room's votes.

    Parameters
    ----------
    item
        An agenda item as :attr:`sim.Result.agenda` gives it (``options``, ``procedure_choice``…).
    votes
        ``(college, option)`` for every vote cast on this item (one per participant).
    present
        Participants per college in the session.
    rule
        The citizens' veto rule of the scenario.

    Returns
    -------
    dict
        ``option``, ``votes_public|operators|citizens`` (votes for the chosen option, ``None``
        when nobody voted), ``veto``, ``adopted`` (the room's vote passed it), ``reason`` (a code of
        :data:`REASONS`) and ``tally`` (votes per option and college, supporters, vetoed option).
    """
    options = item["options"]
    names = [o["name"] for o in options]
    by_name = {o["name"]: o for o in options}
    ok = {o["name"] for o in options if o.get("admissible", True)}
    counts: dict[str, Counter[str]] = {c: Counter() for c in COLLEGES}
    for college, opt in votes:
        if opt in ok and college in counts:
            counts[college][opt] += 1
    per_option = {n: {c: counts[c][n] for c in COLLEGES} for n in names}
    tally: dict[str, Any] = {"counts": per_option, "present": dict(present)}
    status_quo = names[0]

    def result(
        option: str, *, adopted: bool, reason: str, veto: bool = False, counted: bool = True
    ) -> dict[str, Any]:
        yes = per_option[option] if counted else dict.fromkeys(COLLEGES)
        return {
            "option": option,
            "votes_public": yes["public"],
            "votes_operators": yes["operators"],
            "votes_citizens": yes["citizens"],
            "veto": veto,
            "adopted": adopted,
            "reason": reason,
            "tally": tally,
        }

    if item["item"] == WORK_ITEM:
        # the workers' college decides alone; votes of other colleges are not counted
        ops = counts["operators"]
        if not ops:
            return result(item["procedure_choice"], adopted=False, reason="no_votes", counted=False)
        n = present.get("operators", 0)
        winner = next((o for o, k in ops.items() if 2 * k > n), None)
        tally["supporters"] = {winner: ["operators"]} if winner else {}
        if winner is None:
            return result(status_quo, adopted=False, reason="workers_no_majority")
        return result(winner, adopted=True, reason="workers_decide")

    if not any(counts[c] for c in COLLEGES):
        return result(item["procedure_choice"], adopted=False, reason="no_votes", counted=False)

    supporters: dict[str, list[str]] = {}
    for c in COLLEGES:
        n = present.get(c, 0)
        for opt, k in counts[c].items():
            if n > 0 and 2 * k > n:
                supporters.setdefault(opt, []).append(c)
    tally["supporters"] = supporters
    n_colleges = sum(1 for c in COLLEGES if present.get(c, 0) > 0)
    winner = next((o for o in names if 2 * len(supporters.get(o, [])) > n_colleges), None)
    if winner is None:
        return result(status_quo, adopted=False, reason="no_majority")
    if (
        winner != status_quo
        and present.get("citizens", 0) > 0
        and "citizens" not in supporters[winner]
        and veto_eligible(by_name[winner], options, rule)
    ):
        tally["vetoed_option"] = winner
        return result(status_quo, adopted=False, reason="vetoed", veto=True)
    return result(winner, adopted=True, reason="adopted")

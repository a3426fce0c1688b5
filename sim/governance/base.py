"""The governed policy: a tariff rule, a committee whose power depends on the regime, a contract end."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.core.engine import Policy
from sim.governance import committee as cm
from sim.governance import concession
from sim.governance import electricity_options as eo
from sim.governance.concession import ContractState
from sim.governance.opening import open_tariff
from sim.governance.registry import rule_for, rule_name
from sim.governance.rules import TariffRule
from sim.i18n import Reason, reason, reason_code, reason_params, word_reason
from sim.scenario.electricity import ElectricityTariff
from sim.scenario.model import Scenario

if TYPE_CHECKING:
    from sim.core.engine import Engine


class GovernedPolicy(Policy):
    """Regime-aware policy: tariff rule + user committee + contract milestones."""

    def __init__(self, scenario: Scenario):
        g = scenario.governance
        self.scenario = scenario
        self.regime = g.regime
        self.rule: TariffRule = rule_for(rule_name(scenario), scenario)
        power = g.committee.power
        self.deciding = (g.regime == "commons") if power == "auto" else (power == "deciding")
        self.meeting = 0
        self.agenda: list[dict[str, Any]] | None = None
        self.keep_cpi_base = 1.0  # CPI at which the tariff in force was set (for "keep" indexation)
        self.concession_active = g.regime == "concession"
        self.contract = ContractState()
        self.vetoed: dict[tuple[str, str], int] = {}  # (item, option) -> meeting of its last veto

    def switch_rule(self, name: str) -> None:
        """Hand the tariff to another rule (a concession ending in a régie or a commons); a
        regulated tariff stays with the national rule."""
        if self.rule.name != "national":
            self.rule = rule_for(name, self.scenario)

    # -- hooks -------------------------------------------------------------------------------
    def year_start(self, eng: Engine, year: int) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        st = eng.state
        g = self.scenario.governance
        if eng.years == [] and year == self.scenario.town.start_year:
            return self._first_year(eng)
        # contract milestones come before the year's decisions
        if self.concession_active:
            rows += concession.contract_milestones(eng, year, self)
        self.meeting += 1
        stop = g.committee.stop_at_meeting
        if stop is not None and self.meeting == stop:
            self.agenda = self.build_agenda(eng)
            eng.stop_requested = True
            return rows
        rows += self.rule.decide(eng, year, self)
        if self.deciding:
            items = self.agenda_items(eng, with_tariff=self.rule.name in ("committee", "national"))
            rows += self.committee_items(eng, items)
        elif self.regime == "regie" and getattr(self.scenario, "energy_poverty", None) is not None:
            if self.scenario.energy_poverty.arrears.enabled:  # the council's measures on debts
                rows += self.council_items(eng)
        st.participation_eur_per_year = g.committee.meeting_cost_eur_per_year
        return rows

    def year_end(self, eng: Engine, year: int) -> list[dict[str, Any]]:
        if self.concession_active and self.rule.name in ("contract", "national"):
            concession.ContractRule.year_end(eng, self)
        return []

    def _first_year(self, eng: Engine) -> list[dict[str, Any]]:
        g = self.scenario.governance
        st = eng.state
        st.participation_eur_per_year = g.committee.meeting_cost_eur_per_year
        if self.deciding:
            st.extra_fte = g.committee.facilitation_fte
        if g.committee.scic_shares_eur > 0:
            st.other_receipts_eur_this_year = g.committee.scic_shares_eur
            st.share_interest_eur_per_year = (
                g.committee.scic_shares_eur * g.committee.scic_interest_cap_pct / 100
            )
        if self.concession_active:
            concession.start_contract(eng, self)
        if g.opening_tariff == "cost_of_service" and self.rule.name != "national":
            before = st.tariff_index
            row = open_tariff(eng, self.concession_active)
            if self.concession_active:  # the winning bid: the contract indexes from it
                self.contract.price_factor *= st.tariff_index / before
            return [{**row, "meeting": self.meeting}]
        return []

    # -- committee ----------------------------------------------------------------------------
    def logged(self, item: str) -> Any:
        for d in self.scenario.governance.committee.decision_log:
            if d.meeting == self.meeting and d.item == item:
                return d
        return None

    def keep_index(self, eng: Engine) -> float:
        """Tariff index if the tariff simply follows inflation since it was set."""
        st = eng.state
        if not self.scenario.tariff.index_on_inflation:
            return st.tariff_index
        return st.tariff_index * eng.cpi / self.keep_cpi_base

    def item_options(self, eng: Engine, item: str) -> list[cm.Option]:
        options = self._item_options(eng, item)
        if self.rule.name == "national":
            # the price is set nationally: an option that adds costs must fit in the service's margin
            room = cm.headroom_eur(eng, self.scenario.governance.council)
            for o in options[1:]:
                extra = o.effects.get("extra_cost_eur_per_year", 0.0)
                if o.admissible and extra > max(room, 0.0):
                    o.admissible = False
                    o.why_not = reason(
                        "unfinanceable_at_regulated_tariff", extra_cost_eur=extra, room_eur=room
                    )
        return options

    def _item_options(self, eng: Engine, item: str) -> list[cm.Option]:
        c = self.scenario.governance.committee
        logged = [
            d.tariff
            for d in c.decision_log
            if d.meeting == self.meeting and d.item == "tariff" and d.tariff is not None
        ]
        if item == "tariff" and isinstance(eng.state.tariff, ElectricityTariff):
            regulated = self.rule.name == "national"
            return eo.tariff_options(
                eng,
                self.scenario.governance.council,
                self.keep_index(eng),
                regulated,
                tuple(c.variants) + tuple(logged),  # type: ignore[arg-type]
            )
        if item == "tariff":
            return cm.tariff_options(
                eng, self.scenario.governance.council, self.keep_index(eng), tuple(c.variants) + tuple(logged)
            )
        if item == "renewal":
            return cm.renewal_options(eng, c)
        if item == "community_pv":
            return eo.pv_options(eng)
        if item == "essential_block":
            return eo.essential_block_options(eng, self.keep_index(eng), self.rule.name == "national")
        if item == "social_fund":
            return eo.social_fund_options(eng)
        if item == "power_limitation":
            return eo.power_limitation_options(eng)
        if item == "usage":
            return cm.usage_options(eng, c)
        if item == "contribution":
            return cm.contribution_options(eng, c)
        return cm.work_options(eng)

    AGENDA = (
        "tariff",
        "essential_block",
        "renewal",
        "usage",
        "contribution",
        "community_pv",
        "social_fund",
        "power_limitation",
        cm.WORK_ITEM,
    )

    def agenda_items(self, eng: Engine, with_tariff: bool = True) -> tuple[str, ...]:
        """The committee's items that apply to the service (:attr:`Service.committee_items`), in
        the agenda's order; the tariff only when the committee holds it."""
        return tuple(
            i for i in self.AGENDA if i in eng.service.committee_items and (with_tariff or i != "tariff")
        )

    def committee_items(self, eng: Engine, items: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        """Hold the meeting: every agenda item voted (or taken from the decision log)."""
        c = self.scenario.governance.committee
        rows: list[dict[str, Any]] = []
        for item in items or self.agenda_items(eng):
            options = self.cool_down(item, self.item_options(eng, item))
            if item in eo.OPTIONAL_ITEMS and len(options) == 1:
                continue  # nothing to decide on this item this year
            keep_share = options[0].effects.get("share_above_pct")
            chosen, votes = cm.vote_item(options, c, eng.rng["committee"], keep_share)
            log = self.logged(item)
            if log is not None:
                chosen = self.apply_logged(options, log)
                rows.append(
                    self.row(
                        item,
                        log.option,
                        True,
                        True,
                        log.veto,
                        reason("room_decision"),
                        {
                            "public": log.votes_public,
                            "operators": log.votes_operators,
                            "citizens": log.votes_citizens,
                        },
                    )
                )
            else:
                for v in votes:
                    if v.veto:
                        self.vetoed[(item, v.option.name)] = self.meeting
                    chosen_here = v.option is chosen
                    why = v.reason if chosen_here or not v.adopted else v.reason + reason("outvoted")
                    rows.append(self.row(item, v.option.name, True, chosen_here, v.veto, why, v.yes))
                if chosen is options[0] and options[0].name != "keep":
                    rows.append(
                        self.row(
                            item,
                            chosen.name,
                            True,
                            True,
                            False,
                            reason("fallback_fewest_above"),
                        )
                    )
            self.apply(eng, chosen)
        return rows

    #: the social measures a régie's council decides itself when its committee is consultative
    COUNCIL_ITEMS = ("social_fund", "power_limitation")

    def council_items(self, eng: Engine) -> list[dict[str, Any]]:
        """A régie's council decides the social measures on debts itself when arrears are carried
        (``energy_poverty.arrears.enabled``; its committee only gives opinions; without arrears the
        scenario's ``unpaid_response`` stands, as before):
        of the admissible options, the one that best serves the public college's objectives
        (:data:`sim.governance.committee.COLLEGE_WEIGHTS`), if it does better than the status quo;
        no chance is drawn. Items with nothing to decide are not taken up."""
        rows: list[dict[str, Any]] = []
        for item in self.COUNCIL_ITEMS:
            if item not in eng.service.committee_items:
                continue
            options = self.item_options(eng, item)
            if len(options) == 1:
                continue
            keep = cm.college_score("public", options[0].features)
            scored = [(cm.college_score("public", o.features), i, o) for i, o in enumerate(options)]
            best = max((x for x in scored[1:] if x[2].admissible), default=None, key=lambda x: (x[0], -x[1]))
            for _, _, o in scored[1:]:
                if not o.admissible:
                    rows.append(
                        self.row(
                            item,
                            o.name,
                            True,
                            False,
                            False,
                            reason("not_admissible") + o.why_not,
                            body="council",
                        )
                    )
            if best is not None and best[0] > keep:
                chosen = best[2]
                why = reason("council_best_for_public")
            else:
                chosen = options[0]
                why = reason("council_keeps_status_quo")
            rows.append(self.row(item, chosen.name, True, True, False, why, body="council"))
            self.apply(eng, chosen)
        return rows

    def cool_down(self, item: str, options: list[cm.Option]) -> list[cm.Option]:
        """Options vetoed in the last ``veto_cooldown_meetings`` meetings are not put to the vote
        again (they stay listed, not admissible, with the reason); the default option (first) and
        the room's own variants are never held back."""
        n = self.scenario.governance.committee.veto_cooldown_meetings
        if n <= 0:
            return options
        for o in options[1:]:
            k = self.vetoed.get((item, o.name))
            if k is None or o.name.startswith("variant_") or not o.admissible:
                continue
            if self.meeting - k <= n:
                o.admissible = False
                o.why_not = reason("vetoed_recently", vetoed_meeting=k, next_meeting=k + n + 1)
        return options

    def apply_logged(self, options: list[cm.Option], log: Any) -> cm.Option:
        if log.tariff is not None:  # the room's own variant: the option built from its tariff
            for o in options:
                if o.item == "tariff" and o.changes.get("tariff") == log.tariff:
                    if not o.admissible:
                        raise ValueError(
                            f"meeting {self.meeting}: the proposed variant is not admissible "
                            f"({word_reason(o.why_not, 'en')})"
                        )
                    return o
        for o in options:
            if o.name == log.option:
                return o
        names = [o.name for o in options]
        raise ValueError(
            f"meeting {self.meeting}, item {log.item}: option {log.option!r} is not on "
            f"the agenda; options are {names}"
        )

    def apply(self, eng: Engine, opt: cm.Option) -> None:
        st = eng.state
        for key, val in opt.changes.items():
            if key == "extra_fte_add":
                st.extra_fte += val
            else:
                setattr(st, key, val)
        if opt.item == "tariff":
            self.keep_cpi_base = eng.cpi

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
    ) -> dict[str, Any]:
        yes = yes or {}
        return {
            "body": body,
            "item": item,
            "option": option,
            "meeting": self.meeting,
            "votes_public": yes.get("public"),
            "votes_operators": yes.get("operators"),
            "votes_citizens": yes.get("citizens"),
            "veto": veto,
            "binding": binding,
            "adopted": adopted,
            "reason": why,
        }

    def consultative_opinion(
        self, eng: Engine, decided_index: float, before_index: float, target: float | None = None
    ) -> dict[str, Any]:
        """The CCSPL's opinion on a tariff decision it does not take: logged, never binding.
        ``target``: the council's target revenue (:func:`committee.target_revenue`) when its rule
        has just computed it for this decision (only the tariff's index changed since, which the
        target does not read), else computed here."""
        c = self.scenario.governance.committee
        if target is None:
            target = cm.target_revenue(eng, self.scenario.governance.council)
        keep_eff, keep_bills = cm.project(eng, eng.state.tariff, before_index, target, shown=False)
        dec_eff, _ = cm.project(eng, eng.state.tariff, decided_index, target, keep_bills, shown=False)
        keep = cm.Option(
            "tariff",
            "previous",
            "",
            "",
            features={
                "budget": -abs(keep_eff["recovery"] - 1),
                "affordability": -keep_eff["share_above_pct"] / 100,
                "bill": 0.0,
            },
        )
        dec = cm.Option(
            "tariff",
            "decided",
            "",
            "",
            effects=dec_eff,
            features={
                "budget": -abs(dec_eff["recovery"] - 1),
                "affordability": -dec_eff["share_above_pct"] / 100,
                "bill": -dec_eff["median_bill_change_pct"] / 100,
            },
        )
        # the committee without its veto (a frozen model: one copy per committee, not one a year)
        hit = self.__dict__.get("_opinion_committee")
        if hit is None or hit[0] is not c:
            hit = self._opinion_committee = (c, c.model_copy(update={"citizen_veto": False}))
        _, votes = cm.vote_item([keep, dec], hit[1], eng.rng["committee"])
        v = votes[0]
        favourable = len(v.supported_by) >= 2
        return self.row(
            "tariff_opinion",
            "favourable" if favourable else "unfavourable",
            False,
            favourable,
            False,
            reason("ccspl_opinion"),
            v.yes,
            body="ccspl",
        )

    def build_agenda(self, eng: Engine) -> list[dict[str, Any]]:
        """The items and options on the table at this meeting, with projected effects.

        The run stops here, so the meeting is held as it would be (same committee draws, earlier
        items applied before later ones are weighed): ``procedure_choice`` is exactly what an
        uninterrupted run would decide for the item when nobody replaces the procedure.
        """
        year = int(self.scenario.town.start_year + len(eng.years))
        items: tuple[str, ...]
        if self.deciding:
            items = self.agenda_items(eng, with_tariff=self.rule.name in ("committee", "national"))
            if self.rule.name != "committee":
                self.rule.decide(eng, year, self)
        else:
            items = ("tariff",)  # a consultative committee gives its opinion on the tariff
        c = self.scenario.governance.committee
        out = []
        for item in items:
            options = self.cool_down(item, self.item_options(eng, item))
            if item in eo.OPTIONAL_ITEMS and len(options) == 1:
                continue  # nothing to decide on this item this year
            keep_share = options[0].effects.get("share_above_pct")
            proc, _ = cm.vote_item(options, c, eng.rng["committee"], keep_share)
            log = self.logged(item)
            chosen = self.apply_logged(options, log) if log is not None else proc
            if self.deciding:
                self.apply(eng, chosen)
            out.append(
                {
                    "meeting": self.meeting,
                    "year": year,
                    "item": item,
                    "binding": self.deciding,
                    "procedure_choice": proc.name,
                    "options": [
                        {
                            "name": o.name,
                            "label_fr": o.label_fr,
                            "label_en": o.label_en,
                            "admissible": o.admissible,
                            # in English for who reads the JSON; the code and parameters to word it
                            "why_not": word_reason(o.why_not, "en"),
                            "why_not_code": reason_code(o.why_not),
                            "why_not_params": reason_params(o.why_not),
                            "cuts_essential": o.cuts_essential,
                            "effects": dict(o.effects),
                            "changes": {
                                k: (v.model_dump(mode="json") if hasattr(v, "model_dump") else v)
                                for k, v in o.changes.items()
                            },
                        }
                        for o in options
                    ],
                }
            )
        return out

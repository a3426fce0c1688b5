"""The workshop flow, with no user interface: create, join, agenda, vote, close, debrief.

A workshop session is a scenario, a regime and a number of rounds. Round *k* is the committee's
meeting *k* (meetings are yearly; meeting 1 opens the second simulated year). Runs are pure
functions of the scenario and its seed, so the session keeps no live simulation: the agenda of
round *k* is the model run from the start to meeting *k* with the room's decision log so far
(``governance.committee.decision_log`` + ``stop_at_meeting``), and the horizon is ``rounds + 1``
years to keep each replay short. Replays are cached in memory by (scenario fingerprint, log).

Under a commons the committee decides, and its decisions enter the decision log the model replays.
Under a régie or a concession the committee is consultative: the room's vote on the tariff is
recorded as its opinion (``binding`` false), the council or the contract decides, and the opinion
is not put in the log — the debrief then shows, honestly, that the outcome did not change.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from sim.core.tariff import standing_charge_share_pct
from sim.experiments import run as runner
from sim.governance import electricity_options as eo
from sim.scenario.caps import cap_pct
from sim.scenario.electricity import ElectricityTariff
from sim.scenario.errors import ScenarioError
from sim.scenario.model import (
    REGIMES,
    Scenario,
    Tariff,
    dumps_scenario,
    loads_scenario,
    with_changes,
)
from sim.show.report import service_of
from sim.workshop import stories
from sim.workshop.debrief import build_debrief, csv_zip, render_html
from sim.workshop.store import (
    COLLEGES,
    MAX_ROUNDS,
    BadInput,
    Conflict,
    Forbidden,
    Store,
)
from sim.workshop.strings import _num, t, ts, variant_summary
from sim.workshop.tally import WORK_ITEM, VetoRule, tally_item

if TYPE_CHECKING:
    from sim.core.result import Result
    from sim.workshop.debrief import Debrief

LOG_FIELDS = (
    "meeting",
    "item",
    "option",
    "votes_public",
    "votes_operators",
    "votes_citizens",
    "veto",
)


class _LRU:
    """A small thread-safe LRU cache (replays are deterministic, so any hit is exact)."""

    def __init__(self, size: int):
        self.size = size
        self._d: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._inflight: dict[Hashable, threading.Event] = {}

    def get(self, key: Hashable) -> Any:
        with self._lock:
            if key in self._d:
                self._d.move_to_end(key)
                return self._d[key]
            return None

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._d[key] = value
            self._d.move_to_end(key)
            while len(self._d) > self.size:
                self._d.popitem(last=False)

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value, else ``compute()`` once however many threads ask at the same time.

        When a vote opens, every participant's page asks for the same new agenda at once: the
        first caller replays the model, the others wait for its result instead of each replaying
        it (N replays of one core's worth each, and N results in memory).
        """
        with self._lock:
            if key in self._d:
                self._d.move_to_end(key)
                return self._d[key]
            done = self._inflight.get(key)
            owner = done is None
            if owner:
                done = self._inflight[key] = threading.Event()
        assert done is not None
        if not owner:
            done.wait()
            hit = self.get(key)
            return hit if hit is not None else compute()  # the first caller failed: try ourselves
        try:
            value = compute()
            self.put(key, value)
            return value
        finally:
            with self._lock:
                self._inflight.pop(key, None)
            done.set()


#: bounds of a tariff variant proposed in the room: field -> (low, high, unit)
VARIANT_BOUNDS: dict[str, tuple[float, float, str]] = {
    "standing_charge": (0.0, 200.0, "€/an"),
    "free_volume": (0.0, 50.0, "m3/an"),
    "block_price": (0.1, 5.0, "€/m3 HT"),
    "block_up_to": (0.0, 10_000.0, "m3/an"),
}
MAX_VARIANT_BLOCKS = 3
#: bounds of an electricity tariff variant: field -> (low, high, unit). The price fields are a local
#: offer's only (the regulated tariff's price is national, electricity.md §1.4). Assumptions: about
#: four times the TRVE's ≈ 25 €/kVA/yr at 6 kVA and its 0.25 €/kWh TTC of 2024 (§1.4); a block of at
#: most 3,000 kWh per consumption unit (a one-person flat heated otherwise uses 2,200 kWh, §3.1); a
#: rebate of at most half the bill, as the procedure's (``electricity_options.MAX_REBATE_PCT``), for
#: at most the three lowest deciles (those the social fund helps)
ELECTRICITY_VARIANT_BOUNDS: dict[str, tuple[float, float, str]] = {
    "fixed_per_kva": (0.0, 100.0, "€/kVA/an HT"),
    "price_base": (0.01, 1.0, "€/kWh HT"),
    "price_hp": (0.01, 1.0, "€/kWh HT"),
    "price_hc": (0.01, 1.0, "€/kWh HT"),
    "essential_kwh": (0.0, 3_000.0, "kWh/UC/an"),
    "essential_price_pct": (0.0, 100.0, "% du prix du kWh"),
    "social_rebate_pct": (0.0, eo.MAX_REBATE_PCT, "%"),
    "social_deciles": (1, 3, "déciles"),
}
#: the options a local offer's variant may take (Tempo's calendar is the regulated tariff's own)
ELECTRICITY_VARIANT_OPTIONS: tuple[str, ...] = ("base", "hphc")
#: the price fields of each option
OPTION_PRICE_FIELDS: dict[str, tuple[str, ...]] = {"base": ("price_base",), "hphc": ("price_hp", "price_hc")}
#: services besides water a workshop runs (their committee items come from the service)
OTHER_SERVICES: tuple[str, ...] = ("electricity",)


class VariantRefused(BadInput):
    """A tariff variant outside its bounds: ``where`` says which field (``block`` which block).

    ``problem`` names the message (``vp_…`` in the strings) and ``fields`` fill it, so the page
    shows the error in its own language: :meth:`message`.
    """

    key = "err_variant"

    def __init__(self, where: str, problem: str, detail: str, block: int | None = None, **fields: Any):
        super().__init__(detail)
        self.where, self.problem, self.block, self.fields = where, problem, block, fields

    def message(self, lang: str) -> str:
        """The located message in ``lang`` (an electricity field's words are in the catalogues)."""
        fields = {k: _num(v, lang) if isinstance(v, float) else v for k, v in self.fields.items()}
        where = ts("vf_" + self.where, lang, n=self.block) if self.block else ts("vf_" + self.where, lang)
        return t(self.key, lang, where=where, problem=ts("vp_" + self.problem, lang, **fields))


def _number(
    value: Any,
    where: str,
    block: int | None = None,
    bounds: dict[str, tuple[float, float, str]] = VARIANT_BOUNDS,
) -> float:
    lo, hi, unit = bounds[where]
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not lo <= value <= hi:
        raise VariantRefused(
            where,
            "range",
            f"{where}{'' if block is None else f' (block {block})'}: {value!r} is not between"
            f" {lo:g} and {hi:g} {unit}",
            block,
            lo=lo,
            hi=hi,
        )
    return float(value)


def _tariff_key(t: dict[str, Any] | None) -> str:
    return "" if t is None else json.dumps(t, sort_keys=True)


def _log_key(log: list[dict[str, Any]]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(d[k] for k in LOG_FIELDS) + (_tariff_key(d.get("tariff")),) for d in log)


class Workshop:
    """Workshop sessions over a :class:`~sim.workshop.store.Store`.

    Every method takes the session code; facilitator actions take the facilitator token and
    participant actions the participant token. Bad requests raise a
    :class:`~sim.workshop.store.WorkshopError` and change nothing.
    """

    def __init__(self, store: Store | None = None, *, cache_size: int = 256):
        self.store = store if store is not None else Store()
        self._runs = _LRU(cache_size)
        self._scenarios = _LRU(64)

    # -- scenario and runs ------------------------------------------------------------------
    def create_session(
        self, scenario: Scenario | str | bytes, regime: str | None = None, rounds: int = 3
    ) -> tuple[str, str]:
        """Open a session in the lobby; returns ``(code, facilitator_token)``.

        ``scenario`` is a Scenario or YAML text (``extends:`` may name a shipped scenario). Any
        earlier decision log or stop in it is cleared: the room starts from the procedure.
        """
        if isinstance(scenario, str | bytes):
            try:
                # the one safe loader: an uploaded scenario may extend only a built-in one
                scenario = loads_scenario(scenario, origin="<atelier>", other_services=OTHER_SERVICES)
            except ScenarioError as exc:
                raise BadInput.of(exc) from None
        regime = regime or scenario.governance.regime
        if regime not in REGIMES:
            raise BadInput(f"regime must be one of {REGIMES}")
        base = with_changes(
            scenario,
            {"governance.committee.decision_log": [], "governance.committee.stop_at_meeting": None},
        )
        if not isinstance(rounds, int) or not 1 <= rounds <= MAX_ROUNDS:
            raise BadInput(f"rounds must be between 1 and {MAX_ROUNDS}")
        # run to the first meeting now, so a scenario the model cannot run is refused here, with
        # its reason, rather than in front of the room
        try:
            first = with_changes(
                base,
                {
                    "governance.regime": regime,
                    "horizon_years": rounds + 1,
                    "governance.committee.stop_at_meeting": 1,
                },
            )
            if not runner.simulate(first).agenda:
                raise BadInput("the model puts nothing on the committee's agenda")
        except ScenarioError as exc:
            raise BadInput.of(exc) from None
        except (ValueError, ArithmeticError) as exc:
            raise BadInput(f"the model cannot run this scenario: {exc}") from None
        return self.store.create_session(dumps_scenario(base), regime, rounds)

    def base_scenario(self, code: str) -> Scenario:
        """The session's scenario with its regime and a ``rounds + 1`` year horizon, no log."""
        s = self.store.session(code)
        key = self._fingerprint(s)
        hit = self._scenarios.get(key)
        if hit is None:
            hit = with_changes(
                loads_scenario(
                    s["scenario_yaml"], origin=f"session {s['code']}", other_services=OTHER_SERVICES
                ),
                {"governance.regime": s["regime"], "horizon_years": s["rounds"] + 1},
            )
            self._scenarios.put(key, hit)
        return hit

    @staticmethod
    def _fingerprint(s: dict[str, Any]) -> str:
        text = f"{s['regime']}\n{s['rounds']}\n{s['scenario_yaml']}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def scenario(
        self,
        code: str,
        *,
        with_log: bool = True,
        stop_at: int | None = None,
        log: list[dict[str, Any]] | None = None,
        variants: list[dict[str, Any]] | None = None,
    ) -> Scenario:
        """The scenario the model runs for this session: the room's log (or ``log``, or none).

        ``variants`` (tariffs as dicts) are the room's proposals put on the tariff item's table.
        """
        if log is None:
            log = self.log(code) if with_log else []
        changes: dict[str, Any] = {"governance.committee.decision_log": log}
        if variants:
            changes["governance.committee.variants"] = variants
        if stop_at is not None:
            changes["governance.committee.stop_at_meeting"] = stop_at
        return with_changes(self.base_scenario(code), changes)

    def run(
        self,
        code: str,
        *,
        with_log: bool = True,
        stop_at: int | None = None,
        log: list[dict[str, Any]] | None = None,
        variants: list[dict[str, Any]] | None = None,
    ) -> Result:
        """The model run (cached): to meeting ``stop_at`` or the whole horizon.

        The log is the room's (``with_log``), none, or the ``log`` given; ``variants`` as in
        :meth:`scenario`.
        """
        s = self.store.session(code)
        if log is None:
            log = self.log(code) if with_log else []
        vkey = tuple(_tariff_key(v) for v in variants or ())
        key = (self._fingerprint(s), _log_key(log), stop_at, vkey)
        return self._runs.get_or_compute(
            key, lambda: runner.simulate(self.scenario(code, stop_at=stop_at, log=log, variants=variants))
        )

    def procedure_choices(self, code: str, meeting: int, log: list[dict[str, Any]]) -> dict[str, str]:
        """What the committee's own procedure decides at ``meeting`` on the items not in ``log``.

        Read from the model's ``decisions`` of a run through that meeting, so it is exactly what
        the baseline (and a replay) applies; the agenda's ``procedure_choice`` is only a
        projection (the model draws it with a fixed generator, not the run's committee stream).
        Items the procedure did not decide there (a consultative committee) are absent.
        """
        s = self.store.session(code)
        stop = meeting + 1 if meeting < s["rounds"] else None
        df = self.run(code, stop_at=stop, log=log).decisions
        if df.empty or not {"item", "option", "adopted"} <= set(df.columns):
            return {}
        if "meeting" in df.columns:
            at = df["meeting"] == meeting
        else:  # older tables: meeting k opens simulated year k + 1
            year = self.base_scenario(code).town.start_year + meeting
            at = df["date"].astype(str).str.startswith(str(year))
        if "body" in df.columns:
            at &= df["body"] == "committee"
        return {str(r.item): str(r.option) for r in df[at & df["adopted"].astype(bool)].itertuples()}

    def log(self, code: str) -> list[dict[str, Any]]:
        """The decision log the model replays: the room's binding decisions, round = meeting."""
        return [
            {
                "meeting": d["round"],
                "item": d["item"],
                "option": d["option"],
                "votes_public": d["votes_public"],
                "votes_operators": d["votes_operators"],
                "votes_citizens": d["votes_citizens"],
                "veto": d["veto"],
                "tariff": d.get("tariff"),  # the room's own variant, replayed from its tariff
            }
            for d in self.store.decisions(code)
            if d["binding"]
        ]

    def agenda_of(self, code: str, round_: int) -> list[dict[str, Any]]:
        """The agenda of meeting ``round_`` given the decisions taken before it.

        Each binding item's ``procedure_choice`` is what the procedure would actually decide if
        nobody in the room voted (see :meth:`procedure_choices`). The round's tariff variants are
        on the tariff item as ``variant_1``… (with ``variant_id`` and ``proposed_by``).
        """
        s = self.store.session(code)
        log = [d for d in self.log(code) if d["meeting"] < round_]
        proposed = self.store.tariff_variants(code, round_)
        vkey = tuple((v["id"], _tariff_key(v["tariff"])) for v in proposed)
        key = ("agenda", self._fingerprint(s), _log_key(log), round_, vkey)

        def compute() -> list[dict[str, Any]]:
            tariffs = [v["tariff"] for v in proposed]
            run = self.run(code, stop_at=round_, log=log, variants=tariffs)
            agenda = copy.deepcopy(run.agenda or [])
            proc = self.procedure_choices(code, round_, log)
            by_option = {v["option"]: v for v in proposed}
            for item in agenda:
                names = [o["name"] for o in item["options"]]
                if item["item"] == "tariff":
                    for o in item["options"]:
                        v = by_option.get(o["name"])
                        if v is not None:
                            o["variant_id"], o["proposed_by"] = v["id"], v["name"]
                if item.get("binding", True):
                    choice = proc.get(item["item"], names[0])
                    if choice in names:
                        item["procedure_choice"] = choice
            return agenda

        return copy.deepcopy(self._runs.get_or_compute(key, compute))

    def veto_rule(self, code: str) -> VetoRule:
        """The citizens' veto rule of the session's scenario (the page shows what it blocks)."""
        c = self.base_scenario(code).governance.committee
        return VetoRule(enabled=c.citizen_veto, tolerance_pp=c.veto_tolerance_pp)

    def service(self, code: str) -> str:
        """The session's service (``water`` or ``electricity``), from its scenario."""
        return service_of(self.base_scenario(code))

    def story(self, code: str) -> str | None:
        """The story the session's scenario tells (:func:`sim.workshop.stories.story_of`)."""
        return stories.story_of(self.base_scenario(code))

    def regulated(self, code: str) -> bool:
        """Whether the session's electricity is sold at the regulated tariff (TRVE), whose price
        is set nationally: the committee's other items are then paid from the service's margin."""
        tariff = self.base_scenario(code).tariff
        return getattr(tariff, "pricing", None) == "regulated"

    def story_view(self, code: str) -> dict[str, Any]:
        """What the room sees of its story, from the model's runs.

        ``{"story": name or None, "years": DataFrame}``: for ``storm``, the storm panel's
        columns of every year simulated so far with the room's decisions (to the current meeting,
        the whole horizon once the workshop is over), with ``overhead_pct`` and ``storm_years``;
        for ``crisis_2022``, ``years`` is the table of the income groups' bills and energy
        poverty with the shield and without it (the procedure's run, whole horizon, same seed),
        with ``shock_years`` and ``shield_pct``.
        """
        name = self.story(code)
        out: dict[str, Any] = {"story": name}
        if name == "storm":
            s = self.store.session(code)
            if s["state"] == "finished":
                years = self.run(code).years
            else:
                rnd = s["current_round"]
                years = self.run(
                    code, stop_at=rnd, log=[d for d in self.log(code) if d["meeting"] < rnd]
                ).years
            out["years"] = stories.storm_facts(years)
            out["overhead_pct"] = stories.overhead_customers_share_pct(years)
            out["storm_years"] = stories.shock_years(self.base_scenario(code), "storm")
        elif name == "crisis_2022":
            base = self.base_scenario(code)
            s = self.store.session(code)
            key = ("without_shield", self._fingerprint(s))
            without = self._runs.get_or_compute(key, lambda: runner.simulate(stories.without_shield(base)))
            out["years"] = stories.shield_table(self.run(code, with_log=False), without)
            out["shock_years"] = stories.shock_years(base, "energy_price")
            out["shield_pct"] = getattr(base.tariff, "shield_max_rise_pct", None)
        return out

    def current_agenda(self, code: str) -> list[dict[str, Any]]:
        """The agenda of the current round (empty once the workshop is finished)."""
        s = self.store.session(code)
        if s["state"] == "finished":
            return []
        return self.agenda_of(code, s["current_round"])

    # -- facilitator ------------------------------------------------------------------------
    def check_facilitator(self, code: str, token: str) -> None:
        if not self.store.is_facilitator(code, token):
            raise Forbidden("wrong facilitator token")

    def open_vote(self, code: str, facilitator_token: str) -> dict[str, Any]:
        return self.store.open_vote(code, facilitator_token)

    def live_counts(self, code: str, facilitator_token: str) -> dict[str, Any]:
        """Votes of the current round: ``{item: {option: {college: n}}}`` and voters per item."""
        self.check_facilitator(code, facilitator_token)
        s = self.store.session(code)
        out: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        voters: dict[str, int] = defaultdict(int)
        for r in self.store.vote_counts(code, s["current_round"]):
            out[r["item"]][r["option"]][r["college"]] = r["n"]
            voters[r["item"]] += r["n"]
        return {
            "round": s["current_round"],
            "state": s["state"],
            "counts": {k: dict(v) for k, v in out.items()},
            "voters": dict(voters),
        }

    def close_vote(self, code: str, facilitator_token: str) -> list[dict[str, Any]]:
        """Tally the open round with the college rules, record its decisions, advance the round.

        Returns the decisions of the round just closed.
        """
        self.check_facilitator(code, facilitator_token)
        s = self.store.session(code)
        if s["state"] != "voting":
            raise Conflict("the vote is not open")
        rnd = s["current_round"]
        proposed = self.store.tariff_variants(code, rnd)
        variant_tariff = {v["option"]: v["tariff"] for v in proposed}
        agenda = self.agenda_of(code, rnd)

        def tariff_of(item: str, option: str) -> dict[str, Any] | None:
            return variant_tariff.get(option) if item == "tariff" else None

        rule = self.veto_rule(code)

        def decide(votes: list[dict[str, Any]], people: list[dict[str, Any]]) -> list[dict[str, Any]]:
            present = dict.fromkeys(COLLEGES, 0)
            for p in people:
                present[p["college"]] += 1
            by_item: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for v in votes:
                by_item[v["item"]].append((v["college"], v["option"]))
            tallies = [tally_item(i, by_item.get(i["item"], []), present, rule) for i in agenda]
            # items nobody voted on: the procedure decides, after the room's other decisions of
            # this meeting, exactly as the model will when it replays the log
            idle = [
                i["item"]
                for i, d in zip(agenda, tallies, strict=True)
                if d["reason"] == "no_votes" and i.get("binding", True)
            ]
            if idle:
                log = [x for x in self.log(code) if x["meeting"] < rnd] + [
                    {
                        "meeting": rnd,
                        "item": i["item"],
                        **{k: d[k] for k in LOG_FIELDS[2:]},
                        "tariff": tariff_of(i["item"], d["option"]),
                    }
                    for i, d in zip(agenda, tallies, strict=True)
                    if i.get("binding", True) and i["item"] not in idle
                ]
                proc = self.procedure_choices(code, rnd, log)
                for i, d in zip(agenda, tallies, strict=True):
                    choice = proc.get(i["item"], i["procedure_choice"])
                    if i["item"] in idle and any(o["name"] == choice for o in i["options"]):
                        d["option"] = choice
            rows = []
            for item, d in zip(agenda, tallies, strict=True):
                opt = next(o for o in item["options"] if o["name"] == d["option"])
                rows.append(
                    {
                        **d,
                        "item": item["item"],
                        "year": item["year"],
                        "binding": bool(item.get("binding", True)),
                        "label_fr": opt["label_fr"],
                        "label_en": opt["label_en"],
                        "tariff": tariff_of(item["item"], d["option"]),
                    }
                )
            return rows

        self.store.close_round(
            code, facilitator_token, rnd, decide, expected_variants=[v["id"] for v in proposed]
        )
        return [d for d in self.store.decisions(code) if d["round"] == rnd]

    def set_seats(self, code: str, facilitator_token: str, seats: dict[str, int | None]) -> dict[str, int]:
        """How many seats each college has (``None`` or 0: no limit); facilitator only."""
        return self.store.set_seats(code, facilitator_token, seats)

    # -- participants -----------------------------------------------------------------------
    def join(self, code: str, name: str, college: str | None = None) -> dict[str, Any]:
        """Join a session; returns the participant with their token (keep it: it is their place)."""
        return self.store.join(code, name, college)

    def me(self, code: str, token: str) -> dict[str, Any]:
        return self.store.participant(code, token)

    def vote(self, code: str, token: str, item: str, option: str) -> None:
        """Vote (or change one's vote) on an item of the open round."""
        s = self.store.session(code)
        if s["state"] != "voting":
            raise Conflict("the vote is not open")
        me = self.store.participant(code, token)
        agenda = {i["item"]: i for i in self.agenda_of(code, s["current_round"])}
        if item not in agenda:
            raise BadInput(f"{item!r} is not on the agenda")
        if item == WORK_ITEM and me["college"] != "operators":
            raise Forbidden("work organisation is decided by the operators' college alone")
        ok = {o["name"] for o in agenda[item]["options"] if o.get("admissible", True)}
        if option not in ok:
            raise BadInput(f"{option!r} is not an admissible option of {item!r}")
        self.store.put_vote(code, token, s["current_round"], item, option, options=ok)

    def my_votes(self, code: str, token: str) -> dict[str, str]:
        s = self.store.session(code)
        return self.store.my_votes(code, token, s["current_round"])

    def comment(self, code: str, token: str, text: str) -> None:
        self.store.add_comment(code, token, text)

    def propose_variant(self, code: str, token: str, item: str, text: str) -> None:
        """A free-text variant, kept in the cahier (a tariff variant: :meth:`propose_tariff`)."""
        self.store.add_variant(code, token, item, text)

    def current_tariff(self, code: str) -> dict[str, Any]:
        """The tariff in force at the current round's meeting (its structure, before indexing)."""
        s = self.store.session(code)
        if s["state"] == "finished":
            raise Conflict("the workshop is over")
        log = [d for d in self.log(code) if d["meeting"] < s["current_round"]]
        for item in self.run(code, stop_at=s["current_round"], log=log).agenda or []:
            if item["item"] == "tariff":
                for o in item["options"]:
                    # the tariff in force: water's rescaled; electricity's as it is (the
                    # regulated tariff has no "balance": its level is national)
                    if o["name"] == ("keep" if self.service(code) != "water" else "balance"):
                        return dict(o["changes"]["tariff"])
        raise Conflict("the tariff is not on this meeting's agenda")

    def check_tariff_variant(
        self,
        code: str,
        standing_charge: Any,
        free_volume: Any,
        blocks: list[tuple[Any, Any]],
    ) -> dict[str, Any]:
        """The tariff of a variant within bounds, as a dict; :class:`VariantRefused` if not.

        ``blocks`` is 1 to 3 ``(up_to_m3, price)``, the last one's ``up_to_m3`` None. Levies,
        VAT, the seasonal surcharge and the social tariff are the tariff in force. A standing
        charge above the legal cap (30 % of a 120 m3 bill in towns, 40 % in the country) is
        refused here; cost recovery is judged by the model on the agenda (``why_not``).
        Variants are water's blocks per m3: an electricity session refuses them.
        """
        if self.service(code) != "water":
            raise BadInput("tariff variants are blocks per m3 of water: not for this service")

        sc = _number(standing_charge, "standing_charge")
        free = _number(free_volume, "free_volume")
        if not isinstance(blocks, list | tuple) or not 1 <= len(blocks) <= MAX_VARIANT_BLOCKS:
            raise VariantRefused("blocks", "count", f"1 to {MAX_VARIANT_BLOCKS} blocks", n=MAX_VARIANT_BLOCKS)
        out_blocks: list[dict[str, Any]] = []
        for i, pair in enumerate(blocks, start=1):
            up_to, price = pair
            last = i == len(blocks)
            if last:
                up = None
            else:
                up = _number(up_to, "block_up_to", i)
                if out_blocks and up <= out_blocks[-1]["up_to_m3"]:
                    raise VariantRefused(
                        "block_up_to",
                        "increasing",
                        f"block {i}: {up:g} m3 is not above block {i - 1}'s bound",
                        i,
                        m=i - 1,
                    )
            out_blocks.append({"up_to_m3": up, "price_eur_per_m3": _number(price, "block_price", i)})
        current = self.current_tariff(code)
        raw = {
            **current,
            "standing_charge_eur_per_year": sc,
            "free_volume_m3": free,
            "blocks": out_blocks,
        }
        try:
            tariff = Tariff.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(x) for x in err["loc"])
            raise VariantRefused("tariff", "model", f"{loc}: {err['msg']}", msg=err["msg"]) from None
        scen = self.base_scenario(code)
        cap = cap_pct(scen.town.urban)
        share = standing_charge_share_pct(tariff, 2)
        if share > cap + 1e-9:
            raise VariantRefused(
                "standing_charge",
                "cap",
                f"standing charge {share:.0f} % of a 120 m3 bill > legal cap {cap:.0f} %",
                share=f"{share:.0f}",
                cap=f"{cap:.0f}",
            )
        return tariff.model_dump(mode="json")

    def propose_tariff(
        self,
        code: str,
        token: str,
        standing_charge: Any,
        free_volume: Any,
        blocks: list[tuple[Any, Any]],
    ) -> str:
        """A participant proposes a tariff variant for the current round; returns its option name.

        It goes on the tariff item's table as ``variant_i`` (scaled to the revenue needed, with
        its projected effects) and is voted like any option.
        """
        self.store.participant(code, token)  # Forbidden before any model run
        tariff = self.check_tariff_variant(code, standing_charge, free_volume, blocks)

        n = self.store.add_tariff_variant(code, token, tariff, variant_summary(tariff, "fr"))
        return f"variant_{n}"

    def check_electricity_variant(
        self,
        code: str,
        *,
        option: Any = None,
        fixed_per_kva: Any = None,
        price_base: Any = None,
        price_hp: Any = None,
        price_hc: Any = None,
        essential_kwh: Any = 0.0,
        essential_price_pct: Any = 50.0,
        social_rebate_pct: Any = 0.0,
        social_deciles: Any = 2,
    ) -> dict[str, Any]:
        """The electricity tariff of a variant within bounds, as a dict; :class:`VariantRefused`
        (located, bilingual) if not, and nothing is stored.

        What a local operator may decide (electricity.md §1.2, §1.4): under the regulated tariff
        (TRVE) the price is national, so a variant may only set a local **essential-kWh block**
        (``essential_kwh`` per consumption unit a year at ``essential_price_pct`` % of the kWh price,
        the service's margin paying it: the kWh above keep the national price) and a local
        **social rebate** (``social_rebate_pct`` % of the bill excl. tax for deciles 1 to
        ``social_deciles``); a price field given there is refused. A local offer's variant also sets
        its structure: ``option`` Base or HP/HC, a fixed part of ``fixed_per_kva`` €/kVA a year at
        every power of the grid in force, and the energy prices (``price_base``, or ``price_hp`` and
        ``price_hc``), all excl. tax; the model scales them to the revenue needed, as the
        procedure's options. Taxes, the network tariff (TURPE) and the rest stay the tariff in force.
        ``essential_kwh`` 0 or ``social_rebate_pct`` 0: no block, no rebate.
        """
        if self.service(code) != "electricity":
            raise BadInput("this variant is an electricity tariff: not for this service")
        b = ELECTRICITY_VARIANT_BOUNDS
        current = ElectricityTariff.model_validate(self.current_tariff(code))
        prices = {"price_base": price_base, "price_hp": price_hp, "price_hc": price_hc}
        update: dict[str, Any] = {}
        if current.pricing == "regulated":
            given = {"option": option, "fixed_per_kva": fixed_per_kva, **prices}
            for where, value in given.items():
                if value is not None:
                    raise VariantRefused(
                        where, "national", f"{where}: the regulated tariff's price is set nationally"
                    )
        else:
            if not isinstance(option, str) or option not in ELECTRICITY_VARIANT_OPTIONS:
                raise VariantRefused(
                    "option", "option", f"option: {option!r} is not one of {ELECTRICITY_VARIANT_OPTIONS}"
                )
            fixed = _number(fixed_per_kva, "fixed_per_kva", bounds=b)
            energy: dict[str, float] = {}
            for where, value in prices.items():
                if where not in OPTION_PRICE_FIELDS[option]:
                    if value is not None:
                        raise VariantRefused(
                            where, "not_for_option", f"{where}: not a price of option {option}"
                        )
                    continue
                energy[where.removeprefix("price_")] = _number(value, where, bounds=b)
            if option == "hphc" and energy["hc"] > energy["hp"]:
                raise VariantRefused("price_hc", "hc_above_hp", "price_hc: above the peak-hour price")
            update |= {
                "option": option,
                "build": "grid",
                "prices_include_taxes": False,
                "fixed_eur_per_year_by_kva": {k: fixed * k for k in current.fixed_eur_per_year_by_kva},
                "energy_eur_per_kwh": energy,
                "fixed_part_factor": 1.0,
                "energy_part_factor": 1.0,
            }
        kwh = _number(essential_kwh, "essential_kwh", bounds=b)
        pct = _number(essential_price_pct, "essential_price_pct", bounds=b)
        block = current.essential_block.model_copy(
            update={"enabled": True, "kwh_per_unit_year": kwh, "price_factor": pct / 100.0}
            if kwh > 0
            else {"enabled": False}
        )
        rebate = _number(social_rebate_pct, "social_rebate_pct", bounds=b)
        lo, hi, _ = b["social_deciles"]
        whole = isinstance(social_deciles, int) and not isinstance(social_deciles, bool)
        if not whole or not lo <= social_deciles <= hi:
            raise VariantRefused(
                "social_deciles",
                "range",
                f"social_deciles: {social_deciles!r} is not a whole number between {lo:g} and {hi:g}",
                lo=int(lo),
                hi=int(hi),
            )
        takeup = (
            current.social.eligible_share
            if current.social.enabled
            else self.base_scenario(code).governance.committee.social_takeup_share
        )
        social = current.social.model_copy(
            update={
                "enabled": True,
                "eligible_deciles": tuple(range(1, social_deciles + 1)),
                "rebate_pct": rebate,
                "eligible_share": takeup,
            }
            if rebate > 0
            else {"enabled": False}
        )
        raw = {
            **current.model_dump(mode="json"),
            **update,
            "essential_block": block.model_dump(mode="json"),
            "social": social.model_dump(mode="json"),
        }
        if block.enabled:
            raw["essential_block"]["above_factor"] = 1.0  # the scaling (or the margin) finances it
        try:
            tariff = ElectricityTariff.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(x) for x in err["loc"])
            raise VariantRefused("tariff", "model", f"{loc}: {err['msg']}", msg=err["msg"]) from None
        out = tariff.model_dump(mode="json")
        if out == current.model_dump(mode="json"):
            # e.g. an emptied form under the regulated tariff: no block, no rebate; on the ballot it
            # would be a second "keep the tariff" splitting its votes
            raise VariantRefused(
                "tariff", "no_change", "the variant is the tariff in force: it changes nothing"
            )
        return out

    def propose_electricity_tariff(self, code: str, token: str, **fields: Any) -> str:
        """A participant proposes an electricity tariff variant for the current round (fields:
        :meth:`check_electricity_variant`); returns its option name ``variant_i``, voted like any
        option. Refused (:class:`VariantRefused`), nothing is stored."""
        self.store.participant(code, token)  # Forbidden before any model run
        tariff = self.check_electricity_variant(code, **fields)
        n = self.store.add_tariff_variant(code, token, tariff, variant_summary(tariff, "fr"))
        return f"variant_{n}"

    def delete_tariff_variant(self, code: str, facilitator_token: str, variant_id: int) -> None:
        """The facilitator withdraws a tariff variant of the current round (see the store)."""
        self.store.delete_tariff_variant(code, facilitator_token, variant_id)

    # -- debrief ----------------------------------------------------------------------------
    def debrief(self, code: str) -> Debrief:
        """Decisions, the room's run against the procedure's (same seed), deciles, the cahier."""

        return build_debrief(self, code)

    def debrief_html(self, code: str, lang: str = "fr") -> str:

        return render_html(self.debrief(code), lang)

    def debrief_csv_zip(self, code: str) -> bytes:

        return csv_zip(self.debrief(code))

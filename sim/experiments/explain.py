"""Why two scenarios differ: the gap of one indicator, decomposed difference by difference.

``explain(a, b)`` runs ``a``, then switches each difference between ``a`` and ``b`` from its value
in ``a`` to its value in ``b``, one at a time and keeping the earlier switches, on the same seed
(same weather, breaks and households), and records how much each switch moved the indicator. The
last step is ``b`` itself, so the parts add up to ``b - a`` exactly; the residual is what is left
of floating-point rounding (it is reported, and zero in practice).

**The order is stated, and it matters** (a margin changes nothing while the council, not a
contract, sets the price). It is:

1. the decision rule: ``governance.regime`` (the contract's indexation, the council's cost
   recovery or the committee's vote) and ``governance.tariff_rule``, with the rule's own
   parameters switched after it, so that they act under the rule that uses them;
2. then every other differing parameter, in the order of the scenario's blocks (town,
   households, network, resource, tariff, finance, workforce, …, governance).

A list of blocks (tariff blocks, pipe cohorts) is switched as a whole. When a switch alone would
make an invalid scenario (a rule that needs another parameter), it is switched together with the
next difference, and the part says so by naming both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sim.experiments.compare import flatten
from sim.experiments.run import simulate
from sim.governance.registry import rule_name
from sim.i18n import localise_numbers
from sim.scenario.errors import ScenarioError
from sim.scenario.model import Scenario, scenario_to_dict, with_changes
from sim.scenario.schema import get_path, param_at

#: the differences switched first: the decision rule (see the module docstring)
RULE_KEYS: tuple[str, ...] = ("governance.regime", "governance.tariff_rule")
#: indicators that can be explained: yearly column, its unit
EXPLAINABLE: dict[str, str] = {
    "price_120m3_eur_per_m3": "€/m3",
    "bill_120m3_eur": "€",
    "share_households_above_3pct": "%",
    "reserves_eur": "€",
    "outflow_eur": "€",
    "debt_eur": "€",
    "price_ref_eur_per_kwh": "€/kWh",
    "bill_ref_eur": "€",
    "energy_poverty_pct": "%",
    "saidi_min": "min",
}
#: the indicator explained when none is named, by service
DEFAULT_INDICATOR: dict[str, str] = {
    "water": "price_120m3_eur_per_m3",
    "electricity": "price_ref_eur_per_kwh",
}
#: the key of a part's value in the JSON object, by unit
JSON_SUFFIX: dict[str, str] = {
    "€/m3": "eur_per_m3",
    "€/kWh": "eur_per_kwh",
    "€": "eur",
    "%": "pct",
    "min": "min",
}

#: the decision rule each regime applies to the tariff, said in words
RULE_WORDS: dict[str, tuple[str, str]] = {
    "concession": (
        "le contrat fixe le tarif : indexation Kn, avenants, renouvellement de contrat",
        "the contract sets the tariff: Kn indexation, avenants, re-tender",
    ),
    "regie": (
        "le conseil fixe le tarif vers le recouvrement des coûts, hausses lissées",
        "the council sets the tariff towards cost recovery, rises smoothed",
    ),
    "commons": (
        "le comité d'usagers vote le tarif (collèges, veto citoyen)",
        "the user committee votes the tariff (colleges, citizens' veto)",
    ),
}


#: the same, when the price is set nationally (an electricity town under the regulated tariff)
RULE_WORDS_REGULATED: dict[str, tuple[str, str]] = {
    "concession": (
        "prix fixé nationalement ; l'exploitant garde l'excédent et renouvelle selon son obligation",
        "price set nationally; the operator keeps the surplus and renews to its obligation",
    ),
    "regie": (
        "prix fixé nationalement ; la régie garde l'excédent dans le service",
        "price set nationally; the régie keeps the surplus in the service",
    ),
    "commons": (
        "prix fixé nationalement ; le comité décide ce que l'excédent peut financer",
        "price set nationally; the committee decides what the surplus can pay for",
    ),
}


@dataclass
class Part:
    keys: tuple[str, ...]  # the differences switched in this step
    a: tuple[Any, ...]  # their values in a
    b: tuple[Any, ...]  # their values in b
    delta: float  # how much this step moved the indicator
    model: type = Scenario  # the scenario model whose parameters these are
    regulated: bool = False  # the price is set nationally in both scenarios

    def short_label(self, lang: str = "fr") -> str:
        """The difference named in a few words (a chart's axis): the rule, else the parameter."""
        out = []
        for key in self.keys:
            if key == "governance.regime":
                out.append("règle de décision" if lang == "fr" else "decision rule")
                continue
            try:
                out.append(param_at(self.model, key).meaning(lang))
            except KeyError:
                out.append(key)
        return " + ".join(out)

    def label(self, lang: str = "fr") -> str:
        out = []
        for key, va, vb in zip(self.keys, self.a, self.b, strict=True):
            if key == "governance.regime":
                out.append(
                    ("règle de décision : " if lang == "fr" else "decision rule: ")
                    + f"{va} → {vb} ("
                    + (RULE_WORDS_REGULATED if self.regulated else RULE_WORDS).get(str(vb), ("", ""))[
                        0 if lang == "fr" else 1
                    ]
                    + ")"
                )
                continue
            try:
                meaning = param_at(self.model, key).meaning(lang)
            except KeyError:  # a list switched as a whole, or a dict entry
                meaning = key
            out.append(f"{meaning} ({key}: {_short(va)} → {_short(vb)})")
        return localise_numbers(" + ".join(out), lang)


@dataclass
class Explanation:
    indicator: str
    year: int
    a_name: str
    b_name: str
    a_value: float
    b_value: float
    parts: list[Part] = field(default_factory=list)

    @property
    def residual(self) -> float:
        return (self.b_value - self.a_value) - sum(p.delta for p in self.parts)

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        suffix = JSON_SUFFIX[EXPLAINABLE[self.indicator]]
        return {
            "indicator": self.indicator,
            "year": self.year,
            "a": {"name": self.a_name, "value": self.a_value},
            "b": {"name": self.b_name, "value": self.b_value},
            "parts": [{"key": "+".join(p.keys), "label": p.label(lang), suffix: p.delta} for p in self.parts],
            f"residual_{suffix}": self.residual,
        }


def _short(v: Any) -> str:
    text = str(v)
    return text if len(text) <= 40 else text[:37] + "…"


def _groups(a: Scenario, b: Scenario) -> list[tuple[str, Any, Any]]:
    """(key, value in a, value in b) of every difference, lists of blocks as one key, in order."""
    da, db = scenario_to_dict(a), scenario_to_dict(b)
    fa, fb = flatten(da), flatten(db)
    keys: list[str] = []
    for k in [*fa, *[k for k in fb if k not in fa]]:
        if k == "seed":
            continue
        g = k.split("[", 1)[0] if "[" in k else k
        if g not in keys:
            keys.append(g)
    out = []
    for g in keys:
        va, vb = get_path(da, g), get_path(db, g)
        if va != vb:
            out.append((g, va, vb))
    rule = [d for d in out if d[0] in RULE_KEYS]
    rest = [d for d in out if d[0] not in RULE_KEYS]
    return rule + rest


def explain(
    a: Scenario,
    b: Scenario,
    *,
    seed: int = 1,
    indicator: str | None = None,
    a_name: str = "a",
    b_name: str = "b",
    progress: Callable[[float], None] | None = None,
) -> Explanation:
    """The gap ``b - a`` of ``indicator`` in the last simulated year, decomposed (module docstring).
    Without an indicator, the service's headline price (:data:`DEFAULT_INDICATOR`)."""
    if indicator is None:
        indicator = DEFAULT_INDICATOR.get(a.service, "price_120m3_eur_per_m3")
    if indicator not in EXPLAINABLE:
        raise ValueError(f"{indicator!r} cannot be explained; choose one of {sorted(EXPLAINABLE)}")
    if a.horizon_years != b.horizon_years:
        raise ValueError("the two scenarios must have the same horizon to compare their last year")
    diffs = [d for d in _groups(a, b) if d[0] != "horizon_years"]

    def value(s: Scenario) -> tuple[float, int]:
        y = simulate(s, seed=seed).years
        return float(y[indicator].iloc[-1]), int(y["year"].iloc[-1])

    start, year = value(a)
    end, _ = value(b)
    out = Explanation(indicator, year, a_name, b_name, start, end)
    current, before = a, start
    pending: list[tuple[str, Any, Any]] = []
    for i, d in enumerate(diffs):
        pending.append(d)
        try:
            nxt = with_changes(current, {k: vb for k, _, vb in pending})
        except ScenarioError:
            if i < len(diffs) - 1:
                continue  # not valid alone: switched with the next difference
            nxt = b
        now = end if i == len(diffs) - 1 else value(nxt)[0]
        if i == len(diffs) - 1:
            nxt = b
        out.parts.append(
            Part(
                tuple(k for k, _, _ in pending),
                tuple(va for _, va, _ in pending),
                tuple(vb for _, _, vb in pending),
                now - before,
                type(a),
                rule_name(a) == rule_name(b) == "national",
            )
        )
        current, before, pending = nxt, now, []
        if progress is not None:
            progress((i + 1) / len(diffs))
    return out

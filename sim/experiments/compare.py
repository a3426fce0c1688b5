"""Compare regimes on common random numbers, and say *why* they differ.

``compare`` runs every scenario on one seed (same weather, same pipe failures, same households),
builds a side-by-side table of headline indicators, and lists every parameter and rule whose value
differs between the scenarios — the only places where the regimes can differ.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.core.result import Result
from sim.experiments.run import simulate
from sim.governance.registry import rule_name
from sim.scenario.model import Scenario, scenario_to_dict

#: indicators of the side-by-side table: column -> (French label, English label)
INDICATORS: dict[str, tuple[str, str]] = {
    "price_120m3_first": ("Prix du m3 (120 m3) TTC, 1re année", "Price per m3 (120 m3), first year"),
    "price_120m3_last": ("Prix du m3 (120 m3) TTC, dernière année", "Price per m3 (120 m3), last year"),
    "bill_120m3_last": ("Facture 120 m3, dernière année (€)", "Bill for 120 m3, last year (€)"),
    "bill_d1_last": ("Facture moyenne décile 1 (€/an)", "Mean bill, decile 1 (€/yr)"),
    "bill_d5_last": ("Facture moyenne décile 5 (€/an)", "Mean bill, decile 5 (€/yr)"),
    "bill_d10_last": ("Facture moyenne décile 10 (€/an)", "Mean bill, decile 10 (€/yr)"),
    "share_above_3pct_mean": (
        "Ménages au-dessus de 3 % du revenu (moy., %)",
        "Households above 3 % of income (mean, %)",
    ),
    "yield_pct_mean": ("Rendement du réseau (moy., %)", "Network yield (mean, %)"),
    "breaks_total": ("Casses (total)", "Breaks (total)"),
    "outflow_eur_total": ("Argent sortant du service (total, €)", "Money leaving the service (total, €)"),
    "debt_eur_last": ("Dette, dernière année (€)", "Debt, last year (€)"),
    "reserves_eur_last": ("Réserves, dernière année (€)", "Reserves, last year (€)"),
    "fte_last": ("Emplois (ETP), dernière année", "Jobs (FTE), last year"),
    "decisions_binding": ("Décisions contraignantes", "Binding decisions"),
    "vetoes": ("Vetos citoyens", "Citizens' vetoes"),
}


@dataclass
class Comparison:
    table: pd.DataFrame  # one row per scenario, columns = INDICATORS keys
    results: dict[str, Result]
    differences: pd.DataFrame  # key, then one column per scenario

    def labelled(self, lang: str = "fr") -> pd.DataFrame:
        """The table transposed (indicators as rows) with labels in ``lang``."""
        t = self.table.T
        t.index = [INDICATORS[k][0 if lang == "fr" else 1] for k in t.index]
        return t


def headline(res: Result) -> dict[str, Any]:
    y, d = res.years, res.deciles
    last_year = int(y["year"].iloc[-1])
    dl = (
        d[d["year"] == last_year].set_index("decile")["mean_bill_eur"] if len(d) else pd.Series(dtype=float)
    )  # a service that records no deciles
    s = res.summary
    return {
        "price_120m3_first": float(y["price_120m3_eur_per_m3"].iloc[0]),
        "price_120m3_last": float(y["price_120m3_eur_per_m3"].iloc[-1]),
        "bill_120m3_last": float(y["bill_120m3_eur"].iloc[-1]),
        "bill_d1_last": float(dl.get(1, float("nan"))),
        "bill_d5_last": float(dl.get(5, float("nan"))),
        "bill_d10_last": float(dl.get(10, float("nan"))),
        "share_above_3pct_mean": float(y["share_households_above_3pct"].mean()),
        # water indicators: NaN for a service that has none (sim.measure.indicators says which)
        "yield_pct_mean": float(y["yield_pct"].mean()) if "yield_pct" in y else float("nan"),
        "breaks_total": int(y["breaks"].sum()) if "breaks" in y else float("nan"),
        "outflow_eur_total": float(y["outflow_eur"].sum()),
        "debt_eur_last": float(y["debt_eur"].iloc[-1]),
        "reserves_eur_last": float(y["reserves_eur"].iloc[-1]),
        "fte_last": float(y["fte"].iloc[-1]),
        "decisions_binding": int(s.get("decisions_binding", 0)),
        "vetoes": int(s.get("vetoes", 0)),
    }


def flatten(d: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths of every leaf of a nested mapping (lists indexed ``a[0].b``)."""
    out: dict[str, Any] = {}
    if isinstance(d, Mapping):
        for k, v in d.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(d, list) and d and all(isinstance(x, Mapping) for x in d):
        for i, v in enumerate(d):
            out.update(flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = d
    return out


#: the pseudo-key of the decision rule in :func:`differences` (first row when the rules differ)
RULE_ROW = "decision_rule"


def differences(scenarios: Mapping[str, Scenario]) -> pd.DataFrame:
    """Every decision rule and parameter whose value differs between the scenarios (the seed
    excluded). The rule that sets the tariff (``contract``: Kn indexation and avenants;
    ``council``: cost recovery; ``committee``: the users' vote) comes first, as ``decision_rule``;
    ``regie-sim compare A B --explain`` says how much each difference moves the price."""
    flat = {name: flatten(scenario_to_dict(s)) for name, s in scenarios.items()}
    keys = sorted(set().union(*[set(f) for f in flat.values()]))
    rows = []
    rules = {name: rule_name(s) for name, s in scenarios.items()}
    if len(set(rules.values())) > 1:
        rows.append({"key": RULE_ROW, **rules})
    for k in keys:
        if k == "seed":
            continue
        vals = [flat[n].get(k) for n in scenarios]
        if any(v != vals[0] for v in vals[1:]):
            rows.append({"key": k, **{n: flat[n].get(k) for n in scenarios}})
    return pd.DataFrame(rows, columns=["key", *scenarios])


def compare(
    scenarios: Mapping[str, Scenario], seed: int = 1, progress: Callable[[float], None] | None = None
) -> Comparison:
    """Run each scenario on ``seed`` (common random numbers) and tabulate."""
    results: dict[str, Result] = {}
    names = list(scenarios)
    for i, (name, scen) in enumerate(scenarios.items()):

        def sub(f: float, i: int = i) -> None:
            if progress is not None:
                progress((i + f) / len(names))

        results[name] = simulate(scen, seed=seed, progress=sub)
    table = pd.DataFrame({n: headline(r) for n, r in results.items()}).T
    table.index.name = "scenario"
    return Comparison(table=table, results=results, differences=differences(scenarios))

"""Compare regimes on common random numbers, and say *why* they differ.

``compare`` runs every scenario on one seed (same weather, same pipe failures, same households),
builds a side-by-side table of headline indicators, and lists every parameter and rule whose value
differs between the scenarios — the only places where the regimes can differ.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from sim.core.result import Result
from sim.experiments.run import simulate
from sim.governance.registry import rule_name
from sim.i18n import t
from sim.measure.indicators import indicator as measured
from sim.scenario.model import Scenario, scenario_to_dict

When = Literal["first", "last", "mean", "total"]


@dataclass(frozen=True)
class Headline:
    """One row of the side-by-side table: an indicator of :mod:`sim.measure.indicators`, read in
    one year or over the run. Its label and unit are the indicator table's, never written here."""

    key: str  # column of Comparison.table
    indicator: str  # name in sim.measure.indicators
    when: When
    decile: int | None = None  # for an indicator of the deciles table

    def label(self, lang: str = "fr") -> str:
        """``"<indicator's label>, <decile n, ><when> (<unit>)"`` in ``lang``; the unit is left
        out when the label already names it (« ETP, dernière année »)."""
        ind = measured(self.indicator)
        name = ind.label(lang)
        parts = [name]
        if self.decile is not None:
            parts.append(t("compare.when.decile", lang, n=self.decile))
        parts.append(t(f"compare.when.{self.when}", lang))
        unit = ind.unit_label(lang)
        text = ", ".join(parts)
        return text if unit == name else f"{text} ({unit})"

    def unit(self, lang: str = "fr") -> str:
        """The unit of the row, from the indicator table (``€/m³``, ``%``, ``ETP``…)."""
        return measured(self.indicator).unit_label(lang)


#: the bills of three income deciles, rows both services show after their price
DECILE_BILLS: tuple[Headline, ...] = (
    Headline("bill_d1_last", "mean_bill_eur", "last", decile=1),
    Headline("bill_d5_last", "mean_bill_eur", "last", decile=5),
    Headline("bill_d10_last", "mean_bill_eur", "last", decile=10),
)
#: the money, the staff and the decisions: the last rows of both services
MONEY_AND_DECISIONS: tuple[Headline, ...] = (
    Headline("outflow_eur_total", "outflow_eur", "total"),
    Headline("debt_eur_last", "debt_eur", "last"),
    Headline("reserves_eur_last", "reserves_eur", "last"),
    Headline("fte_last", "fte", "last"),
    Headline("decisions_binding", "decisions_binding", "total"),
    Headline("vetoes", "vetoes", "total"),
)
#: rows of the side-by-side table, in order
HEADLINES: tuple[Headline, ...] = (
    Headline("price_120m3_first", "price_120m3_eur_per_m3", "first"),
    Headline("price_120m3_last", "price_120m3_eur_per_m3", "last"),
    Headline("bill_120m3_last", "bill_120m3_eur", "last"),
    *DECILE_BILLS,
    Headline("share_above_3pct_mean", "share_households_above_3pct", "mean"),
    Headline("yield_pct_mean", "yield_pct", "mean"),
    Headline("breaks_total", "breaks", "total"),
    *MONEY_AND_DECISIONS,
)
#: rows of the side-by-side table of an electricity service, in order
ELECTRICITY_HEADLINES: tuple[Headline, ...] = (
    Headline("price_ref_kwh_first", "price_ref_eur_per_kwh", "first"),
    Headline("price_ref_kwh_last", "price_ref_eur_per_kwh", "last"),
    Headline("bill_ref_last", "bill_ref_eur", "last"),
    *DECILE_BILLS,
    Headline("energy_poverty_mean", "energy_poverty_pct", "mean"),
    Headline("saidi_mean", "saidi_min", "mean"),
    Headline("saidi_excl_med_mean", "saidi_excl_med_min", "mean"),
    Headline("underground_last", "underground_share_pct", "last"),
    Headline("compensation_total", "compensation_eur", "total"),
    *MONEY_AND_DECISIONS,
)
BY_KEY: dict[str, Headline] = {h.key: h for h in (*HEADLINES, *ELECTRICITY_HEADLINES)}

#: labels of the side-by-side table: column -> (French label, English label), from HEADLINES
INDICATORS: dict[str, tuple[str, str]] = {h.key: (h.label("fr"), h.label("en")) for h in BY_KEY.values()}


@dataclass
class Comparison:
    table: pd.DataFrame  # one row per scenario, columns = INDICATORS keys
    results: dict[str, Result]
    differences: pd.DataFrame  # key, then one column per scenario

    def labelled(self, lang: str = "fr") -> pd.DataFrame:
        """The table transposed (indicators as rows) with labels in ``lang``."""
        table = self.table.T
        table.index = [INDICATORS[k][0 if lang == "fr" else 1] for k in table.index]
        return table


def headline(res: Result) -> dict[str, Any]:
    """The side-by-side row of a run: :data:`HEADLINES` for water, :data:`ELECTRICITY_HEADLINES`
    for electricity (read from the indicator each row names)."""
    if "price_120m3_eur_per_m3" not in res.years:
        return {h.key: _read(res, h) for h in ELECTRICITY_HEADLINES}
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


def _read(res: Result, h: Headline) -> float:
    """The value of one headline row of a run."""
    if h.indicator in ("decisions_binding", "vetoes"):
        return float(res.summary.get(h.indicator, 0))
    if h.decile is not None:
        d = res.deciles
        last = d[d["year"] == d["year"].max()].set_index("decile")[h.indicator]
        return float(last.get(h.decile, float("nan")))
    col = res.years[h.indicator]
    if h.when == "first":
        return float(col.iloc[0])
    if h.when == "last":
        return float(col.iloc[-1])
    return float(col.mean() if h.when == "mean" else col.sum())


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

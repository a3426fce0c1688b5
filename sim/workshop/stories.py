"""The electricity stories a facilitator can run: a storm like Ciarán, and the 2022 price crisis.

A story is a shipped scenario and a few changes that make it a workshop (the committee's power
follows the regime the facilitator chooses; the storm's renewal plan), plus what the room sees
beside the agenda, computed from the model's runs (never typed in):

- **storm** (``scenarios/electricity/storm.yaml``): before the storm the room weighs a renewal and
  undergrounding plan against the other uses of the service's margin (the price is the regulated
  one, electricity.md §1.4); after it, each year's SAIDI with and without the major event days,
  the compensation paid for cuts over 5 hours (TURPE rule, electricity.md §2.3), the customer
  hours without power and the hours incidents waited for a free crew;
- **crisis_2022** (``scenarios/electricity/crisis-2022.yaml``, unpaid bills carried as arrears so
  that the social fund and the power-limitation policy are on the agenda): the wholesale price
  shock of 2027-2029, the bills of low, middle and high incomes with the price shield and without it (the
  same scenario with ``tariff.shield_max_rise_pct`` unset), and what a local operator decides
  against what the law fixes nationally (the page says it in words).

A session's story is read from its scenario's shocks (:func:`story_of`), so an uploaded scenario
with a storm or a price shock gets the same panel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.scenario.model import Scenario, load_scenario, scenarios_dir, with_changes

#: (name, first decile, last decile): the income groups of the option cards
INCOME_GROUPS: tuple[tuple[str, int, int], ...] = (("low", 1, 3), ("middle", 4, 7), ("high", 8, 10))


@dataclass(frozen=True)
class Story:
    """A shipped scenario made into a workshop: its file and the changes the room needs."""

    name: str
    file: str  # under scenarios/
    service: str = "electricity"
    changes: dict[str, Any] = field(default_factory=dict)
    rounds: int = 3


STORIES: dict[str, Story] = {
    "storm": Story(
        "storm",
        "electricity/storm.yaml",
        changes={
            # the committee's power follows the regime chosen (storm.yaml extends the régie's
            # consultative committee)
            "governance.committee.power": "auto",
            # assumption: the plan the commons scenario proposes (SICAE Somme keeps 66 % of its
            # HTA network underground, electricity.md §1.3); it fits in the margin of the TRVE
            "governance.committee.renewal_plan_pct": 1.5,
            # assumption: a 10 % step for the local social rebate (the scenarios' 20 % does not fit
            # in the margin of the TRVE), so the room can weigh the rebate against the plan
            "governance.committee.tariff_step_pct": 10.0,
        },
    ),
    "crisis_2022": Story(
        "crisis_2022",
        "electricity/crisis-2022.yaml",
        changes={
            "governance.committee.power": "auto",
            "governance.committee.tariff_step_pct": 10.0,
            # unpaid bills carried as arrears (the parameter's own assumptions, electricity.md §4.3):
            # the room can then weigh a social fund and the power-limitation policy
            "energy_poverty.arrears.enabled": True,
        },
    ),
}


def story_scenario(name: str) -> Scenario:
    """The scenario of story ``name`` with its workshop changes (KeyError for an unknown one)."""
    st = STORIES[name]
    return with_changes(load_scenario(scenarios_dir() / st.file), st.changes)


def story_of(scenario: Scenario) -> str | None:
    """The story a scenario tells: ``storm`` with a storm shock, ``crisis_2022`` with an energy
    price shock, else None (a water scenario never has one)."""
    if getattr(scenario, "service", "water") != "electricity":
        return None
    kinds = {s.kind for s in scenario.shocks}
    if "storm" in kinds:
        return "storm"
    if "energy_price" in kinds:
        return "crisis_2022"
    return None


def shock_years(scenario: Scenario, kind: str) -> list[int]:
    return sorted({int(s.year) for s in scenario.shocks if s.kind == kind})


#: the ``years`` columns of the storm panel, in the order shown
STORM_COLUMNS: tuple[str, ...] = (
    "storms",
    "saidi_min",
    "saidi_excl_med_min",
    "compensation_eur",
    "customer_interruption_hours",
    "crew_wait_hours",
    "underground_share_pct",
)


def storm_facts(years: pd.DataFrame) -> pd.DataFrame:
    """The storm panel's figures, one row per simulated year (the run's own ``years`` columns)."""
    cols = ["year", *(c for c in STORM_COLUMNS if c in years.columns)]
    return years[cols].reset_index(drop=True)


def overhead_customers_share_pct(years: pd.DataFrame) -> float:
    """Share of the network still overhead in the last simulated year (%): the customers a storm
    cuts (``network.storm_overhead_share_cut`` of them) and who wait along the restoration curve."""
    return float(100.0 - years["underground_share_pct"].iloc[-1])


def income_group_bills(deciles: pd.DataFrame) -> pd.DataFrame:
    """Mean yearly bill of the low, middle and high incomes (deciles 1-3, 4-7, 8-10) per year.

    The plain mean of the deciles' mean bills, as the option cards compute it, so the two agree.
    """
    out: dict[str, Any] = {}
    for name, lo, hi in INCOME_GROUPS:
        sub = deciles[(deciles["decile"] >= lo) & (deciles["decile"] <= hi)]
        out[name] = sub.groupby("year")["mean_bill_eur"].mean()
    df = pd.DataFrame(out)
    df.index.name = "year"
    return df.reset_index()


def without_shield(scenario: Scenario) -> Scenario:
    """The same scenario with no price shield (the regulated tariff follows its costs)."""
    return with_changes(scenario, {"tariff.shield_max_rise_pct": None})


def shield_table(with_shield: Any, without: Any) -> pd.DataFrame:
    """Per year: the income groups' mean bills and the energy-poverty rate, with the shield and
    without it. ``with_shield`` and ``without`` are runs (:class:`~sim.core.result.Result`) of
    the same scenario and seed."""
    a = income_group_bills(with_shield.deciles).set_index("year")
    b = income_group_bills(without.deciles).set_index("year")
    out = pd.DataFrame(index=a.index)
    for name, _, _ in INCOME_GROUPS:
        out[f"{name}_shield"] = a[name]
        out[f"{name}_no_shield"] = b[name].reindex(a.index)
    ya = with_shield.years.set_index("year")
    yb = without.years.set_index("year")
    out["energy_poverty_shield"] = ya["energy_poverty_pct"].reindex(a.index)
    out["energy_poverty_no_shield"] = yb["energy_poverty_pct"].reindex(a.index)
    return out.reset_index()

"""Adding a service is adding a package that implements the protocol, not editing the engine.

A toy commodity — one asset cohort renewed at the decided rate, a flat tariff, the same use for
every household, no incidents — implements :class:`sim.core.engine.Service` here, in the tests,
and runs through the core engine, the three regimes, ``compare``, the headline figures and the
indicator table, with the money balance exact every month. Nothing in ``sim/`` knows it exists
but the registry entry the test adds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim.experiments.run as run
from sim import ScenarioError, compare, scale_town, simulate, with_changes
from sim.core import tariff as tariffs
from sim.core.assets import Cohorts
from sim.core.engine import Engine, MonthFlows, State
from sim.core.households import Population, build_population
from sim.measure.indicators import available
from sim.scenario.model import Scenario

UNITS_PER_HOUSEHOLD_YEAR = 90.0
COST_EUR_PER_UNIT = 0.30
RENEWAL_EUR_PER_KM = 200_000.0
LICENCE_EUR_PER_MONTH = 1_000.0


class ToyService:
    """One cohort of assets, a flat €/unit tariff, a fixed use: the smallest real service."""

    name = "toy"
    year_keys = ("units_sold",)
    extra_payment_lines = ("toy_licence_eur",)  # a line of its own, paid every month
    extra_opex_lines = ("toy_licence_eur",)
    extra_capex_lines: tuple[str, ...] = ()
    committee_items = ("tariff", "renewal", "work_organisation")

    def build_population(self, s: Scenario, rng: np.random.Generator) -> Population:
        return build_population(s.households, rng, s.town.start_year)

    def initial_state(self, s: Scenario) -> State:
        return State(tariff=s.tariff, renewal_rate_pct=s.network.renewal_rate_pct, crews=s.workforce.crews)

    def project(self, eng: Engine, tariff: tariffs.Tariff, index: float) -> tuple[float, np.ndarray]:
        br = tariffs.bill(eng.last_year_metered, eng.pop.persons, tariff, months=12, price_index=index)
        return float((br.total_excl_tax_eur - br.levies_eur).sum()), br.total_eur.copy()

    def regulated_price_index(self, eng: Engine) -> float | None:
        return None

    def share_above_threshold(self, eng: Engine, bills: np.ndarray) -> float:
        return 100.0 * float((bills / eng.income > 0.03).mean())

    def reference_price(self, eng: Engine, tariff: tariffs.Tariff, index: float) -> dict[str, float]:
        return {"price_120m3_eur_per_m3": tariffs.price_120m3_eur_per_m3(tariff, 2, price_index=index)}

    def bind(self, eng: Engine) -> None:
        self.cohorts = eng.cohorts = Cohorts.from_spec(eng.scenario.network)
        n = eng.pop.count
        self.use = np.full(n, UNITS_PER_HOUSEHOLD_YEAR)
        self.period = np.zeros(n)
        eng.last_year_metered = self.use.copy()

    def year_start(self, eng: Engine, y: int) -> float:
        year = eng.scenario.town.start_year + y
        km = self.cohorts.renew(eng.state.renewal_rate_pct / 100.0 * self.cohorts.total_km, year, 0)
        return km * RENEWAL_EUR_PER_KM * eng.cpi

    def schedule_month(self, eng: Engine, m: int, t0: float, t1: float) -> None:
        return None  # no incidents

    def month_end(self, eng: Engine, m: int, y: int, cal_month: int, t0: float, t1: float) -> MonthFlows:
        month = self.use / 12.0
        self.period += month
        sold = float(month.sum())
        return MonthFlows(
            produced=sold,
            billed=sold,
            costs={
                "energy_eur": COST_EUR_PER_UNIT * eng.cpi * sold,
                "toy_licence_eur": LICENCE_EUR_PER_MONTH,
            },
            columns={"units_sold": sold},
            year={"units_sold": sold},
        )

    def bill(self, eng: Engine, lines: dict[str, float]) -> float:
        st = eng.state
        br = tariffs.bill(
            self.period,
            eng.pop.persons,
            st.tariff,
            months=eng.scenario.billing.interval_months,
            price_index=st.tariff_index,
            levies_index=eng.cpi,
        )
        total = float(br.total_eur.sum())
        eng.year_volume += self.period
        eng.year_bill += br.total_eur
        self.period[:] = 0.0
        lines["bill_receipts_eur"] = total  # everyone pays
        lines["vat_remitted_eur"] = float(br.vat_eur.sum())
        lines["levies_remitted_eur"] = float(br.levies_eur.sum())
        eng._year_acc["billed_eur"] += total
        return float((br.total_excl_tax_eur - br.levies_eur).sum())

    def repairs_cost_eur(self, eng: Engine, repairs: int) -> float:
        return 0.0

    def year_row(self, eng: Engine, y: int, acc: dict[str, float]) -> dict[str, Any]:
        s = eng.scenario
        price = tariffs.price_120m3_eur_per_m3(
            eng.state.tariff, 2, price_index=eng.state.tariff_index, levies_index=eng.cpi
        )
        burden = eng.year_bill / eng.income
        return {
            "year": s.town.start_year + y,
            "households": eng.pop.count,
            "population": eng.pop.population,
            "units_sold": acc["units_sold"],
            "price_120m3_eur_per_m3": price,
            "bill_120m3_eur": 120.0 * price,
            "unpaid_rate_pct": 0.0,
            "share_households_above_3pct": 100.0 * float((burden > 0.03).mean()),
            "social_rebate_eur": 0.0,
            **eng.money_columns(acc),
            "fte": eng.fte_total(),
        }

    def variable_costs_estimate(self, eng: Engine) -> tuple[float, float]:
        sold = float(self.use.sum())
        renewal = eng.state.renewal_rate_pct / 100.0 * self.cohorts.total_km * RENEWAL_EUR_PER_KM
        return COST_EUR_PER_UNIT * eng.cpi * sold, renewal * eng.cpi

    def event_rows(self) -> list[dict[str, Any]]:
        return []


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> Scenario:
    monkeypatch.setitem(run.SERVICES, "toy", ToyService)
    base = scale_town(Scenario(), 1500)
    cohort = {"material": base.network.cohorts[0].material, "install_year": 1980, "length_km": 40.0}
    return with_changes(
        base,
        {
            "service": "toy",
            "horizon_years": 6,
            "network.cohorts": [cohort],
            "tariff.blocks": [{"price_eur_per_m3": 2.0}],
            "tariff.standing_charge_eur_per_year": 0.0,
            "tariff.free_volume_m3": 0.0,
        },
    )


@pytest.mark.parametrize("regime", ["concession", "regie", "commons"])
def test_the_toy_runs_under_every_regime_with_exact_money(toy: Scenario, regime: str) -> None:
    res = simulate(with_changes(toy, {"governance.regime": regime}), seed=4)
    assert list(res.years["year"]) == list(range(2026, 2032))
    p = res.periods
    assert (p["units_sold"] == 1500 * UNITS_PER_HOUSEHOLD_YEAR / 12).all()
    # cash at end = cash at start + receipts - payments, every month, and months chain
    np.testing.assert_array_equal(
        p["cash_end_eur"], p["cash_start_eur"] + p["receipts_eur"] - p["payments_eur"]
    )
    np.testing.assert_array_equal(
        p["cash_start_eur"].iloc[1:].to_numpy(), p["cash_end_eur"].iloc[:-1].to_numpy()
    )
    # the service's cost lines are its own, one of them a line the core does not know; the
    # engine's lines are there too
    assert (p["energy_eur"] > 0).all() and (p["treatment_eur"] == 0).all()
    assert (p["toy_licence_eur"] == LICENCE_EUR_PER_MONTH).all()
    assert (res.years["toy_licence_eur"] == 12 * LICENCE_EUR_PER_MONTH).all()
    assert (p["staff_eur"] > 0).all()
    # the regime decides: the decisions table has rows of its rule
    body = {"concession": "contract", "regie": "council", "commons": "committee"}[regime]
    assert body in set(res.decisions["body"])


def test_the_toy_goes_through_compare_and_the_indicator_table(toy: Scenario) -> None:
    scen = {r: with_changes(toy, {"governance.regime": r}) for r in ("concession", "regie")}
    cmp = compare(scen, seed=2)
    assert set(cmp.table.index) == {"concession", "regie"}
    assert np.isnan(cmp.table.loc["regie", "yield_pct_mean"])  # a toy has no network yield
    # money leaves a concession (margin, fees), never a régie
    assert cmp.table.loc["regie", "outflow_eur_total"] == 0.0
    assert cmp.table.loc["concession", "outflow_eur_total"] != 0.0
    names = [i.name for i in available(cmp.results["regie"].years)]
    assert "price_120m3_eur_per_m3" in names and "reserves_eur" in names
    assert "yield_pct" not in names and "breaks" not in names
    summary = cmp.results["regie"].summary
    assert "yield_pct_first5" not in summary and summary["horizon_years"] == 6


def test_an_unknown_service_is_a_located_scenario_error(toy: Scenario) -> None:
    with pytest.raises(ScenarioError) as err:
        simulate(with_changes(toy, {"service": "gaz"}), seed=1)
    assert "service" in err.value.format("fr") and "gaz" in err.value.format("fr")


def test_water_is_the_default_service() -> None:
    assert Scenario().service == "water"
    assert isinstance(run.new_service(Scenario()), run.SERVICES["water"])
    assert pd.api.types.is_numeric_dtype(pd.Series([1.0]))

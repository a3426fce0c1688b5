"""Property tests: water and money are conserved every month, whatever the (valid) scenario.

DESIGN.md: "Conservation holds exactly, every period: water produced = billed + unbilled
authorised + apparent losses + real losses; cash at end = cash at start + receipts − payments.
Tests check both."

Random scenarios come from :func:`strategies.scenarios`: 50-2,000 households over 1-4 years, any
tariff shape, restriction thresholds and rules, droughts, stocks small enough to run dry, meter
under-registration, renewal, crews and billing intervals. A deterministic dry town checks the
shortfall path on its own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import scenarios, small_town

from sim import Result, Scenario, simulate
from sim.core.ledger import PAYMENT_LINES, RECEIPT_LINES, annuity_payment

REL = 1e-9  # relative tolerance of every balance (float sums of a dozen terms)

BALANCE_TERMS = ("billed_m3", "unbilled_authorised_m3", "apparent_losses_m3", "real_losses_m3")
VOLUME_COLUMNS = (
    "produced_m3",
    *BALANCE_TERMS,
    "burst_losses_m3",
    "demand_m3",
    "delivered_m3",
    "shortfall_m3",
    "recharge_m3",
    "resource_stock_m3",
)
#: yearly columns that are plain sums of the monthly ones
YEAR_SUMS = (
    "produced_m3",
    *BALANCE_TERMS,
    "shortfall_m3",
    "revenue_eur",
    "receipts_eur",
    "bill_receipts_eur",
    "loan_proceeds_eur",
    "interest_eur",
)

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _close(
    a: pd.Series | np.ndarray, b: pd.Series | np.ndarray, scale: np.ndarray | float, what: str
) -> None:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    err = np.abs(a - b) / np.maximum(np.abs(scale), 1.0)
    bad = np.flatnonzero(err > REL)
    assert bad.size == 0, (
        f"{what} does not close in {bad.size} period(s); first at row {bad[0]}: "
        f"{a[bad[0]]!r} vs {b[bad[0]]!r}"
    )


def check_water_balance(p: pd.DataFrame) -> None:
    produced = p["produced_m3"].to_numpy()
    terms = sum(p[c].to_numpy() for c in BALANCE_TERMS)
    _close(produced, terms, produced, "produced = billed + unbilled authorised + apparent + real")


def check_no_negative_volumes(p: pd.DataFrame) -> None:
    for col in VOLUME_COLUMNS:
        assert (p[col] >= 0).all(), f"negative {col} in months {list(p.loc[p[col] < 0, 'month'])}"
    assert (p["delivered_m3"] <= p["demand_m3"] * (1 + REL)).all(), "delivered more than demanded"
    _close(
        p["shortfall_m3"],
        p["demand_m3"] - p["delivered_m3"],
        p["demand_m3"],
        "shortfall = demand - delivered",
    )
    # bursts are a part of real losses (IWA water balance, water.md §4.4)
    ok = p["burst_losses_m3"] <= p["real_losses_m3"] * (1 + REL) + 1e-9
    assert ok.all(), f"burst losses exceed real losses in months {list(p.loc[~ok, 'month'])}"


def check_cash(p: pd.DataFrame, s: Scenario) -> None:
    scale = (p["cash_start_eur"].abs() + p["receipts_eur"].abs() + p["payments_eur"].abs()).to_numpy()
    _close(
        p["cash_end_eur"],
        p["cash_start_eur"] + p["receipts_eur"] - p["payments_eur"],
        scale,
        "cash_end = cash_start + receipts - payments",
    )
    _close(
        p["receipts_eur"],
        p[list(RECEIPT_LINES)].sum(axis=1),
        p["receipts_eur"],
        "receipts = sum of the receipt lines",
    )
    _close(
        p["payments_eur"],
        p[list(PAYMENT_LINES)].sum(axis=1),
        p["payments_eur"],
        "payments = sum of the payment lines",
    )
    # the ledger is continuous: nothing appears or vanishes between two months
    assert p["cash_start_eur"].iloc[0] == s.finance.initial_cash_eur
    np.testing.assert_array_equal(p["cash_start_eur"].to_numpy()[1:], p["cash_end_eur"].to_numpy()[:-1])
    # every money column of the periods table is a ledger line, a total, or the revenue indicator
    money = {c for c in p.columns if c.endswith("_eur")}
    known = (
        set(RECEIPT_LINES)
        | set(PAYMENT_LINES)
        | {"cash_start_eur", "cash_end_eur", "receipts_eur", "payments_eur", "revenue_eur"}
    )
    assert money <= known, f"money columns outside the ledger: {sorted(money - known)}"
    # sewerage is the sewerage authority's money: what is collected is remitted, the same month
    np.testing.assert_array_equal(
        p["sewerage_collected_eur"].to_numpy(), p["sewerage_remitted_eur"].to_numpy()
    )
    assert (p["sewerage_collected_eur"] >= 0).all()


def check_sewerage_bills(res: Result) -> None:
    """The year's sewerage: collected ≤ billed = the households' bills (decile means × counts) plus
    the sewered non-domestic meters' (no more than the standing charges and volumes allow)."""
    y, d, s = res.years, res.deciles, res.scenario
    months = res.periods.groupby("year")["sewerage_collected_eur"].sum().to_numpy()
    _close(y["sewerage_collected_eur"], months, months, "yearly sewerage collected = sum of months")
    assert (y["sewerage_collected_eur"] <= y["sewerage_billed_eur"] * (1 + REL) + 1e-9).all()
    households = (d["mean_sewerage_bill_eur"] * d["households"]).groupby(d["year"]).sum().to_numpy()
    assert (households <= y["sewerage_billed_eur"].to_numpy() * (1 + REL) + 1e-9).all()
    if not any(u.sewerage for u in s.non_domestic.users):
        _close(y["sewerage_billed_eur"], households, households, "sewerage billed = households' bills")


def check_resource(p: pd.DataFrame, s: Scenario) -> None:
    """The stock: never negative, never above capacity, and its monthly balance closes.

    stock_end = clip(stock_start · (1 - outflow) + recharge - produced, 0, capacity); the town never
    abstracts more than the stock after outflow plus the month's recharge.
    """
    r = s.resource
    stock = p["resource_stock_m3"].to_numpy()
    assert (stock >= 0).all(), "negative resource stock"
    assert (stock <= r.capacity_m3 * (1 + REL)).all(), "stock above capacity"
    start = np.concatenate([[r.initial_fill * r.capacity_m3], stock[:-1]])
    available = start * (1 - r.outflow_per_month) + p["recharge_m3"].to_numpy()
    produced = p["produced_m3"].to_numpy()
    assert (produced <= available * (1 + REL) + 1e-6).all(), "abstracted more than available"
    expected = np.clip(available - produced, 0.0, r.capacity_m3)
    _close(stock, expected, available, "resource stock balance")


def check_years_are_sums(res: Result) -> None:
    p, y = res.periods, res.years
    assert len(p) == 12 * res.scenario.horizon_years
    assert len(y) == res.scenario.horizon_years
    sums = p.groupby("year")[list(YEAR_SUMS)].sum()
    for col in YEAR_SUMS:
        _close(y[col], sums[col].to_numpy(), sums[col].to_numpy(), f"yearly {col} = sum of months")
    # P104.3 yield = (billed + unbilled authorised) / produced (water.md §1.2)
    yo = y[y["produced_m3"] > 0]
    _close(
        yo["yield_pct"],
        100.0 * (yo["billed_m3"] + yo["unbilled_authorised_m3"]) / yo["produced_m3"],
        100.0,
        "yield = (billed + unbilled authorised) / produced",
    )
    ends = p.groupby("year")["cash_end_eur"].last().to_numpy()
    _close(y["reserves_eur"], ends, ends, "yearly reserves = cash at the end of December")


def check_all(res: Result) -> None:
    p = res.periods
    check_water_balance(p)
    check_no_negative_volumes(p)
    check_cash(p, res.scenario)
    check_resource(p, res.scenario)
    check_years_are_sums(res)
    check_sewerage_bills(res)
    # every shortfall month is recorded as an event, with its volume
    short = res.events[res.events["kind"] == "shortfall"] if len(res.events) else res.events
    n_short = int((p["shortfall_m3"] > 0).sum())
    assert len(short) >= n_short
    if n_short:
        assert np.isclose(short["value"].sum(), p["shortfall_m3"].sum(), rtol=REL)
    # breaks are repaired within the horizon, and their leaks are inside the water balance
    # (in a shortfall the balance clips bursts to the water there is, the events do not)
    breaks = res.events[res.events["kind"] == "break"] if len(res.events) else res.events
    if len(breaks):
        assert (breaks["end_h"] <= horizon_h(res.scenario)).all(), "a repair after the horizon"
        if n_short == 0:
            assert breaks["leak_m3"].sum() <= p["burst_losses_m3"].sum() * (1 + REL) + 1e-6


def horizon_h(s: Scenario) -> float:
    """Hours from 1 January of the first year to 1 January after the last one."""
    start = np.datetime64(f"{s.town.start_year}-01-01", "h")
    end = np.datetime64(f"{s.town.start_year + s.horizon_years}-01-01", "h")
    return float((end - start).astype(np.int64))


# --------------------------------------------------------------------------------------------
# property: any valid scenario
# --------------------------------------------------------------------------------------------
@PROPERTY
@given(s=scenarios())
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_water_and_money_are_conserved_every_month(s: Scenario) -> None:
    check_all(simulate(s))


# --------------------------------------------------------------------------------------------
# deterministic: the base small town, and a dry town that must run short
# --------------------------------------------------------------------------------------------
def test_small_base_town_conserves_and_never_runs_short() -> None:
    res = simulate(small_town(1000, 3), seed=3)
    check_all(res)
    assert (res.periods["shortfall_m3"] == 0).all()
    assert (res.periods["delivered_m3"] == res.periods["demand_m3"]).all()


def dry_town() -> Scenario:
    """500 households on a 200 m3 tank with 20 % of their use as recharge: it must run short."""
    use = 500 * 146 * 2.16 * 365 / 1000
    return small_town(
        500,
        2,
        resource__capacity_m3=200.0,
        resource__initial_fill=1.0,
        resource__mean_recharge_m3_per_year=0.2 * use,
        resource__recharge_cv=0.0,
        resource__drought_probability=0.0,
        resource__climate_trend_pct_per_decade=0.0,
    )


def test_shortfall_is_recorded_and_the_balance_still_closes() -> None:
    res = simulate(dry_town(), seed=1)
    p, y = res.periods, res.years
    check_all(res)
    short = p[p["shortfall_m3"] > 0]
    assert len(short) >= 12, "a town supplied at 20 % of its use must run short most months"
    assert (short["delivered_m3"] < short["demand_m3"]).all()
    assert (y["shortfall_m3"] > 0).all()
    assert (res.events["kind"] == "shortfall").sum() == len(short)
    # the town takes everything the resource can give, and no more
    r = res.scenario.resource
    start = np.concatenate([[r.initial_fill * r.capacity_m3], p["resource_stock_m3"].to_numpy()[:-1]])
    available = start * (1 - r.outflow_per_month) + p["recharge_m3"].to_numpy()
    np.testing.assert_allclose(short["produced_m3"], available[short.index], rtol=1e-9)
    # an empty stock is a crisis (below the 15 % threshold)
    assert (short["restriction_level"] == "crise").any()


# --------------------------------------------------------------------------------------------
# regressions: bugs these tests found (fixed in 079d3e5), kept as their own tests
# --------------------------------------------------------------------------------------------
def test_every_household_cut_below_its_need_counts_as_rationed() -> None:
    """Supply below the essential total scales everybody down: nobody is 'never rationed'.

    Was: only households asking more than their essential volume were marked as rationed.
    """
    res = simulate(dry_town(), seed=1)
    p = res.periods
    # supply at 20 % of use is below the essential volumes: nobody gets what they asked for
    assert (p["delivered_m3"] < 0.5 * p["demand_m3"]).sum() >= 6
    assert (res.years["usage_inclusion_pct"] == 0).all()


def test_annuity_of_a_tiny_rate_is_the_zero_rate_annuity() -> None:
    """Was: ZeroDivisionError when 1 + r rounds to 1 (found by the property test)."""
    assert annuity_payment(1200.0, 1e-17, 12) == pytest.approx(100.0, rel=1e-12)
    assert annuity_payment(1200.0, 0.0, 12) == pytest.approx(100.0, rel=1e-12)
    # a real rate: 1 % a month over 12 months, 1200 · 0.01 / (1 - 1.01^-12) = 106.6185 €
    assert annuity_payment(1200.0, 0.01, 12) == pytest.approx(106.6185, rel=1e-6)


def test_a_tiny_interest_rate_runs() -> None:
    res = simulate(small_town(500, 2, finance__interest_rate_pct=1e-14), seed=1)
    check_all(res)


def test_no_break_is_repaired_after_the_horizon() -> None:
    """Was: the SimPy run went on after the last month and reported those repairs as events."""
    # a hidden leak found after a year (hidden_detection_days=365) outlives a 2-year run
    s = small_town(1000, 2, network__hidden_detection_days=365.0)
    res = simulate(s, seed=3)
    breaks = res.events[res.events["kind"] == "break"]
    assert len(breaks) > 0
    assert (breaks["end_h"] <= horizon_h(s)).all()
    assert breaks["leak_m3"].sum() <= res.periods["burst_losses_m3"].sum() * (1 + REL)


def test_burst_losses_are_part_of_real_losses_in_a_shortfall() -> None:
    """Was: real losses were clipped to the water available, burst losses were not."""
    s = small_town(
        500,
        2,
        network__hidden_detection_days=365.0,
        resource__capacity_m3=200.0,
        resource__initial_fill=1.0,
        resource__mean_recharge_m3_per_year=1000.0,
        resource__recharge_cv=0.0,
        resource__drought_probability=0.0,
    )
    p = simulate(s, seed=1).periods
    assert (p["shortfall_m3"] > 0).any() and (p["burst_losses_m3"] > 0).any()
    assert (p["burst_losses_m3"] <= p["real_losses_m3"] * (1 + REL)).all()

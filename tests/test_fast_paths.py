"""The faster ways of computing the same numbers give the same numbers, to the last bit.

Each speed-up of the hot path (issue 17) replaces a computation by another that must give exactly
the same floats: these tests hold each one against the computation it replaced, written out here.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import load_scenario, scale_town, simulate, with_changes
from sim.core.assets import BreakSampler, Cohorts, pcg64_state, seed_sequence_words
from sim.core.billing import count_above, median_exact
from sim.core.engine import Engine
from sim.core.households import decile_sums
from sim.core.ledger import PAYMENT_LINES, RECEIPT_LINES, Loans, close_month
from sim.core.non_domestic import volume_price_eur_per_m3
from sim.core.tariff import bill as tariff_bill
from sim.experiments.ensemble import RunTask
from sim.experiments.run import (
    _appended,
    _events_table,
    engine_for,
    make_policy,
    new_service,
    result_of,
    simulate_kept,
)
from sim.scenario.model import Scenario, TariffBlock
from sim.water.demand import PRICE_FLOOR_EUR_PER_M3, price_response

ROOT = Path(__file__).resolve().parent.parent


def _bincount_sums(decile: np.ndarray, arrays: list[np.ndarray]) -> np.ndarray:
    d = decile.astype(np.int64)
    return np.array([np.bincount(d, weights=a, minlength=11)[1:] for a in arrays])


@pytest.mark.parametrize("n", [10, 2_000, 20_000, 1_237])
@pytest.mark.parametrize("k", [1, 3, 8])
def test_decile_sums_are_bincount_sums(n: int, k: int) -> None:
    rng = np.random.default_rng(n * 10 + k)
    tenths = (np.arange(n) * 10 // n + 1).astype(np.int8)
    shuffled = rng.permutation(tenths)
    arrays = [rng.standard_normal(n) * rng.lognormal(0.0, 3.0, n) for _ in range(k)]
    arrays[0] = (arrays[0] > 0).astype(float)
    for decile in (tenths, shuffled):
        got = decile_sums(decile, arrays)
        assert got.shape == (k, 10)
        assert np.array_equal(got, _bincount_sums(decile, arrays))


def test_decile_sums_of_negative_zeros_are_positive_zeros_as_bincount() -> None:
    decile = (np.arange(100) * 10 // 100 + 1).astype(np.int8)
    got = decile_sums(decile, [np.full(100, -0.0), np.ones(100)])
    assert not np.signbit(got[0]).any()
    assert np.array_equal(got, _bincount_sums(decile, [np.full(100, -0.0), np.ones(100)]))


@pytest.mark.parametrize("weibull_share", [0.0, 0.5, 1.0])
def test_break_rates_are_the_two_hazard_models(weibull_share: float) -> None:
    rng = np.random.default_rng(int(weibull_share * 10))
    k, c = 3, 25
    cohorts = Cohorts(
        material=rng.integers(0, k, c),
        install_year=rng.uniform(1900, 2020, c),
        length_km=rng.uniform(1, 50, c),
        names=["a", "b", "c"],
        model_weibull=rng.random(k) < weibull_share,
        n0=rng.uniform(0.01, 0.5, k),
        growth=rng.uniform(0, 0.05, k),
        shape=rng.uniform(1, 3, k),
        scale=rng.uniform(20, 80, k),
        life=rng.uniform(40, 100, k),
        value_eur_per_km=rng.uniform(1e5, 3e5, c),
    )

    def written_out(year: float) -> np.ndarray:
        m, age = cohorts.material, cohorts.ages(year)
        sh = cohorts.n0[m] * np.exp(cohorts.growth[m] * age)
        wb = cohorts.n0[m] * (np.maximum(age, 0.5) / cohorts.scale[m]) ** (cohorts.shape[m] - 1.0)
        return np.where(cohorts.model_weibull[m], wb, sh)

    for year in (2026.0, 2030.25, 2055.9):
        assert np.array_equal(cohorts.rate_per_km(year), written_out(year))
    cohorts.renew(30.0, 2031.0, 0)  # new cohort arrays: the gathered parameters follow them
    assert np.array_equal(cohorts.rate_per_km(2032.5), written_out(2032.5))


@pytest.mark.parametrize("name", ["town", "commons"])
def test_what_an_ensemble_keeps_is_what_simulate_gives(name: str) -> None:
    scen = with_changes(
        scale_town(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), 1_000), {"horizon_years": 6}
    )
    full = simulate(scen, 5)
    years, deciles, summary = simulate_kept(scen, 5, keep_deciles=True)
    pd.testing.assert_frame_equal(years, full.years, check_exact=True)
    assert deciles is not None
    pd.testing.assert_frame_equal(deciles, full.deciles, check_exact=True)
    assert summary == full.summary
    assert simulate_kept(scen, 5)[1] is None


def test_event_dates_are_the_engines_dates() -> None:
    town = scale_town(load_scenario(ROOT / "scenarios" / "town.yaml"), 1_000)
    scen = with_changes(town, {"horizon_years": 3})
    res = simulate(scen, 2)
    eng = engine_for(scen, 2)
    assert len(res.events) > 0
    assert list(res.events["date"]) == [str(eng.date_of(h))[:16] for h in res.events["time_h"]]


@pytest.mark.parametrize("same_price", [True, False])
def test_price_response_is_the_formula_household_by_household(same_price: bool) -> None:
    rng = np.random.default_rng(9)
    n = 5_000
    price = np.full(n, 2.37) if same_price else rng.uniform(0.0, 6.0, n)
    reference = np.full(n, 2.1)
    for cpi, elasticity, conservation in ((1.0, -0.2, 0.0), (1.37, -0.45, 0.05), (0.9, 0.0, 0.1)):
        real = np.maximum(price / cpi, PRICE_FLOOR_EUR_PER_M3)
        written_out = (real / np.maximum(reference, PRICE_FLOOR_EUR_PER_M3)) ** elasticity
        written_out *= 1.0 - conservation
        got = price_response(price, cpi, reference, elasticity, conservation)
        assert got.shape == (n,)
        assert np.array_equal(got, written_out)


def test_the_remembered_volume_price_is_the_120m3_bills() -> None:
    tariff = load_scenario(ROOT / "scenarios" / "town.yaml").tariff
    dearer = tariff.model_copy(
        update={
            "blocks": (TariffBlock(up_to_m3=60.0, price_eur_per_m3=1.0), TariffBlock(price_eur_per_m3=2.5))
        }
    )
    for t in (tariff, dearer, tariff, dearer):
        for persons, index in ((2, 1.0), (3, 1.137), (2, 1.0)):
            bd = tariff_bill(np.array([120.0]), persons, t, price_index=index)
            assert volume_price_eur_per_m3(t, persons, index) == float(bd.volume_eur[0]) / 120.0
    assert volume_price_eur_per_m3(dearer, 2, 1.0) != volume_price_eur_per_m3(tariff, 2, 1.0)


def test_seed_sequence_words_are_numpys() -> None:
    rng = np.random.default_rng(11)
    seeds = np.concatenate(
        [
            (rng.random(400) * 2.0**62).astype(np.int64),  # the months' seeds' range
            rng.integers(0, 2**32, 200),  # one 32-bit word
            [0, 1, 2**32 - 1, 2**32, 2**62 - 1, 2**63 - 1],
        ]
    )
    words = seed_sequence_words(seeds)
    for j, seed in enumerate(seeds):
        want = np.random.SeedSequence(int(seed)).generate_state(4, np.uint64)
        assert [int(w[j]) for w in words] == [int(x) for x in want], seed
        state = pcg64_state(*(int(w[j]) for w in words))
        assert state == np.random.PCG64(int(seed)).state, seed


def test_a_months_break_generator_draws_what_default_rng_draws() -> None:
    sampler = BreakSampler(np.random.default_rng(3), 360)
    for month in (0, 1, 7, 200, 359, 5):  # any order: each month's generator stands alone
        got = sampler.month_generator(month).random((4, 6))
        want = np.random.default_rng(int(sampler.month_seeds[month])).random((4, 6))
        assert np.array_equal(got, want)


def _written_out_year_households(eng, threshold: float):  # type: ignore[no-untyped-def]
    """What the year end computed before its compiled pass: the arrays, their decile sums."""
    sew = eng.scenario.sewerage
    standing = sew.standing_charge_eur_per_year * eng.cpi * 12 / 12.0
    sewer = np.where(eng.pop.sewered, standing + sew.price_eur_per_m3 * eng.cpi * eng.year_volume, 0.0)
    burden = (eng.year_bill + sewer) / eng.income
    above = burden > threshold
    arrays = [eng.income, eng.year_volume, eng.year_bill, sewer, eng.pop.persons.astype(float)]
    arrays += [eng.year_bill / eng.income, burden, above.astype(float)]
    cnt = np.bincount(eng.pop.decile.astype(np.int64), minlength=11)[1:].astype(float)
    means = _bincount_sums(eng.pop.decile, arrays) / np.maximum(cnt, 1)
    included = 100.0 * float((~above & ~eng.service.short_hh).mean())
    return 100.0 * float(above.mean()), included, means


@pytest.mark.parametrize("kernel", ["numpy", "numba"])
@pytest.mark.parametrize("n", [2_000, 20_000, 1_237])
def test_the_year_ends_household_figures_are_the_arrays_sums(
    kernel: str, n: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    if kernel == "numba":
        pytest.importorskip("numba")
    monkeypatch.setenv("REGIE_SIM_KERNEL", kernel)
    town = scale_town(load_scenario(ROOT / "scenarios" / "town.yaml"), n)
    eng = engine_for(with_changes(town, {"horizon_years": 1}), 4)
    eng.run()
    rng = np.random.default_rng(n)
    for trial in range(5):
        if trial == 4:  # households not decile after decile (the compiled pass's sums then leave
            # their locals at every change of decile): the same sums, in household order
            rng.shuffle(eng.pop.decile)  # the same counts by decile (kept by the service)
        if trial:  # other years' figures: bills, volumes, incomes, rationing, some -0.0 and 0 bills
            eng.year_bill[:] = rng.gamma(2.0, 200.0, n) * (rng.random(n) > 0.05)
            eng.year_bill[rng.random(n) < 0.02] = -0.0
            eng.year_volume[:] = rng.gamma(2.0, 40.0, n)
            eng.income[:] = rng.lognormal(10.0, 0.6, n)
            eng.service.short_hh[:] = rng.random(n) < 0.3
            eng.cpi *= 1.01
        for threshold in (0.03, 0.01):
            got = eng.service._year_households(eng, threshold)
            want = _written_out_year_households(eng, threshold)
            assert got[0] == want[0] and got[1] == want[1]
            assert np.array_equal(got[2], want[2])
            assert (np.signbit(got[2]) == np.signbit(want[2])).all()


def _median_cases() -> list[np.ndarray]:
    rng = np.random.default_rng(17)
    cases = []
    for n in (8_192, 8_193, 20_000, 20_001, 100_000, 3_000):
        cases.append(1.02 + rng.normal(0.0, 0.01, n))  # a tariff change's bill ratios
        cases.append(rng.lognormal(0.0, 1.0, n))
        cases.append(np.round(rng.normal(1.0, 0.05, n), 3))  # many ties
        cases.append(np.where(rng.random(n) < 0.7, 1.0, rng.random(n)))  # most equal: window too full
        sorted_ = np.sort(rng.random(n))
        cases += [sorted_, sorted_[::-1].copy()]  # the sample's order on sorted arrays
        with_nan = rng.random(n)
        with_nan[rng.integers(n)] = np.nan
        cases.append(with_nan)
        cases.append(np.where(rng.random(n) < 0.01, np.inf, rng.random(n)))
    return cases


@pytest.mark.parametrize("kernel", ["numpy", "numba"])
def test_median_exact_is_numpys_median(kernel: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if kernel == "numba":
        pytest.importorskip("numba")
    monkeypatch.setenv("REGIE_SIM_KERNEL", kernel)
    for x in _median_cases():
        want = float(np.median(x))
        got = median_exact(x.copy())
        assert got == want or (np.isnan(got) and np.isnan(want)), (x.size, got, want)


@pytest.mark.parametrize("kernel", ["numpy", "numba"])
def test_count_above_is_the_arrays_count(kernel: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if kernel == "numba":
        pytest.importorskip("numba")
    monkeypatch.setenv("REGIE_SIM_KERNEL", kernel)
    rng = np.random.default_rng(3)
    n = 20_000
    bills = rng.gamma(2.0, 200.0, n)
    sewer = np.where(rng.random(n) < 0.8, rng.gamma(2.0, 150.0, n), 0.0)
    income = rng.lognormal(10.0, 0.6, n)
    threshold = float(np.median((bills + sewer) / income))  # households right at the threshold
    for t in (threshold, 0.03, 0.0):
        want = int(np.count_nonzero((bills + sewer) / income > t))
        assert count_above(bills, sewer, income, t) == want
        assert count_above(bills, sewer, income, t, (np.empty(n), np.empty(n, dtype=bool))) == want


def test_median_exact_selects_in_its_window_on_the_numba_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The window is found for bill ratios (else the test above would only test np.median)."""
    pytest.importorskip("numba")
    monkeypatch.setenv("REGIE_SIM_KERNEL", "numba")
    rng = np.random.default_rng(8)
    cases = [1.02 + rng.normal(0.0, 0.01, n) for n in (20_000, 100_001, 250_000)]
    want = [float(np.median(x)) for x in cases]

    def no_median(*args: object, **kwargs: object) -> None:
        raise AssertionError("np.median called")

    monkeypatch.setattr(np, "median", no_median)
    assert [median_exact(x.copy()) for x in cases] == want


def test_the_sewerage_lines_compiled_pass_is_the_numpy_operations() -> None:
    pytest.importorskip("numba")
    from sim.core import _billing_numba as nb

    rng = np.random.default_rng(21)
    n = 20_001
    year_volume = rng.gamma(2.0, 40.0, n)
    prev = year_volume * rng.random(n)
    prev[:30] = year_volume[:30]  # nothing used since the last bill: a zero volume
    year_volume[30:40] = prev[30:40] = -0.0
    factor = (rng.random(n) < 0.8).astype(np.float64)
    want_prev = prev.copy()
    want = np.subtract(year_volume, want_prev)
    np.copyto(want_prev, year_volume)
    want *= 2.37
    want += 31.5
    want *= factor
    got = np.empty(n)
    nb.period_line_loop(year_volume, prev, 2.37, 31.5, factor, got)
    assert np.array_equal(got, want) and (np.signbit(got) == np.signbit(want)).all()
    assert np.array_equal(prev, want_prev)


def _written_out_loan_month(loans: Loans) -> tuple[float, float]:
    """A loan book's month as :meth:`Loans.month` computed it before its fast path."""
    if loans.principal.size == 0:
        return 0.0, 0.0
    interest = loans.principal * loans.rate_m
    repay = np.minimum(
        np.where(loans.months_left <= 1, loans.principal, loans.payment - interest), loans.principal
    )
    loans.principal = loans.principal - repay
    loans.months_left = loans.months_left - 1
    alive = (loans.months_left > 0) & (loans.principal > 1e-9)
    if not alive.all():
        loans.principal, loans.rate_m = loans.principal[alive], loans.rate_m[alive]
        loans.months_left, loans.payment = loans.months_left[alive], loans.payment[alive]
    return float(np.add.reduce(interest)), float(np.add.reduce(repay))


def test_a_loan_books_month_is_the_arithmetic_it_replaced() -> None:
    rng = np.random.default_rng(9)
    fast, slow = Loans(), Loans()
    ended = 0
    for month in range(600):
        if month % 12 == 0 or rng.random() < 0.05:  # a loan a year, and some more
            amount = float(rng.uniform(1e4, 1e6)) if rng.random() > 0.05 else 0.0
            rate, years = float(rng.choice([0.0, 1.5, 3.0])), int(rng.choice([0, 1, 2, 5, 25]))
            for book in (fast, slow):
                book.add(amount, rate, years)
        if rng.random() < 0.01:
            assert fast.remove(0.3) == slow.remove(0.3)
        before = slow.principal.size
        assert fast.month() == _written_out_loan_month(slow), month
        ended += before - slow.principal.size
        for name in ("principal", "rate_m", "months_left", "payment"):
            assert np.array_equal(getattr(fast, name), getattr(slow, name)), (month, name)
    assert ended > 20  # loans ended along the way (the slow path), most months had none


@pytest.mark.parametrize("weibull_share", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("km_factor", [0.05, 1.0, 30.0])  # months without breaks, a few, many
def test_a_years_breaks_drawn_at_once_are_the_months_breaks(weibull_share: float, km_factor: float) -> None:
    rng = np.random.default_rng(int(weibull_share * 10 + km_factor))
    k, c = 3, 40
    spec = load_scenario(ROOT / "scenarios" / "town.yaml").network

    def cohorts() -> Cohorts:
        g = np.random.default_rng(7)
        length = g.uniform(0.1, 5, c) * km_factor
        length[:3] = 0.0  # cohorts renewed away: equal running shares
        return Cohorts(
            material=g.integers(0, k, c),
            install_year=g.uniform(1900, 2020, c),
            length_km=length,
            names=["a", "b", "c"],
            model_weibull=g.random(k) < weibull_share,
            n0=g.uniform(0.01, 0.5, k),
            growth=g.uniform(0, 0.05, k),
            shape=g.uniform(1, 3, k),
            scale=g.uniform(20, 80, k),
            life=g.uniform(40, 100, k),
            value_eur_per_km=g.uniform(1e5, 3e5, c),
        )

    months = 36
    ahead = BreakSampler(np.random.default_rng(1), months)
    alone = BreakSampler(np.random.default_rng(1), months)
    coh_a, coh_b = cohorts(), cohorts()
    starts = np.cumsum(np.concatenate([[0.0], rng.choice([672.0, 720.0, 744.0], months)]))
    cust = float(rng.uniform(5, 50))
    counted = 0
    for m in range(months):
        y, cal = divmod(m, 12)
        if cal == 0:
            ms = list(range(m, m + 12))
            ahead.prepare(
                ms,
                [2026 + y + (j - m) / 12.0 for j in ms],
                coh_a,
                spec,
                [starts[j + 1] - starts[j] for j in ms],
                [starts[j] for j in ms],
                cust,
            )
        args = (2026 + y + cal / 12.0, spec, starts[m + 1] - starts[m], starts[m], cust)
        got = ahead.sample(m, args[0], coh_a, *args[1:])
        want = alone.sample(m, args[0], coh_b, *args[1:])
        assert [vars(r) for r in got] == [vars(r) for r in want], m
        assert [type(r.start_h) for r in got] == [type(r.start_h) for r in want]
        counted += len(want)
        if cal == 5:  # a renewal mid-year (new arrays): the months drawn ahead are not used
            coh_a.renew(0.5, 2026 + y + 0.5, 1)
            coh_b.renew(0.5, 2026 + y + 0.5, 1)
    assert counted > 0 if km_factor > 0.05 else True


def test_the_kept_size_distribution_is_the_bisections() -> None:
    from sim.core.households import _size_cdf, decile_size_probabilities

    spec = load_scenario(ROOT / "scenarios" / "town.yaml").households
    shares, factors = tuple(spec.size_shares), tuple(spec.size_decile_factor)
    want = np.cumsum(decile_size_probabilities(np.asarray(shares), np.asarray(factors)), axis=1)
    want /= want[:, -1:]
    assert np.array_equal(_size_cdf(shares, factors), want)
    assert _size_cdf(shares, factors) is _size_cdf(shares, factors)  # kept, and read-only
    assert not _size_cdf(shares, factors).flags.writeable


def test_the_yearly_sewerage_bills_compiled_pass_is_sewerage_bill_eur() -> None:
    pytest.importorskip("numba")
    from sim.core import _billing_numba as nb
    from sim.water.sewerage import sewerage_bill_eur

    spec = load_scenario(ROOT / "scenarios" / "town.yaml").sewerage
    rng = np.random.default_rng(4)
    n = 20_003
    volume = rng.gamma(2.0, 40.0, n)
    volume[:20] = 0.0
    volume[20:30] = -0.0
    sewered = rng.random(n) < 0.85
    for cpi in (1.0, 1.137):
        got = np.empty(n)
        nb.where_line_loop(volume, sewered, spec.standing_charge_eur_per_year * cpi * 12 / 12.0,
                           spec.price_eur_per_m3 * cpi, got)  # fmt: skip
        want = sewerage_bill_eur(volume, sewered, spec, cpi)
        assert np.array_equal(got, want) and (np.signbit(got) == np.signbit(want)).all()


def test_the_year_rows_means_are_numpys() -> None:
    from sim.water.service import _mean

    rng = np.random.default_rng(6)
    for n in (1, 2, 5, 7, 8, 9, 31, 200, 1_001):
        values = (rng.gamma(2.0, 10.0, n) * rng.choice([1e-3, 1.0, 1e6], n)).tolist()
        assert _mean(values) == float(np.mean(values))


def _frame_equal_with_dtypes(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert list(a.dtypes) == list(b.dtypes)
    assert a.equals(b)


@pytest.mark.parametrize(
    "rows",
    [
        [],  # breaks only
        [{"time_h": 5.0, "kind": "restriction", "level": "alert", "value": 1.5}],
        [  # a key that the records have, one they lack, a missing value, a bool and an int
            {"time_h": 1.0, "kind": "shortfall", "level": "crisis", "value": 2.0},
            {"time_h": 2.0, "kind": "x", "visible": True, "customers": 3, "extra": "e"},
        ],
    ],
)
@pytest.mark.parametrize("n_records", [0, 1, 9])
def test_the_events_columns_make_the_table_the_rows_make(rows: list[dict], n_records: int) -> None:
    rng = np.random.default_rng(n_records)
    records = [
        {
            "time_h": float(rng.random() * 1e4),
            "kind": "break",
            "material": str(rng.choice(["PVC", "fonte grise"])),
            "visible": bool(rng.random() < 0.5),
            "flow_m3_per_h": float(rng.random()),
            "customers": int(rng.integers(0, 40)),
        }
        for _ in range(n_records)
    ]
    columns = {k: [r[k] for r in records] for k in records[0]} if records else {}
    if not records and not rows:
        assert pd.DataFrame(_appended(columns, rows)).empty and pd.DataFrame(records + rows).empty
        return
    _frame_equal_with_dtypes(pd.DataFrame(_appended(columns, rows)), pd.DataFrame(records + rows))


def test_the_water_services_event_columns_are_its_event_rows() -> None:
    town = scale_town(load_scenario(ROOT / "scenarios" / "town.yaml"), 2_000)
    eng = engine_for(with_changes(town, {"horizon_years": 8}), 3)
    eng.run()
    rows = eng.service.event_rows()
    assert len(rows) > 0 and len(eng.events) > 0  # breaks, and restrictions or shortfalls
    columns = eng.service.event_columns()
    assert list(columns) == list(rows[0])
    for k, values in columns.items():
        assert values == [r[k] for r in rows]  # the same doubles (NaN-free)
    built = pd.DataFrame(_appended(columns, eng.events))
    _frame_equal_with_dtypes(built, pd.DataFrame(rows + eng.events))
    table = _events_table(eng)
    expected = pd.DataFrame(rows + eng.events).sort_values("time_h", kind="stable").reset_index(drop=True)
    _frame_equal_with_dtypes(table.drop(columns="date"), expected)


def _close_month_written_out(cash_start: float, lines: dict, extra: tuple[str, ...]) -> dict:
    receipts = sum(lines.get(k, 0.0) for k in RECEIPT_LINES)
    payments = sum(lines.get(k, 0.0) for k in PAYMENT_LINES)
    for k in extra:
        payments += lines.get(k, 0.0)
    row = {k: lines.get(k, 0.0) for k in RECEIPT_LINES + PAYMENT_LINES + extra}
    row.update(
        cash_start_eur=cash_start,
        receipts_eur=receipts,
        payments_eur=payments,
        cash_end_eur=cash_start + receipts - payments,
    )
    return row


@pytest.mark.parametrize("extra", [(), ("compensation_eur",), ("compensation_eur", PAYMENT_LINES[0])])
def test_close_month_is_the_sums_it_replaced(extra: tuple[str, ...]) -> None:
    rng = np.random.default_rng(len(extra))
    keys = list(RECEIPT_LINES + PAYMENT_LINES + extra)
    for _ in range(50):
        present = [k for k in keys if rng.random() < 0.7]
        lines = {k: float(rng.standard_normal() * 10.0 ** rng.integers(0, 9)) for k in present}
        got = close_month(1e6, lines, extra)
        want = _close_month_written_out(1e6, lines, extra)
        assert list(got) == list(want)
        assert all(np.float64(got[k]).tobytes() == np.float64(want[k]).tobytes() for k in want)


def test_mean_age_is_numpys_weighted_average() -> None:
    rng = np.random.default_rng(4)
    spec = load_scenario(ROOT / "scenarios" / "town.yaml").network
    cohorts = Cohorts.from_spec(spec)
    for year in (2026.0, 2031.5, 2070.25):
        want = float(np.average(cohorts.ages(year), weights=cohorts.length_km))
        assert cohorts.mean_age(year) == want
    cohorts.length_km[:] = rng.random(cohorts.length_km.shape[0]) * 1e3
    cohorts.install_year[:] = 1900.0 + rng.random(cohorts.length_km.shape[0]) * 120.0
    for year in (2026.0, 2040.75):
        assert cohorts.mean_age(year) == float(np.average(cohorts.ages(year), weights=cohorts.length_km))
    cohorts.length_km[:] = 0.0
    with pytest.raises(ZeroDivisionError):
        cohorts.mean_age(2030.0)


class _MonthAsBefore(Engine):
    """The engine with its month's accounts as they were before the ledger's fixed order (issue 17,
    fifth round): ``close_month``'s row, the monthly row always built, every ledger line added to
    the year's accumulators every month."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._ledger_acc_at_year_end = False

    def _month_end(self, m: int, y: int, cal_month: int, t0: float, t1: float) -> None:
        flows = self.service.month_end(self, m, y, cal_month, t0, t1)
        lines, staff_in_house, overtime_h = self._money_lines(cal_month, flows)
        revenue = 0.0
        if (cal_month + 1) % self.scenario.billing.interval_months == 0:
            revenue = self.service.bill(self, lines)
        self._outflow_lines(lines, revenue, flows.billed)
        row = close_month(self.cash, lines, self.service.extra_payment_lines)
        self.cash = row["cash_end_eur"]
        self._watch_treasury(m)
        self.months.append(
            {
                "month": m + 1,
                "date": str(self.month_dates[m]),
                "year": self.scenario.town.start_year + y,
                **flows.columns,
                "repairs": self._repairs_month,
                "revenue_eur": revenue,
                **row,
            }
        )
        self.months_closed = len(self.months)
        acc = self._year_acc
        for k, v in flows.year.items():
            acc[k] += v
        for k, v in (
            ("revenue_eur", revenue),
            ("overtime_hours", overtime_h),
            ("repairs", self._repairs_month),
            ("staff_in_house_eur", staff_in_house),
            ("receipts_eur", row["receipts_eur"]),
        ):
            acc[k] += v
        for k in self._month_acc_keys:
            acc[k] += row.get(k, 0.0)
        self._repairs_month = 0


def _tables_equal(a, b) -> None:  # type: ignore[no-untyped-def]
    for name in ("years", "periods", "deciles", "events", "decisions", "workforce"):
        x, y = getattr(a, name), getattr(b, name)
        assert list(x.columns) == list(y.columns), name
        assert x.equals(y), name


@pytest.mark.parametrize(
    "path", ["town.yaml", "remunicipalisation.yaml", "electricity/town.yaml", "electricity/regie.yaml"]
)
def test_the_months_accounts_are_close_months_and_the_monthly_sums(path: str) -> None:
    """The engine's month (the lines in a fixed order, the ledger's year sums written at the year's
    end) gives every table the month as it was gives, water and electricity (whose bill is dated
    by the months closed), and a run that keeps no monthly table gives the same other tables."""
    scen = with_changes(scale_town(load_scenario(ROOT / "scenarios" / path), 1_500), {"horizon_years": 4})
    before = _MonthAsBefore(scen, 3, new_service(scen), policy=make_policy(scen))
    before.run()
    eng = engine_for(scen, 3)
    assert eng._ledger_acc_at_year_end  # the fast path is taken (no service writes a ledger sum)
    eng.run()
    _tables_equal(result_of(before), result_of(eng))
    kept = engine_for(scen, 3)
    kept.keep_months = False
    kept.run()
    assert kept.months == [] and kept.months_closed == 12 * scen.horizon_years
    assert kept.cash == eng.cash
    a, b = result_of(kept), result_of(eng)
    assert a.periods.empty
    for name in ("years", "deciles", "events", "decisions", "workforce"):
        assert getattr(a, name).equals(getattr(b, name)), name


def test_a_service_adding_to_a_ledger_line_keeps_the_monthly_additions() -> None:
    """A service whose month adds to a ledger line's year sum itself: the engine then adds every
    line every month (the order of the additions is kept), as the month as it was does."""
    scen = with_changes(
        scale_town(load_scenario(ROOT / "scenarios" / "town.yaml"), 1_000), {"horizon_years": 3}
    )

    def with_energy_in_year(service):  # type: ignore[no-untyped-def]
        month_end = service.month_end

        def patched(eng, *args):  # type: ignore[no-untyped-def]
            flows = month_end(eng, *args)
            flows.year["energy_eur"] = 0.1 * flows.costs["energy_eur"]
            return flows

        service.month_end = patched
        return service

    before = _MonthAsBefore(scen, 4, with_energy_in_year(new_service(scen)), policy=make_policy(scen))
    before.run()
    eng = Engine(scen, 4, with_energy_in_year(new_service(scen)), policy=make_policy(scen))
    eng.run()
    assert not eng._ledger_acc_at_year_end
    _tables_equal(result_of(before), result_of(eng))
    plain = engine_for(scen, 4)
    plain.run()
    assert not result_of(plain).years["opex_eur"].equals(result_of(eng).years["opex_eur"])  # it did add


def _loan_books(seed: int) -> list[Loans]:
    rng = np.random.default_rng(seed)
    books = []
    for size in (1, 2, 7, 8, 9, 15, 16, 17, 31, 64, 127, 128, 129):
        book = Loans()
        for _ in range(size):
            rate = 0.0 if rng.random() < 0.1 else float(rng.uniform(0.1, 9.0))
            book.add(float(rng.lognormal(12.0, 2.0)), rate, int(rng.integers(1, 31)))
        books.append(book)
    return books


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_loan_books_compiled_month_is_the_numpy_month(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The loan book's month in one compiled pass (numba path) gives the numpy path's sums,
    principals and months left to the last bit, through loans ending and books of 1 to 129 loans
    (above 128, numpy's own), also after a transfer of a share of every loan."""
    pytest.importorskip("numba")
    import sim.core._billing_numba as nb

    calls = [0]
    loop = nb.loans_month_loop

    def counted(*args):  # type: ignore[no-untyped-def]
        calls[0] += 1
        return loop(*args)

    monkeypatch.setattr(nb, "loans_month_loop", counted)
    compiled, plain = _loan_books(seed), _loan_books(seed)
    for month in range(380):
        if month == 50:
            for book in (*compiled, *plain):
                book.remove(0.3)
        for a, b in zip(compiled, plain, strict=True):
            if month % 2:  # the path as the engine gives it
                got, want = a.month(True), b.month(False)
            else:  # the path from the environment
                monkeypatch.setenv("REGIE_SIM_KERNEL", "numba")
                got = a.month()
                monkeypatch.setenv("REGIE_SIM_KERNEL", "numpy")
                want = b.month()
            assert np.array(got).tobytes() == np.array(want).tobytes(), (month, a.principal.size)
            assert a.principal.tobytes() == b.principal.tobytes()
            assert a.months_left.tobytes() == b.months_left.tobytes()
            assert a.payment.tobytes() == b.payment.tobytes()
    assert all(b.principal.size == 0 for b in plain)  # every loan ran to its end
    assert calls[0] > 1_000  # the compiled pass was taken


def test_the_compiled_small_sum_is_numpys_add_reduce() -> None:
    """The loan book's sums (numpy's pairwise summation below its block of 128 values, added to
    0.0), against ``np.add.reduce`` on values of mixed signs and magnitudes, zeros of both signs."""
    pytest.importorskip("numba")
    from sim.core._billing_numba import loans_month_loop

    rng = np.random.default_rng(11)
    for n in range(1, 129):
        for _ in range(20):
            rate = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 6, n)
            rate[rng.random(n) < 0.1] = -0.0
            principal = np.ones(n)
            # interest = principal × rate = rate; payment huge so the repayment is the principal
            work = np.empty((2, 128))
            i_sum, r_sum, _ = loans_month_loop(
                principal, rate, np.full(n, 1e300), np.full(n, 5, dtype=np.int64), work
            )
            assert np.float64(i_sum).tobytes() == np.add.reduce(rate).tobytes()
            assert np.float64(r_sum).tobytes() == np.add.reduce(np.ones(n)).tobytes()


def test_the_remembered_kernel_follows_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """``kernel_name`` remembers its last answer: it still follows every change of
    ``REGIE_SIM_KERNEL`` (each answer is the plain look-up's), and a numba that stops loading."""
    pytest.importorskip("numba")
    import sim.core.billing as billing

    for raw in ("numba", "numba", "numpy", "auto", "numpy", "", "NUMBA ", "auto", "numpy"):
        monkeypatch.setenv(billing.KERNEL_ENV, raw)
        assert billing.kernel_name() == billing._kernel_name(raw) == billing.kernel_name()
    monkeypatch.delenv(billing.KERNEL_ENV)
    assert billing.kernel_name() == "numba"

    def broken() -> None:
        raise ImportError("numba built for another numpy")

    monkeypatch.setattr(billing, "_numba_loops", None)
    monkeypatch.setattr(billing, "_numba_broken", None)
    monkeypatch.setattr(billing, "_load_numba", broken)
    with pytest.warns(RuntimeWarning, match="another numpy"):
        assert billing.kernel_name() == "numpy"
    assert billing.kernel_name() == "numpy"


def _reference_tariffs() -> list:  # type: ignore[type-arg]
    town = load_scenario(ROOT / "scenarios" / "town.yaml")
    three = with_changes(
        town,
        {
            "tariff.free_volume_m3": 10.0,
            "tariff.blocks": [
                {"price_eur_per_m3": 0.9, "up_to_m3": 40},
                {"price_eur_per_m3": 1.4, "up_to_m3": 150},
                {"price_eur_per_m3": 2.1},
            ],
            "tariff.seasonal.eur_per_m3": 0.5,
            "tariff.social.enabled": True,
        },
    ).tariff
    per_person = with_changes(
        town,
        {
            "tariff.blocks_per_person": True,
            "tariff.blocks": [{"price_eur_per_m3": 1.0, "up_to_m3": 15}, {"price_eur_per_m3": 1.8}],
            "tariff.social.enabled": True,
            "tariff.social.kind": "reduced_blocks",
        },
    ).tariff
    free_above = with_changes(
        town, {"tariff.free_volume_m3": 130.0, "tariff.standing_charge_eur_per_year": 0.0}
    ).tariff
    return [town.tariff, three, per_person, free_above]


@pytest.mark.parametrize("kernel", ["numba", "numpy"])
def test_the_120m3_price_is_the_vectorised_bills(kernel: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The 120 m3 price through the projection's compiled loop (numba path) is the vectorised
    bill's (``sim.core.tariff.price_120m3_eur_per_m3``) to the bit: blocks, a free volume (also
    above 120 m3), per-person blocks for 1 to 6 persons, a social tariff (not applied), a season
    surcharge (no season volume), indices of levies given or not."""
    if kernel == "numba":
        pytest.importorskip("numba")
    monkeypatch.setenv("REGIE_SIM_KERNEL", kernel)
    from sim.core.billing import price_120m3_eur_per_m3 as fast
    from sim.core.tariff import price_120m3_eur_per_m3 as plain

    for tariff in _reference_tariffs():
        for persons in (1, 2, 3, 6, 130):  # 130: above int8, the size given as a double
            for index, levies in ((1.0, None), (1.137, 1.2941), (0.0, 0.5), (2.5, None)):
                got = fast(tariff, persons, index, levies)
                want = plain(tariff, persons, price_index=index, levies_index=levies)
                assert np.float64(got).tobytes() == np.float64(want).tobytes(), (persons, index, levies)
    with pytest.raises(ValueError):
        fast(_reference_tariffs()[2], 0, 1.0)


def test_median_exact_of_equal_values_is_numpys_without_np_median(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every value the same (a tariff left as it was: each bill's ratio is 1): the median is that
    value as ``np.median`` gives it, found without ``np.median``; ties that are not every value
    still take the window or ``np.median`` and give its median."""
    pytest.importorskip("numba")
    monkeypatch.setenv("REGIE_SIM_KERNEL", "numba")
    rng = np.random.default_rng(12)
    equal = [np.full(n, v) for n in (8_192, 20_000, 20_001, 100_000) for v in (1.0, 0.37, -2.5e7, np.inf)]
    mostly = np.full(20_000, 1.0)
    mostly[rng.choice(20_000, 3, replace=False)] = (0.5, 2.0, 3.0)
    half = np.where(rng.random(20_001) < 0.5, 1.0, 1.5)
    want_equal = [float(np.median(x)) for x in equal]
    want_others = [float(np.median(x)) for x in (mostly, half)]
    assert [median_exact(x.copy()) for x in (mostly, half)] == want_others

    def no_median(*args: object, **kwargs: object) -> None:
        raise AssertionError("np.median called")

    monkeypatch.setattr(np, "median", no_median)
    assert [median_exact(x.copy()) for x in equal] == want_equal


def test_depreciation_and_book_is_the_two_calls() -> None:
    """The year's depreciation and its closing book value with one book value fewer (mains
    cohorts, other assets' vintages) are the two methods' doubles; another kind of assets (an
    electricity network's lines) is asked both methods as before."""
    from sim.core.accounts import Vintages
    from sim.core.engine import _depreciation_and_book

    spec = load_scenario(ROOT / "scenarios" / "town.yaml").network
    cohorts = Cohorts.from_spec(spec)
    vintages = Vintages.steady_state(2026, 1.3e6, 37.0)
    for year in range(2026, 2060):
        cohorts.renew(7.3, float(year), 0, 812_345.6)
        vintages.add(year, 1.1e6 * 1.017 ** (year - 2026))
        for assets in (cohorts, vintages):
            calls = []
            book = assets.book_value_eur
            assets.book_value_eur = lambda at, book=book, calls=calls: calls.append(at) or book(at)  # type: ignore[method-assign]
            got = _depreciation_and_book(assets, year)
            del assets.book_value_eur
            want = (assets.depreciation_eur(year), assets.book_value_eur(year + 1.0))
            assert np.array(got).tobytes() == np.array(want).tobytes()
            assert len(calls) == 2  # one book value fewer than the two methods' three

    class Other:
        def depreciation_eur(self, year: int) -> float:
            return 0.1 * year

        def book_value_eur(self, at: float) -> float:
            return 2.0 * at

    assert _depreciation_and_book(Other(), 2030) == (203.0, 4062.0)


def test_the_months_breaks_come_from_the_years_draws_and_customers_per_km_follows_renewal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every month's breaks are handed out from its year's draws (the inputs compared item by
    item: a month drawn again would ask for its count once more), and the households per km the
    month uses are the plain quotient each month, through the renewals."""
    import sim.core.assets as assets
    from sim.water.service import WaterService

    counted = [0]
    poisson = assets.poisson_inverse

    def counting(u: float, lam: float) -> int:
        counted[0] += 1
        return poisson(u, lam)

    monkeypatch.setattr(assets, "poisson_inverse", counting)
    checked = [0]
    schedule = WaterService.schedule_month

    def checking(self, eng, m, t0, t1):  # type: ignore[no-untyped-def]
        assert self._customers_per_km(eng) == eng.pop.count / max(self.cohorts.total_km, 1e-9)
        checked[0] += 1
        return schedule(self, eng, m, t0, t1)

    monkeypatch.setattr(WaterService, "schedule_month", checking)
    scen = with_changes(
        scale_town(load_scenario(ROOT / "scenarios" / "town.yaml"), 2_000), {"horizon_years": 5}
    )
    eng = engine_for(scen, 6)
    eng.run()
    assert checked[0] == 60 and counted[0] == 60  # one count a month, drawn with its year
    assert len(eng.service.breaks_done) > 0 and len(eng.service.renewed_km) == 5


@pytest.mark.parametrize("n", [1, 7, 10, 11, 19, 999, 20_000, 20_001])
def test_household_sizes_by_tenth_are_the_table_of_comparisons(n: int) -> None:
    """A household's size by one ``searchsorted`` per tenth is the count of its decile's cumulative
    shares at or below its uniform, as the table of comparisons gave it: the town's shares, shares
    of zero (equal running sums) and uniforms exactly on a running sum; and the table itself when
    the deciles are not in tenths."""
    from sim.core.households import _size_cdf, sizes_drawn

    spec = load_scenario(ROOT / "scenarios" / "town.yaml").households
    town = _size_cdf(
        tuple(float(x) for x in spec.size_shares), tuple(float(x) for x in spec.size_decile_factor)
    )
    zeros = _size_cdf((0.3, 0.0, 0.4, 0.0, 0.3, 0.0), tuple(float(x) for x in spec.size_decile_factor))
    decile = (np.arange(n) * 10 // n + 1).astype(np.int8)
    rng = np.random.default_rng(n)
    for cdf in (town, zeros):
        u = rng.random(n)
        on = rng.random(n) < 0.2
        u[on] = cdf[decile[on] - 1, rng.integers(0, cdf.shape[1], int(on.sum()))]  # exactly a share's sum
        want = (np.sum(u[:, None] >= cdf[decile - 1], axis=1) + 1).astype(np.int8)
        got = sizes_drawn(u, cdf, decile, in_tenths=True)
        assert got.dtype == np.int8 and np.array_equal(got, want)
        shuffled = rng.permutation(decile)
        want_shuffled = (np.sum(u[:, None] >= cdf[shuffled - 1], axis=1) + 1).astype(np.int8)
        assert np.array_equal(sizes_drawn(u, cdf, shuffled), want_shuffled)


@pytest.mark.parametrize("path", ["regie.yaml", "town.yaml"])
def test_the_councils_target_given_to_the_opinion_is_the_opinions_own(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The council's target revenue handed to the CCSPL's opinion is the target the opinion
    would compute itself at that moment (every year it is handed; a frozen year computes it)."""
    from sim.governance import committee as cm
    from sim.governance.base import GovernedPolicy

    given = [0, 0]
    opinion = GovernedPolicy.consultative_opinion

    def checking(self, eng, decided, before, target=None):  # type: ignore[no-untyped-def]
        own = cm.target_revenue(eng, self.scenario.governance.council)
        given[target is None] += 1
        assert target is None or np.float64(target).tobytes() == np.float64(own).tobytes()
        return opinion(self, eng, decided, before, target)

    monkeypatch.setattr(GovernedPolicy, "consultative_opinion", checking)
    scen = with_changes(scale_town(load_scenario(ROOT / "scenarios" / path), 1_500), {"horizon_years": 8})
    engine_for(scen, 2).run()
    assert given[0] >= 4  # handed by the council in the years it computed it
    assert given[1] >= 1  # a year frozen before an election: the opinion computes it


def test_the_years_energy_factor_is_numpys_product(monkeypatch: pytest.MonkeyPatch) -> None:
    """The year's energy price factor (shocks of that year multiplied one after the other) is
    ``float(np.prod(...))`` of them, for none, one, three shocks a year, values of every size."""
    from sim.water.service import WaterService

    town = scale_town(load_scenario(ROOT / "scenarios" / "town.yaml"), 1_000)
    rng = np.random.default_rng(5)
    start = town.town.start_year
    shocks = [{"year": start + 1, "kind": "energy_price", "factor": 1.7}]
    shocks += [
        {"year": start + 2, "kind": "energy_price", "factor": float(f)} for f in rng.lognormal(0, 1, 3)
    ]
    shocks += [{"year": start + 2, "kind": "drought", "factor": 0.5}]
    scen = with_changes(town, {"horizon_years": 4, "shocks": shocks})
    seen: list[float] = []
    year_start = WaterService.year_start

    def recording(self, eng, y):  # type: ignore[no-untyped-def]
        out = year_start(self, eng, y)
        year = start + y
        want = float(
            np.prod([sh.factor for sh in scen.shocks if sh.kind == "energy_price" and sh.year == year])
        )
        assert np.float64(self._energy_factor).tobytes() == np.float64(want).tobytes()
        seen.append(self._energy_factor)
        return out

    monkeypatch.setattr(WaterService, "year_start", recording)
    eng = engine_for(scen, 1)
    eng.run()
    assert seen[0] == 1.0 and seen[1] == 1.7 and len(seen) == 4
    for k in range(2, 41):
        values = (rng.lognormal(0, 2, k) * rng.choice([-1.0, 1.0], k)).tolist()
        assert (
            np.float64(np.prod(values)).tobytes()
            == np.float64(__import__("math").prod(values, start=1.0)).tobytes()
        )


def test_the_opinions_committee_without_veto_is_kept_per_committee() -> None:
    """The CCSPL's committee without veto, copied once per committee: equal to a new copy, and a
    new copy when the committee is another."""
    scen = with_changes(
        scale_town(load_scenario(ROOT / "scenarios" / "regie.yaml"), 1_000), {"horizon_years": 4}
    )
    eng = engine_for(scen, 3)
    eng.run()
    c = scen.governance.committee
    kept = eng.policy._opinion_committee  # type: ignore[attr-defined]
    assert kept[0] is c and kept[1] == c.model_copy(update={"citizen_veto": False})
    assert not kept[1].citizen_veto


def test_the_non_domestic_bill_is_the_written_out_sums() -> None:
    """The non-domestic meters' bill (sums without numpy's wrappers) is the one written out with
    ``.sum()`` and ``np.sum``, for the town's groups and volumes of every size."""
    from sim.core.non_domestic import NonDomesticMeters, bill_non_domestic

    scen = load_scenario(ROOT / "scenarios" / "town.yaml")
    meters = NonDomesticMeters.of(scen.non_domestic, 20_000, 43_000)
    assert not meters.empty
    rng = np.random.default_rng(17)
    for _ in range(200):
        volume = rng.lognormal(8.0, 3.0, meters.meters.size)
        index, levies_index, months = float(rng.uniform(0.5, 2.0)), float(rng.uniform(0.5, 2.0)), 6
        got = bill_non_domestic(meters, volume, scen.tariff, 2, months, index, levies_index)
        t = scen.tariff
        standing = float(meters.meters.sum()) * t.standing_charge_eur_per_year * index * months / 12.0
        vol = float(np.sum(volume))
        amount = vol * volume_price_eur_per_m3(t, 2, index)
        levies = vol * t.levies_eur_per_m3 * levies_index
        excl = standing + amount + levies
        vat = excl * t.vat_pct / 100.0
        want = (excl + vat, vat, levies, standing + amount)
        assert np.array((got.total_eur, got.vat_eur, got.levies_eur, got.revenue_eur)).tobytes() == (
            np.array(want).tobytes()
        )


def test_the_kept_decision_dates_and_the_inclusion_mean_are_the_plain_ones() -> None:
    """A decision's date kept per whole hour is ``str(date_of(h))[:10]`` (fractions of an hour,
    years apart, asked again); the governance inclusion mean without ``np.mean``'s wrapper is
    ``np.mean``'s, for mixes of committee, workers' and council decisions."""
    scen = with_changes(
        scale_town(load_scenario(ROOT / "scenarios" / "commons.yaml"), 1_000), {"horizon_years": 2}
    )
    eng = engine_for(scen, 4)
    rng = np.random.default_rng(2)
    hours = [0.0, 0.4, 23.99, 24.0, 743.5, 744.0, *rng.uniform(0, 30 * 8784, 300).tolist()]
    for h in hours + hours:
        assert eng._date_text(h) == str(eng.date_of(h))[:10]
    c = scen.governance.committee
    seats = c.seats_public + c.seats_operators + c.seats_citizens
    kinds = [
        {"binding": True, "body": "committee", "item": "tariff"},
        {"binding": True, "body": "committee", "item": "work_organisation"},
        {"binding": True, "body": "council", "item": "tariff"},
        {"binding": False, "body": "committee", "item": "tariff"},
    ]
    for _ in range(200):
        picked = [kinds[i] for i in rng.integers(0, 4, int(rng.integers(0, 9)))]
        eng.decisions, eng._decisions_year_start = picked, 0
        weights = [
            (1.0 if d["item"] == "work_organisation" else (c.seats_operators + c.seats_citizens) / seats)
            if d["body"] == "committee"
            else 0.0
            for d in picked
            if d["binding"]
        ]
        want = 100.0 * float(np.mean(weights)) if weights else float("nan")
        got = eng.governance_inclusion_pct()
        assert np.float64(got).tobytes() == np.float64(want).tobytes() or (np.isnan(got) and np.isnan(want))


@pytest.mark.parametrize("name", ["town", "commons"])
def test_a_replication_without_deciles_builds_none_and_keeps_the_same_tables(name: str) -> None:
    """Without the deciles table the water service builds no decile rows; the years table and the
    summary are ``simulate``'s (the town's population, kept at set-up, included)."""
    scen = with_changes(
        scale_town(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), 1_000), {"horizon_years": 5}
    )
    full = simulate(scen, 7)
    years, deciles, summary = simulate_kept(scen, 7)
    assert deciles is None
    pd.testing.assert_frame_equal(years, full.years, check_exact=True)
    assert summary == full.summary
    assert (full.years["population"] == int(full.years["population"].iloc[0])).all()
    eng = engine_for(scen, 7)
    eng.keep_deciles = False
    eng.run()
    assert eng.decile_rows == [] and len(eng.years) == 5


def test_the_yes_count_is_numpys_count() -> None:
    """A college's yes votes counted member by member are numpy's count of ``d + noise ×
    judgement > 0``, for scores near 0 (ties of sign), noise of 0 and of every size."""
    from sim.governance.committee import yes_count

    rng = np.random.default_rng(23)
    for _ in range(3_000):
        n = int(rng.integers(0, 12))
        row = rng.normal(0.0, 1.0, n)
        noise = float(rng.choice([0.0, 0.05, 0.3, 1.0, 7.0]))
        d = float(rng.choice([0.0, -0.0, 1e-12, -1e-9, rng.normal(0.0, 0.5)]))
        if n and rng.random() < 0.2:
            d = -noise * float(row[0])  # a member exactly at 0
        assert yes_count(d, noise, row.tolist()) == int((d + noise * row > 0).sum())


def test_the_non_domestic_volume_billed_in_a_rationed_month_is_the_rationed_share(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The month's non-domestic volume summed once, and again after rationing: in a rationed month
    the volume billed is the sum of the meters' rationed share (as before), not of their demand."""
    from sim.water.service import WaterService

    town = scale_town(load_scenario(ROOT / "scenarios" / "town.yaml"), 1_000)
    start = town.town.start_year
    shocks = [{"year": start + k, "kind": "drought", "factor": 0.02} for k in (1, 2, 3)]
    scen = with_changes(town, {"horizon_years": 4, "shocks": shocks})
    rationed: list[np.ndarray] = []
    ration = WaterService._ration

    def recording(self, *args):  # type: ignore[no-untyped-def]
        out = ration(self, *args)
        rationed.append(out[2])
        return out

    month_end = WaterService.month_end
    checked = [0]

    def checking(self, eng, *args):  # type: ignore[no-untyped-def]
        before = len(rationed)
        flows = month_end(self, eng, *args)
        if len(rationed) > before:
            u = eng.scenario.network.meter_under_registration_pct / 100.0
            want = float(rationed[-1].sum()) * (1.0 - u)
            assert np.float64(flows.year["non_domestic_billed_m3"]).tobytes() == np.float64(want).tobytes()
            checked[0] += 1
        return flows

    monkeypatch.setattr(WaterService, "_ration", recording)
    monkeypatch.setattr(WaterService, "month_end", checking)
    engine_for(scen, 2).run()
    assert checked[0] > 0  # months were rationed


_WORKER = """
import json, pickle, sys
import sim.experiments.ensemble as E
from sim.scenario import electricity, model
task = pickle.loads(open(sys.argv[1], "rb").read())
out = E.run_task(task)
built = sorted(
    c.__name__
    for mod in (model, electricity)
    for c in vars(mod).values()
    if isinstance(c, type) and issubclass(c, model.Block) and c.__pydantic_complete__
)
dash = ("streamlit", "plotly", "altair", "matplotlib", "SALib", "distributed")
heavy = sorted(m for m in dash if m in sys.modules)
print(json.dumps({"built": built, "heavy": heavy, "rows": len(out.years)}))
"""


@pytest.mark.slow  # a fresh interpreter imports the model (~1 s)
def test_a_worker_builds_no_scenario_validator_and_imports_no_dashboard(tmp_path: Path) -> None:
    """A pool worker (a fresh interpreter that imports the ensemble module, unpickles a task and
    runs it) never validates a scenario: the scenario's model classes are built lazily
    (``defer_build``), so the worker's start-up does not build ~50 validators it never uses
    (~0.1 s of its CPU); nor does it import the dashboard's libraries."""
    scen = with_changes(load_scenario(ROOT / "scenarios" / "town.yaml"), {"households.count": 300})
    scen = with_changes(scen, {"horizon_years": 2})
    task = tmp_path / "task.pkl"
    task.write_bytes(pickle.dumps(RunTask(0, scen, 7)))
    done = subprocess.run(
        [sys.executable, "-c", _WORKER, str(task)], capture_output=True, text=True, timeout=300, check=True
    )
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["rows"] == 2
    assert got["heavy"] == []
    assert got["built"] == []
    # the validators are still built where a scenario is validated: in the parent
    assert Scenario.__pydantic_complete__


def test_the_120m3_price_runs_the_projections_compiled_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 120 m3 price hands the compiled year loop the household size with the households' own
    dtype (int8), so a run compiles (and a worker loads from numba's cache) one version of the loop,
    not one for the projections and another for the price."""
    pytest.importorskip("numba")
    monkeypatch.setenv("REGIE_SIM_KERNEL", "numba")
    from sim.core import _billing_numba
    from sim.core.billing import price_120m3_eur_per_m3 as fast

    seen: list[np.dtype] = []
    loop = _billing_numba.year_loop

    def spy(*args: object) -> None:
        seen.append(np.asarray(args[5]).dtype)
        loop(*args)

    monkeypatch.setattr(_billing_numba, "year_loop", spy)
    scen = with_changes(load_scenario(ROOT / "scenarios" / "town.yaml"), {"households.count": 300})
    scen = with_changes(scen, {"horizon_years": 2})
    simulate(scen, seed=3)
    fast(scen.tariff, 2, 1.1)
    assert len(seen) > 2
    assert set(seen) == {np.dtype(np.int8)}


def test_the_non_domestic_month_read_again_is_the_month_computed_every_month() -> None:
    """WaterService._non_domestic_month keeps each month's non-domestic volumes (by calendar month,
    indoor cut and under-registration): what it returns, first computed or read again, is what
    month_end computed every month before, and new yearly volumes are not answered from the old."""
    from sim.core.households import INDOOR_MONTH_SHARE

    eng = engine_for(load_scenario(ROOT / "scenarios" / "town.yaml"), 3)
    service = eng.service
    rng = np.random.default_rng(17)
    cuts = (0, 0.0, 10.0, 25, 37.5)
    unders = (0.0, 0.03, 0.051)
    for trial in range(3):
        if trial == 2:  # other meters' yearly volumes (a new array): computed again
            eng.non_domestic = dataclasses.replace(eng.non_domestic, m3_per_year=rng.gamma(2.0, 5e4, 3))
        m3 = eng.non_domestic.m3_per_year
        for _ in range(2):  # computed, then read again
            for cal_month in range(12):
                for cut in cuts:
                    for u in unders:
                        nd, nd_m3, nd_billed = service._non_domestic_month(eng, cal_month, cut, u)
                        want = m3 * (INDOOR_MONTH_SHARE[cal_month] * (1 - cut / 100.0))
                        assert np.array_equal(nd, want)
                        assert nd_m3 == float(want.sum())
                        assert np.array_equal(nd_billed, want * (1.0 - u))
                        with pytest.raises(ValueError):  # never written to by its readers
                            nd_billed += 1.0


def test_a_leak_ledgers_month_is_the_max_arithmetic_it_replaced() -> None:
    """LeakLedger.close and month_end count ``flow * max(now - since, 0.0)`` in a local, without
    max: the same volumes to the bit as the written-out sums, with hours before a leak's start (no
    volume), equal hours and -0.0 differences among them."""
    from sim.water.network import LeakLedger

    rng = np.random.default_rng(23)
    for trial in range(20):
        ledger = LeakLedger()
        want_active: dict[int, tuple[float, float]] = {}
        want_vol = 0.0
        now = 0.0
        for _month in range(12):
            for _ in range(int(rng.integers(0, 6))):
                hour = now + float(rng.choice([0.0, -0.0, rng.random() * 800.0, -rng.random() * 5.0]))
                flow = float(rng.gamma(2.0, 3.0))
                key = ledger.open(hour, flow)
                want_active[key] = (flow, hour)
            for key in list(want_active):
                if rng.random() < 0.3:
                    hour = now + float(rng.choice([0.0, -0.0, rng.random() * 800.0, -rng.random() * 5.0]))
                    flow, since = want_active.pop(key)
                    want_vol += flow * max(hour - since, 0.0)
                    ledger.close(key, hour)
            now += 720.0 + (-0.0 if trial % 2 else 0.0)
            for key, (flow, since) in want_active.items():
                want_vol += flow * max(now - since, 0.0)
                want_active[key] = (flow, now)
            got = ledger.month_end(now)
            assert got == want_vol and np.signbit(got) == np.signbit(want_vol)
            assert ledger.active == want_active and ledger.volume_this_month_m3 == 0.0
            want_vol = 0.0


def test_a_stocks_month_is_the_max_and_min_arithmetic_it_replaced() -> None:
    """Stock.available_m3 and Stock.step write max/min as comparisons: the same values (and types:
    numpy doubles stay numpy doubles) as the written-out max/min, when the stock runs dry, spills,
    sits exactly at zero or at capacity."""
    from sim.water.resource import Stock

    spec = load_scenario(ROOT / "scenarios" / "town.yaml").resource
    rng = np.random.default_rng(29)
    out = spec.outflow_per_month
    for _ in range(400):
        stock = Stock(spec)
        cap = stock.capacity
        level = float(rng.choice([0.0, -0.0, cap, rng.random() * cap, cap * 0.999]))
        stock.level_m3 = level
        recharge = rng.choice([0.0, -0.0, rng.random() * cap, -rng.random() * cap, np.float64(cap * 0.5)])
        avail_want = max(level * (1.0 - out) + recharge, 0.0)
        got = stock.available_m3(recharge)
        assert got == avail_want and type(got) is type(avail_want)
        assert np.signbit(got) == np.signbit(avail_want)
        take = float(rng.choice([0.0, avail_want, rng.random() * avail_want, avail_want * 1.5]))
        left = avail_want - take
        spill_want = max(left - cap, 0.0)
        level_want = min(max(left, 0.0), cap)
        spill = stock.step(recharge, take)
        assert spill == spill_want and type(spill) is type(spill_want)
        assert stock.level_m3 == level_want and type(stock.level_m3) is type(level_want)
        assert np.signbit(stock.level_m3) == np.signbit(level_want)

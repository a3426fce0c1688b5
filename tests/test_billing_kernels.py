"""The billing date's two paths (sim.core.billing): pure numpy and fused numba agree within 1e-9.

The performance issue allows a numba path only with a pure-numpy path whose results agree within
1e-9 relative. These tests compare the two on random tariffs and households (every tariff feature:
blocks, free volume, per-person bounds, seasonal surcharge, both social tariffs, VAT, billing
periods, nonlinear months), on whole 30-year runs, and check the cheap bound that lets the numba
path skip most exponentials never changes a payment decision.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import SCENARIOS_DIR, tariffs

from sim import load_scenario, scale_town, simulate
from sim.core.billing import KERNEL_ENV, BillingWork, Payment, billing_step, kernel_name

numba = pytest.importorskip("numba", reason="the numba path needs the 'fast' extra")

REL = 1e-9


def close(a: float, b: float, scale: float) -> bool:
    return abs(a - b) <= REL * max(abs(a), abs(b), scale)


def run_both(tariff, n, seed, months, explicit, price_index, levies_index):  # type: ignore[no-untyped-def]
    g = np.random.default_rng(seed)
    indoor = g.gamma(2.0, 40.0, n)
    outdoor = np.where(g.random(n) < 0.3, g.gamma(1.5, 30.0, n), 0.0)
    weights = np.sort(g.random(4))[::-1] * months / 12.0  # season weights ≤ period weights
    weights = np.array([weights[0], weights[1], min(weights[2], weights[0]), min(weights[3], weights[1])])
    ex = None
    if explicit:
        a = g.gamma(2.0, 5.0, n)
        ex = (a, a * g.random(n))
    persons = g.integers(1, 6, n).astype(np.int8)
    eligible = g.random(n) < 0.3
    income = g.lognormal(10.0, 0.6, n)
    payment = Payment.of(0.006, float(g.uniform(0.0, 3.0)), months, income)
    out = {}
    for kernel in ("numpy", "numba"):
        rng = np.random.default_rng(seed + 1)
        year_volume, year_bill = np.full(n, 10.0), np.full(n, 30.0)
        tot = billing_step(
            indoor=indoor,
            outdoor=outdoor,
            weights=weights,
            explicit=ex,
            under_registration=0.03,
            persons=persons,
            tariff=tariff,
            months=months,
            eligible=eligible,
            income=income,
            price_index=price_index,
            levies_index=levies_index,
            payment=payment,
            rng=rng,
            year_volume=year_volume,
            year_bill=year_bill,
            work=BillingWork(n),
            kernel=kernel,
        )
        out[kernel] = (tot, year_volume, year_bill, rng.random())
    return out


@settings(deadline=None, max_examples=60)
@given(
    tariffs(("none", "reduced_blocks", "bill_cap")),
    st.integers(1, 3000),
    st.integers(0, 2**32 - 1),
    st.sampled_from([1, 2, 3, 6, 12]),
    st.booleans(),
    st.floats(0.5, 2.0),
    st.floats(0.5, 2.0),
)
def test_numba_and_numpy_bill_and_draw_alike(tariff, n, seed, months, explicit, price_index, levies_index):
    out = run_both(tariff, n, seed, months, explicit, price_index, levies_index)
    (a, va, ba, next_a), (b, vb, bb, next_b) = out["numpy"], out["numba"]
    scale = max(a.billed_eur, 1.0)
    for field in (
        "billed_eur",
        "paid_eur",
        "vat_paid_eur",
        "levies_paid_eur",
        "revenue_eur",
        "social_rebate_eur",
    ):
        assert close(getattr(a, field), getattr(b, field), scale), field
    np.testing.assert_allclose(vb, va, rtol=REL)
    np.testing.assert_allclose(bb, ba, rtol=REL)
    assert next_a == next_b  # both consumed one uniform per household from the stream


def test_the_paths_differ_when_the_bill_differs():
    """The comparison above can fail: a different price index changes the totals."""
    t = load_scenario(SCENARIOS_DIR / "town.yaml").tariff
    one = run_both(t, 500, 7, 6, False, 1.0, 1.0)["numba"][0]
    other = run_both(t, 500, 7, 6, False, 1.01, 1.0)["numpy"][0]
    assert not close(one.billed_eur, other.billed_eur, 1.0)


def test_the_cheap_bound_never_changes_a_payment_decision():
    """Draws at, just under and just over p, for z from -40 (p = 4e-18) to 5 (p = 0.993), through
    the billing date's own loops: the bill loop marks the draws its bound does not rule out, the
    exact test decides for those (a bill of 1 € and a factor of −z per household give x = −z)."""
    from sim.core._billing_numba import bill_loop, unpaid_exact

    zs, draws = [], []
    for z in np.linspace(-40.0, 5.0, 4501):
        p = 1.0 / (math.exp(-z) + 1.0)
        near = [
            p * (1 - 1e-12),
            np.nextafter(p, 0.0),
            p,
            np.nextafter(p, 1.0),
            p * (1 + 1e-12),
            min(p * 1.5, 0.999),
            p * 0.5,
            0.0,
            0.999999,
        ]
        zs += [z] * len(near)
        draws += near
    z_arr, d_arr = np.array(zs), np.array(draws)
    n = d_arr.size
    zeros = np.zeros(n)
    total, vat, levies, excl, rebate = np.empty((5, n))
    maybe = np.empty(n, dtype=np.bool_)
    # no volume priced, no tax, a standing charge of 1 €: every bill is exactly 1.0
    bill_loop(
        zeros, zeros, 1.0, 0.0, 0.0, 0.0, False, zeros, zeros, 1.0, False, np.ones(n), 1.0, 1.0,
        (0.0,), (np.inf,), (0.0,), 0.0, 0.0, 0.0, 0, 0.0, 0.0, np.zeros(n, dtype=bool), zeros,
        -z_arr, 0.0, np.zeros(n), np.zeros(n), total, vat, levies, excl, rebate, d_arr, maybe,
    )  # fmt: skip
    assert (total == 1.0).all()
    idx = np.flatnonzero(maybe)
    k = unpaid_exact(d_arr, total, -z_arr, 0.0, idx)
    # the exact test, as the loop makes it when the bound does not settle it (libm's exp; numpy's
    # may differ in the last bit, which moves p by 1e-16: a draw falls there once in 1e16)
    expected = [i for i, (d, z) in enumerate(zip(draws, zs, strict=True)) if d < 1.0 / (math.exp(-z) + 1.0)]
    assert list(idx[:k]) == expected
    assert 4501 < k < n - 4501  # both outcomes occur
    assert k < idx.size < n  # the bound rules some draws out, and leaves some paid ones to the test


@pytest.mark.parametrize("name", ["town.yaml", "commons.yaml", "concession.yaml"])
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_whole_runs_agree_on_every_table(name, monkeypatch):
    scenario = scale_town(load_scenario(SCENARIOS_DIR / name), 3000)
    runs = {}
    for kernel in ("numpy", "numba"):
        monkeypatch.setenv(KERNEL_ENV, kernel)
        assert kernel_name() == kernel
        runs[kernel] = simulate(scenario, 11)
    a, b = runs["numpy"], runs["numba"]
    for table in ("periods", "years", "deciles"):
        ta, tb = getattr(a, table), getattr(b, table)
        assert list(ta.columns) == list(tb.columns)
        for col in ta.select_dtypes("number").columns:
            x, y = ta[col].to_numpy(float), tb[col].to_numpy(float)
            scale = max(float(np.nanmax(np.abs(x))) if x.size else 0.0, 1.0)
            np.testing.assert_allclose(y, x, rtol=REL, atol=REL * scale, err_msg=f"{table}.{col}")
    assert len(a.decisions) == len(b.decisions)


def test_kernel_choice_from_the_environment(monkeypatch):
    monkeypatch.setenv(KERNEL_ENV, "numpy")
    assert kernel_name() == "numpy"
    monkeypatch.setenv(KERNEL_ENV, "auto")
    assert kernel_name() == "numba"  # numba is importable here (importorskip above)
    monkeypatch.setenv(KERNEL_ENV, "fortran")
    with pytest.raises(ValueError, match="numpy"):
        kernel_name()


def test_a_broken_numba_falls_back_to_numpy_under_auto(monkeypatch):
    """An installed numba that fails to load must not stop a run: auto bills with numpy."""
    import sim.core.billing as billing

    def broken() -> None:
        raise ImportError("numba built for another numpy")

    monkeypatch.setattr(billing, "_numba_loops", None)
    monkeypatch.setattr(billing, "_numba_broken", None)
    monkeypatch.setattr(billing, "_load_numba", broken)
    monkeypatch.setenv(KERNEL_ENV, "auto")
    scenario = scale_town(load_scenario(SCENARIOS_DIR / "town.yaml"), 500)
    with pytest.warns(RuntimeWarning, match="another numpy"):
        r = simulate(scenario, 1)
    assert kernel_name() == "numpy"
    monkeypatch.setenv(KERNEL_ENV, "numpy")
    assert r.periods.equals(simulate(scenario, 1).periods)

"""A billing date on two threads gives the one-thread results to the last bit (sim.core.billing).

Each thread bills half of the households; the halves are cut where numpy's pairwise summation cuts
its first split, the second half's uniforms come from a copy of the payments generator advanced
past the first half, and the generator ends where one call would leave it. These tests hold every
one of those claims on both billing paths.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from strategies import SCENARIOS_DIR

from sim import load_scenario
from sim.core import billing
from sim.core.billing import THREADS_ENV, BillingWork, Payment, billing_step, halves, split_point

KERNELS = ["numpy"] + (["numba"] if importlib.util.find_spec("numba") else [])


@pytest.mark.parametrize("n", [129, 136, 1000, 20_000, 20_007, 100_000, 123_457])
def test_the_sums_of_the_halves_add_up_to_numpys_sum_exactly(n):
    g = np.random.default_rng(n)
    h = split_point(n)
    assert 0 < h < n and h % 8 == 0
    for a in (g.lognormal(3.0, 2.5, n), g.standard_normal(n) * 1e6, np.cumsum(g.random(n))):
        assert float(a[:h].sum()) + float(a[h:].sum()) == float(a.sum())


def test_a_cut_elsewhere_would_not_always_give_the_same_sum():
    """The test above can fail: cut one multiple of 8 off numpy's split, some sums differ."""
    g = np.random.default_rng(0)
    n = 100_000
    h = split_point(n) + 8
    diffs = 0
    for _ in range(50):
        a = g.lognormal(3.0, 2.5, n)
        diffs += float(a[:h].sum()) + float(a[h:].sum()) != float(a.sum())
    assert diffs > 0


def bill_once(kernel, tariff, n, explicit, threads, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv(THREADS_ENV, threads)
    assert (halves(n) > 0) == (threads == "2")
    g = np.random.default_rng(11)
    indoor = g.gamma(2.0, 40.0, n)
    outdoor = np.where(g.random(n) < 0.3, g.gamma(1.5, 30.0, n), 0.0)
    ex = None
    if explicit:
        a = g.gamma(2.0, 5.0, n)
        ex = (a, a * g.random(n))
    income = g.lognormal(10.0, 0.6, n)
    rng = np.random.default_rng(12)
    year_volume, year_bill = np.full(n, 10.0), np.full(n, 30.0)
    tot = billing_step(
        indoor=indoor,
        outdoor=outdoor,
        weights=np.array([0.5, 0.6, 0.2, 0.4]),
        explicit=ex,
        under_registration=0.03,
        persons=g.integers(1, 6, n).astype(np.int8),
        tariff=tariff,
        months=6,
        eligible=g.random(n) < 0.3,
        income=income,
        price_index=1.1,
        levies_index=1.05,
        payment=Payment.of(0.02, 2.5, 6, income),
        rng=rng,
        year_volume=year_volume,
        year_bill=year_bill,
        work=BillingWork(n),
        kernel=kernel,
        # what a service adds on the same thread: sums over its slice, once it is billed
        after=lambda cut, unpaid: (float(year_bill[cut].sum()), float(len(unpaid))),
    )
    assert tot.after == (float(year_bill.sum()), float(len(tot.unpaid_idx)))
    return tot, year_volume, year_bill, rng.random(3)


def tariffs_to_try():  # type: ignore[no-untyped-def]
    t = load_scenario(SCENARIOS_DIR / "town.yaml").tariff
    three = t.model_copy(
        update={
            "free_volume_m3": 5.0,
            "blocks": (
                t.blocks[0].model_copy(update={"up_to_m3": 40.0}),
                t.blocks[0].model_copy(update={"price_eur_per_m3": 2.0}),
            ),
            "seasonal": t.seasonal.model_copy(update={"eur_per_m3": 0.4}),
            "social": t.social.model_copy(update={"enabled": True, "kind": "reduced_blocks"}),
        }
    )
    cap = t.model_copy(
        update={
            "blocks_per_person": True,
            "social": t.social.model_copy(update={"enabled": True, "kind": "bill_cap"}),
        }
    )
    return [t, three, cap]


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("which", [0, 1, 2])
@pytest.mark.parametrize("explicit", [False, True])
def test_two_threads_bill_and_draw_as_one(kernel, which, explicit, monkeypatch):
    tariff = tariffs_to_try()[which]
    n = 30_001
    one = bill_once(kernel, tariff, n, explicit, "1", monkeypatch)
    two = bill_once(kernel, tariff, n, explicit, "2", monkeypatch)
    a, b = one[0], two[0]
    for field in ("billed_eur", "paid_eur", "vat_paid_eur", "levies_paid_eur", "revenue_eur"):
        assert getattr(a, field) == getattr(b, field), field
    assert a.social_rebate_eur == b.social_rebate_eur
    assert a.after == b.after
    assert 0 < len(a.unpaid_idx) < n
    np.testing.assert_array_equal(a.unpaid_idx, b.unpaid_idx)
    np.testing.assert_array_equal(one[1], two[1])
    np.testing.assert_array_equal(one[2], two[2])
    np.testing.assert_array_equal(one[3], two[3])  # the stream continues where one call leaves it


def test_the_thread_setting_is_checked(monkeypatch):
    monkeypatch.delenv(THREADS_ENV, raising=False)
    assert billing.thread_count() == 1  # the default
    monkeypatch.setenv(THREADS_ENV, "3")
    with pytest.raises(ValueError, match=THREADS_ENV):
        billing.thread_count()
    monkeypatch.setenv(THREADS_ENV, "1")
    assert halves(100_000) == 0
    monkeypatch.setenv(THREADS_ENV, "2")
    assert halves(100_000) == split_point(100_000) and halves(1_000) == 0


@pytest.mark.skipif("numba" not in KERNELS, reason="the numba path needs the 'fast' extra")
@pytest.mark.parametrize("which", [0, 1, 2])
def test_a_projections_bills_are_the_same_doubles_on_both_paths(which):
    """``year_bills`` (the governance's projections): the compiled loop gives tariff.bill's bills
    and net revenue household by household, to the last bit."""
    from sim.core.billing import year_bills

    tariff = tariffs_to_try()[which]
    g = np.random.default_rng(5)
    n = 5_000
    volume = g.gamma(2.0, 45.0, n)
    volume[:50] = 0.0
    volume[50:60] = -0.0  # the sign of a zero volume must not reach a bill
    persons = g.integers(1, 6, n).astype(np.int8)
    eligible = g.random(n) < 0.3
    income = g.lognormal(10.0, 0.6, n)
    out = {
        k: year_bills(
            volume,
            persons,
            tariff,
            eligible=eligible,
            income=income,
            price_index=1.13,
            levies_index=1.07,
            kernel=k,
        )
        for k in ("numpy", "numba")
    }
    np.testing.assert_array_equal(out["numpy"][0], out["numba"][0])
    np.testing.assert_array_equal(out["numpy"][1], out["numba"][1])
    other = year_bills(
        volume, persons, tariff, eligible=eligible, income=income, price_index=1.14, levies_index=1.07
    )
    assert not np.array_equal(other[0], out["numpy"][0])  # the comparison can fail

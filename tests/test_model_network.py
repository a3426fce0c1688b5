"""Analytic tests of the network: UARL and ILI, the repair queue against Erlang C, renewal.

* UARL (Lambert et al. 1999, water.md §4.4): (18·Lm + 0.8·Nc + 25·Lp)·P litres per day.
* ILI = CARL / UARL, recomputed from a run's monthly real losses and the scenario's parameters.
* The repair queue — the project's own ``Crews`` + ``break_process`` + ``LeakLedger`` in a SimPy
  environment — fed with Poisson breaks and exponential repairs is an M/M/c queue, whose mean wait
  is Erlang C's.
* ``Cohorts.renew`` replaces the worst cohorts first and keeps the network's length.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy
from strategies import small_town

from sim import simulate, with_changes
from sim.core.assets import BreakRecord, Cohorts
from sim.core.workforce import Crews, erlang_c_mean_wait
from sim.scenario.model import Network
from sim.water.network import LeakLedger, break_process, uarl_litres_per_day


# --------------------------------------------------------------------------------------------
# UARL and ILI
# --------------------------------------------------------------------------------------------
def test_uarl_worked_case() -> None:
    # Lm = 100 km, Nc = 5,000 connections, Lp = 25 km, P = 40 m:
    # (18·100 + 0.8·5000 + 25·25)·40 = (1800 + 4000 + 625)·40 = 257,000 L/day
    assert uarl_litres_per_day(100.0, 5000.0, 25.0, 40.0) == pytest.approx(257_000.0, rel=1e-12)


def test_uarl_terms_are_linear_and_proportional_to_pressure() -> None:
    assert uarl_litres_per_day(1.0, 0.0, 0.0, 1.0) == pytest.approx(18.0)
    assert uarl_litres_per_day(0.0, 1.0, 0.0, 1.0) == pytest.approx(0.8)
    assert uarl_litres_per_day(0.0, 0.0, 1.0, 1.0) == pytest.approx(25.0)
    assert uarl_litres_per_day(100.0, 5000.0, 25.0, 80.0) == pytest.approx(514_000.0)


def _uarl_m3_per_day(s) -> float:
    """UARL of a scenario, by hand from its parameters (not through the model's function)."""
    n = s.network
    lm = sum(c.length_km for c in n.cohorts)  # renewal keeps the length
    nc = n.connections_per_household * s.households.count
    lp = nc * n.private_pipe_m_per_connection / 1000.0
    return (18.0 * lm + 0.8 * nc + 25.0 * lp) * n.pressure_m / 1000.0


def test_ili_of_a_run_is_real_losses_over_uarl() -> None:
    s = small_town(2000, 3)
    res = simulate(s, seed=5)
    real = res.periods.groupby("year")["real_losses_m3"].sum()
    days = np.array([366.0 if y % 4 == 0 else 365.0 for y in real.index])
    ili = real.to_numpy() / (_uarl_m3_per_day(s) * days)
    np.testing.assert_allclose(res.years["ili"].to_numpy(), ili, rtol=1e-9)


def test_without_breaks_or_renewal_the_first_year_ili_is_the_background_ili() -> None:
    """No bursts, no renewal: real losses are background leakage, background_ili × UARL."""
    s = small_town(2000, 2, network__renewal_rate_pct=0.0, network__background_ili=2.5)
    s = with_changes(s, {f"network.materials.{m}.breaks_per_km_year_new": 0.0 for m in s.network.materials})
    res = simulate(s, seed=1)
    assert res.years["breaks"].sum() == 0
    assert res.years["ili"].iloc[0] == pytest.approx(2.5, rel=1e-9)
    # the network is a year older in the second year: background leakage grows
    growth = np.exp(s.network.ili_growth_per_year_of_age * 1.0)
    assert res.years["ili"].iloc[1] == pytest.approx(2.5 * growth, rel=1e-9)


# --------------------------------------------------------------------------------------------
# the repair queue against Erlang C
# --------------------------------------------------------------------------------------------
def test_erlang_c_textbook_value() -> None:
    # M/M/3, λ = 2/h, μ = 1/h: offered load a = 2, ρ = 2/3.
    # Erlang C: P(wait) = (a^3/3!)/(1-ρ) / (1 + a + a^2/2 + (a^3/3!)/(1-ρ)) = 4 / (5 + 4) = 4/9;
    # Wq = P(wait) / (cμ - λ) = (4/9) / 1 = 0.4444 h (Gross & Harris, Fundamentals of Queueing
    # Theory, M/M/c formulas; Kleinrock vol. 1 §3.5).
    assert erlang_c_mean_wait(2.0, 1.0, 3) == pytest.approx(4.0 / 9.0, rel=1e-12)
    # M/M/1 is Wq = ρ / (μ - λ): λ = 0.5, μ = 1 → 1 h
    assert erlang_c_mean_wait(0.5, 1.0, 1) == pytest.approx(1.0, rel=1e-12)
    # saturated queue
    assert math.isinf(erlang_c_mean_wait(3.0, 1.0, 3))


def _simulate_repair_queue(
    n_breaks: int, arrival_per_h: float, repair_per_h: float, crews: int, seed: int
) -> tuple[list[BreakRecord], float, float]:
    """Poisson breaks, zero detection delay, exponential repairs, through the model's own queue."""
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1.0 / arrival_per_h, n_breaks)
    repairs = rng.exponential(1.0 / repair_per_h, n_breaks)
    env = simpy.Environment()
    crew = Crews(env, crews)
    leaks = LeakLedger()
    done: list[BreakRecord] = []

    def source():
        for gap, rep in zip(gaps, repairs, strict=True):
            yield env.timeout(gap)
            rec = BreakRecord(
                start_h=env.now,
                cohort_material="pe",
                visible=True,
                flow_m3_per_h=1.0,
                detection_h=0.0,
                repair_h=float(rep),
            )
            env.process(break_process(env, rec, crew, leaks, done.append))

    env.process(source())
    env.run()
    return done, leaks.month_end(env.now), env.now


@pytest.mark.slow
def test_repair_queue_mean_wait_matches_erlang_c() -> None:
    # Waits are strongly autocorrelated: across seeds, the mean wait of 50,000 breaks at ρ = 2/3
    # scatters by ~5 % (sd), so 20,000 breaks cannot resolve 5 %. 200,000 bring the sd to ~2.4 %.
    lam, mu, c = 2.0, 1.0, 3
    n = 200_000
    done, leaked_m3, _ = _simulate_repair_queue(n, lam, mu, c, seed=20_260)
    assert len(done) == n
    wait = np.array([r.wait_h for r in done])
    expected = erlang_c_mean_wait(lam, mu, c)  # 0.4444 h
    assert wait.mean() == pytest.approx(expected, rel=0.05), "mean wait is not Erlang C's"
    # the probability of waiting is Erlang C's 4/9 too
    assert (wait > 0).mean() == pytest.approx(4.0 / 9.0, rel=0.03)
    # every leak is accounted for: flow 1 m3/h from break to the end of its repair
    total_h = sum(r.end_h - r.start_h for r in done)
    assert leaked_m3 == pytest.approx(total_h, rel=1e-9)
    # sojourn = wait + repair, for every break
    np.testing.assert_allclose(
        [r.end_h - r.start_h for r in done], [r.wait_h + r.repair_h for r in done], rtol=1e-9, atol=1e-9
    )


def test_no_crew_idles_while_a_break_waits() -> None:
    """With more crews than simultaneous breaks, nobody ever waits."""
    done, _, _ = _simulate_repair_queue(2000, 0.01, 1.0, 50, seed=1)
    assert max(r.wait_h for r in done) == 0.0


# --------------------------------------------------------------------------------------------
# renewal
# --------------------------------------------------------------------------------------------
def _three_cohorts() -> Cohorts:
    net = Network(
        cohorts=(
            {"material": "pe", "install_year": 2010, "length_km": 20.0},
            {"material": "grey_cast_iron", "install_year": 1950, "length_km": 10.0},
            {"material": "pvc_glued", "install_year": 1980, "length_km": 5.0},
        )
    )
    return Cohorts.from_spec(net)


def test_renewal_replaces_the_worst_cohorts_first_and_keeps_the_length() -> None:
    c = _three_cohorts()
    rate = c.rate_per_km(2026.0)
    # by hand: grey cast iron 0.030·e^(0.022·76) ≈ 0.160 > glued PVC 0.040·e^(0.022·46) ≈ 0.110
    # > PE 0.015·e^(0.012·16) ≈ 0.018 breaks/km/yr
    assert rate[1] == pytest.approx(0.030 * math.exp(0.022 * 76))
    assert rate[2] == pytest.approx(0.040 * math.exp(0.022 * 46))
    assert rate[1] > rate[2] > rate[0]
    before = c.breaks_per_year(2026.0)
    pe = c.names.index("pe")

    km = c.renew(12.0, 2026.0, pe)

    assert km == pytest.approx(12.0)
    assert c.total_km == pytest.approx(35.0)
    # cast iron (10 km) is gone entirely, glued PVC loses 2 of its 5 km, PE is untouched
    rows = sorted(
        zip([c.names[m] for m in c.material], c.install_year.tolist(), c.length_km.tolist(), strict=True)
    )
    assert rows == [
        ("pe", 2010.0, pytest.approx(20.0)),
        ("pe", 2026.0, pytest.approx(12.0)),
        ("pvc_glued", 1980.0, pytest.approx(3.0)),
    ]
    assert c.breaks_per_year(2026.0) < before


def test_renewal_never_takes_more_than_the_network() -> None:
    c = _three_cohorts()
    km = c.renew(100.0, 2026.0, c.names.index("ductile_iron"))
    assert km == pytest.approx(35.0)
    assert c.total_km == pytest.approx(35.0)
    assert [c.names[m] for m in c.material] == ["ductile_iron"]
    assert c.renew(0.0, 2027.0, 0) == 0.0
    assert c.total_km == pytest.approx(35.0)


def test_renewal_in_a_run_follows_the_rate() -> None:
    s = small_town(2000, 3, network__renewal_rate_pct=1.5)
    y = simulate(s, seed=2).years
    km = s.network.length_km
    np.testing.assert_allclose(y["renewal_km"], 0.015 * km, rtol=1e-12)
    np.testing.assert_allclose(y["network_length_km"], km, rtol=1e-12)
    np.testing.assert_allclose(y["renewal_rate_pct"], 1.5, rtol=1e-9)
    # new pipes lower the network's mean age: less than a year older each year
    assert (np.diff(y["network_mean_age_years"]) < 1.0).all()

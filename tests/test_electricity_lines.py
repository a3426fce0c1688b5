"""The electricity lines in cohorts (issue 12): km by install year, overhead and underground, an
ordinary-incident rate that grows with age, renewal of the oldest overhead km first, and the
incidents drawn so that a regime's renewal never shifts another's luck."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import scale_town, simulate, with_changes
from sim.electricity.network import age_factor
from sim.electricity.service import ElectricityService, Lines
from sim.experiments.run import engine_for
from sim.scenario.electricity import ElectricityScenario
from sim.scenario.errors import ScenarioError
from sim.scenario.model import load_scenario, loads_scenario

TOWN = "scenarios/electricity/town.yaml"
GROWTH = "network.incident_age_growth_pct_per_year"


def town(**changes: Any) -> ElectricityScenario:
    base = scale_town(load_scenario(TOWN), 500)
    out = with_changes(base, {"horizon_years": 6, **changes})
    assert isinstance(out, ElectricityScenario)
    return out


def service(**changes: Any) -> ElectricityService:
    """The service bound to a fresh engine: its lines are the opening network, nothing renewed."""
    sv = engine_for(town(**changes), 1).service
    assert isinstance(sv, ElectricityService)
    return sv


def old_saifi(s: ElectricityScenario, u: float) -> tuple[float, float]:
    """Ordinary SAIFI and its drawing bound before the cohorts: the underground mix only."""
    net = s.network
    k, u0 = net.overhead_incident_ratio, net.underground_share
    mix0 = u0 + (1 - u0) * k
    return net.incidents_saifi * (u + (1 - u) * k) / mix0, net.incidents_saifi * k / mix0


@pytest.mark.parametrize("underground", [0.0, 0.3, 0.66, 1.0])
@pytest.mark.parametrize("life", [8.0, 45.0, 60.5])
@pytest.mark.parametrize("growth", [0.0, 2.0, 7.5])
def test_the_opening_network_has_incidents_saifi_in_the_first_year(
    underground: float, life: float, growth: float
) -> None:
    """Calibration: whatever the mix, the ages' spread (the lines' life) and the ageing, the opening
    network's expected SAIFI in the first year is the scenario's incidents_saifi, exactly."""
    sv = service(
        **{
            "network.underground_share": underground,
            "network.asset_life_years": life,
            GROWTH: growth,
            "network.incidents_saifi": 1.37,
        }
    )
    now, bound = sv.expected_incident_saifi(0)
    assert now == 1.37
    assert bound >= now
    # the ages are spread evenly over the life: the oldest km is about ``life`` years old
    ages = 0.5 - sv.lines.install
    assert ages.max() == pytest.approx(np.ceil(life) - 0.5)
    assert sv.lines.total_km == pytest.approx(sv.lines.overhead.sum() + sv.lines.underground.sum())


@pytest.mark.parametrize("growth", [0.5, 2.0, 5.0])
def test_unrenewed_lines_age_every_km_by_the_growth_each_year(growth: float) -> None:
    """No renewal: every km is a year older each year, so the expected SAIFI is incidents_saifi
    times (1 + growth)^years, and a higher growth gives more incidents in every later year."""
    sv = service(**{GROWTH: growth})
    lower = service(**{GROWTH: growth / 2})
    s = sv.s.network.incidents_saifi
    for y in (1, 5, 10, 29):
        assert sv.expected_incident_saifi(y)[0] == pytest.approx(s * (1 + growth / 100) ** y, rel=1e-12)
        assert lower.expected_incident_saifi(y)[0] < sv.expected_incident_saifi(y)[0]


def test_no_ageing_gives_back_the_underground_mix_formula() -> None:
    """Growth 0: the expected SAIFI and the drawing bound are the formulas before the cohorts (the
    underground share only), however much was renewed, even beyond the overhead lines."""
    sv = service(**{GROWTH: 0.0})
    lines = sv.lines
    for y, km in enumerate([0.0, 3.0, 40.0, 10.0, 50.0, 0.0, 200.0, 300.0]):
        lines.renew(km, sv.s.town.start_year + y, 90_000.0)
        now, bound = sv.expected_incident_saifi(y)
        old_now, old_bound = old_saifi(sv.s, lines.underground_share)
        assert now == pytest.approx(old_now, rel=1e-12)
        assert bound == pytest.approx(old_bound, rel=1e-12)
    assert lines.underground_share == pytest.approx(1.0)


def test_renewal_takes_the_oldest_overhead_km_first_and_adds_a_new_underground_cohort() -> None:
    lines = Lines(450.0, 0.6, 2026, 90_000.0, 45.0)  # 10 km a year: 4 overhead, 6 underground
    assert lines.overhead[:3] == pytest.approx([4.0, 4.0, 4.0])
    lines.renew(10.0, 2026, 90_000.0)
    # the two oldest cohorts lose all their overhead, the third half of it; no underground km goes
    assert lines.overhead[:4] == pytest.approx([0.0, 0.0, 2.0, 4.0])
    assert lines.underground[:45] == pytest.approx(np.full(45, 6.0))
    assert lines.install[-1] == 0.0 and lines.underground[-1] == 10.0 and lines.overhead[-1] == 0.0
    # once no overhead line is left, renewal takes the oldest underground km
    lines.renew(lines.overhead_km + 7.0, 2027, 90_000.0)
    assert lines.overhead_km == pytest.approx(0.0, abs=1e-9)
    assert lines.underground[0] == pytest.approx(0.0) and lines.underground[1] == pytest.approx(5.0)
    assert lines.total_km == pytest.approx(lines.underground_km)


@settings(max_examples=60, deadline=None)
@given(
    share=st.floats(0.0, 1.0),
    life=st.floats(1.0, 120.0),
    renewals=st.lists(st.floats(0.0, 400.0), min_size=1, max_size=12),
)
def test_the_km_by_cohort_always_sum_to_the_length(share: float, life: float, renewals: list[float]) -> None:
    lines = Lines(300.0, share, 2026, 90_000.0, life)
    for y, km in enumerate(renewals):
        done = lines.renew(km, 2026 + y, 90_000.0)
        assert done == min(km, 300.0)
        assert (lines.overhead >= 0).all() and (lines.underground >= 0).all()
        assert lines.overhead_km + lines.underground_km == pytest.approx(lines.total_km, rel=1e-12)
        assert lines.total_km == 300.0
        # a renewal never raises the incident weight above the never-renewed, all-overhead bound
        assert lines.incident_weight(y, 2.0, 3.0) <= lines.worst_incident_weight(y, 2.0, 3.0) * (1 + 1e-12)


def test_age_factor_is_the_compounded_growth() -> None:
    assert age_factor(0.0, 2.0) == 1.0
    assert age_factor(10.0, 2.0) == pytest.approx(1.02**10)
    np.testing.assert_array_equal(age_factor(np.array([0.5, 30.0]), 0.0), [1.0, 1.0])


def test_the_lines_mean_age_is_the_km_weighted_age_of_the_cohorts() -> None:
    """Evenly installed over 45 years, the opening lines are 1 to 45 years old at the end of the first
    year (mean 23); unrenewed, they age one year a year; renewing the oldest km makes them younger,
    by what the km taken out and put in say."""
    lines = Lines(450.0, 0.6, 2026, 90_000.0, 45.0)  # 10 km a year
    assert lines.mean_age_years(0) == pytest.approx(23.0, rel=1e-12)
    assert lines.mean_age_years(5) == pytest.approx(28.0, rel=1e-12)
    # the oldest overhead km (4 km aged 45, 4 aged 44, 2 aged 43) become 10 km one year old
    lines.renew(10.0, 2026, 90_000.0)
    assert lines.mean_age_years(0) == pytest.approx(23.0 - (4 * 44 + 4 * 43 + 2 * 42) / 450.0, rel=1e-12)


def test_the_years_table_reports_the_lines_mean_age() -> None:
    """The years table's lines_mean_age_years is the lines' own, and renewal lowers it."""
    ages = {}
    for rate in (0.0, 4.0):
        s = town(horizon_years=4, **{"network.renewal_rate_pct": rate})
        ages[rate] = simulate(s, seed=1).years["lines_mean_age_years"].to_numpy()
        eng = engine_for(s, 1)
        eng.run()
        sv = eng.service
        assert isinstance(sv, ElectricityService)
        assert ages[rate][-1] == pytest.approx(sv.lines.mean_age_years(3), rel=1e-12)
    life = town().network.asset_life_years
    assert ages[0.0][0] == pytest.approx((life + 1) / 2, rel=1e-9)
    np.testing.assert_allclose(np.diff(ages[0.0]), 1.0, rtol=1e-12)
    assert (ages[4.0] < ages[0.0]).all()


def test_renewing_more_lowers_the_later_expected_incidents() -> None:
    """Ten years at 0, 1 and 4 % a year: the later the year, the wider the gap; the book value and
    the km renewed are what the renewal rate says (the cohorts move no money)."""
    runs = {}
    for rate in (0.0, 1.0, 4.0):
        eng = engine_for(town(horizon_years=10, **{"network.renewal_rate_pct": rate}), 1)
        eng.run()
        sv = eng.service
        assert isinstance(sv, ElectricityService)
        runs[rate] = sv
    last = {r: sv.expected_incident_saifi(9)[0] for r, sv in runs.items()}
    assert last[4.0] < last[1.0] < last[0.0]
    net = runs[0.0].s.network
    assert last[0.0] == pytest.approx(net.incidents_saifi * 1.02**9, rel=1e-12)
    assert sum(runs[4.0].renewed_km) == pytest.approx(0.04 * 10 * runs[4.0].lines.total_km)


def test_two_renewal_rates_on_one_seed_share_the_incidents_both_have(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thinning with ages: incidents are drawn at a bound no decision moves (the opening network
    never renewed, all overhead), then kept by the actual lines' rate. The run that renews more
    keeps a subset of the other's incidents, year by year, and fewer of them in later years."""
    drawn: dict[float, list[set[tuple[float, float, float]]]] = {}
    original = ElectricityService._draw_cuts

    def spy(self: ElectricityService, eng: Any, y: int) -> None:
        original(self, eng, y)
        rate = self.s.network.renewal_rate_pct
        drawn.setdefault(rate, []).append({r for month in self._ordinary for r in month})

    monkeypatch.setattr(ElectricityService, "_draw_cuts", spy)
    for rate in (0.5, 6.0):
        simulate(town(horizon_years=12, **{"network.renewal_rate_pct": rate}), seed=4)
    slow, fast = drawn[0.5], drawn[6.0]
    assert len(slow) == len(fast) == 12
    for a, b in zip(slow, fast, strict=True):
        assert b <= a  # every incident of the faster renewal is one of the slower's
    late_slow = sum(len(a) for a in slow[6:])
    late_fast = sum(len(b) for b in fast[6:])
    assert late_fast < late_slow and late_fast > 0


@pytest.mark.parametrize("value", ["-1", "25"])
def test_the_age_growth_is_bounded_by_the_safe_loader(value: str) -> None:
    with pytest.raises(ScenarioError) as err:
        loads_scenario(
            f"service: electricity\nnetwork: {{incident_age_growth_pct_per_year: {value}}}\n",
            other_services=("electricity",),
        )
    assert "network.incident_age_growth_pct_per_year" in err.value.format("en")
    assert "network.incident_age_growth_pct_per_year" in err.value.format("fr")

"""Energy bought by the supplier: ARENH with its clipping until 2025, the market after, less the
post-ARENH redistribution when prices spike (§6.3)."""

from __future__ import annotations

import pytest

from sim.electricity.supply import arenh_served_share, energy_cost_eur_per_mwh, post_arenh_cost_eur_per_mwh
from sim.scenario.electricity import Supply


def test_2025_cost_by_hand() -> None:
    """70 % of volumes asked at ARENH, 74.11 % of requests served (100 / 134.93): 51.88 % at
    42 €/MWh, the rest at a 100 €/MWh market: 0.5188 × 42 + 0.4812 × 100 = 69.91 €/MWh."""
    s = Supply(arenh_share_of_volumes=0.70, arenh_requested_twh=134.93)
    share = 0.70 * 100 / 134.93
    assert arenh_served_share(s, 2025) == pytest.approx(share)
    assert energy_cost_eur_per_mwh(s, 2025, 100.0) == pytest.approx(share * 42 + (1 - share) * 100)
    assert energy_cost_eur_per_mwh(s, 2025, 100.0) == pytest.approx(69.91, abs=0.01)


def test_no_clipping_below_the_ceiling_and_no_arenh_after_2025() -> None:
    s = Supply(arenh_share_of_volumes=0.70, arenh_requested_twh=90.0)
    assert arenh_served_share(s, 2019) == pytest.approx(0.70)
    assert arenh_served_share(s, 2026) == 0.0
    assert energy_cost_eur_per_mwh(s, 2026, 250.0) == 250.0


def test_a_price_shock_costs_less_with_arenh() -> None:
    """A 2022-like spike (market ×4) raises the cost less while ARENH covers part of the volume."""
    s = Supply()
    calm, crisis = energy_cost_eur_per_mwh(s, 2022, 100.0), energy_cost_eur_per_mwh(s, 2022, 400.0)
    after = energy_cost_eur_per_mwh(s, 2026, 400.0) - energy_cost_eur_per_mwh(s, 2026, 100.0)
    assert crisis - calm < after


def test_post_arenh_redistribution_by_hand() -> None:
    """cost = market − share × max(market − threshold, 0) (§6.3, share an assumption): below and at
    the 70 €/MWh threshold nothing is given back; at 250 €/MWh half of the 180 €/MWh excess is."""
    assert post_arenh_cost_eur_per_mwh(50.0, 70.0, 50.0) == 50.0
    assert post_arenh_cost_eur_per_mwh(70.0, 70.0, 50.0) == 70.0
    assert post_arenh_cost_eur_per_mwh(250.0, 70.0, 50.0) == pytest.approx(250.0 - 0.5 * 180.0)  # 160
    assert post_arenh_cost_eur_per_mwh(250.0, 70.0, 0.0) == 250.0
    assert post_arenh_cost_eur_per_mwh(250.0, 70.0, 100.0) == pytest.approx(70.0)
    assert post_arenh_cost_eur_per_mwh(250.0, 100.0, 25.0) == pytest.approx(250.0 - 0.25 * 150.0)
    with pytest.raises(ValueError):
        post_arenh_cost_eur_per_mwh(250.0, 70.0, 101.0)
    with pytest.raises(ValueError):
        post_arenh_cost_eur_per_mwh(250.0, -1.0, 50.0)


def test_the_redistribution_applies_from_2026_only() -> None:
    """ARENH years keep their rule whatever the post-ARENH share; from 2026 the share counts."""
    on = Supply(post_arenh_redistribution_pct=50.0)
    off = Supply()
    assert energy_cost_eur_per_mwh(on, 2025, 400.0) == energy_cost_eur_per_mwh(off, 2025, 400.0)
    assert energy_cost_eur_per_mwh(off, 2026, 400.0) == 400.0
    assert energy_cost_eur_per_mwh(on, 2026, 400.0) == pytest.approx(400.0 - 0.5 * (400.0 - 70.0))
    assert energy_cost_eur_per_mwh(on, 2026, 60.0) == 60.0
    # the threshold moves with inflation: at a price index of 1.2 it is 84 €/MWh
    assert energy_cost_eur_per_mwh(on, 2030, 84.0, 1.2) == 84.0
    assert energy_cost_eur_per_mwh(on, 2030, 400.0, 1.2) == pytest.approx(400.0 - 0.5 * (400.0 - 84.0))

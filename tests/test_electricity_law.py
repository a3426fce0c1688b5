"""The national rules of sim.electricity.law, each against hand-checked values of
shared/reference/electricity.md (section in each test)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from sim.electricity import law


# ------------------------------------------------------------------ taxes by period (§6.2)
@pytest.mark.parametrize(
    ("day", "excise_eur_per_mwh"),
    [
        (date(2021, 6, 1), 22.5),
        (date(2022, 1, 15), 25.83),
        (date(2022, 2, 1), 1.0),  # the shield starts on 1 Feb 2022
        (date(2024, 1, 31), 1.0),  # and ends on 31 Jan 2024
        (date(2024, 2, 1), 21.0),
        (date(2025, 1, 31), 21.0),
        (date(2025, 2, 1), 33.70),
        (date(2025, 7, 31), 33.70),
        (date(2025, 8, 1), 29.98),
        (date(2026, 2, 1), 30.35),
        (date(2040, 1, 1), 30.35),  # the last known rate holds
    ],
)
def test_excise_by_period(day: date, excise_eur_per_mwh: float) -> None:
    assert law.taxes_on(day).excise_eur_per_kwh == pytest.approx(excise_eur_per_mwh / 1000)


def test_vat_changes_on_1_august_2025() -> None:
    before, after = law.taxes_on(date(2025, 7, 31)), law.taxes_on(date(2025, 8, 1))
    assert (before.vat_fixed_pct, before.vat_energy_pct) == (5.5, 20.0)
    assert (after.vat_fixed_pct, after.vat_energy_pct) == (20.0, 20.0)


def test_cta_is_21_93_then_15_from_february_2026() -> None:
    assert law.taxes_on(date(2024, 2, 1)).cta_pct == 21.93
    assert law.taxes_on(date(2026, 1, 31)).cta_pct == 21.93
    assert law.taxes_on(date(2026, 2, 1)).cta_pct == 15.0


def test_a_date_before_the_tables_is_refused() -> None:
    with pytest.raises(ValueError, match="before 2021-01-01"):
        law.taxes_on(date(2020, 12, 31))


# ------------------------------------------------------------------ compensation (§2.3)
@pytest.mark.parametrize(
    ("kva", "hours", "eur"),
    [
        (6, 4.9, 0.0),
        (6, 5.0, 0.0),  # "more than 5 h"
        (6, 5.01, 12.0),  # one tranche: 2 € × 6 kVA
        (6, 12.0, 24.0),  # two whole tranches
        (9, 24.0, 72.0),  # 4 tranches × 2 € × 9 kVA
        (6, 200.0, 480.0),  # 40 tranches = 8 days 8 h
        (6, 12 * 24.0, 480.0),  # Ciarán's longest cuts (12-13 days): capped at 40 tranches
        (36, 10.0, 144.0),  # 36 kVA is still the ≤ 36 kVA rate
        (48, 10.0, 336.0),  # above 36 kVA: 3.50 € × 48 × 2
    ],
)
def test_outage_compensation(kva: float, hours: float, eur: float) -> None:
    assert law.outage_compensation_eur_ht(kva, hours) == pytest.approx(eur)


def test_outage_compensation_is_vectorised() -> None:
    out = law.outage_compensation_eur_ht(np.array([3, 6, 12]), np.array([2.0, 11.0, 300.0]))
    assert out.tolist() == [0.0, 24.0, 960.0]


def test_outage_compensation_refuses_negative_hours() -> None:
    with pytest.raises(ValueError):
        law.outage_compensation_eur_ht(6, -1)


# ------------------------------------------------------------------ winter truce (§4.3)
@pytest.mark.parametrize(
    ("day", "truce"),
    [
        (date(2025, 10, 31), False),
        (date(2025, 11, 1), True),
        (date(2026, 1, 15), True),
        (date(2026, 3, 31), True),
        (date(2026, 4, 1), False),
        (date(2026, 7, 14), False),
    ],
)
def test_winter_truce(day: date, truce: bool) -> None:
    assert law.in_winter_truce(day) is truce


def test_winter_truce_dates() -> None:
    assert law.winter_truce_dates(2025) == (date(2025, 11, 1), date(2026, 3, 31))


def test_truce_power_limitation() -> None:
    assert law.truce_power_limit_kva(6) == 3.0
    assert law.truce_power_limit_kva(9) == 3.0
    assert law.truce_power_limit_kva(3) == 2.0
    assert law.truce_power_limit_kva(9, cheque_energie_certificate=True) is None
    assert (law.MINIMUM_SUPPLY_KVA, law.MINIMUM_SUPPLY_DAYS, law.NOTICE_BEFORE_CUT_DAYS) == (1.0, 60, 20)


# ------------------------------------------------------------------ chèque énergie (§4.2)
@pytest.mark.parametrize(("persons", "units"), [(1, 1.0), (2, 1.5), (3, 1.8), (4, 2.1), (6, 2.7)])
def test_cheque_energie_units(persons: int, units: float) -> None:
    assert law.cheque_energie_units(persons) == pytest.approx(units)


def test_cheque_energie_units_vectorised_and_checked() -> None:
    assert law.cheque_energie_units(np.array([1, 2, 5])) == pytest.approx([1.0, 1.5, 2.4])
    with pytest.raises(ValueError):
        law.cheque_energie_units(0)


@pytest.mark.parametrize(
    ("income", "persons", "eur"),
    [
        (5_000, 1, 194.0),  # 5,000 €/unit, first band, 1 unit
        (5_600, 1, 146.0),  # at a band's bound: the next band
        (7_000 * 1.5, 2, 113.0),  # 7,000 €/unit, 1.5 units
        (10_000 * 2.1, 4, 76.0),  # 10,000 €/unit, 2.1 units
        (4_000 * 2.1, 4, 277.0),
        (10_800, 1, 0.0),  # at the ceiling: not eligible
        (30_000, 1, 0.0),
    ],
)
def test_cheque_energie_amount(income: float, persons: int, eur: float) -> None:
    assert law.cheque_energie_amount_eur(income, persons) == eur


def test_cheque_energie_grid_spans_the_reference_range() -> None:
    """electricity.md §4.2: 48-277 € a year."""
    amounts = np.array(law.CHEQUE_AMOUNTS_EUR)
    assert (amounts.min(), amounts.max()) == (48.0, 277.0)


def test_cheque_energie_ceiling_can_be_set() -> None:
    assert law.cheque_energie_amount_eur(10_900, 1) == 0.0
    assert law.cheque_energie_amount_eur(10_900, 1, ceiling_eur_per_unit=11_000) == 48.0


# ------------------------------------------------------------------ ARENH (§6.3)
def test_arenh_2025_window() -> None:
    """134.93 TWh requested for a 100 TWh ceiling: 74.12 % served, 25.88 % clipped.

    100 / 134.93 = 0.74113; the published 74.12 % comes from the unrounded request (100 / 134.925
    = 0.74115), hence the tolerance of 1e-4."""
    share = law.arenh_allocation_share(100.0, 134.93)
    assert share == pytest.approx(0.7412, abs=1e-4)
    assert 1 - share == pytest.approx(0.2588, abs=1e-4)


def test_arenh_below_the_ceiling_is_served_in_full() -> None:
    assert law.arenh_allocation_share(100.0, 80.0) == 1.0
    assert law.arenh_allocation_share(law.ARENH_CEILING_TWH, 200.0) == 0.5
    assert law.ARENH_PRICE_EUR_PER_MWH == 42.0
    with pytest.raises(ValueError):
        law.arenh_allocation_share(100.0, -1.0)

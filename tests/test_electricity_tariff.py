"""The electricity tariff and bill (sim.electricity.tariff): published TRVE grids reproduced to the
cent, taxes by period, cost stacking. Figures from shared/reference/electricity.md."""

from __future__ import annotations

from datetime import date

import pytest

from sim.electricity.tariff import bill_lines, bill_total_eur, prices_excl_tax, stacked_prices
from sim.scenario.electricity import (
    TRVE_2024_HPHC_EUR_PER_KWH,
    TRVE_2024_HPHC_FIXED_EUR_PER_YEAR,
    CostStack,
    ElectricityTariff,
)

BASE_2024 = ElectricityTariff()  # the TRVE Base grid of 1 Feb 2024, TTC (§1.4)
HPHC_2024 = ElectricityTariff(
    option="hphc",
    fixed_eur_per_year_by_kva=TRVE_2024_HPHC_FIXED_EUR_PER_YEAR,
    energy_eur_per_kwh=TRVE_2024_HPHC_EUR_PER_KWH,
)


def by_key(lines: list[dict]) -> dict[str, float]:
    return {ln["key"]: ln["eur"] for ln in lines}


@pytest.mark.parametrize(
    ("kva", "fixed_ttc"), [(3, 116.04), (6, 151.86), (9, 190.91), (12, 230.89), (15, 264.62)]
)
def test_trve_2024_base_grid_gives_the_published_bill(kva: int, fixed_ttc: float) -> None:
    """§1.4: a TRVE Base bill is the fixed part plus kWh × 25.16 c€, taxes included."""
    total = bill_total_eur(BASE_2024, kva, {"base": 5_700})
    assert total == pytest.approx(fixed_ttc + 5_700 * 0.2516, abs=0.005)


def test_reference_case_6_kva_5700_kwh() -> None:
    """151.86 + 5,700 × 0.2516 = 1,585.98 € TTC, and the lines by hand (§6.2, taxes of 1 Feb 2024):
    excise 21 €/MWh × 5.7 MWh = 119.70 €; energy excl. tax 0.2516 / 1.2 − 0.021 = 0.188667 €/kWh;
    CTA 21.93 % × (25.70 + 6 × 8.52) = 16.85 €; fixed excl. tax 151.86 / 1.055 − CTA."""
    lines = by_key(bill_lines(BASE_2024, 6, {"base": 5_700}))
    assert lines["total"] == pytest.approx(1_585.98, abs=0.005)
    assert lines["excise"] == pytest.approx(119.70)
    assert lines["energy_base"] == pytest.approx(5_700 * (0.2516 / 1.2 - 0.021))
    assert lines["cta"] == pytest.approx(0.2193 * (25.70 + 6 * 8.52))
    assert lines["fixed"] == pytest.approx(151.86 / 1.055 - lines["cta"])
    assert lines["vat_fixed"] == pytest.approx(0.055 * (lines["fixed"] + lines["cta"]))
    assert lines["vat_energy"] == pytest.approx(0.20 * (lines["energy_base"] + lines["excise"]))


def test_lines_add_up() -> None:
    for tariff, kwh in ((BASE_2024, {"base": 4_400}), (HPHC_2024, {"hp": 4_000, "hc": 2_000})):
        lines = bill_lines(tariff, 6, kwh)
        keys = [ln["key"] for ln in lines]
        cut = keys.index("total_excl_tax")
        ht = sum(ln["eur"] for ln in lines[:cut])
        d = by_key(lines)
        assert ht == pytest.approx(d["total_excl_tax"])
        assert d["total_excl_tax"] + d["vat_fixed"] + d["vat_energy"] == pytest.approx(d["total"])


def test_trve_2024_hphc_grid() -> None:
    """§1.4: HP/HC 6 kVA 157.87 €/yr, HP 27.00 and HC 20.68 c€: 4,000 HP + 2,000 HC kWh."""
    total = bill_total_eur(HPHC_2024, 6, {"hp": 4_000, "hc": 2_000})
    assert total == pytest.approx(157.87 + 4_000 * 0.27 + 2_000 * 0.2068, abs=0.005)


def test_grid_of_january_2023_under_the_shield() -> None:
    """§1.4: the grid applicable 1 Jan 2023: Base 6 kVA 11.36 €/month, 17.40 c€/kWh TTC (excise
    1 €/MWh then)."""
    t = ElectricityTariff(
        prices_date=date(2023, 1, 1),
        fixed_eur_per_year_by_kva={6: 12 * 11.36},
        energy_eur_per_kwh={"base": 0.174},
    )
    assert bill_total_eur(t, 6, {"base": 4_400}) == pytest.approx(136.32 + 4_400 * 0.174, abs=0.005)
    assert by_key(bill_lines(t, 6, {"base": 4_400}))["excise"] == pytest.approx(4.4)


def test_august_2025_vat_change_on_the_same_prices() -> None:
    """§6.2: from 1 Aug 2025 VAT is 20 % on the whole bill and excise 29.98 €/MWh. The prices
    excl. tax of the 2024 grid, billed on 1 Aug 2025: (fixed + CTA) × 1.2 + (energy + excise) × 1.2."""
    before = by_key(bill_lines(BASE_2024, 6, {"base": 5_700}))
    after = by_key(bill_lines(BASE_2024, 6, {"base": 5_700}, day=date(2025, 8, 1)))
    assert after["fixed"] == pytest.approx(before["fixed"])
    assert after["excise"] == pytest.approx(5_700 * 0.02998)
    expected = (after["fixed"] + after["cta"]) * 1.2 + (after["energy_base"] + after["excise"]) * 1.2
    assert after["total"] == pytest.approx(expected)
    assert after["total"] == pytest.approx(1_668.27, abs=0.005)
    # CTA at 15 % from 1 Feb 2026
    feb26 = by_key(bill_lines(BASE_2024, 6, {"base": 5_700}, day=date(2026, 2, 1)))
    assert feb26["cta"] == pytest.approx(0.15 * (25.70 + 6 * 8.52))


def test_grid_entered_excl_tax_gives_the_same_bill() -> None:
    ht = prices_excl_tax(BASE_2024)
    t = ElectricityTariff(
        prices_include_taxes=False,
        fixed_eur_per_year_by_kva=ht.fixed_eur_per_year_by_kva,
        energy_eur_per_kwh=ht.energy_eur_per_kwh,
    )
    assert bill_total_eur(t, 9, {"base": 7_000}) == pytest.approx(
        bill_total_eur(BASE_2024, 9, {"base": 7_000})
    )


def test_a_price_below_its_taxes_is_refused() -> None:
    t = ElectricityTariff(energy_eur_per_kwh={"base": 0.02})  # 2 c€ TTC < 2.1 c€ excise
    with pytest.raises(ValueError, match="below the taxes"):
        prices_excl_tax(t)


def test_bill_refuses_a_power_outside_the_grid_and_wrong_periods() -> None:
    with pytest.raises(ValueError, match="7 kVA"):
        bill_lines(BASE_2024, 7, {"base": 1_000})
    with pytest.raises(ValueError, match="hp, hc"):
        bill_lines(HPHC_2024, 6, {"base": 1_000})


def test_cost_stack_adds_up() -> None:
    """Fixed = (network + commercial) × (1 + margin); energy = (energy + network) × (1 + margin)."""
    s = CostStack(margin_pct=10.0)
    p = stacked_prices(s, "base", (6,))
    assert p.fixed_eur_per_year_by_kva[6] == pytest.approx((25.70 + 6 * 8.52 + 50.0) * 1.1)
    assert p.energy_eur_per_kwh["base"] == pytest.approx((114.0 + 68.4) / 1000 * 1.1)
    for kva, parts in p.fixed_parts.items():
        assert sum(parts.values()) == pytest.approx(p.fixed_eur_per_year_by_kva[kva])
    hphc = stacked_prices(s, "hphc", (6,))
    assert hphc.energy_eur_per_kwh["hp"] == pytest.approx(p.energy_eur_per_kwh["base"] * s.hp_factor)


def test_default_cost_stack_lands_on_the_trve_2024_bill() -> None:
    """The default stack (energy derived for it) gives within 0.1 % the TRVE Base bill of 1 Feb 2024
    at 6 kVA and 4.4 MWh, the CRE's average use (§1.4): 151.86 + 4,400 × 0.2516 = 1,258.90 €."""
    t = ElectricityTariff(build="cost_stack")
    total = bill_total_eur(t, 6, {"base": 4_400}, stack=CostStack())
    assert total == pytest.approx(1_258.90, rel=1e-3)
    lines = by_key(bill_lines(t, 6, {"base": 4_400}, stack=CostStack()))
    # the network is about 30 % of the bill incl. taxes (§6.1)
    assert lines["network"] / total == pytest.approx(0.30, abs=0.01)
    assert set(lines) >= {"supply", "network", "commercial", "margin", "cta", "excise"}


def test_a_higher_margin_raises_the_bill() -> None:
    t = ElectricityTariff(build="cost_stack")
    low = bill_total_eur(t, 6, {"base": 4_400}, stack=CostStack(margin_pct=0.0))
    high = bill_total_eur(t, 6, {"base": 4_400}, stack=CostStack(margin_pct=10.0))
    assert high > low


def test_what_if_taxes_are_labelled_and_keep_the_prices() -> None:
    """A "what if" relaxes a national rule: the excise at 1 €/MWh (the shield's level) and VAT at
    5.5 % on everything; prices excl. tax stay the grid's, converted with the law's taxes."""
    t = ElectricityTariff(what_if_excise_eur_per_mwh=1.0, what_if_vat_pct=5.5)
    law_lines = by_key(bill_lines(BASE_2024, 6, {"base": 5_700}))
    lines = bill_lines(t, 6, {"base": 5_700})
    d = by_key(lines)
    assert d["energy_base"] == pytest.approx(law_lines["energy_base"])
    assert d["excise"] == pytest.approx(5.7)
    expected = (d["fixed"] + d["cta"] + d["energy_base"] + d["excise"]) * 1.055
    assert d["total"] == pytest.approx(expected)
    labelled = {ln["key"] for ln in lines if ln.get("what_if")}
    assert labelled == {"excise", "vat_fixed", "vat_energy"}
    assert all("what if" in ln["label_en"] for ln in lines if ln.get("what_if"))
    assert not any(ln.get("what_if") for ln in bill_lines(BASE_2024, 6, {"base": 5_700}))

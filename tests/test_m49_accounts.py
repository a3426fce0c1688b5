"""Issue 15, finding 2: M49-style accounts, and the mechanisms defined against them.

The accounts (:mod:`sim.core.accounts`) are checked by hand on the base town and against the cash
ledger they are derived from; each mechanism defined against them (the council's cost basis, the
concession's renewal obligation against the network's need, the committee's veto cooldown) is
switched on alone and must move what it names, in the right direction and by the right amount.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import Scenario, load_scenario, scale_town, simulate, with_changes
from sim.core.accounts import Vintages
from sim.core.assets import Cohorts
from sim.core.ledger import Loans
from sim.experiments.run import engine_for
from sim.governance import committee as cm
from sim.show import plots, report

START = 2026
COST_KM = 150_000.0  # network.renewal_cost_eur_per_km (water.md §4.3)


def base_town(years: int = 2, **changes: object) -> Scenario:
    return with_changes(Scenario(), {"horizon_years": years, **changes})


def small(name: str, years: int = 6, **more: object) -> Scenario:
    """A shipped scenario scaled to 2,000 households (costs per household kept)."""
    return scale_town(load_scenario(f"scenarios/{name}.yaml", {"horizon_years": years, **more}), 2000)


# ------------------------------------------------------------------------------------------
# the accounts, by hand
# ------------------------------------------------------------------------------------------
def test_first_year_depreciation_and_book_value_by_hand() -> None:
    s = base_town()
    y = simulate(s, seed=1).years.iloc[0]
    renewed = 0.006 * s.network.length_km  # 0.6 %/yr of 300 km, first-year prices
    assert y["renewal_km"] == pytest.approx(renewed)
    dep, book = 0.0, 0.0
    for c in s.network.cohorts:
        life = s.network.materials[c.material].life_years
        age = START - c.install_year
        gross = c.length_km * COST_KM
        dep += gross * (min(age + 1, life) - min(age, life)) / life
        book += gross * max(0.0, 1.0 - (age + 1) / life)
    # the renewed km come from the worst cohort, the 1950 grey cast iron: fully depreciated (age 76
    # > 75 years), so nothing is written off, and the new PE main starts its 100 years
    assert y["assets_written_off_eur"] == 0.0
    dep += renewed * COST_KM / 100.0
    book += renewed * COST_KM * (1 - 1 / 100.0)
    assert y["depreciation_network_eur"] == pytest.approx(dep, rel=1e-12)
    assert y["depreciation_network_eur"] == pytest.approx(464_200.0)
    # other assets: 600 k€ a year for the past 30 years (steady state), depreciated over 30 years
    capex, life = 600_000.0, 30
    other_book = capex * sum(max(0.0, 1 - min(a + 1, life) / life) for a in range(0, life + 1))
    assert y["depreciation_other_eur"] == pytest.approx(capex, rel=1e-12)
    assert y["book_value_eur"] == pytest.approx(book + other_book, rel=1e-12)
    assert y["depreciation_eur"] == y["depreciation_network_eur"] + y["depreciation_other_eur"]


@pytest.mark.parametrize("name", ["regie", "concession", "remunicipalisation", "commons"])
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_the_book_value_rolls_forward_and_the_caf_closes_on_the_cash_ledger(name: str) -> None:
    s = small(name, years=14)
    r = simulate(s, seed=2)
    y = r.years
    book_before = y["book_value_eur"].shift(1).to_numpy()[1:]
    moved = (y["capex_eur"] - y["depreciation_eur"] - y["assets_written_off_eur"]).to_numpy()[1:]
    np.testing.assert_allclose(y["book_value_eur"].to_numpy()[1:], book_before + moved, rtol=1e-9)
    # cash: Δreserves = net CAF - capital spending + loan proceeds + other receipts (equity)
    other = r.periods.groupby("year")["other_receipts_eur"].sum().to_numpy()
    cash_before = np.r_[s.finance.initial_cash_eur, y["reserves_eur"].to_numpy()[:-1]]
    expected = cash_before + y["caf_net_eur"] - y["capex_eur"] + y["loan_proceeds_eur"] + other
    np.testing.assert_allclose(y["reserves_eur"], expected, rtol=1e-9, atol=1e-3)
    np.testing.assert_allclose(
        y["caf_net_eur"], y["caf_gross_eur"] - (y["debt_service_eur"] - y["interest_eur"])
    )
    np.testing.assert_allclose(
        y["accounting_result_eur"], y["caf_gross_eur"] - y["depreciation_eur"] - y["assets_written_off_eur"]
    )


def test_debt_extinction_years_is_debt_over_gross_caf_and_undefined_without_caf() -> None:
    y = simulate(small("regie", years=8), seed=1).years
    pos = y["caf_gross_eur"] > 0
    assert pos.all()
    np.testing.assert_allclose(y["debt_extinction_years"], y["debt_eur"] / y["caf_gross_eur"])
    # a tariff far below costs: no self-financing, the indicator is not defined (not a negative duration)
    cheap = base_town(
        years=2, **{"tariff.blocks": [{"price_eur_per_m3": 0.2}], "tariff.standing_charge_eur_per_year": 5.0}
    )
    y = simulate(cheap, seed=1).years
    assert (y["caf_gross_eur"] < 0).all()
    assert y["debt_extinction_years"].isna().all()


def test_renewal_need_and_gap_by_hand() -> None:
    s = base_town()
    y = simulate(s, seed=1).years.iloc[0]
    renewed = y["renewal_km"]
    lives = {c.material: s.network.materials[c.material].life_years for c in s.network.cohorts}
    need = sum(c.length_km / lives[c.material] for c in s.network.cohorts)
    # after the year's renewal: 1.8 km of 75-year cast iron became 100-year PE
    need += -renewed / 75.0 + renewed / 100.0
    assert y["renewal_need_km"] == pytest.approx(need, rel=1e-12)
    assert y["renewal_need_km"] == pytest.approx(4.244, abs=1e-3)  # 1.4 %/yr of 300 km
    assert y["renewal_gap_km"] == pytest.approx(need - renewed)
    assert y["renewal_gap_eur"] == pytest.approx((need - renewed) * COST_KM)


def test_renewing_at_the_need_closes_the_gap_and_keeps_the_network_younger() -> None:
    low = simulate(base_town(years=12), seed=1).years
    rate = 100 * 4.25 / 300.0  # the need before the first renewal
    high = simulate(base_town(years=12, **{"network.renewal_rate_pct": rate}), seed=1).years
    assert abs(high["renewal_gap_km"].iloc[0]) < 0.02
    assert (high["renewal_gap_km"] < low["renewal_gap_km"]).all()
    age_drift_low = low["network_mean_age_years"].iloc[-1] - low["network_mean_age_years"].iloc[0]
    age_drift_high = high["network_mean_age_years"].iloc[-1] - high["network_mean_age_years"].iloc[0]
    assert age_drift_high < age_drift_low
    assert high["depreciation_network_eur"].iloc[-1] > low["depreciation_network_eur"].iloc[-1]


def test_a_renewal_writes_off_what_is_not_yet_depreciated() -> None:
    spec = base_town().network.model_copy(
        update={"cohorts": (base_town().network.cohorts[-1],)}  # ductile iron 2015, 100 years
    )
    coh = Cohorts.from_spec(spec)
    km0 = coh.total_km
    coh.renew(2.0, 2025.0, coh.names.index("pe"), cost_eur_per_km=200_000.0)
    assert coh.written_off_eur == pytest.approx(2.0 * COST_KM * (1 - 10 / 100))
    assert coh.total_km == pytest.approx(km0)
    assert coh.value_eur_per_km[-1] == 200_000.0
    # a year of the new main: 200 k€/km over PE's 100 years
    assert coh.depreciation_eur(2025) == pytest.approx((km0 - 2.0) * COST_KM / 100 + 2.0 * 2_000.0)


def test_other_assets_open_in_a_steady_state() -> None:
    v = Vintages.steady_state(2026, 600_000.0, 30.0)
    assert v.depreciation_eur(2026) == pytest.approx(600_000.0 * 29 / 30)  # this year's not bought yet
    v.add(2026, 600_000.0)
    assert v.depreciation_eur(2026) == pytest.approx(600_000.0)
    assert v.book_value_eur(2026.0) == pytest.approx(600_000.0 * (29 / 2 + 1))


def test_next_year_split_is_what_twelve_months_pay() -> None:
    loans = Loans()
    loans.add(6e6, 2.1, 20)
    loans.add(1e6, 5.0, 1)  # ends within the year
    interest, principal = loans.next_year_split()
    paid = [loans.month() for _ in range(12)]
    assert interest == pytest.approx(sum(p[0] for p in paid), rel=1e-12)
    assert principal == pytest.approx(sum(p[1] for p in paid), rel=1e-12)


# ------------------------------------------------------------------------------------------
# mechanisms defined against the accounts, one parameter at a time
# ------------------------------------------------------------------------------------------
def test_m49_cost_basis_recovers_depreciation_instead_of_cash_investment() -> None:
    cash_s = small("regie", years=4)
    m49_s = with_changes(cash_s, {"governance.council.cost_basis": "m49"})
    # what the council budgets for, at the start: the parts differ only in the capital charge
    cash_parts = engine_for(cash_s, 1).yearly_cost_parts("cash")
    eng = engine_for(m49_s, 1)
    m49_parts = eng.yearly_cost_parts("m49")
    for k in ("staff", "energy_treatment", "overheads", "participation"):
        assert m49_parts[k] == cash_parts[k]
    interest, principal = eng.loans.next_year_split()
    assert m49_parts["interest"] == interest
    assert m49_parts["capital"] >= principal
    delta = sum(m49_parts.values()) - sum(cash_parts.values())
    assert delta > 0  # depreciation (~1.06 M€ scaled) exceeds self-financed capex + debt service
    # the council's yearly target moves by exactly that difference (no unpaid rate yet), and
    # keeps its reserve target in months of cash costs
    c = m49_s.governance.council
    target_m49 = cm.target_revenue(eng, c)
    target_cash = cm.target_revenue(eng, c.model_copy(update={"cost_basis": "cash"}))
    assert target_m49 - target_cash == pytest.approx(delta, rel=1e-12)
    cash, m49 = simulate(cash_s, seed=1).years, simulate(m49_s, seed=1).years
    # size: the opening tariff rises in proportion to the costs it recovers (the unpaid share
    # moves a little with the bills; the volumes then answer the price, so revenue rises a bit less)
    ratio = m49["tariff_index"].iloc[0] / cash["tariff_index"].iloc[0]
    assert ratio == pytest.approx(sum(m49_parts.values()) / sum(cash_parts.values()), rel=0.005)
    # sign: dearer, more reserves, and the first year's accounts balance after depreciation
    assert m49["price_120m3_eur_per_m3"].iloc[0] > cash["price_120m3_eur_per_m3"].iloc[0]
    assert m49["reserves_eur"].iloc[0] > cash["reserves_eur"].iloc[0]
    dep = m49["depreciation_eur"].iloc[0]
    assert abs(m49["accounting_result_eur"].iloc[0]) < 0.10 * dep
    assert cash["accounting_result_eur"].iloc[0] < -0.20 * dep
    # the physical network does not depend on how the tariff is set
    pd.testing.assert_series_equal(cash["renewal_km"], m49["renewal_km"])


def test_m49_capital_charge_is_the_principal_when_it_exceeds_depreciation() -> None:
    s = base_town(**{"finance.initial_debt_eur": 60e6, "finance.initial_debt_remaining_years": 10})
    eng = engine_for(s, 1)
    parts = eng.yearly_cost_parts("m49")
    _, principal = eng.loans.next_year_split()
    assert principal > 4e6 and parts["capital"] == principal


def test_cash_basis_is_the_default_and_unchanged() -> None:
    s = small("regie", years=3)
    assert s.governance.council.cost_basis == "cash"
    eng = engine_for(s, 1)
    assert eng.yearly_cost_parts() == eng.yearly_cost_parts("cash")


@pytest.mark.parametrize("share", [100.0, 50.0])
def test_a_concession_renewal_obligation_against_the_need(share: float) -> None:
    base_s = small("concession", years=10)
    s = with_changes(
        base_s,
        {
            "governance.concession.renewal_obligation_need_pct": share,
            "governance.concession.renewal_realisation": 1.0,
        },
    )
    base = simulate(with_changes(base_s, {"governance.concession.renewal_realisation": 1.0}), seed=1).years
    y = simulate(s, seed=1).years
    # size: each year's renewal is the share of the need at the year's start (the need moves little)
    need_start = y["renewal_need_km"].shift(1).fillna(Cohorts.from_spec(s.network).renewal_need_km())
    np.testing.assert_allclose(y["renewal_km"], share / 100 * need_start, rtol=1e-9)
    np.testing.assert_allclose(y["renewal_gap_km"], y["renewal_need_km"] - y["renewal_km"])
    if share == 100.0:
        assert (y["renewal_gap_km"].abs() < 0.02 * y["renewal_need_km"]).all()
    else:
        np.testing.assert_allclose(y["renewal_gap_km"], 0.5 * y["renewal_need_km"], rtol=0.02)
    # sign: both obligations renew more than 0.6 % of length, which leaves a larger gap
    assert (y["renewal_gap_km"] < base["renewal_gap_km"]).all()
    assert y["price_120m3_eur_per_m3"].iloc[0] > base["price_120m3_eur_per_m3"].iloc[0]  # in the tender
    assert y["network_mean_age_years"].iloc[-1] < base["network_mean_age_years"].iloc[-1]


def test_the_unspent_provision_is_measured_against_the_need_obligation() -> None:
    s = small(
        "concession",
        years=3,
        **{
            "governance.concession.renewal_obligation_need_pct": 100.0,
            "governance.concession.renewal_realisation": 0.8,
        },
    )
    y = simulate(s, seed=1).years
    need_start = Cohorts.from_spec(s.network).renewal_need_km()
    assert y["renewal_km"].iloc[0] == pytest.approx(0.8 * need_start)
    kept = y["provision_kept_eur"].iloc[0]
    assert kept == pytest.approx(0.2 * need_start * s.network.renewal_cost_eur_per_km, rel=1e-9)


# ------------------------------------------------------------------------------------------
# finding 6: a vetoed option waits
# ------------------------------------------------------------------------------------------
def _vetoes(d: pd.DataFrame) -> pd.DataFrame:
    return d[(d["body"] == "committee") & d["veto"].astype(bool)]


@pytest.mark.parametrize("n", [1, 2])
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_a_vetoed_option_is_not_put_again_for_the_cooldown(n: int) -> None:
    base_s = load_scenario("scenarios/commons.yaml")
    off = simulate(base_s, seed=1).decisions
    on = simulate(with_changes(base_s, {"governance.committee.veto_cooldown_meetings": n}), seed=1).decisions
    assert len(_vetoes(off)) > len(_vetoes(on)) > 0
    for _, v in _vetoes(on).iterrows():
        k = int(v["meeting"])
        later = on[
            (on["item"] == v["item"])
            & (on["option"] == v["option"])
            & on["meeting"].between(k + 1, k + n)
            & (on["body"] == "committee")
        ]
        # listed, not voted: the reason says when it may come back
        assert (
            later["reason"]
            == f"not admissible: vetoed at meeting {k}: not put again before meeting {k + n + 1}"
        ).all()
        assert not later["veto"].astype(bool).any() and not later["adopted"].astype(bool).any()
    # the vetoes are what moved: every other figure of the run is the same
    y_off = simulate(base_s, seed=1).years
    y_on = simulate(with_changes(base_s, {"governance.committee.veto_cooldown_meetings": n}), seed=1).years
    pd.testing.assert_series_equal(y_off["price_120m3_eur_per_m3"], y_on["price_120m3_eur_per_m3"])


def test_no_cooldown_is_the_default() -> None:
    assert Scenario().governance.committee.veto_cooldown_meetings == 0


# ------------------------------------------------------------------------------------------
# shown: the Explorer's and the report's « Comptes M49 » chart
# ------------------------------------------------------------------------------------------
def test_the_accounts_chart_draws_the_years_columns() -> None:
    res = simulate(small("regie", years=4), seed=1)
    assert "accounts" in report.FIGURES
    fig = report.figure(res, "accounts", "fr")
    by_name = {tr.name: tr for tr in fig.data}
    shown = ("renewal_km", "renewal_need_km", "depreciation_eur", "caf_gross_eur", "debt_extinction_years")
    for col in shown:
        trace = by_name[plots.indicator_label(col, "fr")]
        np.testing.assert_allclose(np.asarray(trace.y, dtype=float), res.years[col].to_numpy(dtype=float))
    assert fig.layout.title.text.startswith("Comptes M49")

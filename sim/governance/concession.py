"""Private concession (DSP): the contract sets the tariff.

- Indexation: ``Kn = a + wL·L/L0 + wE·E/E0 + wT·T/T0`` on labour, energy and public-works index
  paths built from the run's inflation and index draws (shared by every regime on a seed).
- Renewal: the contractual obligation (a share of the network's length, or with
  ``renewal_obligation_need_pct`` a share of its renewal need: its length over its materials'
  service lives, each year) is realised at ``renewal_realisation``; the unspent renewal
  provision leaves the service each year unless the contract returns it.
- Money leaving the service: operator margin, head-office fees, delegation overhead and corporate
  taxes (``finance.*`` parameters), and the yearly operating surplus above the reserve target.
- Renegotiation: every ``renegotiation_every_years`` the operator asks for an avenant when its
  realised margin m fell below the target t; the avenant raises the price by (1-m)/(1-t) - 1, the
  rise that restores the target on last year's costs, at most ``avenant_price_step_pct``.
- Contract end: re-tender (price change) or remunicipalisation to a régie or a commons, with a
  transition cost, staff transfer, return of assets and, if the contract says so, of provisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.core.engine import Engine
from sim.governance.committee import reserve_target_eur
from sim.governance.rules import PolicyView
from sim.i18n import reason
from sim.scenario.model import Scenario


def index_paths(eng: Engine) -> np.ndarray:
    """Labour, energy and public-works indices per simulated year (first year = 1): inflation
    times the world's real price paths (:attr:`sim.core.engine.Engine.real_index`, which every
    regime pays in its costs), times the published indices' own yearly deviations
    (``index_spread_pct``, drawn in every run so that all regimes share them)."""
    spread = eng.scenario.governance.concession.index_spread_pct
    cpi = np.cumprod(1.0 + eng.inflation)
    noise = 1.0 + spread / 100.0 * eng.index_z
    noise[0] = 1.0
    return np.asarray(cpi[:, None] * eng.real_index[: eng.years_n] * np.cumprod(noise, axis=0))


def target_margin_pct(s: Scenario) -> float:
    """The margin the operator prices in (tender, re-tender) and defends (avenants), in % of
    revenue: ``governance.concession.margin_target_pct``, or by default its remuneration in the
    finance block (margin plus head-office fee), so that one margin is counted once."""
    m = s.governance.concession.margin_target_pct
    return float(s.finance.operator_margin_pct + s.finance.head_office_fee_pct if m is None else m)


def k_coefficient(c: Any, idx: np.ndarray, y: int, y0: int) -> float:
    """Kn at simulated year ``y`` against the base year ``y0`` (both 0-based)."""
    ratios = idx[y] / idx[y0]
    return float(
        c.k_fixed_share
        + c.k_labour_weight * ratios[0]
        + c.k_energy_weight * ratios[1]
        + c.k_works_weight * ratios[2]
    )


@dataclass
class ContractState:
    """Where a delegation contract stands (concession regime only)."""

    base_year: int = 0  # simulated year (0-based) the indexation counts from
    end_year: int = 0  # calendar year the contract ends
    price_factor: float = 1.0  # avenants and re-tender bids, multiplied up
    provision_accrued: float = 0.0  # unspent renewal provisions owed back, if the contract says so
    operator_capex: list[tuple[int, float]] = field(default_factory=list)  # for buy-back
    idx: np.ndarray = field(default_factory=lambda: np.ones((1, 3)))  # index paths by year


def start_contract(eng: Engine, policy: PolicyView) -> None:
    c = eng.scenario.governance.concession
    st = eng.state
    policy.contract = ContractState(
        base_year=0,
        end_year=c.contract_start_year + c.duration_years,
        idx=index_paths(eng),
    )
    st.renewal_rate_pct = c.renewal_obligation_pct * c.renewal_realisation
    st.loan_rate_pct = c.cost_of_capital_pct
    _provision(eng, policy)


def obligation_km(eng: Engine) -> float:
    """The contract's renewal obligation this year, in km: a share of the network's length, or
    (``renewal_obligation_need_pct``) a share of its renewal need
    (:meth:`sim.core.assets.Cohorts.renewal_need_km`)."""
    c = eng.scenario.governance.concession
    if c.renewal_obligation_need_pct is None:
        return c.renewal_obligation_pct / 100 * eng.cohorts.total_km
    return c.renewal_obligation_need_pct / 100 * eng.cohorts.renewal_need_km()


def _provision(eng: Engine, policy: PolicyView) -> None:
    """Unspent renewal provision of the year: kept by the operator unless it is to be returned.
    An obligation set against the network's need is set again each year, as the need moves."""
    c = eng.scenario.governance.concession
    st = eng.state
    if c.renewal_obligation_need_pct is None:
        unspent_km = c.renewal_obligation_pct * (1 - c.renewal_realisation) / 100 * eng.cohorts.total_km
    else:
        km = obligation_km(eng)
        st.renewal_rate_pct = 100 * km * c.renewal_realisation / eng.cohorts.total_km
        unspent_km = km * (1 - c.renewal_realisation)
    amount = unspent_km * eng.scenario.network.renewal_cost_eur_per_km * eng.cpi * eng.real_works
    if c.unspent_provision_returned:
        policy.contract.provision_accrued += amount  # stays in the service's cash, owed back at the end
        st.provision_kept_eur_this_year = 0.0
    else:
        st.provision_kept_eur_this_year = amount


def contract_milestones(eng: Engine, year: int, policy: PolicyView) -> list[dict[str, Any]]:
    """Contract end (re-tender or remunicipalisation) at the start of ``year``."""
    c = eng.scenario.governance.concession
    st = eng.state
    rows: list[dict[str, Any]] = []
    if year < policy.contract.end_year:
        _provision(eng, policy)
        return rows
    y = year - eng.scenario.town.start_year
    if c.at_end == "retender":
        # a competitive bid: each bidder offers last year's costs, less the saving it can offer
        # (drawn in 0 … retender_cost_catch_up_pct), plus the target margin; the lowest bid wins
        m = realised_margin_pct(eng.years[-1], eng.scenario.finance.capex_debt_share_pct)
        target = target_margin_pct(eng.scenario)
        savings = eng.rng["tender"].uniform(0.0, c.retender_cost_catch_up_pct / 100.0, c.retender_bidders)
        saving = float(savings.max())
        bid = (1 - m / 100) * (1 - saving) / (1 - target / 100) * (1 + c.retender_price_change_pct / 100)
        k = _k(eng, policy, y)
        policy.contract.base_year = y
        policy.contract.price_factor *= k * bid
        policy.contract.end_year = year + c.duration_years
        _provision(eng, policy)
        rows.append(
            policy.row(
                "contract_end",
                "retender",
                True,
                True,
                False,
                reason("retender_competition", bidders=c.retender_bidders, saving_pct=100 * saving)
                + reason(
                    "winning_bid",
                    margin_pct=target,
                    price_change_pct=c.retender_price_change_pct,
                    price_pct=100 * (bid - 1),
                ),
                body="contract",
            )
        )
        return rows
    # remunicipalisation
    g = eng.scenario.governance
    policy.concession_active = False
    st.tariff_index = st.tariff_index  # the price in force carries over
    policy.keep_cpi_base = eng.cpi
    st.margin_pct = st.head_office_pct = 0.0
    st.delegation_eur_per_unit = st.corporate_tax_eur_per_unit = 0.0
    st.provision_kept_eur_this_year = 0.0
    st.loan_rate_pct = eng.scenario.finance.interest_rate_pct
    st.renewal_rate_pct = eng.scenario.network.renewal_rate_pct
    fte = eng.fte_total() - st.extra_fte
    st.staff_transferred = fte * c.staff_transferred_share
    cost = c.transition_cost_eur * eng.cpi
    if not c.assets_returned:
        life = eng.scenario.network.renewal_life_years
        cost += sum(
            amount * max(0.0, 1.0 - (year - yr) / life) for yr, amount in policy.contract.operator_capex
        )
    st.transition_eur_this_year = cost
    # financed: reserves above the council's reserve target first, a public loan for the rest
    target = reserve_target_eur(eng, g.council)
    from_reserves = min(cost, max(eng.cash - target, 0.0))
    st.transition_loan_eur_this_year = cost - from_reserves
    policy.switch_rule("committee" if c.at_end == "commons" else "council")
    if c.at_end == "commons":
        policy.deciding = g.committee.power != "consultative"
        if policy.deciding:
            st.extra_fte = g.committee.facilitation_fte
    rows.append(
        policy.row(
            "contract_end",
            f"remunicipalisation_{c.at_end}",
            True,
            True,
            False,
            reason(
                "contract_ended",
                staff_transferred_fte=st.staff_transferred,
                transition_eur=cost,
                assets_returned=c.assets_returned,
                provisions_returned=c.unspent_provision_returned,
                provisions_eur=policy.contract.provision_accrued,
            )
            + reason(
                "transition_financed",
                from_reserves_eur=from_reserves,
                loan_eur=st.transition_loan_eur_this_year,
                loan_rate_pct=st.loan_rate_pct,
                loan_years=eng.scenario.finance.loan_term_years,
            ),
            body="contract",
        )
    )
    return rows


def _k(eng: Engine, policy: PolicyView, y: int) -> float:
    c = eng.scenario.governance.concession
    return k_coefficient(c, policy.contract.idx, min(y, eng.years_n - 1), policy.contract.base_year)


class ContractRule:
    name = "contract"

    def __init__(self, scenario: Scenario):
        self.c = scenario.governance.concession

    def decide(self, eng: Engine, year: int, policy: PolicyView) -> list[dict[str, Any]]:
        c = self.c
        st = eng.state
        y = year - eng.scenario.town.start_year
        before = st.tariff_index
        rows: list[dict[str, Any]] = []
        # renegotiation review (avenant) on its cadence, when the realised margin is below target
        if (year - c.contract_start_year) % c.renegotiation_every_years == 0 and eng.years:
            margin = realised_margin_pct(eng.years[-1], eng.scenario.finance.capex_debt_share_pct)
            target = target_margin_pct(eng.scenario)
            if margin < target:
                # the rise that restores the target margin on last year's costs: (1-m)/(1-t), capped
                needed = (1 - margin / 100) / (1 - target / 100) - 1
                step = min(needed, c.avenant_price_step_pct / 100.0)
                policy.contract.price_factor *= 1.0 + step
                rows.append(
                    policy.row(
                        "avenant",
                        f"+{100 * step:.1f} %",
                        True,
                        True,
                        False,
                        reason(
                            "avenant_needed",
                            margin_pct=margin,
                            target_pct=target,
                            needed_pct=100 * needed,
                            step_cap_pct=c.avenant_price_step_pct,
                        ),
                        body="contract",
                    )
                )
            else:
                rows.append(
                    policy.row(
                        "avenant",
                        "none",
                        True,
                        False,
                        False,
                        reason("avenant_not_needed", margin_pct=margin, target_pct=target),
                        body="contract",
                    )
                )
        k = _k(eng, policy, y)
        st.tariff_index = k * policy.contract.price_factor
        policy.keep_cpi_base = eng.cpi
        rows.append(
            policy.row(
                "tariff",
                f"K={k:.4f}",
                True,
                True,
                False,
                reason("contract_indexation"),
                body="contract",
            )
        )
        if not policy.deciding:
            rows.append(policy.consultative_opinion(eng, st.tariff_index, before))
        return rows

    @staticmethod
    def year_end(eng: Engine, policy: PolicyView) -> None:
        """The operator keeps the operating surplus above the reserve target (paid next January)."""
        st = eng.state
        last = eng.years[-1]
        policy.contract.operator_capex.append((int(last["year"]), float(last["capex_eur"])))
        if not eng.scenario.governance.concession.surplus_to_operator:
            return
        target = reserve_target_eur(eng, eng.scenario.governance.council)
        # positive: the operator takes the surplus; negative: it covers the loss (its risk)
        st.operator_result_due_eur = eng.cash - target - policy.contract.provision_accrued


def realised_margin_pct(year_row: dict[str, Any], capex_debt_share_pct: float) -> float:
    """Operator's margin of a year, in % of revenue.

    (revenue - opex - self-financed capex - debt service - delegation overhead - corporate tax)
    / revenue; the borrowed part of capex is paid through debt service. The operator's own
    remuneration (margin line, head-office fees, kept provisions, result) is not a cost here.
    """
    rev = year_row["revenue_eur"]
    if rev <= 0:
        return 0.0
    cost = (
        year_row["opex_eur"]
        + year_row["capex_eur"] * (1 - capex_debt_share_pct / 100.0)
        + year_row["debt_service_eur"]
        + year_row.get("delegation_overhead_eur", 0.0)
        + year_row.get("corporate_tax_eur", 0.0)
    )
    return 100.0 * (rev - cost) / rev

"""The committee's tariff options for an electricity service (the procedure; people may replace it).

A local offer (``tariff.pricing: local``) can change in level and structure: keep it (indexed), a
uniform change that balances the budget, a lighter fixed part with the energy price carrying the
rest, or a local social rebate for the two lowest deciles; each is scaled to the revenue needed.
Under the regulated tariff (the TRVE, set nationally) only the local social rebate is the
committee's to decide: the price stays the national one, and the rebate is paid from the service's
own margin (a concession's operator would keep that margin instead).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.governance import committee as cm
from sim.i18n import reason
from sim.scenario.electricity import ElectricityTariff
from sim.scenario.model import Council

if TYPE_CHECKING:
    from sim.core.engine import Engine

#: the deepest local rebate the procedure proposes (assumption: half the supplier's price)
MAX_REBATE_PCT = 50.0


def _social(cur: ElectricityTariff, step: float, takeup: float) -> ElectricityTariff:
    """The social option: a rebate one step deeper, or one step on deciles 1 and 2."""
    soc = cur.social
    if soc.enabled:
        soc = soc.model_copy(update={"rebate_pct": min(MAX_REBATE_PCT, soc.rebate_pct + 100 * step)})
    else:
        soc = soc.model_copy(
            update={
                "enabled": True,
                "eligible_deciles": (1, 2),
                "rebate_pct": 100 * step,
                "eligible_share": takeup,
            }
        )
    return cur.model_copy(update={"social": soc})


def tariff_options(eng: Engine, council: Council, keep_index: float, regulated: bool) -> list[cm.Option]:
    st = eng.state
    c = eng.scenario.governance.committee
    step = c.tariff_step_pct / 100.0
    cur: ElectricityTariff = st.tariff  # type: ignore[assignment]
    target = cm.target_revenue(eng, council)
    variants: list[tuple[str, str, str, ElectricityTariff]] = [
        ("keep", "Garder le tarif (indexé)", "Keep the tariff (indexed)", cur)
    ]
    if not regulated:
        variants += [
            ("balance", "Hausse ou baisse uniforme pour équilibrer", "Uniform change to balance", cur),
            (
                "lighter_fixed",
                "Abonnement allégé, l'énergie porte le reste",
                "Lighter fixed part, energy carries the rest",
                cur.model_copy(update={"fixed_part_factor": cur.fixed_part_factor * (1 - step)}),
            ),
        ]
    variants.append(
        (
            "social",
            "Remise sociale locale pour les déciles 1 et 2",
            "Local social rebate for deciles 1 and 2",
            _social(cur, step, c.social_takeup_share),
        )
    )
    keep_effects, keep_bills = cm.project(eng, cur, keep_index, target)
    keep_revenue = keep_effects["revenue_eur"]
    out = []
    for name, fr, en, tar in variants:
        index = (
            keep_index if (name == "keep" or regulated) else cm.scale_to_revenue(eng, tar, keep_index, target)
        )
        effects, _ = cm.project(eng, tar, index, target, keep_bills)
        opt = cm.Option(
            "tariff", name, fr, en, changes={"tariff": tar, "tariff_index": index}, effects=effects
        )
        opt.features = {
            "budget": -abs(effects["recovery"] - 1.0)
            if not regulated
            else min(effects["recovery"] - 1.0, 0.0),
            "affordability": -effects["share_above_pct"] / 100.0,
            "bill": -effects["median_bill_change_pct"] / 100.0,
        }
        if regulated:  # the price cannot move: what the option gives up is a cost to the margin
            effects["extra_cost_eur_per_year"] = max(keep_revenue - effects["revenue_eur"], 0.0)
        elif effects["recovery"] < 1.0 - council.recovery_tolerance_pct / 100.0 and name != "keep":
            opt.admissible = False
            opt.why_not = reason("below_cost_recovery", recovery_pct=100 * effects["recovery"])
        out.append(opt)
    return out


def pv_options(eng: Engine) -> list[cm.Option]:
    """Community PV (electricity.md §5.2-5.4): keep, or a programme of ``step_kwp`` on the town's
    roofs within the legal ceiling of collective self-consumption. Its yearly cost is the panels'
    depreciation and upkeep less the energy it saves buying; the features: that cost against
    revenue, and the local share of the town's electricity it adds (weighed as the "resource")."""
    st = eng.state
    lp = eng.scenario.local_production
    now = st.local_production_kw
    out = [
        cm.Option(
            "community_pv",
            "keep",
            f"Garder {now:,.0f} kWc".replace(",", "\u202f"),
            f"Keep {now:,.0f} kWp",
            features={"cost": 0.0, "resource": 0.0},
        )
    ]
    add = min(lp.step_kwp, lp.acc_limit_kw - now)
    if add <= 0:
        return out
    kwh = add * lp.yield_kwh_per_kwp_year
    saved = kwh * eng.service.supply_cost_eur_per_mwh(eng, eng._year) / 1000.0  # type: ignore[attr-defined]
    capex = add * lp.capex_eur_per_kwp * eng.cpi
    cost = capex / lp.life_years + add * lp.opex_eur_per_kwp_year * eng.cpi - saved
    rev = max(eng.years[-1]["revenue_eur"], 1.0) if eng.years else 1.0
    billed = max(eng.years[-1]["kwh_billed"], 1.0) if eng.years else 1.0
    out.append(
        cm.Option(
            "community_pv",
            "add_pv",
            f"Photovoltaïque citoyen : {add:,.0f} kWc de plus".replace(",", "\u202f"),
            f"Community PV: {add:,.0f} more kWp",
            changes={"local_production_kw": now + add},
            features={"cost": -max(cost, 0.0) / rev, "resource": 10.0 * kwh / billed},
            effects={
                "capex_eur": capex,
                "kwh_per_year": kwh,
                "extra_cost_eur_per_year": max(cost, 0.0),
            },
        )
    )
    return out

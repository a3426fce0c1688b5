"""The committee's tariff options for an electricity service (the procedure; people may replace it).

A local offer (``tariff.pricing: local``) can change in level and structure: keep it (indexed), a
uniform change that balances the budget, a lighter fixed part with the energy price carrying the
rest, a Base offer switched to peak/off-peak hours at the published grids' ratios, or a local social
rebate for the two lowest deciles; each is scaled to the revenue needed.
Under the regulated tariff (the TRVE, set nationally) only the local social rebate is the
committee's to decide: the price stays the national one, and the rebate is paid from the service's
own margin (a concession's operator would keep that margin instead).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.electricity import tariff as et
from sim.governance import committee as cm
from sim.i18n import fmt_eur, reason
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


def hphc_offer(cur: ElectricityTariff) -> ElectricityTariff:
    """A Base offer turned into peak/off-peak hours: each price times the published TRVE grids' ratio
    (:func:`sim.electricity.tariff.hphc_grid`: the fixed part's ratio at 6 kVA at every power, an
    assumption).
    The households keep their use and its off-peak share (``households.hc_share_of_kwh``)."""
    return et.hphc_grid(cur)


#: what a variant may not change under the regulated tariff: the price itself (its grid, option,
#: structure and taxes), set nationally (electricity.md §1.4, art. L.337-6)
NATIONAL_PRICE_FIELDS = (
    "option",
    "build",
    "prices_include_taxes",
    "prices_date",
    "fixed_eur_per_year_by_kva",
    "energy_eur_per_kwh",
    "turpe_fixed_eur_per_customer_year",
    "turpe_fixed_eur_per_kva_year",
    "pricing",
    "shield_max_rise_pct",
    "fixed_part_factor",
    "energy_part_factor",
    "index_on_inflation",
    "tempo",
    "what_if_excise_eur_per_mwh",
    "what_if_vat_pct",
)


def changes_national_price(cur: ElectricityTariff, variant: ElectricityTariff) -> bool:
    """Whether ``variant`` changes what the regulated tariff's price is (anything but the local
    social rebate and the essential-kWh block, whose kWh above the block keep the national price)."""
    if variant.essential_block.enabled and variant.essential_block.above_factor != 1.0:
        return True
    return any(getattr(cur, f) != getattr(variant, f) for f in NATIONAL_PRICE_FIELDS)


def tariff_options(
    eng: Engine,
    council: Council,
    keep_index: float,
    regulated: bool,
    room_variants: tuple[ElectricityTariff, ...] = (),
) -> list[cm.Option]:
    """Keep, the procedure's options and the people's own ``room_variants`` (``variant_1``…). A local
    offer's options (a variant too) are scaled to the revenue needed; under the regulated tariff
    they keep its price, and a variant that would change it is not admissible (it is national)."""
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
        if cur.option == "base":
            variants.append(
                (
                    "hphc",
                    "Passer en heures pleines / heures creuses",
                    "Switch to peak / off-peak hours",
                    hphc_offer(cur),
                )
            )
    variants.append(
        (
            "social",
            "Remise sociale locale pour les déciles 1 et 2",
            "Local social rebate for deciles 1 and 2",
            _social(cur, step, c.social_takeup_share),
        )
    )
    variants += [
        (f"variant_{i + 1}", f"Variante proposée n° {i + 1}", f"Proposed variant {i + 1}", v)
        for i, v in enumerate(room_variants)
    ]
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
        if regulated and name.startswith("variant_") and changes_national_price(cur, tar):
            opt.admissible = False
            opt.why_not = reason("regulated_price_is_national")
        elif (
            not regulated
            and effects["recovery"] < 1.0 - council.recovery_tolerance_pct / 100.0
            and name != "keep"
        ):
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
    saved = kwh * eng.service.energy_cost_paid_eur_per_mwh(eng, eng._year) / 1000.0  # type: ignore[attr-defined]
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


#: the electricity items put on the agenda only when they have something to decide (an item with
#: nothing but "keep" is not voted: it would draw the committee's judgements for nothing)
OPTIONAL_ITEMS = ("essential_block", "social_fund", "power_limitation")


def essential_block_options(eng: Engine, keep_index: float, regulated: bool) -> list[cm.Option]:
    """An essential-kWh block (``tariff.essential_block``): the first kWh of each consumption unit
    at ``price_factor`` times the option's price. Under a local offer the kWh above the block pay
    for it (``above_factor`` set so that the revenue is the status quo's: the projection is linear
    in it); under the regulated tariff the price cannot move, so the block is a local discount
    whose cost (the revenue it gives up) must fit the service's margin, as the social rebate."""
    cur: ElectricityTariff = eng.state.tariff  # type: ignore[assignment]
    index = eng.state.tariff_index
    target = cm.target_revenue(eng, eng.scenario.governance.council)
    keep_effects, keep_bills = cm.project(eng, cur, index, target)
    keep = cm.Option(
        "essential_block",
        "keep",
        "Pas de tranche essentielle" if not cur.essential_block.enabled else "Garder la tranche",
        "No essential block" if not cur.essential_block.enabled else "Keep the block",
        effects=keep_effects,
        features={"budget": 0.0, "affordability": -keep_effects["share_above_pct"] / 100.0, "bill": 0.0},
    )
    if cur.essential_block.enabled:
        return [keep]
    block = cur.essential_block.model_copy(update={"enabled": True, "above_factor": 1.0})
    tar = cur.model_copy(update={"essential_block": block})
    if not regulated:  # the kWh above the block finance it: same revenue as the status quo
        r1 = eng.project_revenue(tar, index)
        t2 = cur.model_copy(update={"essential_block": block.model_copy(update={"above_factor": 2.0})})
        r2 = eng.project_revenue(t2, index)
        g = 1.0 + (keep_effects["revenue_eur"] - r1) / (r2 - r1) if r2 > r1 else 1.0
        block = block.model_copy(update={"above_factor": min(max(g, 1.0), 5.0)})
        tar = cur.model_copy(update={"essential_block": block})
    effects, _ = cm.project(eng, tar, index, target, keep_bills)
    effects["extra_cost_eur_per_year"] = max(keep_effects["revenue_eur"] - effects["revenue_eur"], 0.0)
    kwh = block.kwh_per_unit_year
    opt = cm.Option(
        "essential_block",
        "essential_block",
        f"Tranche essentielle : {kwh:,.0f} kWh par unité de consommation à {100 * block.price_factor:.0f} % "
        "du prix".replace(",", "\u202f"),
        f"Essential block: {kwh:,.0f} kWh per consumption unit at {100 * block.price_factor:.0f} % "
        "of the price",
        changes={"tariff": tar},
        effects=effects,
    )
    rev = max(keep_effects["revenue_eur"], 1.0)
    opt.features = {
        "budget": -effects["extra_cost_eur_per_year"] / rev,
        "affordability": -effects["share_above_pct"] / 100.0,
        "bill": -effects["median_bill_change_pct"] / 100.0,
    }
    return [keep, opt]


def social_fund_options(eng: Engine) -> list[cm.Option]:
    """A social fund (``energy_poverty.arrears.social_fund_*``) paying part of the arrears of the
    three lowest deciles and chèque énergie holders: keep it, or add ``social_fund_step_eur_per_year``.
    Its cost is at most its budget; what it gives is weighed as affordability: the households in
    arrears it could help (last year's mean arrears of those eligible), over all households. Only
    with arrears carried (``energy_poverty.arrears.enabled``)."""
    st = eng.state
    ar = eng.scenario.energy_poverty.arrears
    now = st.social_fund_eur_per_year
    keep = cm.Option(
        "social_fund",
        "keep",
        f"Garder le fonds social ({fmt_eur(now, 'fr', 0)}/an)",
        f"Keep the social fund ({fmt_eur(now, 'en', 0)}/yr)",
        features={"cost": 0.0, "affordability": 0.0},
    )
    if not ar.enabled or ar.social_fund_step_eur_per_year <= 0:
        return [keep]
    svc = eng.service
    arrears = svc.arrears  # type: ignore[attr-defined]
    eligible = (arrears > 0) & ((eng.pop.decile <= 3) | (svc.cheque > 0))  # type: ignore[attr-defined]
    n_in = int(eligible.sum())
    mean = float(arrears[eligible].mean()) * ar.social_fund_share if n_in else 0.0
    step = ar.social_fund_step_eur_per_year * eng.cpi
    helped = min(n_in, step / mean) if mean > 0 else 0.0
    rev = max(eng.years[-1]["revenue_eur"], 1.0) if eng.years else 1.0
    up = now + ar.social_fund_step_eur_per_year
    return [
        keep,
        cm.Option(
            "social_fund",
            "fund_up",
            f"Fonds social porté à {fmt_eur(up, 'fr', 0)}/an",
            f"Social fund raised to {fmt_eur(up, 'en', 0)}/yr",
            changes={"social_fund_eur_per_year": up},
            features={"cost": -step / rev, "affordability": helped / eng.pop.count},
            effects={"extra_cost_eur_per_year": step, "households_helped": helped},
        ),
    ]


#: share of the households limited or cut whose arrears a later start lets them settle first
#: (assumption: half; the reference gives no figure, electricity.md §4.3)
LATER_SETTLED_SHARE = 0.5


def power_limitation_options(eng: Engine) -> list[cm.Option]:
    """The policy on overdue bills (electricity.md §4.3): keep it; limit the power instead of
    cutting (when the policy cuts); or, with arrears carried, start interventions
    ``limit_after_step_months`` later. Weighed as affordability: the cuts (or, for a later start,
    :data:`LATER_SETTLED_SHARE` of the interventions) of last year avoided, over all households;
    a later start costs the write-offs of last year times the step over the write-off delay."""
    st = eng.state
    ar = eng.scenario.energy_poverty.arrears
    keep = cm.Option(
        "power_limitation",
        "keep",
        "Garder la politique (couper)" if st.unpaid_response == "cut" else "Garder la politique (limiter)",
        "Keep the policy (cut)" if st.unpaid_response == "cut" else "Keep the policy (limit)",
        features={"cost": 0.0, "affordability": 0.0},
    )
    out = [keep]
    last = eng.years[-1] if eng.years else None
    n = eng.pop.count
    if st.unpaid_response == "cut":
        cuts = last["supply_cuts"] if last else 0.0
        out.append(
            cm.Option(
                "power_limitation",
                "limit_not_cut",
                "Limiter la puissance au lieu de couper",
                "Limit the power instead of cutting",
                changes={"unpaid_response": "limit"},
                features={"cost": 0.0, "affordability": cuts / n},
                effects={"cuts_avoided": cuts},
            )
        )
    if ar.enabled:
        later = st.limit_after_months + ar.limit_after_step_months
        inter = (last["power_limitations"] + last["supply_cuts"]) if last else 0.0
        written = last.get("written_off_eur", 0.0) if last else 0.0
        cost = written * ar.limit_after_step_months / ar.write_off_months
        rev = max(last["revenue_eur"], 1.0) if last else 1.0
        out.append(
            cm.Option(
                "power_limitation",
                "later",
                f"N'intervenir qu'après {later} mois d'impayé",
                f"Intervene only after {later} months unpaid",
                changes={"limit_after_months": later},
                features={"cost": -cost / rev, "affordability": LATER_SETTLED_SHARE * inter / n},
                effects={"extra_cost_eur_per_year": cost, "interventions_last_year": inter},
            )
        )
    return out

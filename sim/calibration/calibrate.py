"""From a town's published figures to a scenario that reproduces them in its first years.

The scenario starts from the shipped town under its regime (``scenarios/regie.yaml``,
``concession.yaml`` or ``commons.yaml``, each extending ``town.yaml``; every default is sourced
there) and changes what the figures say. Each target is moved by one parameter, found by a few
fixed-point/secant iterations on short runs of :func:`sim.simulate` (5 years, the town scaled down
to at most ``ITER_HOUSEHOLDS`` households for speed; every target is a ratio, so the scaled town
has the same values up to sampling noise), then checked on the full-size town:

=====================  ===================================================  =====================
target                 parameter moved                                      update
=====================  ===================================================  =====================
households             ``households.count`` (D101.0 / mean size if needed)  set
mean household size    ``households.size_shares`` tilted to the census       set
consumption (L/p/day)  ``households.consumption_l_per_person_day``          × target / model
network length         every cohort's ``length_km`` × one factor             set
D102.0 (1st year)      standing charge and volume price × one factor         linear in the factor
D102.0 (years 1-5)     ``finance.overheads_eur_per_year`` (cost recovery)    secant
P104.3 yield           ``network.background_ili``                            losses needed / losses
P106.3 ILP             ``network.background_ili`` when no yield is given     losses needed / losses
P107.2 renewal         ``network.renewal_rate_pct`` (concession: obligation  set
                       = rate / realisation)
P154.0 unpaid          ``households.unpaid_base_probability``                × target / model
P153.2 debt years      ``finance.initial_debt_eur`` = years × gross savings  fixed point
=====================  ===================================================  =====================

A figure that cannot be matched (a price below the levies, a yield needing an ILI outside the
model's bounds, an ILP inconsistent with the yield and the volumes) is reported as not matched,
never forced.
"""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import yaml

from sim import Scenario, dumps_scenario, loads_scenario, scale_town, simulate
from sim.calibration.errors import InputFileError
from sim.calibration.readers import norm

ITER_HOUSEHOLDS = 10_000
YEARS = 5
#: tolerances of the issue's "done when" (price relative, the others in points)
TOLERANCE = {"price": 0.02, "yield": 3.0, "renewal": 0.1, "unpaid": 0.5}
#: national figures used when a town's figure is missing: value, source (shared/reference/)
NATIONAL = {
    "price_120m3_eur_per_m3": (
        2.21,
        "water.md §1.1: D102.0 water only 2.21 € TTC/m3, 1 Jan 2023 (Observatoire, 2022 data)",
    ),
    "yield_pct": (81.0, "water.md §1.2: P104.3 81 % in 2022 (OFB)"),
    "renewal_pct": (0.6, "water.md §1.4: P107.2 ~0.55-0.6 %/yr (Observatoire 2011-2016)"),
    "unpaid_pct": (
        1.6,
        "water.md §1.5: P154.0 water 1.6 % in 2016 (8th report); later values not found",
    ),
    "consumption_l_per_person_day": (146.0, "water.md §1.7: 146 L/person/day (SDES/OFB, 2017)"),
    "mean_household_size": (2.16, "households.md: 2.16 persons per main residence (INSEE 2021)"),
}
#: national standard of living (€/consumption unit/yr), INSEE 2021 in current euros
NATIONAL_FILOSOFI = {"d1": 12_290.0, "median": 23_160.0, "d9": 41_870.0}
NATIONAL_FILOSOFI_SOURCE = "households.md: INSEE 2021 (édition 2024) D1 12,290, median 23,160, D9 41,870 €"

REGIME_WORDS = {
    "regie": "regie",
    "regie_publique": "regie",
    "gestion_directe": "regie",
    "direct": "regie",
    "regie_simple": "regie",
    "regie_autonome": "regie",
    "regie_personnalisee": "regie",
    "concession": "concession",
    "delegation": "concession",
    "dsp": "concession",
    "gestion_deleguee": "concession",
    "affermage": "concession",
    "delegue": "concession",
    "commons": "commons",
    "communs": "commons",
}


@dataclass
class TownFigures:
    """What a service and INSEE publish about a town; None = not known. Units in names."""

    name: str = "Ma commune"
    households: int | None = None
    population: float | None = None  # D101.0, inhabitants served
    network_km: float | None = None  # VP.077, excluding connections
    price_120m3_eur_per_m3: float | None = None  # D102.0, drinking water, TTC
    yield_pct: float | None = None  # P104.3
    ilp_m3_per_km_day: float | None = None  # P106.3
    renewal_pct: float | None = None  # P107.2
    unpaid_pct: float | None = None  # P154.0
    debt_years: float | None = None  # P153.2
    subscribers: float | None = None  # VP.056
    volume_produced_m3: float | None = None
    volume_sold_m3: float | None = None
    regime: str | None = None  # concession | regie | commons
    operator: str | None = None
    contract_end_year: int | None = None
    start_year: int | None = None
    mean_household_size: float | None = None  # census: household population / households
    income_median_eur: float | None = None  # Filosofi, €/consumption unit
    income_d1_eur: float | None = None
    income_d9_eur: float | None = None
    sources: dict[str, str] = field(default_factory=dict)  # field -> where it was read

    def source(self, key: str) -> str:
        return self.sources.get(key, "saisie / entered")


def regime_of(text: str | None) -> str | None:
    """'Délégation de service public', 'Régie', 'DSP'... -> concession | regie | commons."""
    if not text:
        return None
    n = norm(text)
    if n in REGIME_WORDS:
        return REGIME_WORDS[n]
    for word, regime in REGIME_WORDS.items():
        if word in n:
            return regime
    if "deleg" in n:
        return "concession"
    if "regie" in n:
        return "regie"
    return None


@dataclass
class Row:
    """One line of the calibration report."""

    key: str
    label_fr: str
    label_en: str
    target: float | None
    model: float | None
    unit: str
    parameter: str
    status: str  # "ok", "not_matched", "assumed", "set", "info"
    source: str
    note_fr: str = ""
    note_en: str = ""

    @property
    def gap(self) -> float | None:
        if self.target is None or self.model is None:
            return None
        return self.model - self.target


@dataclass
class Calibration:
    scenario: Scenario
    rows: list[Row]
    figures: TownFigures
    iterations: int
    seed: int


# --------------------------------------------------------------------------------------------
# building blocks
# --------------------------------------------------------------------------------------------
def tilt_size_shares(shares: tuple[float, ...], mean: float) -> list[float]:
    """Household-size shares closest (exponential tilt) to ``shares`` with the given mean size."""
    s = np.asarray(shares, dtype=float)
    k = np.arange(1, len(s) + 1, dtype=float)
    mean = float(min(max(mean, 1.01), len(s) - 0.01))

    def m(t: float) -> float:
        w = s * np.exp(t * k)
        return float((w * k).sum() / w.sum())

    lo, hi = -20.0, 20.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if m(mid) < mean:
            lo = mid
        else:
            hi = mid
    w = s * np.exp(lo * k)
    w = w / w.sum()
    out = [round(float(x), 6) for x in w]
    out[int(np.argmax(out))] += round(1.0 - sum(out), 6)  # sum exactly 1 after rounding
    return out


def income_factors(fig: TownFigures) -> list[float] | None:
    """Per-decile multipliers of the national household incomes from the commune's Filosofi
    D1, median, D9 against the national ones (log-linear between decile 1, 5.5 and 10)."""
    pts = []
    if fig.income_d1_eur:
        pts.append((1.0, math.log(fig.income_d1_eur / NATIONAL_FILOSOFI["d1"])))
    if fig.income_median_eur:
        pts.append((5.5, math.log(fig.income_median_eur / NATIONAL_FILOSOFI["median"])))
    if fig.income_d9_eur:
        pts.append((10.0, math.log(fig.income_d9_eur / NATIONAL_FILOSOFI["d9"])))
    if not pts:
        return None
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return [float(math.exp(np.interp(d, xs, ys))) for d in range(1, 11)]


def _mean_size(shares: Any) -> float:
    return float(sum((i + 1) * x for i, x in enumerate(shares)))


def base_scenario(regime: str = "regie") -> Scenario:
    """The shipped town under ``regime``: ``scenarios/<regime>.yaml``, which extends town.yaml.

    Every default keeps its source there (the regime's money and rules included). Named through
    ``extends:``, which the public loader resolves to the shipped file."""
    name = {"regie": "regie", "concession": "concession", "commons": "commons"}[regime]
    # the town's own tariff (D102.0) is a fact: it runs as entered in the first year, and the cost
    # level is calibrated so that the regime's rule keeps it (which makes it the cost of service)
    return loads_scenario(f"extends: {name}.yaml\ngovernance:\n  opening_tariff: entered\n", f"{name}.yaml")


def _scenario(data: dict[str, Any]) -> Scenario:
    return loads_scenario(_yaml(data), "<calibration>")


def _yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _metrics(s: Scenario, seed: int) -> dict[str, float]:
    y = simulate(s, seed=seed).years.head(YEARS)
    real_price = y["price_120m3_eur_per_m3"] / y["price_index"]
    collected = y["revenue_eur"] * (1 - y["unpaid_rate_pct"] / 100.0)
    savings = collected - y["opex_eur"] - y["interest_eur"] - y["outflow_eur"]
    return {
        "price_first": float(y["price_120m3_eur_per_m3"].iloc[0]),
        "price_real_mean": float(real_price.mean()),
        "price_real_max_dev": float((real_price / real_price.iloc[0] - 1).abs().max()),
        "price_nominal_mean": float(y["price_120m3_eur_per_m3"].mean()),
        "yield": float(y["yield_pct"].mean()),
        "ilp": float(y["ilp_m3_per_km_day"].mean()),
        "renewal": float(y["renewal_rate_pct"].mean()),
        "unpaid": float(y["unpaid_rate_pct"].mean()),
        "lpd": float(y["consumption_l_per_person_day"].mean()),
        "real_losses": float(y["real_losses_m3"].mean()),
        "apparent": float(y["apparent_losses_m3"].mean()),
        "authorised": float((y["billed_m3"] + y["unbilled_authorised_m3"]).mean()),
        "produced": float(y["produced_m3"].mean()),
        "sold": float(y["billed_m3"].mean()),
        "debt_first": float(y["debt_eur"].iloc[0]),
        # the year's cash needs as the council budgets them: opex, debt service, self-financed capex
        "cash_costs_first": float(
            y["opex_eur"].iloc[0]
            + y["debt_service_eur"].iloc[0]
            + y["capex_eur"].iloc[0]
            - y["loan_proceeds_eur"].iloc[0]
        ),
        "savings_first": float(savings.iloc[0]),
        "km": float(y["network_length_km"].iloc[0]),
        "households": float(y["households"].iloc[0]),
        "population": float(y["population"].iloc[0]),
    }


# --------------------------------------------------------------------------------------------
# the calibration
# --------------------------------------------------------------------------------------------
def calibrate_town(
    fig: TownFigures,
    *,
    base: Scenario | None = None,
    seed: int = 1,
    max_iter: int = 16,
    horizon_years: int | None = None,
) -> Calibration:
    """A scenario reproducing ``fig`` in its first five years, with the report of every target.

    Raises
    ------
    InputFileError
        ``missing_figure`` when neither households nor population is given, ``bad_figure`` for an
        impossible value (a negative length, a yield above 100 %...).
    """
    _check(fig)
    regime = fig.regime or "regie"
    base = base or base_scenario(regime)
    assumed: list[Row] = []
    data = copy.deepcopy(base.model_dump(mode="json"))
    notes: dict[str, str] = {}

    # --- households: mean size, then count --------------------------------------------------
    hh = data["households"]
    if fig.mean_household_size:
        hh["size_shares"] = tilt_size_shares(tuple(hh["size_shares"]), fig.mean_household_size)
    mean_size = _mean_size(hh["size_shares"])
    if fig.households:
        n = int(fig.households)
    elif fig.population:
        n = max(10, round(fig.population / mean_size))
        notes["households"] = f"D101.0 / {mean_size:.2f}"
    else:
        raise InputFileError("missing_figure", ctx={"wanted": "households / D101.0"})
    if not fig.mean_household_size:
        assumed.append(
            Row(
                "mean_household_size",
                "Taille moyenne des ménages",
                "Mean household size",
                None,
                mean_size,
                "pers.",
                "households.size_shares",
                "assumed",
                NATIONAL["mean_household_size"][1],
            )
        )
    # --- the town at its size: scale_town scales km, resource, fixed money, crews ---------------
    s0 = scale_town(_scenario(data), n)
    data = s0.model_dump(mode="json")
    overheads0 = float(data["finance"]["overheads_eur_per_year"])
    data["town"]["name"] = fig.name
    if fig.start_year:
        data["town"]["start_year"] = int(fig.start_year)
    start_year = int(data["town"]["start_year"])
    if horizon_years:
        data["horizon_years"] = int(horizon_years)
    factors = income_factors(fig)
    if factors:
        data["households"]["decile_mean_income_eur"] = [
            round(v * f, 2)
            for v, f in zip(data["households"]["decile_mean_income_eur"], factors, strict=True)
        ]
        # keep the deciles increasing after uneven factors
        d = data["households"]["decile_mean_income_eur"]
        for i in range(1, 10):
            d[i] = max(d[i], d[i - 1])
    else:
        assumed.append(
            Row(
                "income",
                "Revenus des ménages",
                "Household incomes",
                None,
                None,
                "€",
                "households.decile_mean_income_eur",
                "assumed",
                "households.md: INSEE 2018 national household deciles",
            )
        )

    # --- network length --------------------------------------------------------------------------
    km0 = sum(c["length_km"] for c in data["network"]["cohorts"])
    if fig.network_km:
        k = fig.network_km / km0
        for c in data["network"]["cohorts"]:
            c["length_km"] = round(c["length_km"] * k, 6)
    else:
        assumed.append(
            Row(
                "network_km",
                "Longueur du réseau",
                "Network length",
                None,
                km0,
                "km",
                "network.cohorts[].length_km",
                "assumed",
                "town.yaml: ~25 m of mains per connection (water.md §1.8, Sénat 2002), "
                "scaled with households",
            )
        )

    # --- regime and contract ---------------------------------------------------------------------
    if not fig.regime:
        assumed.append(
            Row(
                "regime",
                "Mode de gestion",
                "Management mode",
                None,
                None,
                "",
                "governance.regime",
                "assumed",
                "assumption: régie when the mode is not given (68 % of services, water.md §1.6)",
            )
        )
    gov = data["governance"]
    gov["regime"] = regime
    if regime == "concession":  # margins, fees and contract terms: concession.yaml's
        if fig.contract_end_year:
            dur = int(gov["concession"]["duration_years"])
            cstart = min(fig.contract_end_year - dur, start_year)
            gov["concession"]["contract_start_year"] = cstart
            gov["concession"]["duration_years"] = max(1, fig.contract_end_year - cstart)
        else:
            assumed.append(
                Row(
                    "contract_end",
                    "Fin du contrat",
                    "Contract end",
                    None,
                    gov["concession"]["contract_start_year"] + gov["concession"]["duration_years"],
                    "",
                    "governance.concession",
                    "assumed",
                    "concession.yaml: started 2020, 12 years (water.md §2.3: ~11 years)",
                )
            )

    # --- renewal (set) -----------------------------------------------------------------------
    renewal = fig.renewal_pct
    if renewal is None:
        renewal = NATIONAL["renewal_pct"][0]
        assumed.append(
            Row(
                "renewal_pct",
                "Taux de renouvellement (P107.2)",
                "Renewal rate (P107.2)",
                None,
                renewal,
                "%/an",
                "network.renewal_rate_pct",
                "assumed",
                NATIONAL["renewal_pct"][1],
            )
        )
    data["network"]["renewal_rate_pct"] = round(renewal, 6)
    if regime == "concession":
        real = gov["concession"]["renewal_realisation"]
        gov["concession"]["renewal_obligation_pct"] = round(min(renewal / max(real, 1e-9), 10.0), 6)
    if regime == "commons":
        gov["committee"]["renewal_plan_pct"] = max(gov["committee"]["renewal_plan_pct"], renewal)

    # --- targets ----------------------------------------------------------------------------------
    price_t = fig.price_120m3_eur_per_m3
    if price_t is None:
        assumed.append(
            Row(
                "price",
                "Prix 120 m3 (D102.0)",
                "120 m3 price (D102.0)",
                None,
                None,
                "€/m3",
                "tariff",
                "assumed",
                "town.yaml: tariff kept (" + NATIONAL["price_120m3_eur_per_m3"][1] + ")",
            )
        )
    yield_t = fig.yield_pct
    ilp_t = fig.ilp_m3_per_km_day
    if yield_t is None and fig.volume_produced_m3 and fig.volume_sold_m3:
        yield_t = 100.0 * fig.volume_sold_m3 / fig.volume_produced_m3
        notes["yield"] = "derived: sold / produced"
    if yield_t is None and ilp_t is None:
        assumed.append(
            Row(
                "yield",
                "Rendement (P104.3)",
                "Yield (P104.3)",
                None,
                None,
                "%",
                "network.background_ili",
                "assumed",
                "town.yaml: background ILI 2.0, yield near 80 % (" + NATIONAL["yield_pct"][1] + ")",
            )
        )
    unpaid_t = fig.unpaid_pct
    if unpaid_t is None:
        assumed.append(
            Row(
                "unpaid",
                "Taux d'impayés (P154.0)",
                "Unpaid rate (P154.0)",
                None,
                None,
                "%",
                "households.unpaid_base_probability",
                "assumed",
                "town.yaml: " + NATIONAL["unpaid_pct"][1],
            )
        )
    population = n * mean_size
    lpd_t = None
    if fig.volume_sold_m3:
        lpd_t = fig.volume_sold_m3 * 1000.0 / (population * 365.0)
        notes["lpd"] = f"VP sold {fig.volume_sold_m3:,.0f} m3 / {population:,.0f} pers. / 365"
    else:
        assumed.append(
            Row(
                "lpd",
                "Consommation par personne",
                "Consumption per person",
                None,
                data["households"]["consumption_l_per_person_day"],
                "L/pers./j",
                "households.consumption_l_per_person_day",
                "assumed",
                NATIONAL["consumption_l_per_person_day"][1],
            )
        )
    if fig.debt_years is None:
        assumed.append(
            Row(
                "debt_years",
                "Extinction de la dette (P153.2)",
                "Debt extinction (P153.2)",
                None,
                None,
                "ans",
                "finance.initial_debt_eur",
                "assumed",
                "town.yaml: 6 M€ for 20,000 households (assumption), scaled",
            )
        )

    # --- the opening tariff: one factor on standing charge and volume prices ----------------
    tar = data["tariff"]
    levies_ttc = tar["levies_eur_per_m3"] * (1 + tar["vat_pct"] / 100.0)
    price_unmatched = False
    if price_t is not None and price_t <= levies_ttc + 0.05:
        price_unmatched = True  # the levies alone cost more: said plainly below

    def scale_tariff(d: dict[str, Any], k: float) -> None:
        t = d["tariff"]
        t["standing_charge_eur_per_year"] = round(t["standing_charge_eur_per_year"] * k, 6)
        for b in t["blocks"]:
            b["price_eur_per_m3"] = round(b["price_eur_per_m3"] * k, 6)

    # --- iterate on a scaled-down town ----------------------------------------------------------
    n_iter = min(n, ITER_HOUSEHOLDS)
    it = 0
    prev_over: tuple[float, float] | None = None
    bracket: list[float | None] = [None, None]  # overheads giving a price too low / too high
    m: dict[str, float] = {}
    for it in range(1, max_iter + 1):
        s_full = _scenario(data)
        s_small = scale_town(s_full, n_iter) if n_iter < n else s_full
        s_small = (
            s_small.model_copy(update={"horizon_years": YEARS}) if s_small.horizon_years != YEARS else s_small
        )
        m = _metrics(_revalidate(s_small), seed)
        done = True
        # opening tariff: the first-year price is linear in the factor (levies apart)
        if price_t is not None and not price_unmatched:
            k = (price_t - levies_ttc) / max(m["price_first"] - levies_ttc, 1e-9)
            if abs(m["price_first"] / price_t - 1) > 0.002:
                scale_tariff(data, k)
                done = False
            # cost level: the regime's own rule then keeps the real price near D102.0. A
            # safeguarded secant: the price's response saturates where the rule's yearly bound
            # binds, so steps stay inside the bracket found so far (bisection otherwise).
            gap = m["price_real_mean"] / price_t - 1
            over = data["finance"]["overheads_eur_per_year"]
            if abs(gap) > TOLERANCE["price"] / 4 and it < max_iter:
                rev = m["sold"] * (m["price_first"] - levies_ttc) / (1 + tar["vat_pct"] / 100)
                rev *= n / n_iter
                if gap > 0:
                    bracket[1] = over if bracket[1] is None else min(bracket[1], over)
                else:
                    bracket[0] = over if bracket[0] is None else max(bracket[0], over)
                new = over - gap * rev
                if prev_over is not None and over != prev_over[0]:
                    slope = (gap - prev_over[1]) / (over - prev_over[0])
                    if slope > 1e-12:
                        new = over - gap / slope
                lo, hi = bracket
                if lo is not None and hi is not None and not (min(lo, hi) < new < max(lo, hi)):
                    new = (lo + hi) / 2
                new = max(0.0, min(new, over + 0.5 * rev, 1e10))
                if abs(new - over) > 1.0:
                    prev_over = (over, gap)
                    data["finance"]["overheads_eur_per_year"] = round(new, 2)
                    done = False
        # consumption
        if lpd_t is not None:
            # the volumes were sold at this town's price: observed consumption at its own price
            data["households"]["reference_marginal_price_eur_per_m3"] = round(
                min(max(_marginal_price(data), 0.01), 50.0), 4
            )
            if abs(m["lpd"] / lpd_t - 1) > 0.002:
                c = data["households"]["consumption_l_per_person_day"] * lpd_t / m["lpd"]
                data["households"]["consumption_l_per_person_day"] = round(min(max(c, 20.5), 600.0), 4)
                done = False
        # leakage: losses needed for the yield (or the ILP), real part moved by the ILI
        ili = data["network"]["background_ili"]
        need = None
        if yield_t is not None:
            need = m["authorised"] * (100.0 / yield_t - 1.0)
            cur = m["produced"] - m["authorised"]
        elif ilp_t is not None:
            need = ilp_t * 365.0 * m["km"]
            cur = m["apparent"] + m["real_losses"]
        if need is not None:
            real_need = need - m["apparent"]
            real_cur = cur - m["apparent"]
            new_ili = ili * max(real_need, 1e-9) / max(real_cur, 1e-9)
            new_ili = min(max(new_ili, 0.5), 20.0)
            if abs(new_ili / ili - 1) > 0.003:
                data["network"]["background_ili"] = round(new_ili, 5)
                done = False
        # unpaid
        if unpaid_t is not None and m["unpaid"] > 0 and abs(m["unpaid"] - unpaid_t) > 0.02:
            p = data["households"]["unpaid_base_probability"] * unpaid_t / m["unpaid"]
            data["households"]["unpaid_base_probability"] = round(min(max(p, 0.0), 1.0), 7)
            done = False
        # debt: P153.2 = debt / gross savings of the first year (fixed point)
        # D_end = D0 + borrowing - principal must equal years × savings, and savings fall by the
        # interest on D0: a Newton step D0 += (Y·S - D_end) / (1 + Y·r)
        if fig.debt_years is not None and m["savings_first"] > 0:
            scale = n / n_iter
            gap_d = (fig.debt_years * m["savings_first"] - m["debt_first"]) * scale
            r = data["finance"]["interest_rate_pct"] / 100.0
            cur_debt = data["finance"]["initial_debt_eur"]
            new_debt = min(max(cur_debt + gap_d / (1 + fig.debt_years * r), 0.0), 1e11)
            if abs(new_debt - cur_debt) > 0.01 * max(cur_debt, 1.0):
                data["finance"]["initial_debt_eur"] = round(new_debt, 0)
                done = False
                if abs(new_debt - cur_debt) > 0.05 * max(cur_debt, 1.0):
                    # the debt service moves the price: forget the overheads' secant memory
                    prev_over, bracket = None, [None, None]
        # reserves: the cash is not published; start at the regime's reserve target (months of
        # cash costs) so the first years show no catch-up of a reserve gap (assumption)
        months = data["governance"]["council"]["reserve_target_months"]
        want_cash = months / 12.0 * m["cash_costs_first"] * (n / n_iter)
        cur_cash = data["finance"]["initial_cash_eur"]
        if abs(want_cash - cur_cash) > 0.02 * max(abs(cur_cash), 1.0):
            data["finance"]["initial_cash_eur"] = round(want_cash, 0)
            done = False
        if done:
            break

    if price_t is not None:
        over = float(data["finance"]["overheads_eur_per_year"])
        assumed.append(
            Row(
                "cost_level",
                "Niveau de coûts (frais généraux fixes)",
                "Cost level (fixed overheads)",
                None,
                over,
                "€/an",
                "finance.overheads_eur_per_year",
                "info",
                "D102.0",
                "calé : le niveau de coûts auquel la règle du mode de gestion garde D102.0 "
                f"(commune type à l'échelle : {overheads0:,.0f} €/an".replace(",", "\u202f")
                + (f", {100 * (over / overheads0 - 1):+.0f} %)" if overheads0 > 0 else ")"),
                "calibrated: the cost level at which the regime's rule keeps D102.0 "
                f"(base town scaled: {overheads0:,.0f} €/yr"
                + (f", {100 * (over / overheads0 - 1):+.0f} %)" if overheads0 > 0 else ")"),
            )
        )
    assumed.append(
        Row(
            "cash",
            "Trésorerie de départ",
            "Starting cash",
            None,
            float(data["finance"]["initial_cash_eur"]),
            "€",
            "finance.initial_cash_eur",
            "assumed",
            "assumption: not in the RPQS; the regime's reserve target "
            "(governance.council.reserve_target_months of the first year's cash costs)",
        )
    )
    scenario = _scenario(data)
    check = scenario.model_copy(update={"horizon_years": YEARS})
    fm = _metrics(_revalidate(check), seed)
    rows = _report(
        fig,
        fm,
        scenario,
        regime,
        price_t,
        yield_t,
        ilp_t,
        unpaid_t,
        lpd_t,
        renewal,
        price_unmatched,
        levies_ttc,
        notes,
        n,
    )
    return Calibration(scenario=scenario, rows=rows + assumed, figures=fig, iterations=it, seed=seed)


def _revalidate(s: Scenario) -> Scenario:
    """model_copy skips validation: pass through the loader again."""
    return loads_scenario(dumps_scenario(s), "<calibration>")


def _marginal_price(data: dict[str, Any]) -> float:
    """Marginal price TTC of the last block at the opening tariff (levies included)."""
    t = data["tariff"]
    return (t["blocks"][-1]["price_eur_per_m3"] + t["levies_eur_per_m3"]) * (1 + t["vat_pct"] / 100.0)


def _check(fig: TownFigures) -> None:
    checks = [
        ("households", fig.households, 10, 2_000_000),
        ("population / D101.0", fig.population, 10, 5_000_000),
        ("network_km / VP.077", fig.network_km, 0.1, 100_000),
        ("price_120m3 / D102.0", fig.price_120m3_eur_per_m3, 0.01, 50),
        ("yield / P104.3", fig.yield_pct, 10, 99.9),
        ("ILP / P106.3", fig.ilp_m3_per_km_day, 0, 500),
        ("renewal / P107.2", fig.renewal_pct, 0, 10),
        ("unpaid / P154.0", fig.unpaid_pct, 0, 50),
        ("debt years / P153.2", fig.debt_years, 0, 200),
        ("mean household size", fig.mean_household_size, 1.0, 5.0),
    ]
    for name, v, lo, hi in checks:
        if v is not None and not (lo <= v <= hi) or (v is not None and v != v):
            raise InputFileError("bad_figure", ctx={"wanted": name, "found": v, "detail": f"{lo} – {hi}"})
    if fig.regime is not None and fig.regime not in ("regie", "concession", "commons"):
        raise InputFileError(
            "bad_figure",
            ctx={"wanted": "regime", "found": fig.regime, "detail": "concession | regie | commons"},
        )


def _report(
    fig: TownFigures,
    m: dict[str, float],
    s: Scenario,
    regime: str,
    price_t: float | None,
    yield_t: float | None,
    ilp_t: float | None,
    unpaid_t: float | None,
    lpd_t: float | None,
    renewal: float,
    price_unmatched: bool,
    levies_ttc: float,
    notes: dict[str, str],
    n: int,
) -> list[Row]:
    rows = [
        Row(
            "households",
            "Ménages",
            "Households",
            float(n),
            m["households"],
            "",
            "households.count",
            "set",
            fig.source("households")
            if fig.households
            else fig.source("population") + (" — " + notes.get("households", "")),
        )
    ]
    if fig.network_km:
        rows.append(
            Row(
                "network_km",
                "Longueur du réseau (VP.077)",
                "Network length (VP.077)",
                fig.network_km,
                m["km"],
                "km",
                "network.cohorts[].length_km",
                "set",
                fig.source("network_km"),
            )
        )
    if price_t is not None:
        ok = abs(m["price_real_mean"] / price_t - 1) <= TOLERANCE["price"]
        note_fr = (
            "moyenne des 5 premières années en euros de la 1re année (prix TTC / indice des "
            f"prix) ; 1re année {m['price_first']:.3f} €, en euros courants "
            f"{m['price_nominal_mean']:.3f} €"
        )
        note_en = (
            "mean of the first 5 years in first-year euros (price incl. tax / price index); "
            f"year 1 {m['price_first']:.3f} €, in current euros {m['price_nominal_mean']:.3f} €"
        )
        if not ok and not price_unmatched:
            if regime == "commons":
                note_fr += " ; les votes du comité font bouger le tarif (règle du mode « communs »)"
                note_en += "; the committee's votes move the tariff (commons rule)"
            elif s.finance.overheads_eur_per_year <= 1.0:
                note_fr += (
                    " ; NON ATTEINT : même sans frais généraux, les autres coûts de la "
                    "commune type (personnel, énergie, travaux, dette) dépassent ce que ce "
                    "prix recouvre, et la règle du mode de gestion relève le tarif"
                )
                note_en += (
                    "; NOT MATCHED: even with no overheads, the base town's other costs "
                    "(staff, energy, works, debt) exceed what this price recovers, and the "
                    "regime's rule raises the tariff"
                )
            else:
                note_fr += " ; NON ATTEINT en 16 itérations"
                note_en += "; NOT MATCHED within 16 iterations"
        if price_unmatched:
            ok = False
            note_fr = (
                f"impossible : les redevances TTC ({levies_ttc:.2f} €/m3) dépassent déjà ce "
                "prix ; tarif de la commune type gardé"
            )
            note_en = (
                f"impossible: the levies incl. VAT ({levies_ttc:.2f} €/m3) already exceed "
                "this price; the base town's tariff is kept"
            )
        rows.append(
            Row(
                "price",
                "Prix 120 m3 TTC (D102.0)",
                "120 m3 price incl. tax (D102.0)",
                price_t,
                m["price_real_mean"],
                "€/m3",
                "tariff (part fixe, prix au m3) ; finance.overheads_eur_per_year",
                "ok" if ok else "not_matched",
                fig.source("price_120m3_eur_per_m3"),
                note_fr,
                note_en,
            )
        )
    if yield_t is not None:
        ok = abs(m["yield"] - yield_t) <= TOLERANCE["yield"]
        ili = s.network.background_ili
        yfr = f"ILI de fond = {ili:.2f}".replace(".", ",")
        yen = f"background ILI = {ili:.2f}"
        if not ok and ili <= 0.5 + 1e-9:
            yfr += (
                " ; NON ATTEINT : il faudrait des fuites de fond sous la moitié des pertes "
                "incompressibles (ILI < 0,5, borne du modèle) ; casses et pertes apparentes "
                "suffisent déjà à faire baisser le rendement"
            )
            yen += (
                "; NOT MATCHED: it would need background leakage below half the unavoidable "
                "losses (ILI < 0.5, the model's bound); bursts and apparent losses alone "
                "already lower the yield"
            )
        elif not ok and ili >= 20 - 1e-9:
            yfr += " ; NON ATTEINT : il faudrait un ILI au-delà de 20 (borne du modèle)"
            yen += "; NOT MATCHED: it would need an ILI above 20 (the model's bound)"
        rows.append(
            Row(
                "yield",
                "Rendement (P104.3)",
                "Yield (P104.3)",
                yield_t,
                m["yield"],
                "%",
                "network.background_ili",
                "ok" if ok else "not_matched",
                fig.source("yield_pct") + (f" ({notes['yield']})" if "yield" in notes else ""),
                yfr,
                yen,
            )
        )
    if ilp_t is not None:
        ok = abs(m["ilp"] - ilp_t) <= max(0.1 * ilp_t, 0.3)
        fr = en = ""
        if not ok and yield_t is not None:
            fr = (
                "non atteint : avec ce rendement, ces volumes et cette longueur, l'ILP du modèle "
                "est celui indiqué ; vérifiez longueur (hors branchements) et volumes"
            )
            en = (
                "not matched: with this yield, these volumes and this length the model's ILP is "
                "the one shown; check the length (excluding connections) and the volumes"
            )
        rows.append(
            Row(
                "ilp",
                "Indice linéaire de pertes (P106.3)",
                "Linear loss index (P106.3)",
                ilp_t,
                m["ilp"],
                "m3/km/j",
                "network.background_ili" if yield_t is None else "— (conséquence du rendement)",
                "ok" if ok else "not_matched",
                fig.source("ilp_m3_per_km_day"),
                fr,
                en,
            )
        )
    else:
        rows.append(
            Row(
                "ilp",
                "Indice linéaire de pertes (P106.3)",
                "Linear loss index (P106.3)",
                None,
                m["ilp"],
                "m3/km/j",
                "—",
                "info",
                "modèle / model",
            )
        )
    if fig.renewal_pct is not None:
        ok = abs(m["renewal"] - renewal) <= TOLERANCE["renewal"]
        fr = en = ""
        if not ok and regime == "commons":
            fr = "le comité a voté un autre plan de renouvellement (règle du mode « communs »)"
            en = "the committee voted another renewal plan (commons rule)"
        rows.append(
            Row(
                "renewal",
                "Taux de renouvellement (P107.2)",
                "Renewal rate (P107.2)",
                renewal,
                m["renewal"],
                "%/an",
                "network.renewal_rate_pct"
                + (" ; governance.concession.renewal_obligation_pct" if regime == "concession" else ""),
                "ok" if ok else "not_matched",
                fig.source("renewal_pct"),
                fr,
                en,
            )
        )
    if unpaid_t is not None:
        ok = abs(m["unpaid"] - unpaid_t) <= TOLERANCE["unpaid"]
        rows.append(
            Row(
                "unpaid",
                "Taux d'impayés (P154.0)",
                "Unpaid rate (P154.0)",
                unpaid_t,
                m["unpaid"],
                "%",
                "households.unpaid_base_probability",
                "ok" if ok else "not_matched",
                fig.source("unpaid_pct"),
            )
        )
    if lpd_t is not None:
        ok = abs(m["lpd"] / lpd_t - 1) <= 0.03
        rows.append(
            Row(
                "lpd",
                "Consommation par personne (volumes vendus)",
                "Consumption per person (volumes sold)",
                lpd_t,
                m["lpd"],
                "L/pers./j",
                "households.consumption_l_per_person_day",
                "ok" if ok else "not_matched",
                fig.source("volume_sold_m3"),
                notes.get("lpd", ""),
                notes.get("lpd", ""),
            )
        )
    if fig.debt_years is not None:
        sv = m["savings_first"]
        model_years = m["debt_first"] / sv if sv > 0 else None
        ok = model_years is not None and abs(model_years - fig.debt_years) <= max(0.1 * fig.debt_years, 0.5)
        fr = en = ""
        if sv <= 0:
            fr = "non atteint : l'épargne brute du modèle est nulle ou négative la 1re année"
            en = "not matched: the model's gross savings are zero or negative in year 1"
        rows.append(
            Row(
                "debt_years",
                "Extinction de la dette (P153.2)",
                "Debt extinction (P153.2)",
                fig.debt_years,
                model_years,
                "ans",
                "finance.initial_debt_eur",
                "ok" if ok else "not_matched",
                fig.source("debt_years"),
                fr or f"dette {s.finance.initial_debt_eur:,.0f} € / épargne brute de la 1re année",
                en or f"debt {s.finance.initial_debt_eur:,.0f} € / gross savings of year 1",
            )
        )
    if fig.regime:
        rows.append(
            Row(
                "regime",
                "Mode de gestion",
                "Management mode",
                None,
                None,
                "",
                "governance.regime",
                "set",
                fig.source("regime"),
                regime,
                regime,
            )
        )
    return rows


def figures_dict(fig: TownFigures) -> dict[str, Any]:
    return {k: v for k, v in asdict(fig).items() if v is not None and k != "sources"}

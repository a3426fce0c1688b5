"""Hypothesis strategies for valid scenarios, and the small towns the model tests run on.

Everything here returns a validated :class:`sim.scenario.model.Scenario`; nothing here runs a simulation.

* :func:`make_tariff`, :func:`tariffs` — one tariff stated in full; random valid tariffs
  (:class:`~sim.scenario.model.Tariff`; :func:`tariff_dicts` gives scenario blocks).
* :func:`small_town` — the base town scaled down (households, mains length) for quick runs.
* :func:`scenarios` — random valid scenarios that stress the water balance and the ledger: tiny to
  mid-size towns, blocks, free volume, per-person bounds, social tariffs, seasonal surcharges,
  restriction thresholds and rules, droughts, resources small enough to run dry, meter
  under-registration, renewal, crews, billing intervals, inflation and energy shocks.

Valid by construction: the standing charge is drawn below the legal cap (30 % urban, 40 % rural of
the 120 m3 cost excluding levies, water.md §3.4) from the tariff's own 120 m3 volume cost.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import strategies as st

from sim.core.tariff import REFERENCE_VOLUME_M3, bill
from sim.scenario.model import (
    DEFAULT_MATERIALS,
    RESTRICTION_LEVELS,
    Scenario,
    SeasonalSurcharge,
    SocialTariff,
    Tariff,
    TariffBlock,
    reference_persons,
    scenario_from_dict,
    scenario_to_dict,
)

REPO = Path(__file__).resolve().parent.parent
SCENARIOS_DIR = REPO / "scenarios"
BASE_TOWN = SCENARIOS_DIR / "town.yaml"

#: households of the default town, whose 300 km of mains :func:`small_town` scales down
DEFAULT_HOUSEHOLDS = 20_000
#: yearly use of an average household at the default 146 L/person/day and 2.16 persons, m3
M3_PER_HOUSEHOLD_YEAR = 146.0 * 2.16 * 365.0 / 1000.0

MATERIALS = tuple(DEFAULT_MATERIALS)
BILLING_INTERVALS = (1, 2, 3, 4, 6, 12)


def small_town(
    households: int = 1000, years: int = 2, *, scale_network: bool = True, **changes: Any
) -> Scenario:
    """The default town with ``households`` households over ``years`` years.

    With ``scale_network`` the mains (300 km for 20,000 households) and the fixed money amounts
    (cash, debt, overheads, other capex) shrink in proportion, so losses and costs per household
    stay those of the base town. ``changes`` are dotted paths written with ``__`` for
    dots (``network__renewal_rate_pct=1.2``) and applied last.
    """
    data = scenario_to_dict(Scenario())
    data["households"]["count"] = households
    data["horizon_years"] = years
    if scale_network:
        k = households / DEFAULT_HOUSEHOLDS
        for c in data["network"]["cohorts"]:
            c["length_km"] = c["length_km"] * k
        # money that does not scale by itself, so the small town's budget looks like the base town's
        fin = data["finance"]
        for key in (
            "initial_cash_eur",
            "initial_debt_eur",
            "overheads_eur_per_year",
            "other_capex_eur_per_year",
        ):
            fin[key] = fin[key] * k
        # repair crews are paid staff: their FTE scale with the town, as in sim.scale_town
        w = data["workforce"]
        crews = max(1, round(w["crews"] * k))
        w["crew_size_fte"] = w["crew_size_fte"] * w["crews"] * k / crews
        w["crews"] = crews
    for dotted, value in changes.items():
        _set(data, dotted.replace("__", "."), value)
    return scenario_from_dict(data, "<small_town>")


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node = data
    for k in keys[:-1]:
        node = node[k]
    node[keys[-1]] = value


# --------------------------------------------------------------------------------------------
# tariffs
# --------------------------------------------------------------------------------------------
def make_tariff(
    blocks: list[tuple[float | None, float]],
    *,
    standing: float = 0.0,
    free: float = 0.0,
    levies: float = 0.0,
    vat: float = 0.0,
    per_person: bool = False,
    social: SocialTariff | None = None,
    seasonal_eur_per_m3: float = 0.0,
) -> Tariff:
    return Tariff(
        standing_charge_eur_per_year=standing,
        free_volume_m3=free,
        blocks=tuple(TariffBlock(up_to_m3=b, price_eur_per_m3=p) for b, p in blocks),
        blocks_per_person=per_person,
        levies_eur_per_m3=levies,
        vat_pct=vat,
        seasonal=SeasonalSurcharge(eur_per_m3=seasonal_eur_per_m3),
        social=social or SocialTariff(),
    )


@st.composite
def tariffs(draw: st.DrawFn, social_kinds: tuple[str, ...] = ("none", "reduced_blocks")) -> Tariff:
    bounds = sorted(set(draw(st.lists(st.floats(1.0, 1000.0), max_size=3))))
    prices = draw(st.lists(st.floats(0.0, 10.0), min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    kind = draw(st.sampled_from(social_kinds))
    social = (
        SocialTariff()
        if kind == "none"
        else SocialTariff(
            enabled=True,
            kind=kind,
            price_factor=draw(st.floats(0.0, 1.0)),
            bill_cap_pct_of_income=draw(st.floats(0.5, 10.0)),
        )
    )
    return make_tariff(
        list(zip([*bounds, None], prices, strict=True)),
        standing=draw(st.floats(0.0, 500.0)),
        free=draw(st.sampled_from([0.0, 10.0, 15.0, 50.0])),
        levies=draw(st.floats(0.0, 2.0)),
        vat=draw(st.sampled_from([0.0, 5.5, 10.0, 20.0])),
        per_person=draw(st.booleans()),
        social=social,
        seasonal_eur_per_m3=draw(st.sampled_from([0.0, 0.3])),
    )


# --------------------------------------------------------------------------------------------
# pieces
# --------------------------------------------------------------------------------------------
def _f(lo: float, hi: float, digits: int = 4) -> st.SearchStrategy[float]:
    """Floats in [lo, hi] rounded to ``digits`` decimals.

    Rounding keeps the draws in the range a user could type: no subnormal prices or 1e-300 rates,
    which exercise float underflow rather than the model (see test_model_conservation for the
    underflow cases found, tested on their own).
    """
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False).map(
        lambda x: min(max(round(x, digits), lo), hi)
    )


def _share(lo: float = 0.0, hi: float = 1.0) -> st.SearchStrategy[float]:
    return _f(lo, hi)


def _log_uniform(draw: st.DrawFn, lo: float, hi: float) -> float:
    return float(10 ** draw(st.floats(np.log10(lo), np.log10(hi))))


@st.composite
def size_shares(draw: st.DrawFn) -> list[float]:
    w = draw(st.lists(st.integers(0, 20), min_size=5, max_size=5).filter(lambda x: sum(x) > 0))
    total = sum(w)
    shares = [x / total for x in w]
    shares[-1] = 1.0 - sum(shares[:-1])  # exact sum within float error
    return [max(x, 0.0) for x in shares]


@st.composite
def cohorts(draw: st.DrawFn, households: int) -> list[dict[str, Any]]:
    """1-5 cohorts; total length between 2 and 40 m of mains per household (at least 0.5 km)."""
    n = draw(st.integers(1, 5))
    total_km = max(0.5, households * draw(_f(2.0, 40.0)) / 1000.0)
    weights = draw(st.lists(_f(0.1, 1.0), min_size=n, max_size=n))
    return [
        {
            "material": draw(st.sampled_from(MATERIALS)),
            "install_year": draw(st.integers(1930, 2025)),
            "length_km": total_km * w / sum(weights),
        }
        for w in weights
    ]


@st.composite
def blocks(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(1, 4))
    bounds = sorted(draw(st.lists(_f(1.0, 300.0), min_size=n - 1, max_size=n - 1, unique=True)))
    prices = draw(st.lists(_f(0.0, 5.0), min_size=n, max_size=n))
    out = [{"up_to_m3": b, "price_eur_per_m3": p} for b, p in zip(bounds, prices[:-1], strict=True)]
    out.append({"up_to_m3": None, "price_eur_per_m3": prices[-1]})
    return out


@st.composite
def tariff_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """A tariff without its standing charge (drawn later, under the cap)."""
    deciles = draw(st.lists(st.integers(1, 10), max_size=4, unique=True))
    return {
        "standing_charge_eur_per_year": 0.0,
        "free_volume_m3": draw(st.sampled_from([0.0, 0.0, 5.0, 15.0]) | _f(0.0, 60.0)),
        "blocks": draw(blocks()),
        "blocks_per_person": draw(st.booleans()),
        "levies_eur_per_m3": draw(_f(0.0, 1.0)),
        "vat_pct": draw(st.sampled_from([0.0, 5.5, 10.0, 20.0])),
        "seasonal": {
            "eur_per_m3": draw(st.sampled_from([0.0, 0.3]) | _f(0.0, 2.0)),
            "months": draw(st.lists(st.integers(1, 12), max_size=6, unique=True)),
        },
        "social": {
            "enabled": draw(st.booleans()),
            "eligible_deciles": deciles,
            "eligible_share": draw(_share()),
            "kind": draw(st.sampled_from(["reduced_blocks", "bill_cap"])),
            "price_factor": draw(_share()),
            "bill_cap_pct_of_income": draw(_f(0.5, 10.0)),
        },
        "index_on_inflation": draw(st.booleans()),
    }


@st.composite
def usage_rules(draw: st.DrawFn) -> dict[str, dict[str, float]]:
    rules = {"none": {"outdoor_cut_pct": 0.0, "indoor_cut_pct": 0.0}}
    for lvl in RESTRICTION_LEVELS[1:]:
        rules[lvl] = {"outdoor_cut_pct": draw(_f(0.0, 100.0)), "indoor_cut_pct": draw(_f(0.0, 100.0))}
    return rules


# --------------------------------------------------------------------------------------------
# whole scenarios
# --------------------------------------------------------------------------------------------
@st.composite
def scenarios(
    draw: st.DrawFn, min_households: int = 50, max_households: int = 2000, max_years: int = 4
) -> Scenario:
    """A random valid scenario (see the module docstring for what varies)."""
    n = draw(st.integers(min_households, max_households))
    years = draw(st.integers(1, max_years))
    start_year = draw(st.integers(2000, 2040))
    data = scenario_to_dict(Scenario())
    demand_m3 = n * M3_PER_HOUSEHOLD_YEAR  # order of magnitude of the town's yearly use

    data["town"].update(start_year=start_year, urban=draw(st.booleans()))
    data["horizon_years"] = years
    data["seed"] = draw(st.integers(0, 2**32))
    data["households"].update(
        count=n,
        size_shares=draw(size_shares()),
        income_spread=draw(_share(0.0, 0.5)),
        house_share=draw(_share()),
        garden_share_of_houses=draw(_share()),
        pool_share_of_houses=draw(_share(0.0, 0.5)),
        consumption_l_per_person_day=draw(_f(60.0, 300.0)),
        consumption_spread=draw(_share(0.0, 1.0)),
        outdoor_share_garden=draw(_share(0.0, 0.6)),
        pool_m3_per_year=draw(_f(0.0, 40.0)),
        price_elasticity=draw(_f(-1.0, 0.0)),
        essential_l_per_person_day=draw(_f(0.0, 120.0)),
        unpaid_base_probability=draw(st.sampled_from([0.0, 0.006, 1.0]) | _share(0.0, 0.2)),
        unpaid_burden_slope=draw(_f(0.0, 2.0)),
        conservation_response=draw(_share(0.0, 0.3)),
        income_reference_year=draw(st.integers(2000, 2040)),
        income_growth_pct_per_year=draw(_f(-2.0, 6.0)),
        size_decile_factor=draw(st.lists(_f(0.3, 2.0), min_size=10, max_size=10)),
        consumption_decile_factor=draw(st.lists(_f(0.3, 2.0), min_size=10, max_size=10)),
    )
    data["sewerage"].update(
        standing_charge_eur_per_year=draw(_f(0.0, 150.0)),
        price_eur_per_m3=draw(_f(0.0, 5.0)),
        individual_share=draw(_share()),
    )
    data["non_domestic"]["users"] = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "kind": st.sampled_from(["businesses", "public_buildings", "collective_meters"]),
                    "meters_per_1000_households": _f(0.0, 200.0),
                    "l_per_inhabitant_day": _f(0.0, 100.0),
                    "sewerage": st.booleans(),
                }
            ),
            max_size=3,
        )
    )
    break_scale = draw(st.sampled_from([0.0, 1.0, 1.0, 5.0, 30.0]))
    data["network"]["materials"] = {
        m: {
            **data["network"]["materials"][m],
            "breaks_per_km_year_new": min(5.0, p["breaks_per_km_year_new"] * break_scale),
            "hazard_model": draw(st.sampled_from(["shamir_howard", "weibull"])),
        }
        for m, p in DEFAULT_MATERIALS.items()
    }
    data["network"].update(
        cohorts=draw(cohorts(n)),
        connections_per_household=draw(_f(0.1, 1.0)),
        private_pipe_m_per_connection=draw(_f(0.0, 20.0)),
        pressure_m=draw(_f(20.0, 100.0)),
        background_ili=draw(_f(0.5, 6.0)),
        visible_share=draw(_share()),
        hidden_detection_days=draw(_f(0.0, 365.0)),
        active_leak_detection=draw(st.booleans()),
        citizen_reporting_factor=draw(_f(0.1, 1.0)),
        repair_h=draw(_f(0.5, 72.0)),
        renewal_rate_pct=draw(st.sampled_from([0.0, 0.6]) | _f(0.0, 10.0)),
        renewal_material=draw(st.sampled_from(MATERIALS)),
        meter_under_registration_pct=draw(_f(0.0, 30.0)),
        unauthorised_pct=draw(_f(0.0, 30.0)),
        unbilled_authorised_pct=draw(_f(0.0, 30.0)),
    )
    thresholds = sorted(draw(st.lists(_share(), min_size=4, max_size=4)), reverse=True)
    # ample: years of storage and recharge well above use; tight: about a year of each; dry: days
    # of storage and little recharge, so the stock runs out and shortfalls happen
    supply = draw(st.sampled_from(["ample", "tight", "dry"]))
    cap_k, rech_k = {
        "ample": ((2.0, 10.0), (1.5, 3.0)),
        "tight": ((0.3, 2.0), (0.5, 1.5)),
        "dry": ((0.003, 0.1), (0.0, 0.6)),
    }[supply]
    data["resource"].update(
        capacity_m3=_log_uniform(draw, demand_m3 * cap_k[0], demand_m3 * cap_k[1]),
        initial_fill=draw(_share()),
        mean_recharge_m3_per_year=demand_m3 * draw(_f(*rech_k)),
        recharge_cv=draw(_share(0.0, 1.0)),
        drought_probability=draw(_share()),
        drought_recharge_factor=draw(_share()),
        climate_trend_pct_per_decade=draw(_f(-50.0, 20.0)),
        outflow_per_month=draw(_share(0.0, 0.3)),
        thresholds=thresholds,
        usage_rules=draw(usage_rules()),
    )
    data["tariff"] = draw(tariff_dicts())
    data["finance"].update(
        initial_cash_eur=draw(_f(-1e6, 1e7)),
        initial_debt_eur=draw(_f(0.0, 1e7)),
        interest_rate_pct=draw(st.sampled_from([0.0]) | _f(0.01, 8.0)),
        inflation_mean_pct=draw(_f(-2.0, 10.0)),
        inflation_sd_pct=draw(_f(0.0, 5.0)),
        operator_margin_pct=draw(_f(0.0, 20.0)),
        head_office_fee_pct=draw(_f(0.0, 10.0)),
        delegation_overhead_eur_per_m3=draw(_f(0.0, 0.3)),
        corporate_tax_eur_per_m3=draw(_f(0.0, 0.3)),
    )
    data["workforce"].update(crews=draw(st.integers(1, 8)), subcontracted_pct=draw(_f(0.0, 100.0)))
    data["billing"]["interval_months"] = draw(st.sampled_from(BILLING_INTERVALS))
    data["shocks"] = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "year": st.integers(start_year, start_year + years),
                    "kind": st.sampled_from(["drought", "energy_price"]),
                    "factor": _f(0.0, 5.0),
                }
            ),
            max_size=2,
        )
    )

    # standing charge under the legal cap of this tariff (share excl. levies of the 120 m3 cost)
    s0 = scenario_from_dict(data, "<hypothesis>")
    vol120 = float(bill(np.array([REFERENCE_VOLUME_M3]), reference_persons(s0), s0.tariff).volume_eur[0])
    cap = 0.30 if s0.town.urban else 0.40
    max_standing = min(cap / (1.0 - cap) * vol120 * 0.999, 5_000.0)
    data["tariff"]["standing_charge_eur_per_year"] = max_standing * draw(_share())
    return scenario_from_dict(data, "<hypothesis>")


# --------------------------------------------------------------------------------------------
# malformed inputs (issue 11): files, uploads, links and form values that must be refused
# --------------------------------------------------------------------------------------------
#: values that must never be taken where the scenario expects a number
BAD_YAML_VALUES = (
    ".nan",
    ".NaN",
    ".inf",
    "-.inf",
    "1.0e+308",
    "-1.0e+308",
    "1e999",
    "true",
    "false",
    "yes",
    "no",
    "on",
    "off",
    '"\\ud800"',
    "9" * 5000,
    "[[[[[]]]]]",
    "{a: 1}",
    "''",
    "null",
    "~",
    "2026-02-30",
    "!!binary aGVsbG8=",
    "!!python/object:os.system {}",
    "*nope",
    "&a 1",
    "0x7fffffffffffffffff",
)
BAD_PY_VALUES = (
    float("nan"),
    float("inf"),
    float("-inf"),
    1e308,
    -1e308,
    True,
    False,
    10**400,
    "\ud800",
    "x\udfff",
    [float("nan")],
    {"a": float("inf")},
    None,
    [],
    {},
    "1e308",
)
#: where ``extends:`` may point in a malicious or mistaken file
EXTENDS_TARGETS = (
    "/etc/passwd",
    "../../etc/passwd",
    "/etc/hostname",
    "../../../../etc/shadow",
    "/proc/self/environ",
    "/dev/zero",
    "/dev/urandom",
    "~/.ssh/id_rsa",
    "..",
    "/",
    "",
    " ",
    "town.yaml/../../../etc/passwd",
    "file:///etc/passwd",
    "\\\\server\\share\\x.yaml",
    "a" * 5000,
    "nowhere.yaml",
    "{FOREIGN}",
)
_LEAF_PATHS = (
    "horizon_years",
    "seed",
    "households.count",
    "households.price_elasticity",
    "households.decile_mean_income_eur",
    "tariff.vat_pct",
    "tariff.standing_charge_eur_per_year",
    "network.renewal_rate_pct",
    "finance.initial_cash_eur",
    "resource.capacity_m3",
    "workforce.crews",
    "town.start_year",
    "town.name",
    "town.urban",
    "governance.regime",
)


def _nest(path: str, value_text: str) -> str:
    keys = path.split(".")
    out = ""
    for depth, k in enumerate(keys):
        out += "  " * depth + k + ":"
        out += "\n" if depth < len(keys) - 1 else f" {value_text}\n"
    return out


@st.composite
def malformed_scenario_bytes(draw: st.DrawFn) -> bytes:
    """A scenario file that is wrong in one (or several) of the ways issue 11 lists."""
    kind = draw(
        st.sampled_from(
            ["value", "extends", "bytes", "text", "deep", "dup", "empty", "encoding", "alias", "big", "mix"]
        )
    )
    head = draw(st.sampled_from(["", "extends: town.yaml\n", "extends: regie.yaml\n"]))
    if kind == "value":
        path = draw(st.sampled_from(_LEAF_PATHS))
        return (head + _nest(path, draw(st.sampled_from(BAD_YAML_VALUES)))).encode()
    if kind == "extends":
        return f"extends: {draw(st.sampled_from(EXTENDS_TARGETS))}\nhorizon_years: 2\n".encode()
    if kind == "bytes":
        return draw(st.binary(max_size=400))
    if kind == "text":
        return draw(st.text(max_size=300)).encode("utf-8", errors="surrogatepass")
    if kind == "deep":
        n = draw(st.integers(17, 3000))
        opener = draw(st.sampled_from(["[", "{a: ", "- "]))
        if opener == "- ":
            return b"x:\n" + "".join("  " * i + "-\n" for i in range(1, min(n, 400))).encode()
        return (head + "x: " + opener * n).encode()
    if kind == "dup":
        path = draw(st.sampled_from(["horizon_years", "seed"]))
        return (head + f"{path}: 3\n{path}: 4\n").encode()
    if kind == "empty":
        return draw(
            st.sampled_from([b"", b"\n", b"   \n", b"# rien\n", b"---\n", b"{}\n", b"...\n", b"\xef\xbb\xbf"])
        )
    if kind == "encoding":
        text = head + "town:\n  name: Châteauneuf-sur-Loire\nhorizon_years: 2\n"
        enc = draw(st.sampled_from(["latin-1", "utf-16", "utf-32", "cp1252"]))
        return text.encode(enc)
    if kind == "alias":
        return (head + "a: &x [1, 2]\nb: *x\n").encode()
    if kind == "big":
        return b"# " + b"x" * draw(st.integers(200_000, 210_000)) + b"\n"
    # several at once
    parts = draw(st.lists(st.sampled_from(_LEAF_PATHS), min_size=2, max_size=4, unique=True))
    return (head + "".join(_nest(p, draw(st.sampled_from(BAD_YAML_VALUES))) for p in parts)).encode()


@st.composite
def bad_form_changes(draw: st.DrawFn) -> dict[str, Any]:
    """Dotted-path changes as a form or a share link could send them, with at least one bad."""
    n = draw(st.integers(1, 3))
    paths = draw(
        st.lists(
            st.sampled_from(
                _LEAF_PATHS
                + (
                    "tariff.blocks[0].price_eur_per_m3",
                    "network.cohorts[0].length_km",
                    "nope.nothing",
                    "tariff.blocks[9].x",
                    "households.count[0]",
                )
            ),
            min_size=n,
            max_size=n,
            unique=True,
        )
    )
    return {p: draw(st.sampled_from(BAD_PY_VALUES)) for p in paths}

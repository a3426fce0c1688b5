"""Indicators computed from the tables of a run (pure functions, no simulation state).

Each headline figure says how it is computed; SISPEA codes are given where the indicator is the
official one (D102.0, P104.3, P106.3, P107.2, P151.1, P154.0).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim._version import __version__

if TYPE_CHECKING:
    from sim.core.result import Result


def summarise(res: Result) -> dict[str, Any]:
    """Headline figures of a run.

    First-year and last-year values, and means over the first five years (the window on which the
    base town is checked against published French figures).
    """
    y = res.years
    first5 = y.head(5)
    last = y.iloc[-1]
    first = y.iloc[0]
    dec = res.decisions
    out: dict[str, Any] = {
        "town": res.scenario.town.name,
        "seed": res.seed,
        "households": int(first["households"]),
        "horizon_years": int(len(y)),
        "first_year": int(first["year"]),
        "last_year": int(last["year"]),
    }
    if "price_120m3_eur_per_m3" in y:  # water's headline price
        out.update(
            {
                "price_120m3_eur_per_m3_first": float(first["price_120m3_eur_per_m3"]),
                "price_120m3_eur_per_m3_last": float(last["price_120m3_eur_per_m3"]),
                "bill_120m3_eur_last": float(last["bill_120m3_eur"]),
            }
        )
    if "price_ref_eur_per_kwh" in y:  # electricity's: the reference household (6 kVA, 4,400 kWh)
        out.update(
            {
                "price_ref_eur_per_kwh_first": float(first["price_ref_eur_per_kwh"]),
                "price_ref_eur_per_kwh_last": float(last["price_ref_eur_per_kwh"]),
                "bill_ref_eur_last": float(last["bill_ref_eur"]),
            }
        )
    if "yield_pct" in y:  # a water service
        out.update(
            {
                "yield_pct_first5": float(first5["yield_pct"].mean()),
                "yield_pct_last": float(last["yield_pct"]),
                "consumption_l_per_person_day_first5": float(first5["consumption_l_per_person_day"].mean()),
                "renewal_rate_pct_first5": float(first5["renewal_rate_pct"].mean()),
            }
        )
    out["unpaid_rate_pct_first5"] = float(first5["unpaid_rate_pct"].mean())
    for share in ("share_households_above_3pct", "energy_poverty_pct"):
        if share in y:
            out[f"{share}_mean"] = float(y[share].mean())
            out[f"{share}_last"] = float(last[share])
    if "saidi_min" in y:  # an electricity network
        out.update(
            {
                "saifi_mean": float(y["saifi"].mean()),
                "saidi_min_mean": float(y["saidi_min"].mean()),
                "saidi_excl_med_min_mean": float(y["saidi_excl_med_min"].mean()),
                "compensation_eur_total": float(y["compensation_eur"].sum()),
            }
        )
    if "breaks" in y:
        out.update(
            {
                "breaks_total": int(y["breaks"].sum()),
                "breaks_per_100km_mean": float(y["breaks_per_100km"].mean()),
            }
        )
    out.update(
        {
            "outflow_eur_total": float(y["outflow_eur"].sum()),
            "debt_eur_last": float(last["debt_eur"]),
            "reserves_eur_last": float(last["reserves_eur"]),
            "fte_last": float(last["fte"]),
        }
    )
    if "restriction_days" in y:
        out.update(
            {
                "restriction_days_total": float(y["restriction_days"].sum()),
                "shortfall_m3_total": float(y["shortfall_m3"].sum()),
            }
        )
    out.update(
        {
            "decisions_total": int(len(dec)),
            "decisions_binding": int(dec["binding"].astype(bool).sum()) if len(dec) else 0,
            "vetoes": int(dec["veto"].astype(bool).sum()) if len(dec) else 0,
        }
    )
    if "ili" in y:
        out.update(
            {
                "network_mean_age_years_last": float(last["network_mean_age_years"]),
                "ili_mean": float(np.mean(y["ili"])),
            }
        )
    out["version"] = __version__
    return out

"""« Ma commune » for electricity: a scenario from the figures a local distribution company (ELD:
régie, SEM, SICAE) publishes about itself.

The scenario starts from the shipped electricity town under its regime
(``scenarios/electricity/regie.yaml``, ``concession.yaml`` or ``commons.yaml``, each extending
``town.yaml``; every default is sourced there) and changes what the figures say:

=======================  ===========================================  ==========================
figure                   parameter                                    how
=======================  ===========================================  ==========================
residential customers    ``households.count``                         set
electric heating (%)     ``households.electric_heating_share``        set
houses (%)               ``households.house_share_by_size``           scaled to it (see below)
network length (km)      ``network.length_km``                        set
underground share (%)    ``network.underground_share``                set
SAIFI (excl. major ev.)  ``network.incidents_saifi``                  set, then checked
SAIDI (excl. major ev.)  ``network.incident_caidi_min``               × target / model, 3 times
local PV (kWp)           ``local_production.pv_kwp``                  set
=======================  ===========================================  ==========================

What French law fixes nationally — the regulated tariff (TRVE), the network tariff (TURPE), the
taxes — is not entered: it is the same for every ELD and stays as the shipped town has it. The
SAIDI is matched on the first five simulated years of the town itself (incidents are drawn per
customer, so a smaller town would add noise); a figure that cannot be matched is reported as not
matched, never forced. The share of households living in a house (INSEE census) keeps the shipped
town's shape by size: below the town's share every size's share of houses is scaled down, above it
every size's share of flats, so that the town's share, weighted by its sizes, is the figure
exactly. Every scenario is built by the one safe loader, so an impossible value
(PV above the legal ceiling of collective self-consumption…) is a located, bilingual error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim import dumps_scenario, load_scenario, loads_scenario, scale_town, simulate, with_changes
from sim.calibration.calibrate import Row
from sim.calibration.errors import InputFileError
from sim.scenario.loader import scenarios_dir
from sim.scenario.model import apply_overrides, scenario_from_dict, scenario_to_dict
from sim.scenario.schema import get_path

YEARS = 5
SAIDI_ITERATIONS = 3
TOLERANCE = 0.05  # relative, for the SAIFI and the SAIDI
OTHER_SERVICES = ("electricity",)
REGIMES = ("regie", "concession", "commons")


@dataclass
class ElectricityFigures:
    """What an ELD knows of itself; None = not known. Units in names."""

    name: str = "Ma commune"
    households: int | None = None  # residential customers (delivery points)
    electric_heating_pct: float | None = None
    houses_pct: float | None = None  # households living in a house, the rest in flats
    network_km: float | None = None  # low and medium voltage lines
    underground_pct: float | None = None
    saifi: float | None = None  # cuts over 3 min per customer and year, excluding major events
    saidi_min: float | None = None  # minutes cut per customer and year, excluding major events
    pv_kwp: float | None = None  # local photovoltaic capacity
    regime: str | None = None  # regie | concession | commons


@dataclass
class ElectricityCalibration:
    scenario: Any  # an ElectricityScenario
    rows: list[Row]
    figures: ElectricityFigures
    seed: int


#: figure -> (label fr, label en, unit, parameter, lowest, highest)
FIGURES: dict[str, tuple[str, str, str, str, float, float]] = {
    "households": (
        "Clients résidentiels",
        "Residential customers",
        "ménages",
        "households.count",
        10,
        200_000,
    ),
    "electric_heating_pct": (
        "Ménages chauffés à l'électricité",
        "Households heated with electricity",
        "%",
        "households.electric_heating_share",
        0,
        100,
    ),
    "houses_pct": (
        "Ménages vivant en maison",
        "Households living in a house",
        "%",
        "households.house_share_by_size",
        0,
        100,
    ),
    "network_km": ("Longueur du réseau", "Network length", "km", "network.length_km", 1, 100_000),
    "underground_pct": (
        "Part du réseau enfouie",
        "Share of the network underground",
        "%",
        "network.underground_share",
        0,
        100,
    ),
    "saifi": (
        "Fréquence des coupures (SAIFI, hors événements exceptionnels)",
        "Cut frequency (SAIFI, excluding major events)",
        "coupures/an",
        "network.incidents_saifi",
        0.01,
        20,
    ),
    "saidi_min": (
        "Durée de coupure (SAIDI, critère B hors événements exceptionnels)",
        "Time without power (SAIDI, excluding major events)",
        "min/an",
        "network.incident_caidi_min",
        1,
        2_000,
    ),
    "pv_kwp": (
        "Photovoltaïque local",
        "Local photovoltaic capacity",
        "kWc",
        "local_production.pv_kwp",
        0,
        1_000_000,
    ),
}
#: the model's indicator (first five years' mean) each checked figure is compared with
MEASURED = {"saifi": "saifi_excl_med", "saidi_min": "saidi_excl_med_min"}


def town_house_share(households: Any) -> float:
    """The share of the town's households living in a house: each size's share of houses weighted
    by the town's share of that size."""
    return float(np.dot(households.size_shares, households.house_share_by_size))


def house_shares_for(households: Any, target: float) -> list[float]:
    """The shares of houses by size whose town share is ``target`` (0-1) and whose shape by size is
    the town's: below the town's share, each size's share of houses times the same factor; above it,
    each size's share of flats times the same factor (so no share passes 1)."""
    shares = np.asarray(households.house_share_by_size, dtype=float)
    now = town_house_share(households)
    if target <= now:
        out = shares * (target / now if now > 0 else 0.0)
    else:
        out = 1.0 - (1.0 - shares) * ((1.0 - target) / (1.0 - now))
    return [float(x) for x in np.clip(out, 0.0, 1.0)]


def base_scenario(regime: str) -> Any:
    """The shipped electricity scenario of ``regime``."""
    return load_scenario(scenarios_dir() / "electricity" / f"{regime}.yaml")


def _check(fig: ElectricityFigures) -> None:
    if fig.households is None:
        raise InputFileError("missing_figure", ctx={"wanted": FIGURES["households"][:2]})
    for key, (fr, en, _, _, lo, hi) in FIGURES.items():
        v = getattr(fig, key)
        if v is not None and (v != v or not lo <= v <= hi):
            raise InputFileError(
                "bad_figure", ctx={"wanted": (fr, en), "found": v, "detail": f"{lo:g} – {hi:g}"}
            )
    if fig.regime is not None and fig.regime not in REGIMES:
        raise InputFileError(
            "bad_figure", ctx={"wanted": "regime", "found": fig.regime, "detail": " | ".join(REGIMES)}
        )


def _with(s: Any, changes: dict[str, Any], origin: str) -> Any:
    """``s`` with ``changes`` (dotted paths) through the one safe loader, as
    :func:`sim.scenario.model.with_changes` does, a refusal naming ``origin`` (the town)."""
    return scenario_from_dict(apply_overrides(scenario_to_dict(s), changes, origin), origin)


def _measured(scenario: Any, seed: int) -> dict[str, float]:
    """The checked indicators' means over the first :data:`YEARS` simulated years."""
    years = simulate(with_changes(scenario, {"horizon_years": YEARS}), seed=seed).years
    return {key: float(years[col].mean()) for key, col in MEASURED.items()}


def calibrate_electricity(fig: ElectricityFigures, *, seed: int = 1) -> ElectricityCalibration:
    """A scenario of the town ``fig`` describes, with one report row per figure.

    Raises
    ------
    InputFileError
        ``missing_figure`` without a number of customers, ``bad_figure`` for an impossible value.
    ScenarioError
        A combination the scenario's own rules refuse (located, in French and English).
    """
    _check(fig)
    assert fig.households is not None  # _check says so
    regime = fig.regime or "regie"
    name = fig.name or "Ma commune"
    # the shipped town at the entered size: its line length, crews and fixed money amounts scaled
    # with it, so that costs per customer stay the shipped town's (then the figures on top)
    base = scale_town(base_scenario(regime), int(fig.households))
    entered = {
        "households": int(fig.households),
        "electric_heating_pct": None if fig.electric_heating_pct is None else fig.electric_heating_pct / 100,
        "network_km": fig.network_km,
        "underground_pct": None if fig.underground_pct is None else fig.underground_pct / 100,
        "saifi": fig.saifi,
        "pv_kwp": fig.pv_kwp,
    }
    changes: dict[str, Any] = {"town.name": name}
    changes |= {FIGURES[key][3]: value for key, value in entered.items() if value is not None}
    if fig.houses_pct is not None:
        changes[FIGURES["houses_pct"][3]] = house_shares_for(base.households, fig.houses_pct / 100)
    if fig.saidi_min is not None:  # a first guess: SAIDI = SAIFI × CAIDI
        saifi = changes.get("network.incidents_saifi", base.network.incidents_saifi)
        changes["network.incident_caidi_min"] = fig.saidi_min / saifi
    scenario = _with(base, changes, name)
    model = _measured(scenario, seed)
    for _ in range(SAIDI_ITERATIONS if fig.saidi_min is not None else 0):
        if abs(model["saidi_min"] / fig.saidi_min - 1) <= TOLERANCE:
            break
        changes["network.incident_caidi_min"] *= fig.saidi_min / max(model["saidi_min"], 1e-9)
        scenario = _with(base, changes, name)
        model = _measured(scenario, seed)
    rows = _rows(fig, scenario, model, regime)
    return ElectricityCalibration(scenario=scenario, rows=rows, figures=fig, seed=seed)


def _rows(fig: ElectricityFigures, scenario: Any, model: dict[str, float], regime: str) -> list[Row]:
    """One row per figure: entered and set, entered and checked against the model (matched or
    not), or not entered (the value of the shipped town at that size, assumed)."""
    shipped = f"scenarios/electricity/{regime}.yaml (town.yaml)"
    rows = []
    for key, (fr, en, unit, param, _, _) in FIGURES.items():
        target = getattr(fig, key)
        if key in MEASURED:
            value = model[key]
        elif key == "houses_pct":
            value = 100 * town_house_share(scenario.households)
        else:
            value = float(get_path(scenario, param)) * (100 if unit == "%" else 1)
        if target is None:
            status, source = "assumed", shipped
        elif key in MEASURED:
            ok = abs(value / target - 1) <= TOLERANCE if target else value == 0
            status, source = ("ok" if ok else "not_matched"), "saisie / entered"
        else:
            status, source = "set", "saisie / entered"
        target = None if target is None else float(target)
        rows.append(Row(key, fr, en, target, value, unit, param, status, source))
    return rows


def scenario_yaml(cal: ElectricityCalibration) -> str:
    """The whole scenario (no ``extends:``), headed by a comment giving every figure, the parameter
    it set and what was assumed; the text loads back to the same scenario."""
    s = cal.scenario
    lines = [
        f"# {s.town.name} — scénario d'électricité construit sur les chiffres de la commune",
        "# Electricity scenario built on the town's own figures (« Ma commune »).",
        f"# Every other value is from the shipped scenarios/electricity/{s.governance.regime}.yaml"
        " (built on town.yaml), which gives its source.",
        "# The regulated tariff (TRVE), the network tariff (TURPE) and the taxes are set nationally:",
        "# they are those of the shipped town.",
        "#",
    ]
    for r in cal.rows:
        target = "—" if r.target is None else f"{r.target:g}"
        model = "—" if r.model is None else f"{r.model:.4g}"
        lines.append(
            f"#   {r.label_en}: entered {target}, model {model} {r.unit} via {r.parameter} ({r.status})"
        )
    text = "\n".join([*lines, ""]) + dumps_scenario(s)
    loads_scenario(
        text, "<calibration output>", other_services=OTHER_SERVICES
    )  # never a file that would not load
    return text

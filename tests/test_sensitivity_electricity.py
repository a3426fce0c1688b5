"""Sensitivity for electricity: documented ranges (each with its source), the CLI's tornado on an
electricity scenario, and the signs of the mechanisms the ranges move."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim import simulate
from sim.cli.main import main
from sim.experiments.ensemble import documented_ranges, one_at_a_time
from sim.scenario.electricity import ElectricityScenario
from sim.scenario.model import load_scenario, with_changes
from sim.scenario.ranges import ELECTRICITY_RANGES, ranges_for
from sim.scenario.schema import get_path, param_at

ROOT = Path(__file__).resolve().parent.parent
REGIE = ROOT / "scenarios" / "electricity" / "regie.yaml"
SMALL = ["--set", "households.count=300", "--set", "horizon_years=4"]


@pytest.fixture(scope="module")
def small() -> ElectricityScenario:
    s = with_changes(load_scenario(REGIE), {"households.count": 400, "horizon_years": 4})
    assert isinstance(s, ElectricityScenario)
    return s


@pytest.mark.parametrize("path", sorted(ELECTRICITY_RANGES))
def test_each_range_holds_the_default_and_says_where_it_comes_from(path: str) -> None:
    r = ELECTRICITY_RANGES[path]
    info = param_at(ElectricityScenario, path)  # the path is a parameter of the schema
    town = load_scenario(ROOT / "scenarios" / "electricity" / "town.yaml")
    for default in (get_path(town, path), info.field.default):
        assert r.low < float(default) < r.high, (path, r.low, default, r.high)
    # within the schema's bounds, so every end can run
    b = info.bounds
    assert b.get("ge", b.get("gt", -1e300)) <= r.low and r.high <= b.get("le", b.get("lt", 1e300))
    cites = r.source.startswith("electricity.md §") or r.source.startswith("assumption")
    assert cites and ("assumption" in r.source) == ("hypothèse" in r.source_fr)
    assert r.source_fr.startswith(("electricity.md §", "hypothèse"))


def test_water_keeps_its_schema_bounds_and_electricity_uses_its_ranges() -> None:
    assert ranges_for("water") == {}
    water = documented_ranges(load_scenario(ROOT / "scenarios" / "town.yaml"))
    assert water["households.price_elasticity"] == (-2.0, 0.0)
    el = documented_ranges(load_scenario(REGIE))
    assert el == {p: (r.low, r.high) for p, r in ELECTRICITY_RANGES.items()}
    assert el["households.price_elasticity"] == (-0.8, -0.1)  # §3.3, -0.8 the sensitivity case
    # a named parameter without a documented range falls back to its schema bounds
    picked = documented_ranges(load_scenario(REGIE), ["network.renewal_rate_pct", "network.losses_pct"])
    assert picked == {"network.renewal_rate_pct": (0.0, 10.0), "network.losses_pct": (4.0, 8.0)}
    with pytest.raises(ValueError):
        documented_ranges(load_scenario(REGIE), ["town.name"])


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_the_cli_writes_an_electricity_tornado(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sens"
    rc = main(["sensitivity", str(REGIE), *SMALL, "--indicator", "saidi_min_mean", "--out", str(out)])
    assert rc == 0
    df = pd.read_csv(out / "tornado.csv")
    assert set(df["param"]) == set(ELECTRICITY_RANGES)
    row = df.set_index("param").loc["network.storms_per_year"]
    assert (row["low"], row["high"]) == (0.05, 0.63)
    assert row["at_high"] > row["at_low"]  # more storms, longer cuts
    assert df["swing"].iloc[0] > 0 and df["swing"].is_monotonic_decreasing
    # parameters that cannot move SAIDI do not (the same seed: common random numbers)
    flat = df.set_index("param").loc[["households.price_elasticity", "supply.market_price_eur_per_mwh"]]
    assert (flat["swing"] == 0).all()
    html = (out / "tornado.html").read_text(encoding="utf-8")
    assert "plotly" in html.lower() and "Sensibilit" in html
    assert "tornado.csv" in capsys.readouterr().out


def test_a_larger_elasticity_lowers_use_when_the_price_is_above_the_reference(
    small: ElectricityScenario,
) -> None:
    """§3.3: with the marginal price above the one the uses were observed at, a larger elasticity
    (in magnitude) lowers use; below it, raises it. -0.8 against -0.1, the range's two ends."""
    lo, hi = (
        ELECTRICITY_RANGES["households.price_elasticity"].low,
        ELECTRICITY_RANGES["households.price_elasticity"].high,
    )

    def kwh(reference: float, elasticity: float) -> float:
        s = with_changes(
            small,
            {"households.reference_price_eur_per_kwh": reference, "households.price_elasticity": elasticity},
        )
        return float(simulate(s, 1).years["kwh_per_household"].iloc[0])

    dear = 0.10  # the town's TRVE (19.52 c€/kWh TTC) is dearer than this
    assert kwh(dear, lo) < kwh(dear, hi) < kwh(dear, 0.0)
    cheap = 0.50
    assert kwh(cheap, lo) > kwh(cheap, hi) > kwh(cheap, 0.0)


def test_signs_of_the_supply_and_network_ranges(small: ElectricityScenario) -> None:
    """A dearer market leaves the régie fewer reserves; more incidents raise SAIFI; more losses
    mean more energy bought for the same energy billed."""
    ranges = {p: (ELECTRICITY_RANGES[p].low, ELECTRICITY_RANGES[p].high) for p in ELECTRICITY_RANGES}
    reserves = one_at_a_time(
        small, "reserves_eur", {"supply.market_price_eur_per_mwh": ranges["supply.market_price_eur_per_mwh"]}
    )
    assert reserves["at_high"].iloc[0] < reserves["base"].iloc[0] < reserves["at_low"].iloc[0]
    saifi = one_at_a_time(small, "saifi_mean", {"network.incidents_saifi": ranges["network.incidents_saifi"]})
    assert saifi["at_low"].iloc[0] < saifi["base"].iloc[0] < saifi["at_high"].iloc[0]
    bought = one_at_a_time(small, "kwh_bought", {"network.losses_pct": ranges["network.losses_pct"]})
    assert bought["at_low"].iloc[0] < bought["base"].iloc[0] < bought["at_high"].iloc[0]

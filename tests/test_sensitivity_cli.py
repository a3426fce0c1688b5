"""``regie-sim sensitivity``: one-at-a-time low/high per parameter, tornado.csv and its chart."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.cli.main import main
from sim.experiments.ensemble import documented_ranges
from sim.scenario.model import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["--set", "households.count=2000", "--set", "horizon_years=5"]


def test_sensitivity_writes_the_tornado_table_and_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sens"
    rc = main(
        [
            "sensitivity",
            str(ROOT / "scenarios" / "town.yaml"),
            *SMALL,
            "--indicator",
            "price_120m3_eur_per_m3",
            "--param",
            "governance.council.max_change_pct",
            "--param",
            "network.renewal_rate_pct",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    df = pd.read_csv(out / "tornado.csv")
    assert set(df["param"]) == {"governance.council.max_change_pct", "network.renewal_rate_pct"}
    bounds = df.set_index("param")[["low", "high"]]
    assert list(bounds.loc["governance.council.max_change_pct"]) == [0, 100]  # documented bounds
    assert list(bounds.loc["network.renewal_rate_pct"]) == [0, 10]
    assert df["swing"].iloc[0] > 0 and df["swing"].is_monotonic_decreasing
    html = (out / "tornado.html").read_text(encoding="utf-8")
    assert "plotly" in html.lower() and "Sensibilit" in html
    shown = capsys.readouterr().out
    assert "tornado.csv" in shown and "," in shown.splitlines()[2]  # French decimals


def test_an_unknown_indicator_or_a_parameter_without_range_is_refused(tmp_path: Path) -> None:
    town = str(ROOT / "scenarios" / "town.yaml")
    assert (
        main(
            [
                "sensitivity",
                town,
                *SMALL,
                "--indicator",
                "nope",
                "--param",
                "network.renewal_rate_pct",
                "--out",
                str(tmp_path / "a"),
            ]
        )
        == 2
    )
    with pytest.raises(ValueError):
        documented_ranges(load_scenario(town), ["town.name"])

"""`regie-sim compare`: regimes side by side on one seed, with what differs."""

from pathlib import Path

import pandas as pd
import pytest

from sim.cli.main import main

FAST = ["--set", "households.count=1500", "--set", "horizon_years=3", "-q"]


def test_compare_writes_table_differences_and_runs(tmp_path: Path, capsys) -> None:
    out = tmp_path / "cmp"
    code = main(
        [
            "compare",
            "scenarios/concession.yaml",
            "scenarios/regie.yaml",
            "scenarios/commons.yaml",
            "--seed",
            "1",
            "--out",
            str(out),
            *FAST,
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "mêmes pluies" in text and "governance.regime" in text
    table = pd.read_csv(out / "comparison.csv", index_col=0)
    assert list(table.index) == ["concession", "regie", "commons"]
    diff = pd.read_csv(out / "differences.csv")
    assert "finance.operator_margin_pct" in set(diff["key"])
    for name in ("concession", "regie", "commons"):
        assert (out / name / "years.csv").is_file()
    # same seed: the same weather in every run
    rech = [pd.read_csv(out / n / "periods.csv")["recharge_m3"] for n in ("concession", "regie")]
    assert rech[0].equals(rech[1])


def test_compare_bad_file_is_located_and_writes_nothing(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: town.yaml\ntariff:\n  vat_pct: -3\n", encoding="utf-8")
    out = tmp_path / "cmp"
    code = main(["--lang", "en", "compare", "scenarios/regie.yaml", str(bad), "--out", str(out), *FAST])
    assert code == 2
    err = capsys.readouterr().err
    assert "tariff.vat_pct" in err and "bad.yaml" in err
    assert not out.exists()


def test_households_option_scales_the_whole_town(tmp_path: Path, capsys) -> None:
    out = tmp_path / "small"
    assert (
        main(
            [
                "run",
                "scenarios/town.yaml",
                "--households",
                "2000",
                "--set",
                "horizon_years=2",
                "--out",
                str(out),
                "-q",
            ]
        )
        == 0
    )
    years = pd.read_csv(out / "years.csv")
    assert years["households"].iloc[0] == 2000
    assert years["network_length_km"].iloc[0] == pytest.approx(30.0, rel=0.02)  # 300 km / 10
    assert main(["validate", "scenarios/town.yaml", "--households", "5"]) == 2
    assert "--households" in capsys.readouterr().err

"""``new-town``: exit codes, files written atomically, nothing written on error, FR/EN messages."""

from __future__ import annotations

import pytest
from fixture_files import TOWN

from sim import load_scenario, simulate
from sim.cli.main import main

# calibrations by short runs of whole towns: the slow tier
pytestmark = pytest.mark.slow


def run(argv: list[str], lang: str = "fr") -> int:
    """``regie-sim --lang LANG new-town …`` through the real command line."""
    return main(["--lang", lang, *argv])


HAND = [
    "new-town",
    "--name",
    "Bourg-sur-Eau",
    "--households",
    "8000",
    "--network-km",
    "140",
    "--price-120m3",
    "2.40",
    "--yield-pct",
    "72",
    "--renewal-pct",
    "0.45",
    "--unpaid-pct",
    "1.8",
]


def test_by_hand_writes_a_commented_scenario_that_loads_and_runs(tmp_path, capsys):
    out = tmp_path / "bourg.yaml"
    rep = tmp_path / "calage.csv"
    assert (
        run(
            [
                *HAND,
                "--regime",
                "concession",
                "--contract-end",
                "2031",
                "--out",
                str(out),
                "--report",
                str(rep),
            ]
        )
        == 0
    )
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Bourg-sur-Eau")
    assert "price_120m3_eur_per_m3: 2.4  <- saisie / entered" in text
    assert "extends:" not in text  # the whole resolved scenario: it runs anywhere
    s = load_scenario(out)
    assert s.town.name == "Bourg-sur-Eau" and s.governance.regime == "concession"
    assert s.households.count == 8000
    y = simulate(s.model_copy(update={"horizon_years": 2})).years
    assert y["price_120m3_eur_per_m3"].iloc[0] == pytest.approx(2.40, rel=0.002)
    assert "Prix 120 m3 TTC (D102.0);" in rep.read_text(encoding="utf-8")
    printed = capsys.readouterr().out
    assert "Calage de « Bourg-sur-Eau »" in printed and "Scénario écrit" in printed
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


def test_english_report(tmp_path, capsys):
    assert run([*HAND, "--out", str(tmp_path / "b.yaml")], lang="en") == 0
    assert "Every target given is matched." in capsys.readouterr().out


def test_from_sispea_files(files, tmp_path):
    out = tmp_path / "c.yaml"
    assert (
        run(
            [
                "new-town",
                "--sispea",
                str(files["2024"]),
                "--composition",
                str(files["composition"]),
                "--census",
                str(files["census"]),
                "--filosofi",
                str(files["filosofi"]),
                "--insee",
                TOWN["insee"],
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = out.read_text(encoding="utf-8")
    assert "Entités de gestion" in text and "Filosofi" in text
    s = load_scenario(out)
    assert s.households.count == 8000 and s.town.name == "Service des eaux de Bourg"


@pytest.mark.parametrize(("lang", "word"), [("fr", "colonne"), ("en", "column")])
def test_bad_file_exit_2_located_and_nothing_written(files, tmp_path, capsys, lang, word):
    out = tmp_path / "x.yaml"
    code = run(
        [
            "new-town",
            "--sispea",
            str(files["census"]),
            "--insee",
            TOWN["insee"],
            "--composition",
            str(files["composition"]),
            "--out",
            str(out),
        ],
        lang=lang,
    )
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert "menages.csv" in err
    code = run(
        [
            "new-town",
            "--sispea",
            str(files["2024"]),
            "--insee",
            "75056",
            "--composition",
            str(files["composition"]),
            "--out",
            str(out),
        ],
        lang=lang,
    )
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert "75056" in err and "composition.xlsx" in err and word in err
    assert ("Erreur : " if lang == "fr" else "Error: ") in err


def test_files_without_insee_and_bad_out(files, tmp_path, capsys):
    assert (
        run(
            ["new-town", "--sispea", str(files["2024"]), "--out", str(tmp_path / "x.yaml")],
            lang="en",
        )
        == 2
    )
    assert "--insee" in capsys.readouterr().err
    assert run([*HAND, "--out", str(tmp_path / "x.txt")]) == 2
    assert not (tmp_path / "x.txt").exists()


def test_impossible_figure_exit_2(tmp_path, capsys):
    out = tmp_path / "x.yaml"
    assert run(["new-town", "--households", "8000", "--yield-pct", "140", "--out", str(out)]) == 2
    assert "P104.3" in capsys.readouterr().err and not out.exists()


def test_every_option_of_the_issue_exists():
    from sim.cli.main import build_parser

    parser = build_parser("en")
    sub = next(a for a in parser._actions if a.dest == "command")
    p = sub.choices["new-town"]
    flags = {s for a in p._actions for s in a.option_strings}
    for f in (
        "--name",
        "--households",
        "--network-km",
        "--price-120m3",
        "--yield-pct",
        "--renewal-pct",
        "--unpaid-pct",
        "--ilp",
        "--regime",
        "--contract-end",
        "--out",
        "--sispea",
        "--insee",
        "--census",
        "--filosofi",
    ):
        assert f in flags


def test_the_written_file_runs_with_the_other_verbs(tmp_path, capsys):
    out = tmp_path / "bourg.yaml"
    assert run([*HAND, "--households", "800", "--network-km", "14", "--out", str(out)]) == 0
    assert main(["validate", str(out)]) == 0
    assert main(["bill", str(out), "--volume", "120", "--persons", "2"]) == 0
    assert main(["run", str(out), "--set", "horizon_years=2", "--out", str(tmp_path / "r"), "--quiet"]) == 0
    assert (tmp_path / "r" / "years.csv").is_file()

"""The command line, called as people call it: ``main([...])`` in-process, ``python -m sim`` once.

Runs use 500 households over 2 years to stay fast.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from sim import load_scenario
from sim.cli.main import main, round_half_up
from sim.core.tariff import price_120m3_eur_per_m3
from sim.i18n import fmt_eur, fmt_number, fmt_pct

ROOT = Path(__file__).resolve().parent.parent
TOWN = ROOT / "scenarios" / "town.yaml"
FAST = ["--set", "households.count=500", "--set", "horizon_years=2"]
RESULT_FILES = {
    "years.csv",
    "periods.csv",
    "deciles.csv",
    "events.csv",
    "decisions.csv",
    "workforce.csv",
    "summary.json",
    "scenario.yaml",
}
# the yearly indicators the run must report (SISPEA codes where they exist)
YEAR_COLUMNS = [
    "year",
    "households",
    "population",
    "produced_m3",
    "billed_m3",
    "unbilled_authorised_m3",
    "apparent_losses_m3",
    "real_losses_m3",
    "yield_pct",
    "ilp_m3_per_km_day",
    "ili",
    "breaks",
    "breaks_per_100km",
    "mean_repair_hours",
    "interruptions_per_1000_customers",
    "customer_interruption_hours",
    "renewal_km",
    "renewal_rate_pct",
    "network_length_km",
    "network_mean_age_years",
    "price_120m3_eur_per_m3",
    "bill_120m3_eur",
    "consumption_l_per_person_day",
    "unpaid_rate_pct",
    "share_households_above_3pct",
    "social_rebate_eur",
    "revenue_eur",
    "receipts_eur",
    "opex_eur",
    "capex_eur",
    "debt_eur",
    "interest_eur",
    "debt_service_eur",
    "outflow_eur",
    "reserves_eur",
    "fte",
    "restriction_days",
    "resource_stock_m3",
    "resource_fill_pct",
    "shortfall_m3",
    "drought_year",
]

BAD_YAML = """\
extends: {town}
households:
  colour: blue
tariff:
  blocks:
    - {{price_eur_per_m3: 99}}
"""


@pytest.fixture(autouse=True)
def _french_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REGIE_SIM_LANG", raising=False)


def cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def row_of(table: str, label: str) -> list[str]:
    """Cells of the table line that starts with ``label`` (cells are separated by 2+ spaces)."""
    line = next(ln for ln in table.splitlines() if ln.startswith(label))
    return [c.strip() for c in line[len(label) :].split("  ") if c.strip()]


def bad_scenario(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_YAML.format(town=TOWN), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------------------------
def test_run_writes_the_results_folder_and_prints_the_summary(tmp_path, capsys):
    out_dir = tmp_path / "town"
    code, out, err = cli(capsys, "run", TOWN, "--out", out_dir, *FAST)
    assert code == 0, err
    assert err == ""  # stderr is not a terminal here: no progress bar, nothing else
    assert RESULT_FILES <= {p.name for p in out_dir.iterdir()}
    years = pd.read_csv(out_dir / "years.csv")
    assert list(years["year"]) == [2026, 2027]
    assert [c for c in YEAR_COLUMNS if c not in years.columns] == []
    assert (years["households"] == 500).all()
    summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["households"] == 500 and summary["seed"] == 1
    again = load_scenario(out_dir / "scenario.yaml")  # the folder reproduces the run
    assert again.households.count == 500 and again.horizon_years == 2
    # the printed summary shows the first and last years' figures of years.csv, in French format
    assert "Ville-sur-Eau" in out and "2026" in out and "2027" in out
    assert row_of(out, "Casses") == [str(b) for b in years["breaks"]]
    assert row_of(out, "ETP") == [fmt_number(v, "fr", 1) for v in years["fte"]]
    assert row_of(out, "Dette") == [fmt_eur(v, "fr", 0) for v in years["debt_eur"]]
    assert row_of(out, "Rendement") == [fmt_pct(v, "fr") for v in years["yield_pct"]]
    for label in (
        "Prix du m3 (120 m3) TTC",
        "Consommation L/hab/j",
        "Impayés",
        "Ménages au-dessus de 3 %",
        "Argent sortant du service",
        "Réserves",
    ):
        assert len(row_of(out, label)) == 2, label
    assert str(out_dir) in out


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_run_seed_changes_results_and_same_seed_repeats_them(tmp_path, capsys):
    paths = {}
    for name, extra in (("a", []), ("b", []), ("seed7", ["--seed", "7"])):
        paths[name] = tmp_path / name
        code, _, err = cli(capsys, "run", TOWN, "--out", paths[name], *FAST, *extra)
        assert code == 0, err
    a, b, c = (pd.read_csv(paths[n] / "years.csv") for n in ("a", "b", "seed7"))
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert load_scenario(paths["seed7"] / "scenario.yaml").seed == 7
    assert json.loads((paths["seed7"] / "summary.json").read_text())["seed"] == 7


def test_run_default_folder_is_runs_slash_scenario_name(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    scen = tmp_path / "ville.yaml"
    scen.write_text(f"extends: {TOWN}\n", encoding="utf-8")
    code, out, err = cli(capsys, "run", scen, *FAST, "--quiet")
    assert code == 0, err
    assert RESULT_FILES <= {p.name for p in (tmp_path / "runs" / "ville").iterdir()}


def test_run_replaces_an_old_results_folder_but_nothing_else(tmp_path, capsys):
    out_dir = tmp_path / "out"
    assert cli(capsys, "run", TOWN, "--out", out_dir, *FAST)[0] == 0
    assert cli(capsys, "run", TOWN, "--out", out_dir, *FAST, "--seed", "3")[0] == 0
    assert load_scenario(out_dir / "scenario.yaml").seed == 3
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "notes.txt").write_text("mes notes", encoding="utf-8")
    code, _, err = cli(capsys, "run", TOWN, "--out", precious, *FAST)
    assert code == 2
    assert "n'est pas un dossier de résultats" in err
    assert [p.name for p in precious.iterdir()] == ["notes.txt"]


def test_run_bad_scenario_exits_2_and_writes_nothing(tmp_path, capsys):
    bad = bad_scenario(tmp_path)
    out_dir = tmp_path / "runs" / "bad"
    code, out, err = cli(capsys, "run", bad, "--out", out_dir)
    assert code == 2
    assert "households.colour" in err and "tariff.blocks[0].price_eur_per_m3" in err
    assert "Traceback" not in err and out == ""
    assert not (tmp_path / "runs").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.yaml"]


def test_progress_bar_only_on_a_terminal_and_not_with_quiet(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, _, err = cli(capsys, "run", TOWN, "--out", tmp_path / "a", *FAST)
    assert code == 0
    assert "Simulation" in err and "/24" in err and "mois" in err  # 2 years = 24 months
    code, _, err = cli(capsys, "run", TOWN, "--out", tmp_path / "b", *FAST, "--quiet")
    assert code == 0 and err == ""


def test_unexpected_error_is_short_unless_debug(tmp_path, capsys, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("sim.cli.main.simulate", boom)
    code, _, err = cli(capsys, "run", TOWN, "--out", tmp_path / "x", *FAST)
    assert code == 1
    assert "Erreur inattendue" in err and "boom" in err and "--debug" in err
    assert "Traceback" not in err
    code, _, err = cli(capsys, "--debug", "run", TOWN, "--out", tmp_path / "x", *FAST)
    assert code == 1 and "Traceback" in err and "boom" in err
    assert not (tmp_path / "x").exists()


# --------------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------------
def test_validate_ok_prints_one_line(capsys):
    code, out, err = cli(capsys, "validate", TOWN)
    assert code == 0 and err == ""
    lines = out.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("OK")
    assert "Ville-sur-Eau" in lines[0] and f"{fmt_number(20_000, 'fr')} ménages" in lines[0]


@pytest.mark.parametrize(
    ("how", "unknown", "too_large"),
    [
        ("default", "clé inconnue « colour »", "99 est trop grand"),
        ("--lang", "unknown key 'colour'", "99 is too large"),
        ("env", "unknown key 'colour'", "99 is too large"),
    ],
)
def test_validate_bad_file_locates_every_problem(tmp_path, capsys, monkeypatch, how, unknown, too_large):
    bad = bad_scenario(tmp_path)
    argv = ["validate", str(bad)]
    if how == "--lang":
        argv = ["--lang", "en", *argv]
    elif how == "env":
        monkeypatch.setenv("REGIE_SIM_LANG", "en")
    code, out, err = cli(capsys, *argv)
    assert code == 2 and out == ""
    assert "households.colour" in err and unknown in err
    assert "tariff.blocks[0].price_eur_per_m3" in err and too_large in err
    assert "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["bad.yaml"]


def test_validate_reports_bad_set_values_with_the_other_problems(capsys):
    code, _, err = cli(capsys, "validate", TOWN, "--set", "tariff.vat_pct=[1,", "--set", "households.count=5")
    assert code == 2
    assert "tariff.vat_pct" in err and "YAML" in err
    assert "households.count" in err and "au moins 10" in err
    code, _, err = cli(capsys, "validate", TOWN, "--set", "households.count")
    assert code == 2 and "clé.chemin=valeur" in err


def test_set_changes_the_scenario(capsys):
    code, out, _ = cli(capsys, "validate", TOWN, "--set", "households.count=1234")
    assert code == 0 and f"{fmt_number(1234, 'fr')} ménages" in out


def test_usage_errors_are_in_french(capsys):
    code, _, err = cli(capsys, "run")
    assert code == 2 and "obligatoires" in err
    code, _, err = cli(capsys, "--lang", "en", "run")
    assert code == 2 and "required" in err


# --------------------------------------------------------------------------------------------
# bill
# --------------------------------------------------------------------------------------------
def test_bill_json_lines_add_up_to_the_total(capsys):
    code, out, err = cli(capsys, "bill", TOWN, "--volume", "120", "--persons", "4", "--json")
    assert code == 0, err
    doc = json.loads(out)
    lines, totals = doc["lines"], doc["totals"]
    keys = [ln["key"] for ln in lines]
    cut = keys.index("total_excl_tax")
    parts = sum(ln["amount_eur"] for ln in lines[:cut])
    assert parts == pytest.approx(totals["total_excl_tax_eur"])
    assert totals["total_excl_tax_eur"] + totals["vat_eur"] == pytest.approx(totals["total_eur"])
    assert all(isinstance(ln["amount_eur"], float) for ln in lines)
    # by hand: (45 standing + 120 × 1.30 + 120 × 0.40 levies) × 1.055 VAT
    assert totals["total_eur"] == pytest.approx((45 + 156 + 48) * 1.055)
    town = load_scenario(TOWN)
    assert totals["price_eur_per_m3"] == pytest.approx(price_120m3_eur_per_m3(town.tariff, 2))


def test_bill_text_is_an_aligned_table_in_french_format(capsys):
    code, out, err = cli(capsys, "bill", TOWN, "--volume", "1000")
    assert code == 0, err
    # 45 + 1000 × 1.30 + 1000 × 0.40 = 1 745 € HT; × 1.055 = 1 840,975 → 1 840,98 €
    assert row_of(out, "Total HT") == [fmt_eur(1745, "fr")]
    assert row_of(out, "Total TTC") == [fmt_eur(1840.98, "fr")]
    water = out.split("Assainissement collectif")[0]  # the water bill's table; sewerage follows
    table = [ln for ln in water.splitlines() if ln.endswith("€")]
    assert len(table) == 6 and len({len(ln) for ln in table}) == 1  # one right-aligned column
    shown = [
        Decimal("".join(c for c in ln.rsplit("  ", 1)[1] if c.isdigit() or c == ",").replace(",", "."))
        for ln in table
    ]
    assert sum(shown[:-3]) == shown[-3] and shown[-3] + shown[-2] == shown[-1]


def test_bill_shows_sewerage_as_its_own_lines_and_none_on_individual_sanitation(capsys):
    code, out, err = cli(capsys, "bill", TOWN, "--volume", "120", "--json")
    assert code == 0, err
    doc = json.loads(out)
    sew = doc["sewerage"]
    assert sew["connected"] and [ln["key"] for ln in sew["lines"]] == [
        "sewerage_standing",
        "sewerage_volume",
        "sewerage_total",
    ]
    town = load_scenario(TOWN)
    # by hand: 44 € + 120 × 1.94 € = 276.80 € incl. tax, i.e. 2.31 €/m3 for 120 m3 (water.md §1.1)
    assert sew["total_eur"] == pytest.approx(
        town.sewerage.standing_charge_eur_per_year + 120 * town.sewerage.price_eur_per_m3
    )
    assert sew["total_eur"] == pytest.approx(276.80)
    assert doc["total_with_sewerage_eur"] == pytest.approx(doc["totals"]["total_eur"] + 276.80)
    # the water lines and totals are those of the water bill alone
    assert "sewerage_total" not in [ln["key"] for ln in doc["lines"]]
    code, out, err = cli(capsys, "bill", TOWN, "--volume", "120", "--json", "--anc")
    doc_anc = json.loads(out)
    assert not doc_anc["sewerage"]["connected"] and doc_anc["sewerage"]["lines"] == []
    assert doc_anc["total_with_sewerage_eur"] == doc_anc["totals"]["total_eur"] == doc["totals"]["total_eur"]
    code, out, err = cli(capsys, "bill", TOWN, "--volume", "120")
    assert row_of(out, "Total assainissement TTC") == [fmt_eur(276.80, "fr")]
    assert "Eau et assainissement : " + fmt_eur(262.70 + 276.80, "fr") in out


def test_bill_social_tariff_cap(capsys):
    social = [
        "--set",
        "tariff.social.enabled=true",
        "--set",
        "tariff.social.kind=bill_cap",
        "--set",
        "tariff.social.eligible_deciles=[1]",
    ]
    code, _, err = cli(capsys, "bill", TOWN, "--volume", "120", "--eligible", *social)
    assert code == 2 and "--income" in err
    code, out, err = cli(
        capsys, "bill", TOWN, "--volume", "120", "--eligible", "--income", "5000", "--json", *social
    )
    assert code == 0, err
    doc = json.loads(out)
    assert "social_rebate" in [ln["key"] for ln in doc["lines"]]
    assert doc["totals"]["total_eur"] == pytest.approx(0.03 * 5000)  # capped at 3 % of income


def test_bill_english(capsys):
    code, out, _ = cli(capsys, "--lang", "en", "bill", TOWN, "--volume", "1000")
    assert code == 0
    assert row_of(out, "Total incl. VAT") == ["€1,840.98"]


# --------------------------------------------------------------------------------------------
# formats, and python -m sim
# --------------------------------------------------------------------------------------------
def test_amounts_round_half_up_as_by_hand():
    assert round(262.695, 2) == 262.69  # the binary value lies just below
    assert round_half_up(262.695) == 262.70
    assert round_half_up(13.695) == 13.70
    assert round_half_up(-0.004) == 0.0


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_python_m_sim_help():
    env = {k: v for k, v in os.environ.items() if k != "REGIE_SIM_LANG"}
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "--help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "regie-sim" in proc.stdout
    for command in ("run", "validate", "bill"):
        assert command in proc.stdout
    assert "utilisation" in proc.stdout

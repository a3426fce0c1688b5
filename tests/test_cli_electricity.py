"""`regie-sim bill|validate` on an electricity scenario (issue 12)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sim.cli.main import main
from sim.i18n import fmt_eur

TOWN = "scenarios/electricity/town.yaml"
HPHC = [
    "--set",
    "tariff.option=hphc",
    "--set",
    "tariff.fixed_eur_per_year_by_kva={6: 157.87, 9: 200.33, 12: 241.54}",
    "--set",
    "tariff.energy_eur_per_kwh={hp: 0.27, hc: 0.2068}",
]


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_bill_json_has_total_and_lines(capsys) -> None:
    code, out, err = cli(capsys, "bill", TOWN, "--kva", "6", "--kwh", "5700", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["total_eur"] == pytest.approx(186.0 + 5_700 * 0.1952, abs=0.005)  # TRVE Aug 2025 (§1.4)
    assert all({"label", "eur"} <= set(ln) for ln in doc["lines"])
    assert doc["lines"][-1]["eur"] == doc["total_eur"]
    assert doc["lines"][0]["label"] == "Abonnement (part fixe) HT"


def test_bill_hphc_with_peak_and_off_peak_kwh(capsys) -> None:
    code, out, err = cli(
        capsys, "bill", TOWN, "--kva", "6", "--kwh-hp", "4000", "--kwh-hc", "2000", "--json", *HPHC
    )
    assert code == 0, err
    assert json.loads(out)["total_eur"] == pytest.approx(157.87 + 4_000 * 0.27 + 2_000 * 0.2068, abs=0.005)
    # --kwh alone splits by the scenario's off-peak share (0.35)
    code, out, _ = cli(capsys, "bill", TOWN, "--kva", "6", "--kwh", "6000", "--json", *HPHC)
    assert json.loads(out)["kwh_by_period"] == pytest.approx({"hp": 3_900, "hc": 2_100})


def test_bill_taxes_of_another_date(capsys) -> None:
    # the grid of 1 Aug 2025 (VAT 20 % on all, excise 29.98 €/MWh, CTA 21.93 % of the TURPE fixed
    # part 25.70 + 8.52 × 6 = 76.82 €) gives prices excl. tax of 186 / 1.2 − 16.846 = 138.154 €/yr
    # and 0.1952 / 1.2 − 0.02998 = 0.132687 €/kWh; billed on 1 Feb 2024 (VAT 5.5 % on the fixed
    # part and CTA, excise 21 €/MWh): (138.154 + 16.846) × 1.055 + 5,700 × (0.132687 + 0.021) × 1.2
    code, out, _ = cli(capsys, "bill", TOWN, "--kva", "6", "--kwh", "5700", "--date", "2024-02-01", "--json")
    assert code == 0
    assert json.loads(out)["total_eur"] == pytest.approx(1_214.74, abs=0.005)


def test_bill_text_in_english(capsys) -> None:
    code, out, _ = cli(capsys, "--lang", "en", "bill", TOWN, "--kva", "6", "--kwh", "5700")
    assert code == 0
    assert "Total incl. taxes" in out and "€1,298.64" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["bill", TOWN, "--kwh", "5700"],  # no --kva
        ["bill", TOWN, "--kva", "6"],  # no kWh
        ["bill", TOWN, "--kva", "7", "--kwh", "5700"],  # not in the grid
        ["bill", TOWN, "--kva", "6", "--kwh", "100", "--kwh-hp", "40", "--kwh-hc", "50"],
        ["bill", TOWN, "--kva", "6", "--kwh-hp", "40"],
        ["bill", TOWN, "--kva", "6", "--kwh", "nan"],
        ["bill", TOWN, "--kva", "6", "--kwh", "100", "--volume", "120"],
        ["bill", TOWN, "--kva", "6", "--kwh", "100", "--persons", "2"],
        ["bill", TOWN, "--kva", "6", "--kwh", "100", "--eligible"],
        ["bill", TOWN, "--kva", "6", "--kwh", "100", "--date", "2020-01-01"],
        ["bill", TOWN, "--kva", "6", "--kwh", "100", "--date", "demain"],
        ["bill", "scenarios/town.yaml"],  # water without --volume
        ["bill", "scenarios/town.yaml", "--volume", "120", "--kva", "6"],
    ],
    ids=lambda a: " ".join(a[2:])[:50],
)
def test_bad_input_exits_2(capsys, argv: list[str]) -> None:
    code, _, err = cli(capsys, *argv)
    assert code == 2, err
    assert "Traceback" not in err and err.strip()


def test_validate_describes_an_electricity_town(capsys) -> None:
    code, out, err = cli(capsys, "validate", TOWN)
    assert code == 0, err
    assert "Ville-sur-Courant" in out and fmt_eur(1044.88, "fr") in out  # 186 + 4,400 × 0.1952


@pytest.mark.parametrize("name", sorted(p.name for p in Path("scenarios/electricity").glob("*.yaml")))
def test_validate_describes_every_shipped_electricity_scenario(capsys, name: str) -> None:
    """Each option's reference bill, Tempo's included (it once crashed: its kWh were split as HP/HC),
    is the one ``bill --kva 6 --kwh 4400`` prints."""
    path = f"scenarios/electricity/{name}"
    assert main(["validate", path]) == 0
    said = capsys.readouterr().out
    assert main(["bill", path, "--kva", "6", "--kwh", "4400", "--json"]) == 0
    total = json.loads(capsys.readouterr().out)["total_eur"]
    assert f": {fmt_eur(total, 'fr')} TTC" in said


def test_peak_and_off_peak_kwh_on_a_base_town_say_they_are_billed_at_base(capsys) -> None:
    code, out, err = cli(capsys, "bill", TOWN, "--kva", "6", "--kwh-hp", "4000", "--kwh-hc", "2000")
    assert code == 0, err
    assert "option de ce scénario est base" in out and "BASE 6" in out
    code, out, err = cli(capsys, "bill", TOWN, "--kva", "6", "--kwh", "6000")
    assert "option de ce scénario" not in out


def test_bill_what_if_is_said(capsys) -> None:
    code, out, _ = cli(
        capsys, "bill", TOWN, "--kva", "6", "--kwh", "5700", "--set", "tariff.what_if_vat_pct=5.5"
    )
    assert code == 0
    assert "Et si" in out and "hors loi" in out
    code, out, _ = cli(capsys, "bill", TOWN, "--kva", "6", "--kwh", "5700", "--json")
    assert json.loads(out)["what_if"] is False


def test_run_simulates_an_electricity_town(capsys, tmp_path) -> None:
    out_dir = tmp_path / "run"
    code, out, err = cli(
        capsys,
        "--lang",
        "en",
        "run",
        TOWN,
        "--set",
        "households.count=400",
        "--set",
        "horizon_years=3",
        "--out",
        str(out_dir),
    )
    assert code == 0, err
    assert "Price per kWh incl. taxes" in out and "SAIDI" in out and "Energy poverty (effort > 8%" in out
    assert "120 m3" not in out and "Breaks" not in out
    years = (out_dir / "years.csv").read_text().splitlines()
    assert len(years) == 4 and "saidi_min" in years[0]
    # a figure whose unit is not in its name carries it: minutes, years, km a year
    line = {ln.split("  ")[0]: ln for ln in out.splitlines()}
    assert re.search(r"\d min +\d+ min$", line["Minutes cut per customer (SAIDI)"])
    assert line["Debt extinction years"].split()[-2:] == ["—", "—"]  # not defined: no unit
    assert line["Renewal gap against the need"].rstrip().endswith("km/yr")
    code, out, err = cli(
        capsys,
        "run",
        TOWN,
        "--set",
        "households.count=400",
        "--set",
        "horizon_years=2",
        "--out",
        str(tmp_path / "fr"),
    )
    assert code == 0, err
    assert re.search(r"Temps de coupure par client \(SAIDI\) +\d+ min +\d+ min", out)
    assert re.search(r"Écart de renouvellement au besoin +[\d,]+ km/an +[\d,]+ km/an", out)


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_ensemble_states_the_electricity_headlines(capsys, tmp_path) -> None:
    code, out, err = cli(
        capsys,
        "--lang",
        "en",
        "ensemble",
        TOWN,
        "--runs",
        "4",
        "--households",
        "400",
        "--set",
        "horizon_years=3",
        "--out",
        str(tmp_path / "ens"),
        "--quiet",
    )
    assert code == 0, err
    assert "reference household's yearly bill" in out and "minutes cut per customer" in out
    assert "120 m3" not in out and "network yield" not in out


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_sweep_of_an_electricity_town_shows_its_outputs(capsys, tmp_path) -> None:
    code, out, err = cli(
        capsys,
        "--lang",
        "en",
        "sweep",
        TOWN,
        "--grid",
        "network.renewal_rate_pct=0,3",
        "--runs",
        "2",
        "--households",
        "400",
        "--set",
        "horizon_years=4",
        "--out",
        str(tmp_path / "sw"),
        "--quiet",
    )
    assert code == 0, err
    assert "saidi_min_mean" in out and "price_ref_eur_per_kwh_first" in out
    rows = (tmp_path / "sw" / "sweep.csv").read_text().splitlines()
    assert len(rows) == 1 + 2 * 2 and "energy_poverty_pct_last" in rows[0]

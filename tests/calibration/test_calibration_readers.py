"""Readers: three SISPEA header generations, composition, INSEE files, located errors."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from fixture_files import GENERATIONS, SECRET, TOWN, entity_rows, write_sispea

from sim.calibration.errors import InputFileError
from sim.calibration.figures import figures_from_files
from sim.calibration.readers import (
    parse_number,
    read_census,
    read_composition,
    read_filosofi,
    read_sispea_entity,
)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (".", None),
        ("", None),
        ("2,40", 2.4),
        (" 4 900 ", 4900.0),
        ("4\u202f900,5", 4900.5),
        (140.0, 140.0),
        ("72 %", 72.0),
        ("1,234.5", 1234.5),
        (float("nan"), None),
    ],
)
def test_parse_number(raw, value):
    assert parse_number(raw) == value


def test_parse_number_located():
    with pytest.raises(InputFileError) as e:
        parse_number("n/c", file="f.xlsx", sheet="Entités de gestion", column="D102.0", row=7)
    msg = e.value.format("fr")
    assert "f.xlsx" in msg and "Entités de gestion" in msg and "D102.0" in msg and "ligne 7" in msg
    assert "row 7" in e.value.format("en")


@pytest.mark.parametrize("gen", list(GENERATIONS))
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_each_header_generation_reads_the_same_figures(files, gen):
    ent = read_sispea_entity(files[gen], TOWN["entity"])
    assert ent.generation == gen
    assert ent.row == 3  # header row 1, the neighbour row 2, ours row 3
    f = ent.figures
    assert f["price_120m3_eur_per_m3"] == 2.40
    assert f["yield_pct"] == 72.0
    assert f["renewal_pct"] == 0.45
    assert f["unpaid_pct"] == 1.8
    assert f["network_km"] == 140.0
    assert f["population"] == TOWN["population"]
    assert f["subscribers"] == 4900
    assert (f["vp_produced_m3"], f["vp_domestic_m3"], f["vp_non_domestic_m3"]) == (
        1_250_000,
        800_000,
        60_000,
    )
    assert "ilp_m3_per_km_day" not in f and "debt_years" not in f  # "." is empty
    assert ent.text["management_mode"] == "Régie"


@pytest.mark.parametrize("gen", list(GENERATIONS))
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_email_columns_are_never_read(files, gen, monkeypatch):
    seen: list[str] = []
    real = pd.read_excel

    def spy(*a, **kw):
        df = real(*a, **kw)
        seen.extend(str(v) for v in df.astype(str).to_numpy().ravel())
        seen.extend(str(c) for c in df.columns if kw.get("nrows") != 0)
        return df

    monkeypatch.setattr(pd, "read_excel", spy)
    fig = figures_from_files(TOWN["insee"], sispea=files[gen], composition=files["composition"])
    assert not any("@" in v for v in seen)
    assert SECRET not in repr(fig)


def test_xls_name_holding_an_xlsx_is_read(files, tmp_path):
    xls = tmp_path / "extraction.xls"
    shutil.copy(files["2024"], xls)
    assert read_sispea_entity(xls, TOWN["entity"]).figures["yield_pct"] == 72.0


def test_old_binary_xls_is_refused_plainly(tmp_path):
    p = tmp_path / "vieux.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(InputFileError) as e:
        read_sispea_entity(p, "1")
    assert e.value.kind == "not_excel"
    assert "vieux.xls" in e.value.format("fr") and ".xlsx" in e.value.format("en")


def test_wrong_sheet_is_located(tmp_path):
    p = write_sispea(tmp_path / "s.xlsx", "2024", entity_sheet="Feuil1")
    with pytest.raises(InputFileError) as e:
        read_sispea_entity(p, TOWN["entity"])
    assert e.value.kind == "sheet_missing"
    fr, en = e.value.format("fr"), e.value.format("en")
    assert "Entités de gestion" in fr and "Feuil1" in fr and "s.xlsx" in fr
    assert "not found" in en


def test_missing_id_column_is_located_without_echoing_the_email_header(tmp_path):
    df = entity_rows("2024").drop(columns=["Id SISPEA de l'entité de gestion"])
    p = write_sispea(tmp_path / "s.xlsx", "2024", frame=df)
    with pytest.raises(InputFileError) as e:
        read_sispea_entity(p, TOWN["entity"])
    err = e.value
    assert err.kind == "column_missing" and err.sheet == "Entités de gestion"
    msg = err.format("fr")
    assert "Id SISPEA de l'entité de gestion" in msg and "id_sispea_serv" in msg
    assert "Courriel" not in msg and "@" not in msg


def test_no_indicator_column_is_located(tmp_path):
    df = entity_rows("2020-2023")[["id_sispea_serv", "nom_serv"]]
    p = write_sispea(tmp_path / "s.xlsx", "2020-2023", frame=df)
    with pytest.raises(InputFileError) as e:
        read_sispea_entity(p, TOWN["entity"])
    assert e.value.kind == "no_indicator" and "s.xlsx" in e.value.format("en")


def test_bad_number_cell_is_located_by_row_and_column(tmp_path):
    df = entity_rows("2024")
    df.loc[1, "D102.0"] = "deux euros"
    p = write_sispea(tmp_path / "s.xlsx", "2024", frame=df)
    with pytest.raises(InputFileError) as e:
        read_sispea_entity(p, TOWN["entity"])
    assert (e.value.column, e.value.row) == ("D102.0", 3)
    assert "colonne D102.0, ligne 3" in e.value.format("fr")


def test_composition_picks_drinking_water_and_counts_communes(files):
    entity, served, where = read_composition(files["composition"], TOWN["insee"])
    assert entity == TOWN["entity"] and served == 1 and "ligne 4" in where


def test_commune_not_in_composition_is_located(files):
    with pytest.raises(InputFileError) as e:
        read_composition(files["composition"], "75056")
    assert e.value.kind == "commune_missing"
    assert "75056" in e.value.format("fr") and "composition.xlsx" in e.value.format("fr")
    assert "Code INSEE de la commune adhérente" in e.value.format("en")


def test_composition_sheet_inside_the_sispea_workbook(tmp_path):
    p = write_sispea(tmp_path / "s.xlsx", "2024", with_composition_sheet=True)
    fig = figures_from_files(TOWN["insee"], sispea=p)
    assert fig.yield_pct == 72.0


def test_without_composition_the_link_is_asked_for(files):
    with pytest.raises(InputFileError) as e:
        figures_from_files(TOWN["insee"], sispea=files["2024"])
    assert e.value.kind == "composition_needed" and "--composition" in e.value.format("en")


def test_entity_not_in_sispea_file(files, tmp_path):
    comp = tmp_path / "c.csv"
    comp.write_text(
        "Code INSEE de la commune adhérente;"
        "Identifiant SISPEA de l'entité de gestion à laquelle la commune adhère\n"
        f"{TOWN['insee']};424242\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as e:
        figures_from_files(TOWN["insee"], sispea=files["2024"], composition=comp)
    assert e.value.kind == "entity_missing"
    assert "424242" in e.value.format("fr") and TOWN["insee"] in e.value.format("fr")


def test_census_and_filosofi(files):
    c = read_census(files["census"], TOWN["insee"])
    assert c["values"] == {"households": 8000, "household_population": 17280}
    f = read_filosofi(files["filosofi"], TOWN["insee"])
    assert f["values"] == {"median": 21500, "d1": 11200, "d9": 38100}
    assert "ligne 6" in f["where"]  # title block of 3 rows, header row 4, ours row 6


def test_commune_missing_from_census_is_located(files):
    with pytest.raises(InputFileError) as e:
        read_census(files["census"], "2A004")
    assert e.value.kind == "commune_missing" and "CODGEO" in e.value.format("fr")


def test_census_missing_column_is_located(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("CODGEO;P21_POP\n38185;17000\n", encoding="utf-8")
    with pytest.raises(InputFileError) as e:
        read_census(p, "38185")
    assert e.value.kind == "column_missing" and "households" in e.value.format("en")


def test_bad_insee_code():
    with pytest.raises(InputFileError) as e:
        read_census("whatever.csv", "ABCDE")
    assert e.value.kind in ("bad_insee", "file_missing")


def test_figures_from_all_files_keep_their_sources(files):
    fig = figures_from_files(
        TOWN["insee"],
        sispea=files["2020-2023"],
        composition=files["composition"],
        census=files["census"],
        filosofi=files["filosofi"],
    )
    assert fig.regime == "regie"
    assert fig.mean_household_size == pytest.approx(2.16)
    assert fig.income_median_eur == 21500
    assert "d102_0" in fig.source("price_120m3_eur_per_m3")
    assert "2020-2023" in fig.source("price_120m3_eur_per_m3")
    assert "C21_PMEN" in fig.source("mean_household_size")
    assert fig.volume_sold_m3 == 860_000 and fig.volume_produced_m3 == 1_250_000
    assert "vp_063" in fig.source("volume_sold_m3") and "vp_201" in fig.source("volume_sold_m3")


def test_damaged_workbook_is_located(tmp_path):
    p = tmp_path / "abime.xlsx"
    p.write_bytes(b"PK\x03\x04" + b"\0" * 200)
    with pytest.raises(InputFileError) as e:
        read_sispea_entity(p, "1")
    assert e.value.kind == "unreadable" and "abime.xlsx" in e.value.format("fr")


def test_contract_end_and_operator_from_a_delegated_entity(tmp_path, files):
    df = entity_rows("2024")
    df["Mode de gestion"] = ["Régie", "Délégation de service public"]
    df["Nom de l'opérateur"] = ["", "Compagnie des Eaux"]
    df["Date de fin de contrat"] = [".", "2031-06-30 00:00:00"]
    p = write_sispea(tmp_path / "s.xlsx", "2024", frame=df)
    fig = figures_from_files(TOWN["insee"], sispea=p, composition=files["composition"])
    assert (fig.regime, fig.operator, fig.contract_end_year) == (
        "concession",
        "Compagnie des Eaux",
        2031,
    )
    assert "Date de fin de contrat" in fig.source("contract_end_year")

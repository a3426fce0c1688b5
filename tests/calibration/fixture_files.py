"""Small fixture files with the published headers, written at test time (never downloaded).

SISPEA extractions of the three header generations (long labels 2024, snake_case 2020-2023,
``Id SISPEA du service`` before), each with an e-mail column that must never be read, ``.`` for
empty cells and numbers as text with a decimal comma; a « composition communale » file; INSEE
census and Filosofi files (CSV with ``;``, and an xlsx with INSEE's title block).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: the issue's "done when" town: 8,000 households of 2.16 persons
TOWN = {
    "insee": "38185",
    "entity": "123456",
    "population": 17_280,
    "households": 8_000,
    "km": 140,
    "price": 2.40,
    "yield": 72,
    "renewal": 0.45,
    "unpaid": 1.8,
}

SECRET = "contact.prive@example.org"

CODES = (
    "D101.0",
    "D102.0",
    "P104.3",
    "P106.3",
    "P107.2",
    "P153.2",
    "P154.0",
    "VP.056",
    "VP.077",
    "VP.059",
    "VP.063",
    "VP.201",
)

GENERATIONS = {
    "2024": {
        "id": "Id SISPEA de l'entité de gestion",
        "name": "Nom de l'entité de gestion",
        "siren": "N° SIREN",
        "mode": "Mode de gestion",
        "mail": "Courriel du contact",
        "codes": {c: c for c in CODES},
    },
    "2020-2023": {
        "id": "id_sispea_serv",
        "name": "nom_serv",
        "siren": "siren",
        "mode": "mode_gestion",
        "mail": "email_contact",
        "codes": {c: c.lower().replace(".", "_") for c in CODES},
    },
    "avant 2020": {
        "id": "Id SISPEA du service",
        "name": "Nom du service",
        "siren": "SIREN",
        "mode": "Mode de gestion",
        "mail": "Adresse e-mail",
        "codes": {
            "D101.0": "D101.0 - Estimation du nombre d'habitants desservis",
            "D102.0": "D102.0 - Prix TTC du service au m3 pour 120 m3",
            "P104.3": "P104.3 - Rendement du réseau de distribution",
            "P106.3": "P106.3 - Indice linéaire de pertes en réseau",
            "P107.2": "P107.2 - Taux moyen de renouvellement des réseaux",
            "P153.2": "P153.2 - Durée d'extinction de la dette",
            "P154.0": "P154.0 - Taux d'impayés",
            "VP.056": "VP.056 - Nombre d'abonnés",
            "VP.077": "VP.077 - Linéaire de réseau hors branchements",
            "VP.059": "VP.059 - Volume produit",
            "VP.063": "VP.063 - Volume comptabilisé domestique",
            "VP.201": "VP.201 - Volume comptabilisé non domestique",
        },
    },
}


def entity_rows(gen: str) -> pd.DataFrame:
    g = GENERATIONS[gen]
    c = g["codes"]
    rows = [
        # another entity first, so the reader has to find ours
        {
            g["id"]: "999999",
            g["name"]: "Syndicat voisin",
            g["siren"]: "200000001",
            g["mode"]: "Régie",
            g["mail"]: "autre@example.org",
            c["D101.0"]: "5000",
            c["D102.0"]: "1,95",
            c["P104.3"]: "85",
            c["P106.3"]: ".",
            c["P107.2"]: "0,8",
            c["P153.2"]: ".",
            c["P154.0"]: "0,9",
            c["VP.056"]: "2300",
            c["VP.077"]: "60",
            c["VP.059"]: ".",
            c["VP.063"]: ".",
            c["VP.201"]: ".",
        },
        {
            g["id"]: TOWN["entity"],
            g["name"]: "Service des eaux de Bourg",
            g["siren"]: "213801850",
            g["mode"]: "Régie",
            g["mail"]: SECRET,
            c["D101.0"]: str(TOWN["population"]),
            c["D102.0"]: "2,40",
            c["P104.3"]: "72,0",
            c["P106.3"]: ".",
            c["P107.2"]: "0,45",
            c["P153.2"]: ".",
            c["P154.0"]: "1,8",
            c["VP.056"]: "4 900",
            c["VP.077"]: 140.0,
            c["VP.059"]: "1 250 000",
            c["VP.063"]: "800 000",
            c["VP.201"]: "60000",
        },
    ]
    return pd.DataFrame(rows)


def composition_rows() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Code INSEE de la commune adhérente": "01001",
                "Nom de la commune": "L'Abergement",
                "Identifiant SISPEA de l'entité de gestion à laquelle la commune adhère": "999999",
                "Compétence": "AEP",
            },
            {
                "Code INSEE de la commune adhérente": TOWN["insee"],
                "Nom de la commune": "Bourg",
                "Identifiant SISPEA de l'entité de gestion à laquelle la commune adhère": "777777",
                "Compétence": "AC",
            },
            {
                "Code INSEE de la commune adhérente": TOWN["insee"],
                "Nom de la commune": "Bourg",
                "Identifiant SISPEA de l'entité de gestion à laquelle la commune adhère": TOWN["entity"],
                "Compétence": "AEP",
            },
        ]
    )


def write_sispea(
    path: Path,
    gen: str,
    *,
    with_composition_sheet: bool = False,
    entity_sheet: str = "Entités de gestion",
    frame: pd.DataFrame | None = None,
) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        pd.DataFrame({"Id collectivité": ["1"], "Courriel": [SECRET]}).to_excel(
            xw, sheet_name="Collectivités", index=False
        )
        (entity_rows(gen) if frame is None else frame).to_excel(xw, sheet_name=entity_sheet, index=False)
        pd.DataFrame({"Ouvrage": ["captage"]}).to_excel(xw, sheet_name="Ouvrages", index=False)
        if with_composition_sheet:
            composition_rows().to_excel(xw, sheet_name="Composition communale", index=False)
    return path


def make_files(tmp_path: Path) -> dict[str, Path]:
    """One SISPEA workbook per generation, the composition file, census and Filosofi files."""
    out: dict[str, Path] = {}
    for gen in GENERATIONS:
        out[gen] = write_sispea(tmp_path / f"sispea-{gen.replace(' ', '_')}.xlsx", gen)
    comp = tmp_path / "composition.xlsx"
    composition_rows().to_excel(comp, sheet_name="Composition communale", index=False)
    out["composition"] = comp
    census = tmp_path / "menages.csv"
    census.write_text(
        "CODGEO;LIBGEO;C21_MEN;C21_PMEN\n01001;L'Abergement;330;780\n"
        f"{TOWN['insee']};Bourg;{TOWN['households']};{TOWN['population']}\n",
        encoding="utf-8",
    )
    out["census"] = census
    filo = tmp_path / "filosofi.xlsx"
    # INSEE's layout: a title block, then the header row, then one row per commune
    top = pd.DataFrame(
        [
            ["Revenus et pauvreté des ménages en 2021", None, None, None, None],
            ["Source : Insee-DGFiP-Cnaf-Cnav-Ccmsa, Filosofi 2021", None, None, None, None],
            [None, None, None, None, None],
            ["CODGEO", "LIBGEO", "MED21", "D121", "D921"],
            ["01001", "L'Abergement", "24000", "13000", "40000"],
            [TOWN["insee"], "Bourg", "21500", "11200", "38100"],
        ]
    )
    top.to_excel(filo, sheet_name="COM", index=False, header=False)
    out["filosofi"] = filo
    return out

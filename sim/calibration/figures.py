"""Assemble a town's figures from the published files (SISPEA, composition communale, INSEE).

Each figure keeps where it was read (file, sheet, row, column), for the report and the YAML comment.
Figures given by hand override those read from files.
"""

from __future__ import annotations

import re
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from sim.calibration.calibrate import TownFigures, regime_of
from sim.calibration.errors import InputFileError
from sim.calibration.readers import (
    COMPOSITION_SHEET,
    check_insee,
    read_census,
    read_composition,
    read_filosofi,
    read_sispea_entity,
    sheet_names,
)


def figures_from_files(
    insee: str,
    *,
    sispea: str | Path | None = None,
    composition: str | Path | None = None,
    census: str | Path | None = None,
    filosofi: str | Path | None = None,
) -> TownFigures:
    """A commune's figures from the files a user downloaded; any file may be left out.

    ``composition`` defaults to a « Composition communale » sheet of the SISPEA workbook.
    """
    code = check_insee(insee)
    fig = TownFigures(name=f"Commune {code}")
    src: dict[str, str] = {}
    values: dict[str, Any] = {}
    served = 1
    if sispea is not None:
        comp_path: str | Path | None = composition
        if comp_path is None:
            names = sheet_names(sispea)
            if any(n.strip().lower() == COMPOSITION_SHEET.lower() for n in names):
                comp_path = sispea
            else:
                raise InputFileError("composition_needed", str(sispea))
        entity_id, served, where = read_composition(comp_path, code)
        try:
            ent = read_sispea_entity(sispea, entity_id)
        except InputFileError as e:
            if e.kind == "entity_missing":
                e.ctx["code"] = code
            raise
        for key, val in ent.figures.items():
            if key.startswith("vp_"):
                continue  # volumes are combined below
            values[key] = val
            src[key] = f"SISPEA ({ent.generation}) {ent.source(key)}"
        vol = ent.figures
        if "vp_produced_m3" in vol:
            # the yield's denominator: produced + bought from other services
            values["volume_produced_m3"] = vol["vp_produced_m3"] + vol.get("vp_imported_m3", 0.0)
            src["volume_produced_m3"] = "SISPEA " + " + ".join(
                ent.source(k) for k in ("vp_produced_m3", "vp_imported_m3") if k in vol
            )
        if "vp_domestic_m3" in vol:
            # sold to subscribers: metered domestic + non-domestic volumes
            values["volume_sold_m3"] = vol["vp_domestic_m3"] + vol.get("vp_non_domestic_m3", 0.0)
            src["volume_sold_m3"] = "SISPEA " + " + ".join(
                ent.source(k) for k in ("vp_domestic_m3", "vp_non_domestic_m3") if k in vol
            )
        if "contract_end" in ent.text:
            year = _year_of(ent.text["contract_end"])
            if year is not None:
                values["contract_end_year"] = year
                src["contract_end_year"] = f"SISPEA {ent.source('contract_end')}"
        if "entity_name" in ent.text:
            values["name"] = ent.text["entity_name"]
            src["name"] = f"SISPEA {ent.source('entity_name')}"
        if "management_mode" in ent.text:
            reg = regime_of(ent.text["management_mode"])
            if reg:
                values["regime"] = reg
                src["regime"] = f"SISPEA {ent.source('management_mode')} « {ent.text['management_mode']} »"
        if "operator" in ent.text:
            values["operator"] = ent.text["operator"]
            src["operator"] = f"SISPEA {ent.source('operator')}"
        src["entity"] = f"entité de gestion {entity_id} ({where}), {served} commune(s) desservie(s)"
    if census is not None:
        c = read_census(census, code)
        hh, pop = c["values"]["households"], c["values"]["household_population"]
        if hh and pop:
            values["mean_household_size"] = min(max(pop / hh, 1.0), 5.0)
            src["mean_household_size"] = (
                f"INSEE {c['where']}, {c['columns']['household_population']} / {c['columns']['households']}"
            )
            if "population" not in values and served == 1:
                values["households"] = int(round(hh))
                src["households"] = f"INSEE {c['where']}, {c['columns']['households']}"
    if filosofi is not None:
        f = read_filosofi(filosofi, code)
        for k, field_name in (
            ("median", "income_median_eur"),
            ("d1", "income_d1_eur"),
            ("d9", "income_d9_eur"),
        ):
            v = f["values"][k]
            if v:
                values[field_name] = v
                src[field_name] = f"INSEE Filosofi {f['where']}, {f['columns'][k]}"
    fig = replace(fig, **values)
    fig.sources.update(src)
    return fig


def _year_of(text: str) -> int | None:
    """The year of a date as written in an extraction (2031-06-30, 30/06/2031, 2031)."""
    m = re.search(r"(19|20|21)\d{2}", text)
    return int(m.group(0)) if m else None


def merge_hand(fig: TownFigures, hand: dict[str, Any]) -> TownFigures:
    """Figures typed by hand (not None) override those read from files."""
    known = {f.name for f in fields(TownFigures)} - {"sources"}
    upd = {k: v for k, v in hand.items() if k in known and v is not None}
    out = replace(fig, **upd)
    out.sources = dict(fig.sources)
    for k in upd:
        out.sources[k] = "saisie / entered"
    return out

"""Readers for the files a French water service and INSEE publish, offline.

- SISPEA yearly extraction (Excel; sheets « Collectivités », « Entités de gestion », « Ouvrages »):
  one row per management entity, indicator codes as columns. Three header generations are known:
  long labels in 2024 (``Id SISPEA de l'entité de gestion``, ``Mode de gestion``, ``D102.0``…),
  snake_case in 2020-2023 (``id_sispea_serv``, ``mode_gestion``, ``d102_0``…), and
  ``Id SISPEA du service`` before. Indicator columns are found by their code, whatever the
  generation (``D102.0``, ``d102_0``, ``D102.0 - Prix TTC…`` all read as D102.0).
- The « composition communale » file: which management entity serves each commune.
- INSEE census (households and household population per commune) and Filosofi (median, D1, D9).

Only an allow-list of columns is ever read (``usecols``): the extractions hold e-mail addresses and
other columns that this module never loads. Empty cells may be written ``.``; numbers may be text
and may use a decimal comma. A ``.xls`` that is really an xlsx is read as one. Every problem raises
:class:`~sim.calibration.errors.InputFileError` with the file, sheet, column and row.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.calibration.errors import InputFileError

#: sheet of the SISPEA extraction holding one row per management entity
ENTITY_SHEET = "Entités de gestion"
SISPEA_SHEETS = ("Collectivités", "Entités de gestion", "Ouvrages")
COMPOSITION_SHEET = "Composition communale"

#: canonical name -> accepted headers, newest generation first
ENTITY_ID_HEADERS = {
    "2024": "Id SISPEA de l'entité de gestion",
    "2020-2023": "id_sispea_serv",
    "avant 2020": "Id SISPEA du service",
}
ENTITY_TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "entity_name": (
        "Nom de l'entité de gestion",
        "nom_entite_gestion",
        "nom_serv",
        "Nom du service",
        "Libellé du service",
    ),
    "siren": ("N° SIREN", "siren", "SIREN", "num_siren"),
    "management_mode": ("Mode de gestion", "mode_gestion"),
    "operator": ("Opérateur", "Nom de l'opérateur", "operateur", "nom_operateur"),
    "year": ("Année", "annee", "Exercice", "exercice"),
    "contract_end": ("Date de fin de contrat", "date_fin_contrat", "Fin de contrat"),
}
#: indicator code -> canonical field (see TownFigures); VP codes are SISPEA base variables
INDICATOR_CODES: dict[str, str] = {
    "D101.0": "population",
    "D102.0": "price_120m3_eur_per_m3",
    "P104.3": "yield_pct",
    "P106.3": "ilp_m3_per_km_day",
    "P107.2": "renewal_pct",
    "P153.2": "debt_years",
    "P154.0": "unpaid_pct",
    "VP.056": "subscribers",
    "VP.077": "network_km",
    # volumes (m3/yr): produced, bought from other services, metered domestic and non-domestic
    "VP.059": "vp_produced_m3",
    "VP.060": "vp_imported_m3",
    "VP.063": "vp_domestic_m3",
    "VP.201": "vp_non_domestic_m3",
}
COMPOSITION_COLUMNS: dict[str, tuple[str, ...]] = {
    "insee": (
        "Code INSEE de la commune adhérente",
        "code_insee_commune",
        "code_insee",
        "Code INSEE",
    ),
    "entity_id": (
        "Identifiant SISPEA de l'entité de gestion à laquelle la commune adhère",
        "id_sispea_serv",
        "Id SISPEA de l'entité de gestion",
        "Id SISPEA du service",
    ),
    "competence": ("Compétence", "competence", "Code compétence", "code_competence"),
}
EMPTY = {"", ".", "-", "nan", "none", "nd", "n.d.", "s"}


def norm(text: Any) -> str:
    """A header reduced to lowercase ASCII words joined by ``_`` (``N° SIREN`` -> ``n_siren``)."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


def _code_key(code: str) -> str:
    return norm(code)  # "D102.0" -> "d102_0", "VP.077" -> "vp_077"


def parse_number(
    raw: Any, *, file: str = "", sheet: str = "", column: str = "", row: int | None = None
) -> float | None:
    """A published number: ``.`` or blank is empty (None); text, decimal comma, spaces, ``%`` ok."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise InputFileError("not_a_number", file, sheet, column, row, {"found": str(raw)})
    if isinstance(raw, int | float):
        return None if raw != raw else float(raw)  # NaN is empty
    s = str(raw).strip()
    if s.lower() in EMPTY:
        return None
    s = s.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("%", "")
    s = s.replace("€", "")
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    elif s.count(",") >= 1 and s.count(".") == 1 and s.index(",") < s.index("."):
        s = s.replace(",", "")  # 1,234.5
    try:
        v = float(s)
    except ValueError:
        raise InputFileError("not_a_number", file, sheet, column, row, {"found": str(raw)[:40]}) from None
    if v != v or v in (float("inf"), float("-inf")):
        raise InputFileError("not_a_number", file, sheet, column, row, {"found": str(raw)[:40]})
    return v


def check_insee(code: str) -> str:
    """A commune code: 5 characters, digits (Corsica 2A/2B). Leading zeros kept."""
    c = str(code).strip().upper()
    if re.fullmatch(r"\d{4}", c):
        c = "0" + c  # a spreadsheet dropped the leading zero
    if not re.fullmatch(r"(\d{5}|2[AB]\d{3})", c):
        raise InputFileError("bad_insee", ctx={"found": str(code)[:20]})
    return c


# --------------------------------------------------------------------------------------------
# workbook access
# --------------------------------------------------------------------------------------------
def _kind(path: Path) -> str:
    """'xlsx', 'xls' (old binary) or 'text' from the file's first bytes, not its name."""
    if not path.is_file():
        raise InputFileError("file_missing", str(path))
    head = path.read_bytes()[:8]
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    return "text"


def sheet_names(path: str | Path) -> list[str]:
    p = Path(path)
    if _kind(p) != "xlsx":
        raise InputFileError("not_excel", str(p))
    _need_openpyxl(p)
    try:
        import openpyxl

        wb = openpyxl.load_workbook(_bytes(p), read_only=True)
        try:
            return list(wb.sheetnames)
        finally:
            wb.close()
    except InputFileError:
        raise
    except Exception as exc:  # a corrupt zip, a missing part: say so, never a traceback
        raise InputFileError("unreadable", str(p), ctx={"detail": type(exc).__name__}) from None


def _need_openpyxl(path: Path) -> None:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise InputFileError("missing_dependency", str(path)) from None


def _bytes(path: Path) -> io.BytesIO:
    """The workbook's bytes: openpyxl refuses a ``.xls`` name even when the content is xlsx."""
    return io.BytesIO(path.read_bytes())


def _find_sheet(path: Path, wanted: str, names: list[str]) -> str | None:
    for n in names:
        if norm(n) == norm(wanted):
            return n
    return None


def _headers(path: Path, sheet: str | int, header_row: int = 0) -> list[str]:
    """The header row only (no data row is read)."""
    try:
        df = pd.read_excel(_bytes(path), sheet_name=sheet, header=header_row, nrows=0, engine="openpyxl")
    except Exception as exc:  # a damaged sheet: located, never a traceback
        raise InputFileError(
            "unreadable", str(path), str(sheet), ctx={"detail": type(exc).__name__}
        ) from None
    return [str(c) for c in df.columns]


def _read_columns(path: Path, sheet: str | int, keep: set[str], header_row: int = 0) -> pd.DataFrame:
    """Only the ``keep`` columns, every cell as text.

    ``usecols`` keeps nothing else: cells of other columns (e-mail addresses…) are parsed by
    openpyxl inside pandas but never returned, stored or shown.
    """
    try:
        return pd.read_excel(
            _bytes(path),
            sheet_name=sheet,
            header=header_row,
            dtype=str,
            engine="openpyxl",
            usecols=lambda c: str(c) in keep,
            keep_default_na=False,
        )
    except Exception as exc:  # a damaged sheet: located, never a traceback
        raise InputFileError(
            "unreadable", str(path), str(sheet), ctx={"detail": type(exc).__name__}
        ) from None


def _match(headers: Iterable[str], aliases: Iterable[str]) -> str | None:
    by_norm = {norm(h): h for h in headers}
    for a in aliases:
        if norm(a) in by_norm:
            return by_norm[norm(a)]
    return None


# --------------------------------------------------------------------------------------------
# SISPEA
# --------------------------------------------------------------------------------------------
@dataclass
class SispeaEntity:
    """One management entity's row of a SISPEA extraction, allow-listed columns only."""

    file: str
    sheet: str
    row: int  # spreadsheet row (header = 1)
    generation: str  # "2024", "2020-2023" or "avant 2020"
    entity_id: str
    text: dict[str, str] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=dict)  # canonical field -> value
    columns: dict[str, str] = field(default_factory=dict)  # canonical field -> header read

    def source(self, key: str) -> str:
        col = self.columns.get(key, "")
        return f"{Path(self.file).name}, « {self.sheet} », ligne {self.row}, colonne {col}"


def entity_columns(headers: list[str]) -> tuple[str, str, dict[str, str], dict[str, str]]:
    """Which headers to read: (generation, id header, text columns, indicator columns).

    Raises ``column_missing`` (no id column) or ``no_indicator``; returns headers as written.
    """
    generation, id_col = "", None
    for gen, alias in ENTITY_ID_HEADERS.items():
        hit = _match(headers, [alias])
        if hit is not None:
            generation, id_col = gen, hit
            break
    if id_col is None:
        raise InputFileError(
            "column_missing", ctx={"wanted": " / ".join(ENTITY_ID_HEADERS.values()), "known": "—"}
        )
    text = {k: h for k, al in ENTITY_TEXT_COLUMNS.items() if (h := _match(headers, al)) is not None}
    ind: dict[str, str] = {}
    for code, key in INDICATOR_CODES.items():
        ck = _code_key(code)
        for h in headers:
            nh = norm(h)
            if nh == ck or nh.startswith(ck + "_"):
                ind[key] = h
                break
    if not ind:
        raise InputFileError("no_indicator")
    return generation, id_col, text, ind


def read_sispea_entity(path: str | Path, entity_id: str, sheet: str = ENTITY_SHEET) -> SispeaEntity:
    """The row of ``entity_id`` in the « Entités de gestion » sheet (latest year if several)."""
    p = Path(path)
    names = sheet_names(p)
    real = _find_sheet(p, sheet, names)
    if real is None:
        raise InputFileError("sheet_missing", str(p), ctx={"wanted": sheet, "found": ", ".join(names)})
    headers = _headers(p, real)
    try:
        generation, id_col, text, ind = entity_columns(headers)
    except InputFileError as e:
        e.file, e.sheet = str(p), real
        if e.kind == "column_missing":
            e.ctx["known"] = ", ".join(h for h in headers if _is_safe_header(h))[:300] or "—"
        raise
    keep = {id_col, *text.values(), *ind.values()}
    df = _read_columns(p, real, keep)
    ids = df[id_col].astype(str).str.strip()
    hits = [i for i, v in enumerate(ids) if v == str(entity_id).strip()]
    if not hits:
        raise InputFileError("entity_missing", str(p), real, id_col, ctx={"entity": entity_id, "code": "?"})
    if "year" in text and len(hits) > 1:
        years = [(parse_number(df[text["year"]].iloc[i]) or 0, i) for i in hits]
        hits = [max(years)[1]]
    i = hits[-1]
    ent = SispeaEntity(str(p), real, i + 2, generation, str(entity_id).strip())
    for k, col in text.items():
        v = str(df[col].iloc[i]).strip()
        if v.lower() not in EMPTY:
            ent.text[k] = v
            ent.columns[k] = col
    for k, col in ind.items():
        num = parse_number(df[col].iloc[i], file=str(p), sheet=real, column=col, row=i + 2)
        if num is not None:
            ent.figures[k] = num
            ent.columns[k] = col
    return ent


def _is_safe_header(h: str) -> bool:
    """Headers we may quote in a message: never one that looks like personal data."""
    n = norm(h)
    return not any(w in n for w in ("mail", "courriel", "tel", "phone", "contact", "nom_du_"))


def read_composition(path: str | Path, insee: str, sheet: str | None = None) -> tuple[str, int, str]:
    """Entity id serving commune ``insee`` for drinking water, with its row and the number of
    communes that entity serves: ``(entity_id, n_communes, where)``.

    ``path`` is an xlsx (sheet « Composition communale », or ``sheet``, or its only sheet) or a CSV.
    """
    p = Path(path)
    code = check_insee(insee)
    kind = _kind(p)
    if kind == "xls":
        raise InputFileError("not_excel", str(p))
    if kind == "xlsx":
        names = sheet_names(p)
        real = _find_sheet(p, sheet or COMPOSITION_SHEET, names)
        if real is None:
            if sheet is None and len(names) == 1:
                real = names[0]
            else:
                raise InputFileError(
                    "sheet_missing",
                    str(p),
                    ctx={"wanted": sheet or COMPOSITION_SHEET, "found": ", ".join(names)},
                )
        headers = _headers(p, real)
        cols = _composition_cols(headers, str(p), real)
        df = _read_columns(p, real, set(cols.values()))
    else:
        real = ""
        headers, sep = _csv_headers(p)
        cols = _composition_cols(headers, str(p), "")
        df = pd.read_csv(
            p,
            sep=sep,
            dtype=str,
            usecols=lambda c: str(c) in set(cols.values()),
            keep_default_na=False,
            encoding=_encoding(p),
        )
    insee_col, ent_col = cols["insee"], cols["entity_id"]
    codes = df[insee_col].astype(str).str.strip().str.upper().str.zfill(5)
    mask = codes == code
    if "competence" in cols:
        comp = df[cols["competence"]].astype(str).map(norm)
        drinking = (
            comp.isin({"aep", "eau_potable", "distribution_eau_potable"})
            | comp.str.startswith("eau_potable")
            | comp.str.contains("aep")
        )
        if (mask & drinking).any():
            mask = mask & drinking
    rows = [i for i, m in enumerate(mask) if m]
    if not rows:
        raise InputFileError("commune_missing", str(p), real, insee_col, ctx={"code": code})
    i = rows[0]
    entity = str(df[ent_col].iloc[i]).strip()
    served = int((df[ent_col].astype(str).str.strip() == entity).sum())
    if "competence" in cols:
        served = int(
            (
                (df[ent_col].astype(str).str.strip() == entity)
                & (df[cols["competence"]] == df[cols["competence"]].iloc[i])
            ).sum()
        )
    where = f"{p.name}{', « ' + real + ' »' if real else ''}, ligne {i + 2}"
    return entity, served, where


def _composition_cols(headers: list[str], file: str, sheet: str) -> dict[str, str]:
    out = {}
    for k, al in COMPOSITION_COLUMNS.items():
        h = _match(headers, al)
        if h is None and k != "competence":
            raise InputFileError(
                "column_missing",
                file,
                sheet,
                ctx={
                    "wanted": al[0],
                    "known": ", ".join(x for x in headers if _is_safe_header(x))[:300],
                },
            )
        if h is not None:
            out[k] = h
    return out


def _encoding(p: Path) -> str:
    raw = p.read_bytes()[:200_000]
    try:
        raw.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "latin-1"  # INSEE's older CSV files


def _csv_headers(p: Path) -> tuple[list[str], str]:
    with p.open(encoding=_encoding(p), errors="replace") as fh:
        first = fh.readline()
    sep = ";" if first.count(";") >= first.count(",") else ","
    return [h.strip().strip('"') for h in first.rstrip("\r\n").split(sep)], sep


# --------------------------------------------------------------------------------------------
# INSEE: census and Filosofi
# --------------------------------------------------------------------------------------------
CODE_HEADERS = ("CODGEO", "COM", "Code géographique", "code_insee", "Code INSEE", "codgeo")


def _insee_table(
    path: Path, wanted: dict[str, Callable[[str], bool]], code: str, sheet: str | None
) -> tuple[dict[str, Any], str, dict[str, str]]:
    """One commune's row of an INSEE file (CSV, or xlsx whose header sits in the first rows).

    ``wanted`` maps a canonical name to a header test; returns (values, where, headers used).
    """
    kind = _kind(path)
    if kind == "xls":
        raise InputFileError("not_excel", str(path))
    code = check_insee(code)
    if kind == "xlsx":
        names = sheet_names(path)
        real = (_find_sheet(path, sheet, names) if sheet else None) or (
            _find_sheet(path, "COM", names) if not sheet else None
        )
        if real is None:
            if sheet:
                raise InputFileError(
                    "sheet_missing", str(path), ctx={"wanted": sheet, "found": ", ".join(names)}
                )
            real = names[0]
        # INSEE workbooks put a title block above the header: find the row holding CODGEO.
        # Only the first 12 rows of a public statistics file are looked at to find it.
        top = pd.read_excel(
            _bytes(path), sheet_name=real, header=None, nrows=12, dtype=str, engine="openpyxl"
        )
        header_row = None
        for r in range(len(top)):
            if any(norm(v) in {norm(h) for h in CODE_HEADERS} for v in top.iloc[r].tolist()):
                header_row = r
                break
        if header_row is None:
            raise InputFileError("header_missing", str(path), real, ctx={"rows": 12, "wanted": "CODGEO"})
        headers = _headers(path, real, header_row)
    else:
        real, header_row = "", 0
        headers, sep = _csv_headers(path)
    code_col = _match(headers, CODE_HEADERS)
    if code_col is None:
        raise InputFileError(
            "column_missing",
            str(path),
            real,
            ctx={"wanted": "CODGEO", "known": ", ".join(headers)[:300]},
        )
    cols: dict[str, str] = {}
    for k, test in wanted.items():
        hit = next((h for h in headers if test(h)), None)
        if hit is None:
            raise InputFileError(
                "column_missing",
                str(path),
                real,
                ctx={"wanted": k, "known": ", ".join(headers)[:300]},
            )
        cols[k] = hit
    keep = {code_col, *cols.values()}
    if kind == "xlsx":
        df = _read_columns(path, real, keep, header_row)
    else:
        df = pd.read_csv(
            path,
            sep=sep,
            dtype=str,
            usecols=lambda c: str(c).strip().strip('"') in keep,
            keep_default_na=False,
            encoding=_encoding(path),
        )
        df.columns = [str(c).strip().strip('"') for c in df.columns]
    codes = df[code_col].astype(str).str.strip().str.upper().str.zfill(5)
    rows = [i for i, c in enumerate(codes) if c == code]
    if not rows:
        raise InputFileError("commune_missing", str(path), real, code_col, ctx={"code": code})
    i = rows[0]
    line = header_row + 2 + i
    out = {}
    for k, col in cols.items():
        out[k] = parse_number(df[col].iloc[i], file=str(path), sheet=real, column=col, row=line)
    where = f"{path.name}{', « ' + real + ' »' if real else ''}, ligne {line}"
    return out, where, cols


def read_census(path: str | Path, insee: str, sheet: str | None = None) -> dict[str, Any]:
    """Households (``C21_MEN``/``P21_MEN``) and household population (``C21_PMEN``/``P21_PMEN``)
    of a commune from an INSEE census file; returns values, where, and headers used."""
    tests = {
        "households": lambda h: re.fullmatch(r"[CP]\d{2}_MEN", str(h).strip().upper()) is not None,
        "household_population": lambda h: re.fullmatch(r"[CP]\d{2}_PMEN", str(h).strip().upper()) is not None,
    }
    vals, where, cols = _insee_table(Path(path), tests, insee, sheet)
    return {"values": vals, "where": where, "columns": cols}


def read_filosofi(path: str | Path, insee: str, sheet: str | None = None) -> dict[str, Any]:
    """Median, first and ninth decile of the standard of living (niveau de vie, €/consumption unit
    per year) of a commune from an INSEE Filosofi file (``MED21``/``Q221``, ``D121``, ``D921``)."""
    tests = {
        "median": lambda h: re.fullmatch(r"(MED|Q2)\d{2}", str(h).strip().upper()) is not None,
        "d1": lambda h: re.fullmatch(r"D1\d{2}", str(h).strip().upper()) is not None,
        "d9": lambda h: re.fullmatch(r"D9\d{2}", str(h).strip().upper()) is not None,
    }
    vals, where, cols = _insee_table(Path(path), tests, insee, sheet)
    return {"values": vals, "where": where, "columns": cols}

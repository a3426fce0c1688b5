"""Located, translated errors for the published files a town is calibrated from.

A :class:`InputFileError` says which file, which sheet, which column and which row went wrong, in
French (default) or English. It never echoes a cell's content beyond the value that was asked for
(a cell of an allow-listed column), so a file holding e-mail addresses never leaks one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# kind -> (French, English); fields come from ctx
_MESSAGES: dict[str, tuple[str, str]] = {
    "file_missing": ("fichier introuvable", "file not found"),
    "not_excel": (
        "ce n'est pas un classeur Excel lisible (.xlsx) ; un vrai .xls ancien doit être "
        "ouvert puis enregistré en .xlsx",
        "this is not a readable Excel workbook (.xlsx); an old binary .xls must be opened and saved as .xlsx",
    ),
    "missing_dependency": (
        "il manque le paquet Python « openpyxl » pour lire les classeurs Excel (pip install openpyxl)",
        "the Python package 'openpyxl' is needed to read Excel workbooks (pip install openpyxl)",
    ),
    "unreadable": ("fichier illisible : {detail}", "unreadable file: {detail}"),
    "sheet_missing": (
        "feuille « {wanted} » absente ; feuilles présentes : {found}",
        "sheet '{wanted}' not found; sheets present: {found}",
    ),
    "column_missing": (
        "colonne obligatoire absente : {wanted} (en-têtes reconnus : {known})",
        "required column missing: {wanted} (headers recognised: {known})",
    ),
    "no_indicator": (
        "aucune colonne d'indicateur reconnue (D102.0, P104.3, …)",
        "no indicator column recognised (D102.0, P104.3, …)",
    ),
    "commune_missing": (
        "la commune {code} n'est pas dans ce fichier",
        "commune {code} is not in this file",
    ),
    "entity_missing": (
        "l'entité de gestion {entity} (eau potable de la commune {code}) n'est pas dans ce fichier",
        "management entity {entity} (drinking water of commune {code}) is not in this file",
    ),
    "composition_needed": (
        "le lien commune ↔ service manque : donnez le fichier « composition "
        "communale » (--composition) ou une feuille de ce nom dans le classeur",
        "the commune ↔ service link is missing: give the « composition "
        "communale » file (--composition) or a sheet of that name in the "
        "workbook",
    ),
    "not_a_number": ("« {found} » n'est pas un nombre", "'{found}' is not a number"),
    "bad_insee": (
        "code INSEE « {found} » mal formé (5 caractères, ex. 69123 ou 2A004)",
        "malformed INSEE code '{found}' (5 characters, e.g. 69123 or 2A004)",
    ),
    "header_missing": (
        "ligne d'en-têtes introuvable dans les {rows} premières lignes (il faut une colonne {wanted})",
        "header row not found in the first {rows} rows (a column {wanted} is needed)",
    ),
    "missing_figure": (
        "chiffre obligatoire absent : {wanted}",
        "required figure missing: {wanted}",
    ),
    "bad_figure": ("{wanted} = {found} : {detail}", "{wanted} = {found}: {detail}"),
}

_WHERE = {
    "fr": {
        "file": "fichier",
        "sheet": "feuille",
        "column": "colonne",
        "row": "ligne",
        "field": "champ",
    },
    "en": {"file": "file", "sheet": "sheet", "column": "column", "row": "row", "field": "field"},
}


@dataclass(eq=False)
class InputFileError(ValueError):
    """Bad input for a calibration: where (file, sheet, column, row) and what.

    ``row`` is the spreadsheet row number as a person sees it (the header is row 1).
    """

    kind: str
    file: str = ""
    sheet: str = ""
    column: str = ""
    row: int | None = None
    ctx: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ValueError.__init__(self, self.format("en"))

    def __str__(self) -> str:
        return self.format("en")

    def message(self, lang: str = "fr") -> str:
        fr, en = _MESSAGES.get(self.kind, ("{detail}", "{detail}"))
        ctx = {
            "detail": self.kind,
            "found": "",
            "wanted": "",
            "known": "",
            "code": "",
            "entity": "",
            "rows": "",
            **self.ctx,
        }
        # a value given in both languages, (French, English), is said in the message's
        ctx = {k: (v[0] if lang == "fr" else v[1]) if isinstance(v, tuple) else v for k, v in ctx.items()}
        try:
            return (fr if lang == "fr" else en).format(**ctx)
        except (KeyError, IndexError):
            return f"{self.kind}: {self.ctx}"

    def format(self, lang: str = "fr") -> str:
        lab = _WHERE["en" if lang == "en" else "fr"]
        parts = []
        if self.file:
            parts.append(f"{lab['file']} {self.file}")
        if self.sheet:
            parts.append(
                f"{lab['sheet']} « {self.sheet} »" if lang == "fr" else f"{lab['sheet']} '{self.sheet}'"
            )
        if self.column:
            parts.append(f"{lab['column']} {self.column}")
        if self.row is not None:
            parts.append(f"{lab['row']} {self.row}")
        where = ", ".join(parts)
        sep = " : " if lang == "fr" else ": "
        return f"{where}{sep}{self.message(lang)}" if where else self.message(lang)

"""Located, translated errors for bad scenario input.

A :class:`ScenarioError` carries one :class:`Problem` per bad key: the file, the key path
(``tariff.blocks[1].price_eur_per_m3``), what was found and what is allowed. ``format(lang)`` gives
the message in French (default) or English; no traceback ever reaches a user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from sim.i18n import THOUSANDS_FR, fmt_number

# error kind -> (French template, English template); fields come from Problem.ctx
_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("valeur obligatoire absente", "required value is missing"),
    "extra_forbidden": (
        "clé inconnue « {found} » : clés possibles ici : {allowed}",
        "unknown key '{found}': keys allowed here: {allowed}",
    ),
    "greater_than_equal": (
        "{found} est trop petit : il faut au moins {limit}",
        "{found} is too small: at least {limit} is allowed",
    ),
    "greater_than": (
        "{found} est trop petit : il faut plus de {limit}",
        "{found} is too small: it must be more than {limit}",
    ),
    "less_than_equal": (
        "{found} est trop grand : au plus {limit}",
        "{found} is too large: at most {limit} is allowed",
    ),
    "less_than": (
        "{found} est trop grand : il faut moins de {limit}",
        "{found} is too large: it must be less than {limit}",
    ),
    "float_parsing": ("« {found} » n'est pas un nombre", "'{found}' is not a number"),
    "float_type": ("« {found} » n'est pas un nombre", "'{found}' is not a number"),
    "int_parsing": ("« {found} » n'est pas un nombre entier", "'{found}' is not a whole number"),
    "int_type": ("« {found} » n'est pas un nombre entier", "'{found}' is not a whole number"),
    "int_from_float": ("{found} n'est pas un nombre entier", "{found} is not a whole number"),
    "bool_parsing": ("« {found} » n'est pas oui/non (true/false)", "'{found}' is not true/false"),
    "bool_type": ("« {found} » n'est pas oui/non (true/false)", "'{found}' is not true/false"),
    "string_type": ("« {found} » n'est pas un texte", "'{found}' is not text"),
    "service_not_here": (
        "le service « {found} » ne s'ouvre pas encore ici : il se simule en ligne de commande "
        "(regie-sim run, compare) et dans les pages Explorer et Comparer du tableau de bord",
        "the '{found}' service cannot be opened here yet: it is simulated on the command line "
        "(regie-sim run, compare) and on the dashboard's Explorer and Compare pages",
    ),
    "literal_error": (
        "« {found} » n'est pas permis : valeurs possibles {allowed}",
        "'{found}' is not allowed: possible values {allowed}",
    ),
    "model_type": (
        "il faut un bloc de clés (mapping), trouvé « {found} »",
        "a block of keys (mapping) is needed, found '{found}'",
    ),
    "dict_type": (
        "il faut un bloc de clés (mapping), trouvé « {found} »",
        "a block of keys (mapping) is needed, found '{found}'",
    ),
    "tuple_type": ("il faut une liste, trouvé « {found} »", "a list is needed, found '{found}'"),
    "list_type": ("il faut une liste, trouvé « {found} »", "a list is needed, found '{found}'"),
    "too_short": ("liste trop courte ({found})", "list too short ({found})"),
    "too_long": ("liste trop longue ({found})", "list too long ({found})"),
    "value_error": ("{detail}", "{detail}"),
    "standing_charge_cap": (
        "la part fixe fait {value} % du coût de 120 m3 hors redevances ; le plafond légal est {cap} % "
        "(arrêté du 6 août 2007 modifié, commune {kind})",
        "the standing charge is {value} % of the 120 m3 cost excluding levies; the legal cap is {cap} % "
        "(arrêté of 6 Aug 2007 as amended, {kind} commune)",
    ),
    "file_missing": ("fichier introuvable", "file not found"),
    "file_too_large": ("fichier trop gros (au plus {max} octets)", "file too large (at most {max} bytes)"),
    "set_syntax": ("valeur de --set mal formée (YAML) : {detail}", "malformed --set value (YAML): {detail}"),
    "yaml_syntax": (
        "le YAML est mal formé (ligne {line}, colonne {column}) : {detail}",
        "malformed YAML (line {line}, column {column}): {detail}",
    ),
    "not_a_mapping": (
        "le fichier doit contenir des clés (mapping), trouvé {found}",
        "the file must hold keys (a mapping), found {found}",
    ),
    "not_utf8": (
        "ce n'est pas du texte UTF-8 (ligne {line}, colonne {column}) : enregistrez le fichier en UTF-8",
        "this is not UTF-8 text (line {line}, column {column}): save the file as UTF-8",
    ),
    "lone_surrogate": (
        "caractère invalide (demi-caractère Unicode isolé, ligne {line}, colonne {column})",
        "invalid character (a lone Unicode surrogate, line {line}, column {column})",
    ),
    "yaml_alias": (
        "les alias YAML (&nom, *nom) ne sont pas acceptés (ligne {line}, colonne {column})",
        "YAML aliases (&name, *name) are not accepted (line {line}, column {column})",
    ),
    "too_deep": (
        "imbrication trop profonde (au plus {max} niveaux, ligne {line}, colonne {column})",
        "nesting too deep (at most {max} levels, line {line}, column {column})",
    ),
    "duplicate_key": (
        "la clé « {found} » apparaît deux fois (ligne {line}, colonne {column})",
        "the key '{found}' appears twice (line {line}, column {column})",
    ),
    "yaml_value": (
        "une valeur ne peut pas être lue (nombre trop long, date impossible…)",
        "a value cannot be read (number too long, impossible date…)",
    ),
    "empty_file": (
        "le fichier est vide : pour partir d'un scénario fourni, écrivez par exemple "
        "« extends: town.yaml » ({names})",
        "the file is empty: to start from a built-in scenario write for example "
        "'extends: town.yaml' ({names})",
    ),
    "absurd_number": (
        "{found} n'est pas un nombre fini raisonnable (au plus {max} en valeur absolue)",
        "{found} is not a reasonable finite number (at most {max} in absolute value)",
    ),
    "bool_for_number": (
        "« {found} » est un oui/non, un nombre est attendu ici",
        "'{found}' is a yes/no value, a number is expected here",
    ),
    "finite_number": ("{found} n'est pas un nombre fini", "{found} is not a finite number"),
    "extends_builtin_only": (
        "un scénario importé ou partagé ne peut étendre qu'un scénario fourni, par son nom : {names}",
        "an imported or shared scenario may extend only a built-in scenario, by name: {names}",
    ),
    "extends_outside": (
        "extends ne peut nommer qu'un fichier du dossier de ce scénario (ou de ses "
        "sous-dossiers), ou un scénario fourni par son nom : {names}",
        "extends may name only a file in this scenario's folder (or below it), or a "
        "built-in scenario by name: {names}",
    ),
    "extends_missing": (
        "le fichier parent « {found} » est introuvable",
        "the parent file '{found}' was not found",
    ),
    "extends_not_path": (
        "extends doit être un chemin de fichier, trouvé {found}",
        "extends must be a file path, found {found}",
    ),
    "extends_too_deep": ("trop d'extends en chaîne (au plus {max})", "too many chained extends (max {max})"),
    "bad_override_path": (
        "ce chemin de clé n'existe pas ou ne peut pas recevoir de valeur",
        "this key path does not exist or cannot take a value",
    ),
    "multi_services": (
        "un scénario multiservice liste de 2 à 4 services sous « services: » (eau : water, "
        "électricité : electricity), chacun avec son scénario ; trouvé {found}",
        "a multi-service scenario lists 2 to 4 services under 'services:' (water, electricity), "
        "each with its scenario; found {found}",
    ),
    "multi_here": (
        "c'est un scénario multiservice (un bloc « services: ») : il se simule avec regie-sim run "
        "FICHIER ou regie-sim compare FICHIER --against-separate, ou sur la page Comparer "
        "(« Régie multiservice »)",
        "this is a multi-service scenario (a 'services:' block): it runs with regie-sim run FILE or "
        "regie-sim compare FILE --against-separate, or on the Compare page ('Multi-service régie')",
    ),
    "multi_start_year": (
        "les services d'un scénario multiservice commencent la même année : {found} ici, {allowed} "
        "pour le premier service",
        "the services of a multi-service scenario start the same year: {found} here, {allowed} "
        "for the first service",
    ),
    "model_too_large": ("modèle trop grand : {detail}", "model too large: {detail}"),
    "generic": ("{detail}", "{detail}"),
}

_LABELS = {
    "fr": {"file": "fichier", "key": "clé", "problems": "problème(s) dans le scénario"},
    "en": {"file": "file", "key": "key", "problems": "problem(s) in the scenario"},
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where, what kind, and context for the message."""

    file: str
    path: str
    kind: str
    ctx: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "fr") -> str:
        fr, en = _MESSAGES.get(self.kind, _MESSAGES["generic"])
        template = fr if lang == "fr" else en
        ctx = {"found": "", "allowed": "", "limit": "", "detail": self.kind, **self.ctx}
        for key in ("found", "limit"):  # numbers as people write them: « au plus 20 », « 0,5 »
            ctx[key] = _written_number(ctx[key], lang)
        if lang != "fr" and "kind_en" in ctx:
            ctx["kind"] = ctx["kind_en"]
        if lang == "fr" and self.kind == "standing_charge_cap":
            ctx["value"] = str(ctx.get("value", "")).replace(".", ",")
        try:
            return template.format(**ctx)
        except (KeyError, IndexError):
            return f"{self.kind}: {self.ctx}"

    def format(self, lang: str = "fr") -> str:
        lab = _LABELS.get(lang, _LABELS["fr"])
        where = f"{lab['file']} {self.file}"
        if self.path:
            where += f", {lab['key']} {self.path}"
            label = self.ctx.get("label_fr" if lang == "fr" else "label_en")
            if label:  # the parameter as people know it
                where += f" « {label} »" if lang == "fr" else f" ('{label}')"
        return f"{where} : {self.message(lang)}" if lang == "fr" else f"{where}: {self.message(lang)}"


def _written_number(x: Any, lang: str) -> Any:
    """A number of a message in the language's style, with no trailing ``.0`` (pydantic gives
    the bound ``le=20`` as 20.0): ``20``, ``0,5``, ``2026`` and ``500 000`` in French; other values as
    they are."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return x
    text = repr(float(x))
    if "e" in text or "n" in text:  # 1e+300, inf, nan: Python's writing
        return x
    decimals = 0 if float(x).is_integer() else len(text.split(".")[1])
    written = fmt_number(x, lang, decimals)
    if abs(x) < 10_000:  # a year stays 2026, not 2 026
        written = written.replace(",", "") if lang != "fr" else written.replace(THOUSANDS_FR, "")
    return written


class ScenarioError(ValueError):
    """Bad scenario input, with every problem located."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(self.format("en"))

    def format(self, lang: str = "fr") -> str:
        lab = _LABELS.get(lang, _LABELS["fr"])
        head = f"{len(self.problems)} {lab['problems']}"
        return head + "\n" + "\n".join("  - " + p.format(lang) for p in self.problems)


def _loc_to_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            # pydantic puts the model/function names of validators in loc for unions; skip those
            if isinstance(part, str) and part.startswith("function-"):
                continue
            out += ("." if out else "") + str(part)
    return out


def problems_from_validation(exc: ValidationError, origin: str, root: Any) -> list[Problem]:
    """Turn pydantic's errors into located problems, with the allowed keys for unknown ones.

    ``root`` is the model validated (the Scenario): unknown keys are listed against its fields.
    """
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        kind = err.get("type", "generic")
        ctx: dict[str, Any] = {}
        found = err.get("input")
        if kind == "extra_forbidden":
            ctx["found"] = loc[-1] if loc else ""
            ctx["allowed"] = ", ".join(_allowed_keys(root, loc[:-1]))
        else:
            ctx["found"] = found if not isinstance(found, dict | list) else type(found).__name__
        ectx = err.get("ctx") or {}
        for key in ("ge", "le", "gt", "lt"):
            if key in ectx:
                ctx["limit"] = ectx[key]
        if kind == "literal_error":
            ctx["allowed"] = ectx.get("expected", "")
        if kind in ("too_short", "too_long"):
            ctx["found"] = f"{ectx.get('actual_length', '?')}"
        if kind == "value_error":
            detail = str(ectx.get("error", err.get("msg", "")))
            if isinstance(ectx.get("error"), CapError):
                cap = ectx["error"]
                kind = "standing_charge_cap"
                ctx.update(
                    value=f"{cap.value_pct:.1f}",
                    cap=f"{cap.cap_pct:.0f}",
                    kind="urbaine" if cap.urban else "rurale",
                )
                ctx["kind_en"] = "urban" if cap.urban else "rural"
            ctx["detail"] = detail
        path = _loc_to_path(loc)
        if kind == "standing_charge_cap":
            path = "tariff.standing_charge_eur_per_year"
            loc = ("tariff", "standing_charge_eur_per_year")
        if kind != "extra_forbidden":
            ctx.update(field_labels(root, loc))
        problems.append(Problem(origin, path, kind, ctx))
    return problems


def field_labels(model: Any, loc: tuple[Any, ...] | list[Any]) -> dict[str, str]:
    """``{"label_fr": …, "label_en": …}`` of the parameter at ``loc`` below ``model``, or ``{}``."""
    import typing

    from pydantic import BaseModel

    current: Any = model
    field = None
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return {}
        field = current.model_fields.get(part) if isinstance(part, str) else None
        if field is None:
            return {}
        ann = field.annotation
        for _ in range(3):
            args = typing.get_args(ann)
            if not args:
                break
            ann = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), args[-1])
        current = ann
    if field is None or not field.description:
        return {}
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return {"label_en": str(field.description), "label_fr": str(extra.get("desc_fr") or field.description)}


def _allowed_keys(model: Any, loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model reached by following ``loc`` from the Scenario."""
    import typing

    from pydantic import BaseModel

    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        f = current.model_fields.get(part)
        if f is None:
            return []
        ann = f.annotation
        # unwrap tuple[X, ...] / dict[str, X] / X | None
        for _ in range(3):
            args = typing.get_args(ann)
            if not args:
                break
            ann = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), args[-1])
        current = ann
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


class CapError(ValueError):
    """The standing charge exceeds the legal cap; carries the figures for the message."""

    def __init__(self, value_pct: float, cap_pct: float, urban: bool):
        self.value_pct, self.cap_pct, self.urban = value_pct, cap_pct, urban
        super().__init__(
            f"the standing charge is {value_pct:.1f} % of the 120 m3 cost excluding levies; "
            f"the legal cap is {cap_pct:.0f} % ({'urban' if urban else 'rural'} commune)"
        )

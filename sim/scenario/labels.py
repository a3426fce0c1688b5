"""Sources and units of the scenario parameters in the reader's language.

Every parameter declared with :func:`sim.scenario.params.param` carries a ``source`` (a reference such as
"water.md §1.7: …", or "assumption: …") and a ``unit`` ("€/yr", "share", …), written in English in
``sim/scenario.py``. French pages must not show them in English, so their French texts live in two
flat catalogues keyed by the exact English string:

* ``sim/locales/sources_fr.json``:
  ``{"water.md §1.7: 146 L/person/day (…)": "water.md §1.7 : 146 L/personne/jour (…)"}``
* ``sim/locales/units_fr.json``: ``{"€/yr": "€/an", "share": "part", …}``

:func:`source_text` and :func:`unit_text` return the English text as is, and the French text from
these catalogues. A string missing from a French catalogue is a bug: under pytest (or with
``REGIE_SIM_STRICT_I18N=1``, as in :mod:`sim.i18n`) it raises :class:`sim.i18n.MissingTranslation`
(a ``KeyError``); in a live session it falls back to the English text and logs a warning, so a
workshop never stops on a missing source.

A source that starts with "assumption" (see :func:`sim.scenario.params.is_assumption`) is written
"Hypothèse : …" in French, and only those are: :func:`is_assumption_fr` tests the French text.

The strings to translate are those of every service's scenario model (:func:`service_roots`: the water
:class:`~sim.scenario.model.Scenario` and each model of ``SERVICE_MODELS``, such as electricity's).
Adding a parameter with a new source or unit? Run ``python -m sim.scenario.labels`` to list the strings
that still need a French text (``tests/test_i18n_params.py`` fails until they have one).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import typing
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.i18n import MissingTranslation, normalise_lang
from sim.scenario import electricity as _electricity  # noqa: F401  (registers its model in SERVICE_MODELS)
from sim.scenario.model import SERVICE_MODELS, Scenario

ASSUMPTION_FR = "Hypothèse"

_LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"
SOURCES_FR = _LOCALE_DIR / "sources_fr.json"
UNITS_FR = _LOCALE_DIR / "units_fr.json"

_log = logging.getLogger(__name__)
_warned: set[tuple[str, str]] = set()


def _strict() -> bool:
    # same rule as sim.i18n: strict while pytest runs a test, or when asked explicitly
    return bool(os.environ.get("REGIE_SIM_STRICT_I18N") or os.environ.get("PYTEST_CURRENT_TEST"))


def _load(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in data.items()
    ):
        raise ValueError(f"{path.name} must map each English string to a non-empty French string")
    return data


@cache
def sources_fr() -> dict[str, str]:
    """The French catalogue of parameter sources (English source -> French source), read once."""
    return _load(SOURCES_FR)


@cache
def units_fr() -> dict[str, str]:
    """The French catalogue of parameter units (English unit -> French unit), read once."""
    return _load(UNITS_FR)


def _lookup(text: str, lang: str, table: dict[str, str], what: str, file: str) -> str:
    if normalise_lang(lang) != "fr" or not text:
        return text
    found = table.get(text)
    if found is not None:
        return found
    if _strict():
        raise MissingTranslation(f"no French {what} for {text!r} in {file}")
    if (what, text) not in _warned:
        _warned.add((what, text))
        _log.warning("no French %s for %r in %s; showing the English text", what, text, file)
    return text


def source_text(source: str, lang: str) -> str:
    """The parameter source ``source`` (as written in ``sim/scenario.py``) in ``lang``.

    Raises
    ------
    MissingTranslation
        Under tests, when ``lang`` is French and ``source`` has no French text.
    """
    return _lookup(source, lang, sources_fr(), "source", SOURCES_FR.name)


def unit_text(unit: str, lang: str) -> str:
    """The parameter unit ``unit`` (as written in ``sim/scenario.py``) in ``lang``.

    An empty unit stays empty in every language.

    >>> unit_text("€/yr", "fr"), unit_text("€/yr", "en")
    ('€/an', '€/yr')
    """
    return _lookup(unit, lang, units_fr(), "unit", UNITS_FR.name)


def is_assumption_fr(text: str) -> bool:
    """True when a French source text says it is an assumption ("Hypothèse …")."""
    return text.strip().startswith(ASSUMPTION_FR)


# ------------------------------------------------------------------------------------------
# the strings to translate: walk the Scenario schema
# ------------------------------------------------------------------------------------------
def _models_in(annotation: object) -> Iterator[type[BaseModel]]:
    """Pydantic models named by ``annotation``, including inside dict, tuple, Optional, Union."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def iter_fields(
    root: type[BaseModel] | None = None,
) -> Iterator[tuple[type[BaseModel], str, FieldInfo]]:
    """Every field of ``root`` (default :class:`sim.scenario.model.Scenario`) and of every model reachable
    from it (nested blocks, and models inside dicts and tuples such as ``Material`` or ``Shock``),
    each model once."""
    if root is None:
        root = Scenario
    seen: set[type[BaseModel]] = set()
    todo = [root]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            yield model, name, field
            todo.extend(_models_in(field.annotation))


def _extra(field: FieldInfo, key: str) -> str | None:
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    value = extra.get(key)
    return str(value) if value is not None else None


def schema_sources(root: type[BaseModel] | None = None) -> set[str]:
    """Every distinct non-empty ``source`` string of the schema."""
    return {s for _, _, f in iter_fields(root) if (s := _extra(f, "source"))}


def schema_units(root: type[BaseModel] | None = None) -> set[str]:
    """Every distinct non-empty ``unit`` string of the schema (an empty unit needs no text)."""
    return {u for _, _, f in iter_fields(root) if (u := _extra(f, "unit"))}


def service_roots() -> tuple[type[BaseModel], ...]:
    """The scenario model of every service: the water :class:`~sim.scenario.model.Scenario` first, then
    each model registered in ``SERVICE_MODELS`` (electricity's), each once."""
    return tuple(dict.fromkeys([Scenario, *SERVICE_MODELS.values()]))


def missing_fr(roots: typing.Iterable[type[BaseModel]] | None = None) -> dict[str, list[str]]:
    """Sources and units without a French text in the schemas of ``roots`` (default: every service's,
    :func:`service_roots`), sorted."""
    models = service_roots() if roots is None else tuple(roots)
    sources = set().union(*(schema_sources(r) for r in models))
    units = set().union(*(schema_units(r) for r in models))
    return {
        "sources": sorted(sources - sources_fr().keys()),
        "units": sorted(units - units_fr().keys()),
    }


def main() -> int:
    """Print the strings of every service's schema still to translate (as JSON); exit status 1 if there
    are any."""
    missing = missing_fr()
    json.dump(missing, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 1 if missing["sources"] or missing["units"] else 0


if __name__ == "__main__":
    raise SystemExit(main())

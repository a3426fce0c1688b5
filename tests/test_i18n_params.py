"""French sources and units of the scenario parameters (``sim/i18n_params.py``).

The schema is walked here on its own (every field of every model reachable from ``Scenario``,
including models inside dicts and tuples), so adding a parameter whose ``source`` or ``unit`` has no
French text in ``sim/locales/sources_fr.json`` / ``units_fr.json`` fails this file. To list what is
missing: ``python -m sim.scenario.labels``.
"""

from __future__ import annotations

import logging
import re
import typing

import pytest
from pydantic import BaseModel

from sim.i18n import MissingTranslation
from sim.scenario import labels as i18n_params
from sim.scenario.labels import is_assumption_fr, source_text, sources_fr, unit_text, units_fr
from sim.scenario.model import Scenario
from sim.scenario.params import is_assumption

# French entries allowed to equal their English text: pure references, numbers and unit symbols.
SAME_SOURCES = {
    "water.md §2.3 (biens de retour)",  # a section reference and a French legal term
}
SAME_UNITS = {"%", "1/%", "€", "€/km", "€/m3", "h", "km", "m", "m3", "m3/h", "×"}

# models held inside dicts and tuples, which a walk of the direct sub-blocks alone would miss
NESTED = {"Material", "Cohort", "UsageRule", "TariffBlock", "Shock", "LoggedDecision"}


def _models(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def _walk() -> tuple[set[str], set[str], set[str]]:
    """(model names, sources, non-empty units) of every field reachable from Scenario."""
    seen: set[type[BaseModel]] = set()
    sources: set[str] = set()
    units: set[str] = set()

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for field in model.model_fields.values():
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            if extra.get("source"):
                sources.add(str(extra["source"]))
            if extra.get("unit"):
                units.add(str(extra["unit"]))
            for sub in _models(field.annotation):
                visit(sub)

    visit(Scenario)
    return {m.__name__ for m in seen}, sources, units


MODELS, SOURCES, UNITS = _walk()


def test_walk_reaches_nested_models() -> None:
    assert NESTED <= MODELS, NESTED - MODELS
    assert i18n_params.schema_sources() == SOURCES
    assert i18n_params.schema_units() == UNITS


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_every_source_has_french(source: str) -> None:
    assert source in sources_fr(), f"add its French text to sim/locales/sources_fr.json: {source!r}"


@pytest.mark.parametrize("unit", sorted(UNITS))
def test_every_unit_has_french(unit: str) -> None:
    assert unit in units_fr(), f"add its French text to sim/locales/units_fr.json: {unit!r}"


def test_no_stale_entries() -> None:
    """Entries whose English string left the schema are dead text; remove them."""
    assert set(sources_fr()) - SOURCES == set()
    assert set(units_fr()) - UNITS == set()


def test_assumptions_are_hypotheses_and_only_them() -> None:
    for en, fr in sources_fr().items():
        assert is_assumption_fr(fr) == is_assumption(en), (en, fr)
        if is_assumption(en):
            assert fr.startswith("Hypothèse"), fr


def test_french_differs_from_english_unless_allowed() -> None:
    same_sources = {en for en, fr in sources_fr().items() if fr == en}
    same_units = {en for en, fr in units_fr().items() if fr == en}
    assert same_sources == SAME_SOURCES & set(sources_fr())
    assert same_units == SAME_UNITS & set(units_fr())


def test_french_numbers_use_a_decimal_comma() -> None:
    for fr in [*sources_fr().values(), *units_fr().values()]:
        # "P154.0" (a SISPEA indicator), "§1.7" and "art. 15" are references, not decimals
        text = re.sub(r"P\d+\.\d|§\d+(\.\d+)?|\w+\.md", "", fr)
        assert not re.search(r"\d\.\d", text), fr
        assert not re.search(r"\d,\d{3}\b", text), fr  # no English thousands separator


def test_unit_and_source_text() -> None:
    assert unit_text("€/yr", "fr") == "€/an"
    assert unit_text("€/yr", "en") == "€/yr"
    assert unit_text("L/person/day", "fr") == "L/personne/jour"
    assert unit_text("", "fr") == ""
    src = "water.md §1.7: 146 L/person/day (SDES/OFB, 2017 data)"
    assert source_text(src, "en") == src
    assert source_text(src, "fr") == "water.md §1.7 : 146 L/personne/jour (SDES/OFB, données 2017)"
    assert source_text("assumption", "fr") == "Hypothèse"


def test_missing_raises_under_pytest() -> None:
    with pytest.raises(KeyError):
        source_text("a source nobody translated", "fr")
    with pytest.raises(MissingTranslation):
        unit_text("furlongs/fortnight", "fr")
    assert unit_text("furlongs/fortnight", "en") == "furlongs/fortnight"


def test_missing_falls_back_to_english_live(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    monkeypatch.delenv("REGIE_SIM_STRICT_I18N", raising=False)
    monkeypatch.setattr(i18n_params, "_warned", set())  # each missing string is logged once
    with caplog.at_level(logging.WARNING, logger="sim.scenario.labels"):
        assert source_text("a source nobody translated", "fr") == "a source nobody translated"
        assert unit_text("furlongs/fortnight", "fr") == "furlongs/fortnight"
    assert "a source nobody translated" in caplog.text and "furlongs/fortnight" in caplog.text


def test_nothing_missing() -> None:
    assert i18n_params.missing_fr() == {"sources": [], "units": []}

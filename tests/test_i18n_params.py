"""French sources and units of the scenario parameters (``sim/scenario/labels.py``).

The schema of every service is walked here on its own (every field of every model reachable from the
water ``Scenario`` and from each model of ``SERVICE_MODELS``, such as ``ElectricityScenario``,
including models inside dicts and tuples), so adding a parameter of either service whose ``source`` or
``unit`` has no French text in ``sim/locales/sources_fr.json`` / ``units_fr.json`` fails this file. To
list what is missing: ``python -m sim.scenario.labels``.
"""

from __future__ import annotations

import logging
import re
import typing

import pytest
from pydantic import BaseModel

from sim.i18n import MissingTranslation
from sim.scenario import labels as i18n_params
from sim.scenario.electricity import ElectricityScenario
from sim.scenario.labels import is_assumption_fr, source_text, sources_fr, unit_text, units_fr
from sim.scenario.model import SERVICE_MODELS, Scenario
from sim.scenario.params import is_assumption

# French entries allowed to equal their English text: pure references, numbers and unit symbols.
SAME_SOURCES = {
    "water.md §2.3 (biens de retour)",  # a section reference and a French legal term
}
SAME_UNITS = {
    "%",
    "1/%",
    "€",
    "€/km",
    "€/m3",
    "h",
    "km",
    "m",
    "m3",
    "m3/h",
    "×",
    "TWh",
    "kVA",
    "kW",
    "min",
    "°C",
    "€/MWh",
    "€/kWh",
}

#: the scenario model of every service, by service name: the water Scenario and each registered model
ROOTS: dict[str, type[BaseModel]] = {"water": Scenario, **SERVICE_MODELS}

# models each walk must reach: those held inside dicts and tuples, which a walk of the direct
# sub-blocks alone would miss, and electricity's own blocks (nested ones too, as tariff.social)
NESTED = {
    "water": {"Material", "Cohort", "UsageRule", "TariffBlock", "Shock", "LoggedDecision"},
    "electricity": {
        "ElectricityHouseholds",
        "ElectricityTariff",
        "ElectricitySocial",
        "CostStack",
        "ElectricityNetwork",
        "Supply",
        "EnergyPoverty",
        "ElectricityFinance",
        "ElectricityBilling",
        "LocalProduction",
        "Shock",
        "ElectricityLoggedDecision",  # its room's variants are electricity tariffs
        "ElectricityCommittee",
    },
}


def _models(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def _walk(root: type[BaseModel]) -> tuple[set[str], set[str], set[str]]:
    """(model names, sources, non-empty units) of every field reachable from ``root``."""
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

    visit(root)
    return {m.__name__ for m in seen}, sources, units


WALKS = {service: _walk(root) for service, root in ROOTS.items()}
MODELS = {service: walk[0] for service, walk in WALKS.items()}
SOURCES = {service: walk[1] for service, walk in WALKS.items()}
UNITS = {service: walk[2] for service, walk in WALKS.items()}
#: every service's strings together: an entry is stale only when no service uses it
ALL_SOURCES = set().union(*SOURCES.values())
ALL_UNITS = set().union(*UNITS.values())


def test_every_service_is_walked() -> None:
    assert set(ROOTS) == {"water", "electricity"}, "a new service: add its NESTED models here"
    assert ROOTS["electricity"] is ElectricityScenario
    assert set(i18n_params.service_roots()) == set(ROOTS.values())
    assert i18n_params.service_roots()[0] is Scenario


@pytest.mark.parametrize("service", sorted(ROOTS))
def test_walk_reaches_nested_models(service: str) -> None:
    root = ROOTS[service]
    assert NESTED[service] <= MODELS[service], NESTED[service] - MODELS[service]
    assert i18n_params.schema_sources(root) == SOURCES[service]
    assert i18n_params.schema_units(root) == UNITS[service]
    assert {m.__name__ for m, _, _ in i18n_params.iter_fields(root)} == MODELS[service]


def test_each_service_has_strings_of_its_own() -> None:
    """Electricity's walk adds its own sources and units: checking water's alone would miss them."""
    assert SOURCES["electricity"] - SOURCES["water"], "the electricity walk found no source of its own"
    assert UNITS["electricity"] - UNITS["water"], "the electricity walk found no unit of its own"
    assert (
        "electricity.md §3.1: 39 % of households heated with electricity (RTE 2015)" in SOURCES["electricity"]
    )
    assert "€/kWh" in UNITS["electricity"]


@pytest.mark.parametrize(
    ("service", "source"), [(service, s) for service in sorted(SOURCES) for s in sorted(SOURCES[service])]
)
def test_every_source_has_french(service: str, source: str) -> None:
    assert source in sources_fr(), f"add its French text to sim/locales/sources_fr.json: {source!r}"


@pytest.mark.parametrize(
    ("service", "unit"), [(service, u) for service in sorted(UNITS) for u in sorted(UNITS[service])]
)
def test_every_unit_has_french(service: str, unit: str) -> None:
    assert unit in units_fr(), f"add its French text to sim/locales/units_fr.json: {unit!r}"


def test_no_stale_entries() -> None:
    """Entries whose English string left every service's schema are dead text; remove them."""
    assert set(sources_fr()) - ALL_SOURCES == set()
    assert set(units_fr()) - ALL_UNITS == set()


@pytest.mark.parametrize("service", sorted(ROOTS))
def test_assumptions_are_hypotheses_and_only_them(service: str) -> None:
    for en in sorted(SOURCES[service] & set(sources_fr())):  # a missing one fails its own test above
        fr = sources_fr()[en]
        assert is_assumption_fr(fr) == is_assumption(en), (en, fr)
        if is_assumption(en):
            assert fr.startswith("Hypothèse"), fr


def test_french_differs_from_english_unless_allowed() -> None:
    same_sources = {en for en, fr in sources_fr().items() if fr == en}
    same_units = {en for en, fr in units_fr().items() if fr == en}
    assert same_sources == SAME_SOURCES & set(sources_fr())
    assert same_units == SAME_UNITS & set(units_fr())


@pytest.mark.parametrize("service", sorted(ROOTS))
def test_french_numbers_use_a_decimal_comma(service: str) -> None:
    # a string without French fails its own test above
    texts = [sources_fr()[s] for s in sorted(SOURCES[service]) if s in sources_fr()]
    texts += [units_fr()[u] for u in sorted(UNITS[service]) if u in units_fr()]
    for fr in texts:
        # "P154.0" (a SISPEA indicator), "§1.7" and "art. 15" are references, not decimals
        text = re.sub(r"P\d+\.\d|§\d+(\.\d+)?|\w+\.md", "", fr)
        assert not re.search(r"\d\.\d", text), fr
        # no English thousands separator ("1,000"); "0,476" is a French decimal, not a thousand
        assert not re.search(r"(?<![\d,])[1-9]\d{0,2},\d{3}\b", text), fr


def test_the_number_check_catches_english_numbers() -> None:
    """The patterns above flag English decimals and thousands and pass French ones."""
    thousands = r"(?<![\d,])[1-9]\d{0,2},\d{3}\b"
    assert re.search(thousands, "4,293 km") and re.search(thousands, "sur 913,611 interventions")
    assert not re.search(thousands, "10,7 / 22,5 = 0,476") and not re.search(thousands, "4 293 km")
    assert re.search(r"\d\.\d", "25.16 c€") and not re.search(r"\d\.\d", "25,16 c€")


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


@pytest.mark.parametrize("service", sorted(ROOTS))
def test_nothing_missing(service: str) -> None:
    assert i18n_params.missing_fr([ROOTS[service]]) == {"sources": [], "units": []}
    assert i18n_params.missing_fr() == {"sources": [], "units": []}


def test_missing_fr_covers_electricity(monkeypatch: pytest.MonkeyPatch) -> None:
    """A French text taken out of an electricity-only source or unit shows in missing_fr() and main()."""
    source = "electricity.md §4.1: ONPE TEE, the three lowest deciles"
    unit = "storms/yr"
    assert (
        source in SOURCES["electricity"] - SOURCES["water"] and unit in UNITS["electricity"] - UNITS["water"]
    )
    monkeypatch.setattr(
        i18n_params, "sources_fr", lambda: {k: v for k, v in sources_fr().items() if k != source}
    )
    monkeypatch.setattr(i18n_params, "units_fr", lambda: {k: v for k, v in units_fr().items() if k != unit})
    assert i18n_params.missing_fr() == {"sources": [source], "units": [unit]}
    assert i18n_params.missing_fr([Scenario]) == {"sources": [], "units": []}
    assert i18n_params.main() == 1

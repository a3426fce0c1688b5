"""A multi-service scenario: one operator runs several services (water and electricity) and shares
crews, overheads and billing between them.

The file lists each service's own scenario under ``services:`` (usually ``extends:`` of a shipped
one, plus a few changes) and says what is shared under ``shared:``::

    service: multi
    horizon_years: 30
    seed: 1
    services:
      water: {extends: regie.yaml}
      electricity: {extends: electricity/regie.yaml}
    shared:
      crews: true
      overheads_pooled: true
      overhead_saving_pct: 10
      one_bill: true
      bill_cost_eur: 3
      split_key: overheads

Each service's scenario goes through the one loader (:mod:`sim.scenario.loader`: limits,
``extends:`` only within the file's folder tree or the shipped scenarios, and only the shipped ones
for text from outside) and is validated by its own model; its errors are located at
``services.<name>.<key path>``. ``horizon_years`` and ``seed`` of the file apply to every service
(one clock, one seed), and the services must start the same year.

The numbers of ``shared:`` are assumptions: the project's reference files give no figure for the
overheads a multi-service operator saves or for the cost of one bill (docs/multiservice.en.md).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from sim.scenario import loader
from sim.scenario.errors import Problem, ScenarioError, problems_from_validation
from sim.scenario.model import (
    MAX_HORIZON_YEARS,
    SERVICE_MODELS,
    Block,
    Scenario,
    _with_defaults,
    apply_overrides,
    scenario_from_dict,
)
from sim.scenario.params import param

#: the ``service`` key of a multi-service scenario
MULTI = "multi"
#: how many services a multi-service scenario may list
MAX_SERVICES = 4


def known_services() -> tuple[str, ...]:
    """Service names a multi-service scenario may list (water, and every registered model)."""
    return ("water", *sorted(SERVICE_MODELS))


class Shared(Block):
    """What the services of one operator share."""

    crews: bool = param(
        True,
        desc="One crew pool takes every service's incidents (each service keeps paying its own crews)",
        desc_fr="Un seul ensemble d'équipes prend les incidents de tous les services (chaque service "
        "continue de payer ses équipes)",
        source="scenario (issue 12: shared crews)",
    )
    overheads_pooled: bool = param(
        True,
        desc="Overheads (administration, customer service, billing) pooled and split between the "
        "services' budgets by the split key",
        desc_fr="Frais généraux (administration, accueil, facturation) mis en commun et répartis entre "
        "les budgets des services selon la clé de répartition",
        source="scenario (issue 12: shared overheads)",
    )
    overhead_saving_pct: float = param(
        10.0,
        unit="%",
        ge=0,
        le=50,
        desc="Share of the pooled overheads saved by running the services together (after the bills saved)",
        desc_fr="Part des frais généraux mis en commun économisée en gérant les services ensemble "
        "(après les factures économisées)",
        source="assumption: the reference files give no figure (water.md §2.1 names billing and "
        "customer service among a régie's savings, without a share); sensitivity range 0-20 %",
    )
    one_bill: bool = param(
        True,
        desc="One bill for a household served by every service, in the months they all bill",
        desc_fr="Une seule facture pour un ménage desservi par tous les services, les mois où tous facturent",
        source="scenario (issue 12: one billing system)",
    )
    bill_cost_eur: float = param(
        3.0,
        unit="€/bill",
        ge=0,
        le=50,
        desc="Cost of one bill (printing, sending, collecting, answering), first year's euros; "
        "part of each service's overheads",
        desc_fr="Coût d'une facture (édition, envoi, encaissement, réponses), euros de la première "
        "année ; compris dans les frais généraux de chaque service",
        source="assumption: the reference files give no figure; sensitivity range 1-8 €",
    )
    households_served_by_all_pct: float = param(
        100.0,
        unit="%",
        ge=0,
        le=100,
        desc="Households served by every service, as a share of the smallest service's households",
        desc_fr="Ménages desservis par tous les services, en part des ménages du plus petit service",
        source="assumption: one town, one operator: every household takes both services",
    )
    split_key: Literal["overheads", "customers", "revenue", "fte"] = param(
        "overheads",
        desc="How pooled overheads are split between the services' budgets: in proportion to their "
        "own overheads, customers, or revenue or staff (FTE) of the year before last",
        desc_fr="Répartition des frais généraux mis en commun entre les budgets des services : au "
        "prorata de leurs propres frais généraux, des clients, ou des recettes ou des effectifs (ETP) "
        "de l'avant-dernière année",
        source="scenario: each service keeps its own budget (an annexed budget, electricity.md §1.2); "
        "the key is the operator's choice",
    )


class MultiServiceSpec(Block):
    """The top of a multi-service file, its ``services:`` left aside (validated one by one)."""

    service: Literal["multi"] = param(
        MULTI, desc="A multi-service scenario", desc_fr="Scénario multiservice", source="scenario"
    )
    name: str = param(
        "Régie multiservice", desc="Name of the operator", desc_fr="Nom de l'opérateur", source="scenario"
    )
    horizon_years: int = param(
        30,
        unit="yr",
        ge=1,
        le=MAX_HORIZON_YEARS,
        desc="Years simulated (every service)",
        desc_fr="Années simulées (tous les services)",
        source="scenario",
    )
    seed: int = param(
        1,
        ge=0,
        le=2**63 - 1,
        desc="Random seed (every service)",
        desc_fr="Graine aléatoire",
        source="scenario",
    )
    shared: Shared = param(Shared, desc="What is shared", desc_fr="Ce qui est partagé", source="see fields")


@dataclass(frozen=True)
class MultiServiceScenario:
    """A validated multi-service scenario: the top (:class:`MultiServiceSpec`) and each service's
    own validated scenario, by service name, in the file's order."""

    spec: MultiServiceSpec
    services: dict[str, Any] = field(default_factory=dict)

    @property
    def shared(self) -> Shared:
        return self.spec.shared

    @property
    def seed(self) -> int:
        return self.spec.seed

    def households_served_by_all(self) -> float:
        """Households that take every service (of the smallest service's households)."""
        smallest = min(s.households.count for s in self.services.values())
        return smallest * self.spec.shared.households_served_by_all_pct / 100.0

    def bills_saved_per_household_year(self) -> float:
        """Bills a household served by every service no longer receives in a year: in the months
        every service bills (one in lcm of their intervals), one bill instead of one per service."""
        intervals = [int(s.billing.interval_months) for s in self.services.values()]
        common = math.lcm(*intervals)
        return (len(intervals) - 1) * 12.0 / common if common <= 12 else 0.0

    def with_seed(self, seed: int) -> MultiServiceScenario:
        """A copy whose seed (and every service's) is ``seed``."""
        spec = self.spec.model_copy(update={"seed": seed})
        services = {n: s.model_copy(update={"seed": seed}) for n, s in self.services.items()}
        return MultiServiceScenario(spec, services)

    def with_shared(self, **changes: Any) -> MultiServiceScenario:
        """A copy with ``shared`` changed (validated)."""
        data = self.spec.model_dump(mode="json")
        data["shared"].update(changes)
        spec = _validate_spec(data, "<with_shared>")
        return MultiServiceScenario(spec, dict(self.services))


def is_multiservice(data: Any) -> bool:
    """True for the mapping of a multi-service scenario, known by its content: a ``services:``
    block (or ``service: multi``)."""
    return loader.is_multiservice_data(data)


def is_multiservice_file(path: str | Path) -> bool:
    """True when the file at ``path`` is a multi-service scenario (read through the one loader;
    a file that cannot be read is not one)."""
    try:
        return is_multiservice(loader.parse_yaml(loader.read_file(Path(path), str(path)), str(path)))
    except ScenarioError:
        return False


def _validate_spec(data: Mapping[str, Any], origin: str) -> MultiServiceSpec:
    problems = loader.check_values(data, origin, MultiServiceSpec)
    if problems:
        raise ScenarioError(problems)
    try:
        return MultiServiceSpec.model_validate(dict(data))
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, origin, MultiServiceSpec)) from None


def _located(err: ScenarioError, prefix: str) -> ScenarioError:
    """The problems of one service's scenario, located under ``services.<name>``."""
    return ScenarioError(
        [Problem(p.file, f"{prefix}.{p.path}" if p.path else prefix, p.kind, p.ctx) for p in err.problems]
    )


def multi_from_dict(
    data: Mapping[str, Any],
    origin: str,
    base: Path | str,
    overrides: Mapping[str, Any] | None = None,
) -> MultiServiceScenario:
    """Validate a multi-service mapping (its top ``extends:`` already resolved).

    ``base`` is the file the services' ``extends:`` are read from (a path on disk, or a name such
    as ``"<upload>"`` for text, which may extend only the shipped scenarios). ``overrides`` are
    dotted paths: ``services.water.households.count`` changes one service, any other path the top.
    """
    if not isinstance(data, Mapping):
        raise ScenarioError([Problem(origin, "", "not_a_mapping", {"found": type(data).__name__})])
    if not is_multiservice(data):  # a one-service scenario: say so, not its every key
        found = loader._short(str(data.get("service", "water")))
        raise ScenarioError([Problem(origin, "service", "literal_error", {"found": found, "allowed": MULTI})])
    top = {k: v for k, v in data.items() if k != "services"}
    own: dict[str, dict[str, Any]] = {}
    for dotted, value in (overrides or {}).items():
        parts = dotted.split(".", 2)
        if parts[0] == "services" and len(parts) == 3:
            own.setdefault(parts[1], {})[parts[2]] = value
        else:
            top = apply_overrides(_with_defaults_spec(top), {dotted: value}, origin)
    spec = _validate_spec(top, origin)
    raw = data.get("services")
    allowed = known_services()
    if not isinstance(raw, Mapping):
        found = type(raw).__name__ if raw is not None else ""
        raise ScenarioError([Problem(origin, "services", "multi_services", {"found": found})])
    names = list(raw)
    bad = [n for n in names if n not in allowed]
    if bad:
        found = loader._short(str(bad[0]))
        ctx = {"found": found, "allowed": ", ".join(allowed)}
        raise ScenarioError([Problem(origin, f"services.{found}", "literal_error", ctx)])
    if not 2 <= len(names) <= MAX_SERVICES:
        raise ScenarioError([Problem(origin, "services", "multi_services", {"found": str(len(names))})])
    for name in own:
        if name not in names:
            raise ScenarioError([Problem(origin, f"services.{name}", "bad_override_path", {})])
    services: dict[str, Any] = {}
    for name in names:
        where = f"services.{name}"
        sub = raw[name]
        if not isinstance(sub, Mapping):
            raise ScenarioError([Problem(origin, where, "model_type", {"found": type(sub).__name__})])
        try:
            sub = loader.resolve_extends(dict(sub), base)
            if sub.get("service", name) != name:
                found = loader._short(str(sub.get("service")))
                raise ScenarioError(
                    [Problem(origin, "service", "literal_error", {"found": found, "allowed": name})]
                )
            sub = {**copy.deepcopy(sub), "service": name}
            if own.get(name):
                sub = apply_overrides(_with_defaults(sub), own[name], origin)
            sub["horizon_years"] = spec.horizon_years  # one clock, one seed
            sub["seed"] = spec.seed
            services[name] = scenario_from_dict(sub, origin)
        except ScenarioError as err:
            raise _located(err, where) from None
    years = {n: s.town.start_year for n, s in services.items()}
    first = names[0]
    for name in names[1:]:
        if years[name] != years[first]:
            raise ScenarioError(
                [
                    Problem(
                        origin,
                        f"services.{name}.town.start_year",
                        "multi_start_year",
                        {"found": str(years[name]), "allowed": str(years[first])},
                    )
                ]
            )
    return MultiServiceScenario(spec, services)


def _with_defaults_spec(data: dict[str, Any]) -> dict[str, Any]:
    return loader.deep_merge(MultiServiceSpec().model_dump(mode="json"), data)


def load_multiservice(path: str | Path, overrides: Mapping[str, Any] | None = None) -> MultiServiceScenario:
    """Load a multi-service scenario file (its ``extends:`` within its folder tree or the shipped
    scenarios); located, bilingual errors as :func:`sim.scenario.model.load_scenario`."""
    p = Path(path)
    data = loader.read_mapping(p, str(p))
    return multi_from_dict(data, str(p), p, overrides)


def loads_multiservice(
    text: str | bytes, origin: str = "<upload>", overrides: Mapping[str, Any] | None = None
) -> MultiServiceScenario:
    """Load a multi-service scenario from text (an upload, a link): every ``extends:`` may name
    only a shipped scenario."""
    data = loader.read_mapping(text if isinstance(text, bytes) else str(text), origin)
    return multi_from_dict(data, origin, origin, overrides)


def service_scenario(ms: MultiServiceScenario, name: str) -> Scenario:
    """One service's validated scenario (typed as the water model: the engine reads it so)."""
    s: Scenario = ms.services[name]
    return s

"""regie-sim: a participatory simulator of a local water service (régie).

Public API: load a scenario, simulate it, compare regimes. Everything the CLI and the dashboard do
goes through these names.
"""

from sim._version import __version__
from sim.core.result import Result
from sim.experiments.compare import compare
from sim.experiments.ensemble import compare_many, sensitivity, simulate_many, sweep
from sim.experiments.run import simulate
from sim.scenario.errors import ScenarioError
from sim.scenario.model import (
    Scenario,
    dumps_scenario,
    load_scenario,
    loads_scenario,
    save_scenario,
    scale_town,
    with_changes,
)

__all__ = [
    "__version__",
    "Result",
    "compare",
    "compare_many",
    "sensitivity",
    "simulate_many",
    "sweep",
    "Scenario",
    "ScenarioError",
    "dumps_scenario",
    "load_scenario",
    "loads_scenario",
    "save_scenario",
    "scale_town",
    "simulate",
    "with_changes",
]

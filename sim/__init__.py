"""regie-sim: a participatory simulator of a local water service (régie).

Public API: load a scenario, simulate it, compare regimes. Everything the CLI and the dashboard do
goes through these names.
"""

from sim.compare import compare
from sim.engine import simulate
from sim.ensemble import compare_many, sensitivity, simulate_many, sweep
from sim.errors import ScenarioError
from sim.result import Result
from sim.scenario import (
    Scenario,
    dumps_scenario,
    load_scenario,
    loads_scenario,
    save_scenario,
    scale_town,
    with_changes,
)

__all__ = [
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
__version__ = "0.1.0"

"""Shared fixtures of the test suite.

The model tests (``test_model_*.py``) build their scenarios with :mod:`strategies` (small towns and
Hypothesis strategies); the fixtures here are the few things several files load.
"""

from __future__ import annotations

import pytest
from strategies import BASE_TOWN

from sim import Scenario, load_scenario


@pytest.fixture(scope="session")
def base_town() -> Scenario:
    """The shipped base town, ``scenarios/town.yaml``, as written (30 years, 20,000 households)."""
    return load_scenario(BASE_TOWN)


@pytest.fixture(autouse=True)
def _keep_main_module():
    """Streamlit's AppTest runs page scripts as ``__main__`` and can leave one behind; a process
    pool started later (spawn) would then re-run that script in its workers. Restore it."""
    import sys

    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main

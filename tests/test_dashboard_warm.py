"""The server's warm-up (:mod:`sim.dashboard.warm`): once it has run, the first visitor of the
Explorer, Compare and Remunicipalisation pages waits for no model run."""

from __future__ import annotations

import apptest
import pytest

from sim.dashboard import common, explain_panel, share, warm

pytestmark = pytest.mark.slow


def test_not_started_under_pytest() -> None:
    assert not warm.enabled()
    assert warm.start() is None


@pytest.mark.parametrize(
    "page",
    ["sim/dashboard/explorer.py", "sim/dashboard/compare.py", "sim/dashboard/remunicipalisation.py"],
)
def test_after_the_warm_up_a_first_visit_runs_nothing(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = apptest.open_page("sim/dashboard/home.py", None, 300)  # the app's runtime and caches
    warm.run_all()

    def no_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the page ran the model again")

    monkeypatch.setattr(share, "simulate", no_run)  # the Explorer's runs
    monkeypatch.setattr(share, "compare", no_run)  # Compare's
    monkeypatch.setattr(explain_panel, "explain", no_run)  # the gap's decomposition
    monkeypatch.setattr(common, "simulate", no_run)  # Remunicipalisation's (cached_simulate)
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.get("plotly_chart")

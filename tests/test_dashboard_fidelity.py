"""Issue 11: the dashboard never changes what the user gave it.

An imported scenario fills the Explorer's widgets, and what runs, what is shown and what is shared
are that scenario, before and after « Simuler ». The "Number of households" widget scales the
whole town exactly as ``--households`` does (:func:`sim.scale_town`).
"""

from __future__ import annotations

import pytest
from test_dashboard_explorer import PRICE, current, open_app, price_value, upload

from sim import Scenario
from sim.dashboard import explorer, share

IMPORT = (b"extends: town.yaml\nhorizon_years: 3\nhouseholds:\n  count: 2000\n"
          b"tariff:\n  standing_charge_eur_per_year: 90\n"
          b"  blocks:\n    - {price_eur_per_m3: 1.80}\n")


@pytest.fixture(scope="module")
def small() -> Scenario:
    return share.apply_changes(share.load_preset("town"), {"households.count": 2000,
                                                           "horizon_years": 3}, "test")


def test_an_import_fills_the_widgets_and_runs_as_imported(small: Scenario) -> None:
    at = upload(open_app(small), "mine.yaml", IMPORT)
    imported = share.scenario_from_upload(IMPORT, "mine.yaml", "fr")
    assert current(at) == imported
    assert at.number_input(key=explorer.widget_key(PRICE)).value == pytest.approx(1.80)
    assert at.number_input(key=explorer.widget_key("tariff.standing_charge_eur_per_year")
                           ).value == pytest.approx(90.0)
    shown = price_value(at)
    at.button(key="explorer_run").click().run()  # « Simuler » without touching anything
    assert not at.exception
    assert current(at) == imported  # what runs
    assert price_value(at) == pytest.approx(shown)  # what is shown
    link = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert share.scenario_from_link(link, "fr") == imported  # what is shared

"""Issue 11: the dashboard never changes what the user gave it.

An imported scenario fills the Explorer's widgets, and what runs, what is shown and what is shared
are that scenario, before and after « Simuler ». The "Number of households" widget scales the
whole town exactly as ``--households`` does (:func:`sim.scale_town`).
"""

from __future__ import annotations

import pytest
from test_dashboard_explorer import PRICE, current, open_app, price_value, upload

from sim import Scenario, load_scenario, scale_town
from sim.dashboard import common, explorer, share

# pages run through Streamlit's AppTest: the slow tier
pytestmark = pytest.mark.slow

IMPORT = (
    b"extends: town.yaml\nhorizon_years: 3\nhouseholds:\n  count: 2000\n"
    b"tariff:\n  standing_charge_eur_per_year: 90\n"
    b"  blocks:\n    - {price_eur_per_m3: 1.80}\n"
)


@pytest.fixture(scope="module")
def small() -> Scenario:
    return share.apply_changes(
        share.load_preset("town"), {"households.count": 2000, "horizon_years": 3}, "test"
    )


def test_an_import_fills_the_widgets_and_runs_as_imported(small: Scenario) -> None:
    at = upload(open_app(small), "mine.yaml", IMPORT)
    imported = share.scenario_from_upload(IMPORT, "mine.yaml", "fr")
    assert current(at) == imported
    assert at.number_input(key=explorer.widget_key(PRICE)).value == pytest.approx(1.80)
    assert at.number_input(
        key=explorer.widget_key("tariff.standing_charge_eur_per_year")
    ).value == pytest.approx(90.0)
    shown = price_value(at)
    at.button(key="explorer_run").click().run()  # « Simuler » without touching anything
    assert not at.exception
    assert current(at) == imported  # what runs
    assert price_value(at) == pytest.approx(shown)  # what is shown
    link = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert share.scenario_from_link(link, "fr") == imported  # what is shared


def test_the_households_widget_scales_the_whole_town_as_the_cli_does(small: Scenario) -> None:
    at = open_app(small)
    box = at.number_input(key=explorer.widget_key("households.count"))
    assert "--households" in box.help  # says what scaling means
    box.set_value(3000)
    at.button(key="explorer_run").click().run()
    assert not at.exception and not at.error
    expected = scale_town(small, 3000)  # the function behind --households
    assert current(at) == expected
    # the scaled values are shown, so the next « Simuler » keeps them
    assert at.number_input(key=explorer.widget_key("workforce.crews")).value == (expected.workforce.crews)
    at.button(key="explorer_run").click().run()
    assert current(at) == expected
    link = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert share.scenario_from_link(link, "fr") == expected


def test_scale_town_is_the_cli_households(small: Scenario, tmp_path) -> None:
    from sim.cli.common import load_from_args

    f = tmp_path / "t.yaml"
    f.write_text("extends: town.yaml\n", encoding="utf-8")
    args = type("A", (), {"file": str(f), "overrides": [], "households": 3000})()
    ctx = type("C", (), {"t": staticmethod(lambda fr, en: fr)})()
    assert load_from_args(args, ctx) == scale_town(load_scenario(f), 3000)


def test_after_a_language_switch_every_box_is_drawn_with_the_scenario_as_default(small: Scenario) -> None:
    """The browser draws a number box afresh from its default (after a language switch, say): that
    default must be what the user sees, never the box's minimum (seed 0, one year, nothing charged),
    or the next run and the Compare page would use the minimum."""
    at = upload(open_app(small), "mine.yaml", IMPORT)  # the page sets the widgets' states
    imported = share.scenario_from_upload(IMPORT, "mine.yaml", "fr")

    def drawn_as_imported() -> None:
        boxes = [b for b in at.number_input if b.key and b.key.startswith(explorer.PREFIX)]
        assert len(boxes) > 10
        for box in boxes:
            path = box.key.removeprefix(explorer.PREFIX)
            assert box.value == pytest.approx(common.get_path(imported, path)), path
            assert box.proto.default == pytest.approx(box.value), path  # never the minimum

    drawn_as_imported()
    at.session_state[common.LANG_WIDGET_KEY] = "en"  # the sidebar switch
    at.run()
    assert not at.exception and [x.value for x in at.title] == ["Explore a scenario"]
    drawn_as_imported()
    at.button(key="explorer_run").click().run()
    assert current(at) == imported  # what runs is what was imported

"""The Explorer's headline figures and chart axes read the indicator table (:mod:`sim.measure.indicators`):
which figures, in what order, their names, units and digits are written there once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from sim import load_scenario, scale_town, simulate, with_changes
from sim.dashboard import explorer, share
from sim.i18n import LANGS, catalogue, t
from sim.measure.indicators import BY_NAME, INDICATORS, UNIT_KEYS, headlines
from sim.show import plots, report

SERVICES = ("water", "electricity")
PRESET = {"water": "town", "electricity": "electricity/town"}
APP = str(explorer.__file__).replace("sim/dashboard/explorer.py", "app.py")


@pytest.mark.parametrize("service", SERVICES)
def test_every_headline_and_axis_indicator_is_in_the_table(service: str) -> None:
    shown = [i.name for i in headlines(service)]
    assert shown and all(name in BY_NAME for name in shown)
    # the report and the Explorer show the table's headline figures, in its order, with its digits
    assert [(h.column, h.decimals) for h in report.headlines_for(service)] == [
        (i.name, i.decimals) for i in headlines(service)
    ]
    ranks = [dict(i.headline)[service] for i in headlines(service)]
    assert len(set(ranks)) == len(ranks), "two headline figures share a rank"
    # the fan charts and the explain panel's price are indicators of the table too
    assert all(name in BY_NAME for name in report.fans_for(service))


def test_a_label_and_a_unit_are_written_once() -> None:
    for lang in LANGS:
        cat = catalogue(lang)
        for i in INDICATORS:
            # no second label in the catalogues beside the table's
            assert f"ind.{i.name}" not in cat and f"explorer.metric.{i.name}" not in cat, i.name
            assert i.axis_unit_key in cat and UNIT_KEYS[i.unit] in cat, i.name
    assert not set(plots.UNITS) & set(BY_NAME), "a unit written both in plots.UNITS and the table"


def test_the_axes_of_an_indicator_are_the_table_s() -> None:
    ind = BY_NAME["outflow_eur"]
    for lang in LANGS:
        assert plots.indicator_label("outflow_eur", lang) == ind.label(lang)
        assert plots.indicator_unit("outflow_eur", lang) == t("unit.eur_per_year", lang)
        assert plots.axis_title("outflow_eur", lang) == f"{ind.label(lang)} ({t('unit.eur_per_year', lang)})"
    # the threshold of the scenario names the households above it
    assert plots.indicator_label("share_households_above_3pct", "fr", "4") == "Ménages au-dessus de 4 %"
    assert plots.indicator_short("share_households_above_3pct", "en", "4") == "Households above 4 %"


# ------------------------------------------------------------------------------------------
# the Explorer page (AppTest)
# ------------------------------------------------------------------------------------------
def _explorer(service: str, lang: str) -> AppTest:
    preset = PRESET[service]
    s = share.apply_changes(
        with_changes(scale_town(load_scenario(f"scenarios/{preset}.yaml"), 1000), {"horizon_years": 3}),
        {},
        "t",
    )
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["lang"] = lang
    for key, value in share.session_values(s, preset, f"{preset}.yaml").items():
        at.session_state[key] = value
    at.run()
    at.switch_page("sim/dashboard/explorer.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _axis_titles(at: AppTest) -> set[str]:
    out: set[str] = set()
    for el in at.get("plotly_chart"):
        layout: dict[str, Any] = json.loads(el.proto.spec).get("layout", {})
        for key, axis in layout.items():
            if key.startswith("yaxis") and isinstance(axis, dict):
                title = axis.get("title", {})
                out.add(title.get("text", "") if isinstance(title, dict) else str(title))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("lang", LANGS)
def test_the_explorer_s_headline_labels_are_the_table_s(service: str, lang: str) -> None:
    at = _explorer(service, lang)
    table = headlines(service)
    assert [m.label for m in at.metric] == [i.short_label(lang) for i in table]
    # the full name of each figure, in its help, is the table's label
    helps = [m.proto.help for m in at.metric]
    assert all(h.startswith(f"{i.label(lang)} — ") for h, i in zip(helps, table, strict=True)), helps
    # the axes: the table's label and unit (the price per kWh's axis says its unit alone, its
    # panel's title says whose price)
    axes = _axis_titles(at)
    price, unit = table[0], t(table[0].axis_unit_key, lang)
    assert f"{price.label(lang)} ({unit})" in axes or (service == "electricity" and unit in axes), axes
    bills = BY_NAME["mean_bill_eur"]
    assert f"{bills.label(lang)} ({t(bills.axis_unit_key, lang)})" in axes


def test_electricitys_outputs_are_in_the_one_indicator_table() -> None:
    """The outputs the electricity issue names are read from the table, with their labels in both
    languages and a unit, and every one is a column of an electricity run."""
    named = {
        "saifi", "saidi_min", "caidi_min", "saifi_excl_med", "saidi_excl_med_min", "energy_poverty_pct",
        "cheque_energie_eur", "interventions_per_1000", "local_production_share_pct", "losses_pct",
    }  # fmt: skip
    table = {i.name: i for i in INDICATORS}
    assert named <= set(table)
    for name in named:
        ind = table[name]
        assert ind.service == "electricity" and ind.label("fr") and ind.label("en") and ind.unit_label("fr")
    run = simulate(
        with_changes(scale_town(load_scenario("scenarios/electricity/town.yaml"), 500), {"horizon_years": 2}),
        seed=1,
    )
    assert named <= set(run.years.columns)

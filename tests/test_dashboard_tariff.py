"""Dashboard tests (AppTest): the « Concevoir un tarif » page and its pure helpers."""

from __future__ import annotations

from pathlib import Path

import apptest
import pandas as pd
import pytest
from strategies import BASE_TOWN
from streamlit.testing.v1 import AppTest

from sim import load_scenario
from sim.dashboard import common
from sim.dashboard import tariff_design as page
from sim.experiments.tariff_designer import design
from sim.i18n import t
from sim.scenario.errors import Problem
from sim.scenario.model import Tariff, TariffBlock

# pages run through Streamlit's AppTest: the slow tier
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = "sim/dashboard/tariff_design.py"
TIMEOUT = 60
PRICE_0 = page.block_key(0, "price")


def open_page(lang: str | None = None) -> AppTest:
    return apptest.open_page(PAGE, lang, TIMEOUT)


def deciles(at: AppTest) -> pd.DataFrame:
    return at.table[0].value


def metric(at: AppTest, key: str, lang: str = "fr", **kw: str) -> object:
    label = t(key, lang, **kw)
    found = [m for m in at.metric if m.label == label]
    assert found, [m.label for m in at.metric]
    return found[0]


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


# ------------------------------------------------------------------------------------------
# the page in the app
# ------------------------------------------------------------------------------------------
def test_page_renders_in_french() -> None:
    at = open_page()
    assert [x.value for x in at.title] == ["Concevoir un tarif"]
    table = deciles(at)
    assert list(table["Décile"]) == [f"D{n}" for n in range(1, 11)]
    assert set(table["Variation"]) == {"0,00\u00a0€ (0,0\u00a0%)"}  # the current tariff
    typical = at.table[1].value
    assert "Personne seule en appartement" in set(typical["Ménage type"])
    assert not errors(at)
    assert [s.value for s in at.success][0].startswith("Plafond légal de la part fixe respecté")
    assert "22,4\u00a0%" in at.success[0].value  # 45 / (45 + 1.30 × 120)
    assert at.number_input(key=PRICE_0).value == pytest.approx(1.30)
    assert len(at.get("plotly_chart")) == 1


def test_page_renders_in_english() -> None:
    at = open_page("en")
    assert [x.value for x in at.title] == ["Design a tariff"]
    table = deciles(at)
    assert "Decile" in table.columns and "Proposed bill" in table.columns
    assert at.success[0].value.startswith("Legal standing-charge cap met")
    assert metric(at, "tariff.metric.more", "en").value == "0%"


def test_changing_a_block_price_changes_the_decile_table() -> None:
    at = open_page()
    before = deciles(at)
    at.number_input(key=PRICE_0).set_value(1.60).run()
    assert not at.exception
    after = deciles(at)
    assert not after.equals(before)
    assert list(after["Facture aujourd'hui"]) == list(before["Facture aujourd'hui"])
    assert all(v.startswith("+") for v in after["Variation"])
    assert set(after["Paient plus"]) == {"100\u00a0%"}
    assert metric(at, "tariff.metric.more").value == "100\u00a0%"
    assert not errors(at)


def test_blocks_can_be_added_and_removed() -> None:
    at = open_page()
    at.button(key="tariff.add").click().run()
    assert at.session_state[page.N_BLOCKS] == 2
    assert at.number_input(key=page.block_key(0, "up_to")).value == 120.0
    assert at.number_input(key=page.block_key(1, "price")).value == pytest.approx(1.95)
    table = deciles(at)
    assert any(v.startswith("+") for v in table["Hausse médiane"])
    at.button(key="tariff.remove").click().run()
    assert at.session_state[page.N_BLOCKS] == 1
    assert set(deciles(at)["Variation"]) == {"0,00\u00a0€ (0,0\u00a0%)"}


def test_non_increasing_block_bounds_show_an_error_and_keep_the_results() -> None:
    at = open_page()
    at.button(key="tariff.add").click().run()
    at.button(key="tariff.add").click().run()  # 3 blocks: up to 120, up to 240, above
    valid = deciles(at)
    at.number_input(key=page.block_key(1, "up_to")).set_value(100.0).run()
    assert not at.exception
    (message,) = [e for e in errors(at) if "Tranche 2" in e]
    assert "Tranche 2, borne haute" in message and "tranche 1 (120 m3)" in message
    assert "tariff.blocks[1].up_to_m3" in message
    assert deciles(at).equals(valid)  # the previous results stay
    assert any(t("tariff.stale") == i.value for i in at.info)
    assert at.get("download_button")[0].proto.disabled
    # fixing the bound brings the page back
    at.number_input(key=page.block_key(1, "up_to")).set_value(300.0).run()
    assert not errors(at)
    assert not at.get("download_button")[0].proto.disabled


def test_a_standing_charge_over_the_cap_shows_an_error_and_keeps_the_results() -> None:
    at = open_page()
    at.number_input(key=PRICE_0).set_value(1.40).run()
    valid = deciles(at)
    at.number_input(key="tariff.standing").set_value(200.0).run()
    assert not at.exception
    (cap,) = errors(at)  # the cap panel is the message: it says where, what and the values
    assert cap.startswith("Plafond légal de la part fixe dépassé : la part fixe (200,00\u00a0€)")
    assert "54,3\u00a0%" in cap and "30\u00a0%" in cap  # 200 / (200 + 1.40 × 120)
    assert any(t("tariff.stale") == i.value for i in at.info)
    assert deciles(at).equals(valid)
    assert at.get("download_button")[0].proto.disabled


def test_an_invalid_input_in_english_is_explained_in_english() -> None:
    at = open_page("en")
    at.number_input(key="tariff.standing").set_value(500.0).run()
    (cap,) = errors(at)
    assert cap.startswith("Legal standing-charge cap exceeded: the standing charge (€500.00)")
    at.button(key="tariff.add").click().run()
    at.number_input(key=page.block_key(0, "up_to")).set_value(0.5).run()  # below its minimum
    assert at.number_input(key=page.block_key(0, "up_to")).value == 1.0  # the widget clamps it
    at.number_input(key="tariff.standing").set_value(45.0).run()
    at.button(key="tariff.add").click().run()
    at.number_input(key=page.block_key(1, "up_to")).set_value(1.0).run()
    (message,) = errors(at)
    assert message.startswith("The proposed tariff is not valid; nothing has changed:")
    assert "**Block 2, upper bound**: the upper bound of block 2 (1 m3)" in message


def test_a_social_tariff_lowers_the_bills_of_the_poorest() -> None:
    at = open_page()
    at.checkbox(key="tariff.social.on").check().run()
    at.multiselect(key="tariff.social.deciles").set_value([1, 2]).run()
    assert not at.exception
    table = deciles(at).set_index("Décile")
    assert table.loc["D1", "Paient moins"] == "100\u00a0%"
    assert table.loc["D2", "Paient moins"] == "100\u00a0%"
    assert table.loc["D3", "Variation"] == "0,00\u00a0€ (0,0\u00a0%)"
    at.selectbox(key="tariff.social.kind").set_value("bill_cap").run()
    assert not at.exception
    assert at.number_input(key="tariff.social.cap").value == pytest.approx(3.0)


def test_the_tariff_survives_a_language_switch() -> None:
    at = open_page()
    at.number_input(key=PRICE_0).set_value(1.50).run()
    at.segmented_control(key=common.LANG_WIDGET_KEY).set_value("en").run()
    assert [x.value for x in at.title] == ["Design a tariff"]
    assert at.number_input(key=PRICE_0).value == pytest.approx(1.50)
    assert set(deciles(at)["Pay more"]) == {"100%"}


def test_reset_goes_back_to_the_current_tariff() -> None:
    at = open_page()
    at.number_input(key=PRICE_0).set_value(1.70).run()
    at.button(key="tariff.add").click().run()
    at.button(key="tariff.reset").click().run()
    assert at.session_state[page.N_BLOCKS] == 1
    assert at.number_input(key=PRICE_0).value == pytest.approx(1.30)


def test_another_starting_scenario_loads_its_tariff() -> None:
    at = open_page()
    at.selectbox(key=page.BASE_KEY).set_value("concession.yaml").run()
    assert not at.exception
    assert at.session_state[page.LOADED] == "concession.yaml"
    assert set(deciles(at)["Variation"]) == {"0,00\u00a0€ (0,0\u00a0%)"}


# ------------------------------------------------------------------------------------------
# pure helpers
# ------------------------------------------------------------------------------------------
def test_inputs_and_tariff_round_trip() -> None:
    town = load_scenario(BASE_TOWN)
    tar = Tariff.model_validate(
        {
            **town.tariff.model_dump(),
            "standing_charge_eur_per_year": 30.0,
            "free_volume_m3": 15.0,
            "blocks_per_person": True,
            "blocks": [TariffBlock(up_to_m3=40, price_eur_per_m3=0.9), TariffBlock(price_eur_per_m3=2.0)],
            "social": {
                "enabled": True,
                "eligible_deciles": (1, 3),
                "kind": "bill_cap",
                "bill_cap_pct_of_income": 2.5,
                "eligible_share": 0.7,
            },
        }
    )
    state = page.inputs_from_tariff(tar)
    assert Tariff.model_validate(page.tariff_data(state, town.tariff)) == tar


def test_add_and_remove_block_on_a_plain_mapping() -> None:
    state: dict[str, object] = dict(page.inputs_from_tariff(load_scenario(BASE_TOWN).tariff))
    page.add_block(state)
    page.add_block(state)
    assert state[page.N_BLOCKS] == 3
    assert state[page.block_key(0, "up_to")] == 120.0
    assert state[page.block_key(1, "up_to")] == 240.0
    assert page.block_key(2, "up_to") not in state
    page.remove_block(state)
    assert state[page.N_BLOCKS] == 2 and page.block_key(1, "up_to") not in state
    page.remove_block(state)
    page.remove_block(state)  # never fewer than one block
    assert state[page.N_BLOCKS] == 1


def test_problem_messages_are_located_in_both_languages() -> None:
    p = Problem(
        "",
        "tariff.blocks[2].up_to_m3",
        "block_bound_order",
        {"block": 3, "bound": 100.0, "previous": 150.5, "previous_block": 2},
    )
    fr = page.problem_text(p, "fr")
    assert fr.startswith("**Tranche 3, borne haute** : la borne haute de la tranche 3 (100 m3)")
    assert "(150,5 m3)" in fr
    en = page.problem_text(p, "en")
    assert en.startswith("**Block 3, upper bound**: the upper bound of block 3 (100 m3)")


def test_decile_figure_has_one_bar_per_decile_coloured_by_sign() -> None:
    town = load_scenario(BASE_TOWN)
    tar = Tariff.model_validate(
        {
            **town.tariff.model_dump(),
            "blocks": [TariffBlock(up_to_m3=60, price_eur_per_m3=0.8), TariffBlock(price_eur_per_m3=1.9)],
        }
    )
    d = design(town, tar)
    fig = page.decile_change_figure(d.deciles, "fr")
    (bar,) = fig.data
    assert list(bar.x) == [f"D{n}" for n in range(1, 11)]
    assert list(bar.y) == pytest.approx(list(d.deciles["change_eur"]))
    assert fig.layout.separators == ",\u202f"


@pytest.mark.parametrize("service, charts", [("water", 1), ("electricity", 2)])
def test_the_first_view_shows_the_figures_and_leaves_the_charts_to_the_next_run(
    service: str, charts: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a session's first view the figures are sent without any Plotly chart (the browser shows
    them while it fetches Plotly); the run after it draws the charts (sim/dashboard/firstview.py)."""
    from sim.dashboard import firstview, share

    loading = t("firstview.loading", "fr")
    asked: list[str] = []
    monkeypatch.setattr(firstview, "draw_deferred", lambda p: asked.append(p))  # never drawn
    at = open_page()
    if service == "electricity":
        at.segmented_control(key=share.SERVICE_WIDGET).set_value("electricity").run()
    assert not at.exception, [e.value for e in at.exception]
    assert asked and set(asked) == {page.PAGE}
    assert at.metric and not at.get("plotly_chart")
    assert sum(loading in c.value for c in at.caption) == charts
    monkeypatch.undo()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("plotly_chart")) == charts
    assert all(loading not in c.value for c in at.caption)

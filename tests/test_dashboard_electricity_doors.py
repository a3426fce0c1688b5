"""The dashboard's doors for an electricity scenario, without a page run: the shipped scenarios of
each service, uploads and share links (what runs is what was entered), the Compare page's files,
and the report and charts of an electricity run."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from sim import ScenarioError, dumps_scenario, loads_scenario, scale_town, simulate
from sim.dashboard import compare as compare_page
from sim.dashboard import share
from sim.scenario.electricity import ElectricityScenario
from sim.scenario.model import Scenario
from sim.show import plots, report

ELEC = (
    "electricity/town",
    "electricity/commons",
    "electricity/concession",
    "electricity/crisis-2022",
    "electricity/local-offer",
    "electricity/regie",
    "electricity/remunicipalisation",
    "electricity/storm",
    "electricity/tempo",
)


@pytest.fixture(scope="module")
def small_run() -> object:
    """An electricity town of 2,000 households over 6 years, run on seed 1."""
    s = share.apply_changes(
        scale_town(share.load_preset("electricity/commons"), 2000), {"horizon_years": 6}, "t"
    )
    return simulate(s, seed=1)


def test_each_service_lists_its_own_shipped_scenarios() -> None:
    assert share.service_presets("water") == share.presets()
    assert share.service_presets("electricity") == ELEC  # the base town first
    assert set(share.all_presets()) == set(share.presets()) | set(ELEC)
    assert not set(share.presets()) & set(ELEC)  # the water list is unchanged
    assert share.default_preset("electricity") == "electricity/town"
    assert share.default_preset("water") == "town"
    for name in ELEC:
        s = share.load_preset(name)
        assert isinstance(s, ElectricityScenario) and share.service_of(s) == "electricity"
    assert share.load_preset("electricity/regie").governance.regime == "regie"
    assert share.service_of(share.load_preset("town")) == "water"
    with pytest.raises(ScenarioError):
        share.load_preset("electricity/nowhere")


def test_preset_labels_are_in_the_page_language() -> None:
    assert share.preset_label("electricity/town", "fr") == (
        "Ville-sur-Courant, commune de base (electricity/town.yaml)"
    )
    assert (
        share.preset_label("electricity/town", "en") == "Ville-sur-Courant, base town (electricity/town.yaml)"
    )
    for name in ELEC:  # every shipped scenario has its name in words, in both languages
        for lang in ("fr", "en"):
            assert share.preset_label(name, lang) != f"{name}.yaml"
    assert share.preset_label("electricity/commons", "fr").startswith("Coopérative")


def _changed() -> ElectricityScenario:
    """An electricity scenario a reader changed: a regime, a town size, a parameter, a name."""
    s = share.apply_changes(
        scale_town(share.load_preset("electricity/regie"), 3000),
        {
            "households.electric_heating_share": 0.5,
            "network.renewal_rate_pct": 2.5,
            "town.name": "Volt-lès-Bains",
        },
        "t",
    )
    assert isinstance(s, ElectricityScenario)
    return s


def test_an_uploaded_electricity_scenario_is_exactly_what_was_entered() -> None:
    s = _changed()
    text = dumps_scenario(s).encode("utf-8")
    back = share.scenario_from_upload(text, "volt.yaml", "fr")
    assert back == s and isinstance(back, ElectricityScenario)
    assert dumps_scenario(back) == dumps_scenario(s)
    # the session keeps it as text, read back by the same safe loader
    assert share._parse(dumps_scenario(s)) == s
    # the loader's other doors still refuse it, located at ``service``
    with pytest.raises(ScenarioError) as err:
        loads_scenario(text, origin="volt.yaml")
    assert err.value.problems[0].path == "service"


def test_the_upload_door_keeps_its_limits_for_electricity() -> None:
    big = share.apply_changes(share.load_preset("electricity/town"), {"households.count": 250_000}, "t")
    with pytest.raises(ScenarioError) as err:
        share.scenario_from_upload(dumps_scenario(big).encode(), "big.yaml", "fr")
    assert err.value.problems[0].path == "households.count"
    with pytest.raises(ScenarioError):  # no alias, as for water
        share.scenario_from_upload(b"service: electricity\na: &x 1\nb: *x\n", "alias.yaml", "fr")


@pytest.mark.parametrize("preset", ["electricity/regie", None])
def test_a_share_link_of_an_electricity_scenario_opens_exactly_it(preset: str | None) -> None:
    s = _changed()
    params = share.link_params(s, preset, "explorer")
    # an upload (no preset) is sent as changes to the electricity base town, not the water one
    assert params["p"] == (preset or "electricity/town")
    back = share.scenario_from_link(params, "fr")
    assert back == s and dumps_scenario(back) == dumps_scenario(s)


def test_a_water_preset_never_bases_an_electricity_link() -> None:
    s = share.load_preset("electricity/concession")
    params = share.link_params(s, "concession", "comparer")  # a stale water preset
    assert params["p"] == "electricity/town"
    assert share.scenario_from_link(params, "en") == s


def test_a_link_naming_an_unknown_preset_lists_both_services() -> None:
    with pytest.raises(ScenarioError) as err:
        share.scenario_from_link({"p": "electricity/nowhere"}, "fr")
    text = err.value.format("fr")
    assert "electricity/town" in text and "town" in text


def test_compare_files_are_the_services_shipped_regimes() -> None:
    elec = compare_page.scenarios_for("files", share.load_preset("electricity/town"), "fr")
    assert set(elec) == {"concession", "regie", "commons"}
    for regime, s in elec.items():
        assert s == share.load_preset(f"electricity/{regime}")
        assert s.governance.regime == regime
    water = compare_page.scenarios_for("files", share.load_preset("town"), "fr")
    assert all(isinstance(s, Scenario) for s in water.values())
    assert water["regie"] == share.load_preset("regie")


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_the_report_follows_the_runs_service(small_run: object) -> None:
    r = small_run
    figs = report.figures(r, "fr")  # type: ignore[arg-type]
    assert tuple(figs) == report.ELECTRICITY_FIGURES
    assert figs["reliability"].layout.title.text.startswith("Continuité de la fourniture")
    rows = report.headline_rows(r, "fr")  # type: ignore[arg-type]
    assert [x["column"] for x in rows] == [h.column for h in report.ELECTRICITY_HEADLINES]
    price = rows[0]
    assert price["last"] == float(r.years["price_ref_eur_per_kwh"].iloc[-1])  # type: ignore[attr-defined]
    assert price["last_text"].endswith("€/kWh") and "," in price["last_text"]
    html = report.report_html(r, "fr", name="commons.yaml")  # type: ignore[arg-type]
    assert "Temps de coupure par client (SAIDI)" in html and "Prix du m" not in html
    params = report.main_parameters(r.scenario, "en")  # type: ignore[attr-defined]
    assert "households.electric_heating_share" in set(params["path"])
    assert not any(p.startswith("tariff.blocks") for p in params["path"])


def test_the_reliability_chart_shows_the_runs_columns(small_run: object) -> None:
    y = small_run.years  # type: ignore[attr-defined]
    fig = plots.reliability(y, "en")
    by_meta = {tr.meta: tr for tr in fig.data}
    assert set(by_meta) == {
        "saidi_min",
        "saidi_excl_med_min",
        "saifi",
        "saifi_excl_med",
        "underground_share_pct",
        "compensation_eur",
    }
    for col, tr in by_meta.items():
        assert list(tr.y) == list(y[col]) and list(tr.x) == list(y["year"])
    assert fig.layout.title.text.startswith("Continuity of supply: cuts, storms and undergrounding")
    fig_fr = plots.reliability(y, "fr")
    assert fig_fr.layout.separators.startswith(",")  # French decimal comma


def test_the_price_and_poverty_charts_show_the_runs_columns(small_run: object) -> None:
    y, d = small_run.years, small_run.deciles  # type: ignore[attr-defined]
    fig = plots.electricity_price_and_bills(y, d, "fr")
    price = next(tr for tr in fig.data if tr.meta == "price_ref_eur_per_kwh")
    assert list(price.y) == list(y["price_ref_eur_per_kwh"])
    bills = [tr for tr in fig.data if tr.meta == "mean_bill_eur"]
    assert [tr.name for tr in bills] == ["Décile 1", "Décile 5", "Décile 10"]
    d1 = d[d["decile"] == 1].sort_values("year")
    assert list(bills[0].y) == list(d1["mean_bill_eur"])
    assert "kWh" in fig.layout.yaxis.title.text
    pov = plots.energy_poverty(y, d, "fr", threshold_pct=8.0)
    metas = {tr.meta for tr in pov.data}
    assert {"energy_poverty_pct", "energy_poverty_after_cheque_pct", "supply_cuts", "burden_pct"} <= metas
    share_line = next(tr for tr in pov.data if tr.meta == "energy_poverty_pct")
    assert list(share_line.y) == list(y["energy_poverty_pct"])
    assert any("8" in (a.text or "") for a in pov.layout.annotations)  # the threshold line


class _Part:
    def __init__(self, delta: float) -> None:
        self.delta = delta

    def short_label(self, lang: str) -> str:
        return "step"


@pytest.mark.parametrize(
    ("indicator", "falls"),
    [("reserves_eur", plots.OKABE_ITO[3]), ("price_120m3_eur_per_m3", plots.OKABE_ITO[2])],
)
def test_the_waterfall_colours_a_step_by_what_the_people_served_want(indicator: str, falls: str) -> None:
    """Lower reserves are bad news (vermillion), a lower price good news (green)."""
    ex = SimpleNamespace(
        indicator=indicator, year=2055, a_name="a", b_name="b", a_value=10.0, b_value=7.0, parts=[_Part(-3.0)]
    )
    fig = plots.explain_waterfall(ex, "fr")
    assert fig.data[0].decreasing.marker.color == falls
    assert fig.data[0].increasing.marker.color != falls


def test_an_upload_may_extend_a_shipped_electricity_scenario_by_its_path() -> None:
    text = b"extends: electricity/commons.yaml\nhouseholds: {count: 1500}\nhorizon_years: 4\n"
    s = share.scenario_from_upload(text, "mine.yaml", "fr")
    assert isinstance(s, ElectricityScenario)
    assert (s.governance.regime, s.households.count, s.horizon_years) == ("commons", 1500, 4)
    assert s.governance.committee.power == share.load_preset("electricity/commons").governance.committee.power
    with pytest.raises(ScenarioError) as err:  # a water-only door still refuses it, at ``service``
        loads_scenario(text, origin="mine.yaml")
    assert err.value.problems[0].path == "service"
    for bad in (
        "electricity/../town.yaml",
        "electricity/nowhere.yaml",
        "../electricity/town.yaml",
        "electricity",
    ):
        with pytest.raises(ScenarioError) as err:
            share.scenario_from_upload(f"extends: {bad}\n".encode(), "bad.yaml", "fr")
        assert err.value.problems[0].path == "extends"

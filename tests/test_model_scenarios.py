"""Scenario files: every shipped one runs, bad ones give located errors, and I/O round-trips.

STYLE.md §9: "I/O only at the edges, as paired functions with round-trip tests (load(dump(s)) ==
s); every file in scenarios/ is loaded and run briefly by a test." DESIGN.md: "Unknown keys, wrong
units, impossible values get an error that names the file, the key path and what is allowed —
never a traceback."
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import BASE_TOWN, SCENARIOS_DIR, scenarios, small_town

from sim import (
    Result,
    Scenario,
    ScenarioError,
    dumps_scenario,
    load_scenario,
    loads_scenario,
    simulate,
)
from sim.core.result import TABLES
from sim.scenario.loader import builtin_names

#: the water scenarios shipped at the top of scenarios/ (a multi-service file, known by its
#: `services:` block, is tested in tests/test_multiservice.py)
SHIPPED = [SCENARIOS_DIR / n for n in builtin_names()]


def test_there_are_shipped_scenarios() -> None:
    assert BASE_TOWN in SHIPPED


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_every_shipped_scenario_validates_and_runs(path: Path) -> None:
    s = load_scenario(path, {"horizon_years": 2, "households.count": 500})
    assert s.households.count == 500 and s.horizon_years == 2
    res = simulate(s, seed=1)
    assert len(res.years) == 2 and len(res.periods) == 24
    assert res.years["produced_m3"].gt(0).all()


# --------------------------------------------------------------------------------------------
# malformed files: located errors in French and English
# --------------------------------------------------------------------------------------------
TWO_BLOCKS = "tariff:\n  blocks:\n    - {up_to_m3: 30, price_eur_per_m3: 1.0}\n"

BAD_FILES = {
    # name: (file text, key path in the message, other words the messages must hold (fr, en))
    "unknown_key": ("tariff:\n  blockz: 3\n", "tariff.blockz", (["blockz", "blocks"], ["blockz", "blocks"])),
    "negative_price": (
        TWO_BLOCKS + "    - {price_eur_per_m3: -1}\n",
        "tariff.blocks[1].price_eur_per_m3",
        (["-1", "0"], ["-1", "0"]),
    ),
    "text_for_number": ("households:\n  count: beaucoup\n", "households.count", (["beaucoup"], ["beaucoup"])),
    "yaml_syntax": ("tariff:\n  blocks: [\n  x: : 3\n", "", (["YAML", "3"], ["YAML", "3"])),
    "missing_parent": (
        "extends: nowhere.yaml\nhorizon_years: 2\n",
        "extends",
        (["nowhere.yaml"], ["nowhere.yaml"]),
    ),
    "standing_charge_cap": (
        "tariff:\n  standing_charge_eur_per_year: 500\n",
        "tariff.standing_charge_eur_per_year",
        (["30 %"], ["30 %"]),
    ),
    "above_upper_bound": (
        "households:\n  price_elasticity: 0.5\n",
        "households.price_elasticity",
        (["0,5", "0"], ["0.5", "0"]),
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_malformed_files_give_located_errors(tmp_path: Path, case: str) -> None:
    text, key, (words_fr, words_en) = BAD_FILES[case]
    path = tmp_path / f"mauvais_{case}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    assert err.problems, "an error must list its problems"
    fr, en = err.format("fr"), err.format("en")
    assert "Traceback" not in fr + en
    for msg, lang, words in ((fr, "fr", words_fr), (en, "en", words_en)):
        assert path.name in msg, f"{lang}: the file is not named: {msg}"
        if key:
            assert key in msg, f"{lang}: the key path {key} is not named: {msg}"
        for w in words:
            assert w in msg, f"{lang}: {w!r} missing from: {msg}"
    assert "fichier" in fr and "file" in en
    assert fr != en


def test_yaml_syntax_error_location_is_worded_in_french(tmp_path: Path) -> None:
    path = tmp_path / "casse.yaml"
    path.write_text(BAD_FILES["yaml_syntax"][0], encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    fr, en = info.value.format("fr"), info.value.format("en")
    # was: the location was worded in English inside the French message
    assert "ligne 3" in fr and "line" not in fr, fr
    assert "line 3" in en, en


def test_the_cap_error_names_the_rural_cap(tmp_path: Path) -> None:
    path = tmp_path / "rural.yaml"
    path.write_text("town:\n  urban: false\ntariff:\n  standing_charge_eur_per_year: 500\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "40 %" in info.value.format("fr") and "40 %" in info.value.format("en")
    assert "rurale" in info.value.format("fr") and "rural" in info.value.format("en")


def test_extends_changes_only_the_keys_it_names(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {BASE_TOWN}\ntariff:\n  free_volume_m3: 15\n", encoding="utf-8")
    s, base = load_scenario(child), load_scenario(BASE_TOWN)
    assert s.tariff.free_volume_m3 == 15
    assert s.model_copy(update={"tariff": base.tariff}) == base


def test_an_override_to_a_bad_value_is_a_located_error() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASE_TOWN, {"households.count": -5})
    assert "households.count" in info.value.format("en")
    assert BASE_TOWN.name in info.value.format("en")


# --------------------------------------------------------------------------------------------
# round trips
# --------------------------------------------------------------------------------------------
def test_base_town_round_trips_through_yaml(base_town: Scenario) -> None:
    assert loads_scenario(dumps_scenario(base_town)) == base_town


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(s=scenarios())
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_random_scenarios_round_trip_through_yaml(s: Scenario) -> None:
    text = dumps_scenario(s)
    assert loads_scenario(text) == s
    assert dumps_scenario(loads_scenario(text)) == text


def test_result_folder_round_trips_and_reproduces_the_run(tmp_path: Path) -> None:
    s = small_town(800, 2)
    res = simulate(s, seed=7)  # not the scenario's own seed: the folder must remember it
    assert s.seed != 7
    folder = res.to_dir(tmp_path / "run")
    for name in TABLES:
        assert (folder / f"{name}.csv").is_file()
    assert (folder / "scenario.yaml").is_file() and (folder / "summary.json").is_file()

    back = Result.from_dir(folder)
    assert back.seed == 7
    pd.testing.assert_frame_equal(back.years, res.years, check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(
        back.periods.drop(columns=["date"]),
        res.periods.drop(columns=["date"]),
        check_exact=False,
        rtol=1e-12,
        check_dtype=False,
    )
    assert back.summary["households"] == res.summary["households"]

    # the folder's own scenario reproduces the run exactly
    again = simulate(load_scenario(folder / "scenario.yaml"))
    pd.testing.assert_frame_equal(again.years, res.years, check_exact=True)
    assert back.scenario == s.model_copy(update={"seed": 7})


def test_writing_a_result_twice_replaces_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "run"
    simulate(small_town(500, 1), seed=1).to_dir(target)
    second = simulate(small_town(500, 2), seed=2)
    second.to_dir(target)
    assert len(Result.from_dir(target).years) == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary folders left"


def test_scale_town_keeps_costs_and_losses_per_household() -> None:
    from sim import scale_town, simulate

    base = load_scenario("scenarios/town.yaml", {"horizon_years": 3})
    small = scale_town(base, 2000)
    assert small.households.count == 2000
    assert small.network.length_km == pytest.approx(base.network.length_km / 10)
    assert small.finance.overheads_eur_per_year == pytest.approx(base.finance.overheads_eur_per_year / 10)
    assert small.workforce.crews == 1
    y_big, y_small = simulate(base, seed=1).years, simulate(small, seed=1).years
    # same town, smaller: the price and yield stay close (the opening tariff covers the cost of
    # service, whose fixed parts scale with the town; the volumes of 2,000 drawn households differ
    # from those of 20,000 by sampling only)
    assert y_small["price_120m3_eur_per_m3"].iloc[0] == pytest.approx(
        y_big["price_120m3_eur_per_m3"].iloc[0], rel=0.03
    )
    assert abs(y_small["yield_pct"].mean() - y_big["yield_pct"].mean()) < 3
    assert (
        abs(y_small["price_120m3_eur_per_m3"].iloc[-1] / y_big["price_120m3_eur_per_m3"].iloc[-1] - 1) < 0.1
    )

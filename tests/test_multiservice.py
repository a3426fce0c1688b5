"""Issue 12: one régie running water and electricity, sharing crews, overheads and bills, against
the two services run separately (sim/core/multi.py, sim/scenario/multi.py, sim/experiments/multi.py).

What is proven here: with nothing shared, the two services run on one clock give the tables of
their runs alone, bit for bit (so every gap comes from what is shared); water, energy and money are
conserved per service and for the operator as a whole; each sharing moves costs the way it should,
one parameter at a time; the split key moves money between the budgets, never the total; the file
is read by the one safe loader with located, bilingual errors (and a Hypothesis fuzz); the command
line runs and compares it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import simpy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli.main import main
from sim.core.ledger import PAYMENT_LINES, RECEIPT_LINES
from sim.core.multi import CrewPool, Pooling
from sim.core.result import TABLES
from sim.core.workforce import WORKDAY_H, WORKING_DAYS_PER_YEAR, Crews
from sim.experiments.multi import against_separate, money_by_year, simulate_multi
from sim.experiments.run import simulate
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import scenarios_dir
from sim.scenario.multi import MultiServiceScenario, load_multiservice, loads_multiservice

FILE = scenarios_dir() / "multiservice.yaml"
#: a small town, three years: the mechanisms, not the figures of the shipped town
SMALL = {
    "horizon_years": 3,
    "services.water.households.count": 600,
    "services.electricity.households.count": 600,
}
NOTHING = {"crews": False, "overheads_pooled": False, "one_bill": False}


@pytest.fixture(scope="module")
def small() -> MultiServiceScenario:
    return load_multiservice(FILE, SMALL)


@pytest.fixture(scope="module")
def full_run(small: MultiServiceScenario) -> Any:
    return simulate_multi(small, 1)


# --------------------------------------------------------------------------------------------
# the mechanism: nothing shared = the two runs alone, bit for bit
# --------------------------------------------------------------------------------------------
def test_nothing_shared_reproduces_each_run_alone_bit_for_bit(small: MultiServiceScenario) -> None:
    together = simulate_multi(small.with_shared(**NOTHING), 1)
    for name, s in small.services.items():
        alone = simulate(s, 1)
        for table in TABLES:
            pd.testing.assert_frame_equal(
                getattr(together.results[name], table), getattr(alone, table), check_exact=True
            )
        assert together.results[name].summary == alone.summary


def test_the_same_seed_gives_the_same_tables(small: MultiServiceScenario, full_run: Any) -> None:
    again = simulate_multi(small, 1)
    for name in small.services:
        for table in TABLES:
            pd.testing.assert_frame_equal(
                getattr(again.results[name], table), getattr(full_run.results[name], table), check_exact=True
            )


def test_a_saving_of_zero_and_the_own_key_changes_no_table(small: MultiServiceScenario) -> None:
    # pooled overheads with no saving, no bill saved and the budgets' own overheads as the key:
    # every service pays what it pays alone (to the rounding of a product and a division)
    alone = simulate_multi(small.with_shared(**NOTHING), 1)
    pooled = simulate_multi(
        small.with_shared(crews=False, overheads_pooled=True, overhead_saving_pct=0, one_bill=False), 1
    )
    for name in small.services:
        a, b = alone.results[name].periods, pooled.results[name].periods
        np.testing.assert_allclose(b["overheads_eur"], a["overheads_eur"], rtol=1e-12)


# --------------------------------------------------------------------------------------------
# conservation, per service and together
# --------------------------------------------------------------------------------------------
def test_water_energy_and_money_are_conserved_per_service_and_together(full_run: Any) -> None:
    water = full_run.results["water"].periods
    lhs = water["billed_m3"] + water["unbilled_authorised_m3"]
    lhs = lhs + water["apparent_losses_m3"] + water["real_losses_m3"]
    np.testing.assert_allclose(water["produced_m3"], lhs, rtol=1e-12)
    elec = full_run.results["electricity"].periods
    np.testing.assert_allclose(
        elec["kwh_bought"] + elec["kwh_local"], elec["kwh_billed"] + elec["kwh_losses"], rtol=1e-12
    )
    for res in full_run.results.values():
        p = res.periods
        # every month, exactly: cash at the end = at the start + receipts - payments
        assert (p["cash_end_eur"] == p["cash_start_eur"] + p["receipts_eur"] - p["payments_eur"]).all()
        assert (p["cash_start_eur"].iloc[1:].to_numpy() == p["cash_end_eur"].iloc[:-1].to_numpy()).all()
        lines = [
            c for c in p.columns if c in PAYMENT_LINES or c in ("compensation_eur", "local_production_eur")
        ]
        lines += [c for c in p.columns if c == "pv_capex_eur"]
        np.testing.assert_allclose(p[lines].sum(axis=1), p["payments_eur"], rtol=1e-12)
        np.testing.assert_allclose(p[list(RECEIPT_LINES)].sum(axis=1), p["receipts_eur"], rtol=1e-12)
    comb = full_run.combined
    np.testing.assert_allclose(
        comb["cash_end_eur"], comb["cash_start_eur"] + comb["receipts_eur"] - comb["payments_eur"], rtol=1e-12
    )
    per_service = sum(money_by_year(r)["payments_eur"] for r in full_run.results.values())
    np.testing.assert_allclose(comb["payments_eur"], per_service, rtol=1e-12)


def test_pooled_overheads_add_up_to_what_the_operator_pays(
    small: MultiServiceScenario, full_run: Any
) -> None:
    sh = full_run.shared
    # what the services would pay alone = what they pay together + the bills saved + the saving
    np.testing.assert_allclose(
        sh["own_overheads_eur"], sh["overheads_paid_eur"] + sh["bills_saved_eur"] + sh["overhead_saving_eur"]
    )
    # by hand, in the first year (prices of the first year): (450,000 + 1,000,000 − bills) × 0.9,
    # bills = 3 € × 2 bills a year (water every 6 months, electricity every 2: they meet twice)
    # × 600 households served by both
    first = sh.iloc[0]
    bills = 3.0 * 2 * 600
    assert first["bills_saved_eur"] == pytest.approx(bills)
    assert first["overheads_paid_eur"] == pytest.approx((450_000 + 1_000_000 - bills) * 0.9, rel=1e-12)
    assert first["overhead_saving_eur"] == pytest.approx((1_450_000 - bills) * 0.1, rel=1e-12)


# --------------------------------------------------------------------------------------------
# one parameter at a time
# --------------------------------------------------------------------------------------------
def _overheads(mr: Any) -> float:
    return float(sum(r.periods["overheads_eur"].sum() for r in mr.results.values()))


def _opex(mr: Any) -> float:
    return float(sum(r.years["opex_eur"].sum() for r in mr.results.values()))


def test_a_larger_saving_lowers_the_costs(small: MultiServiceScenario) -> None:
    runs = [
        simulate_multi(small.with_shared(crews=False, one_bill=False, overhead_saving_pct=pct), 1)
        for pct in (0, 10, 20)
    ]
    assert _overheads(runs[0]) > _overheads(runs[1]) > _overheads(runs[2])
    assert _opex(runs[0]) > _opex(runs[1]) > _opex(runs[2])


def test_one_bill_lowers_the_costs_more_the_dearer_a_bill(small: MultiServiceScenario) -> None:
    runs = [
        simulate_multi(small.with_shared(crews=False, overhead_saving_pct=0, bill_cost_eur=c), 1)
        for c in (0, 3, 8)
    ]
    assert _overheads(runs[0]) > _overheads(runs[1]) > _overheads(runs[2])
    # the bills saved are 2 a year for each household served by both
    saved = _overheads(runs[0]) - _overheads(runs[2])
    cpi_sum = sum(runs[2].shared["bills_saved_eur"]) / (8.0 * 2 * 600)
    assert saved == pytest.approx(8.0 * 2 * 600 * cpi_sum, rel=1e-9)


def test_the_split_key_moves_money_between_budgets_never_the_total(small: MultiServiceScenario) -> None:
    totals, water = {}, {}
    for key in ("overheads", "customers", "revenue", "fte"):
        mr = simulate_multi(small.with_shared(crews=False, split_key=key), 1)
        totals[key] = _overheads(mr)
        water[key] = float(mr.results["water"].periods["overheads_eur"].sum())
    for key in totals:
        assert totals[key] == pytest.approx(totals["overheads"], rel=1e-12)
    # 600 customers each: half of the pooled overheads for water, more than its own share
    # (450,000 of 1,450,000)
    assert water["customers"] > water["overheads"]
    assert water["revenue"] != water["overheads"]  # water's revenue is not its share of overheads


STORM = {
    "horizon_years": 2,
    "services.water.households.count": 600,  # the electricity town keeps its 20,000 households
    "services.electricity.shocks": [{"year": 2026, "kind": "storm", "factor": 1.0}],
    "services.electricity.network.storms_per_year": 0,
    "services.electricity.network.storm_crew_share_pct": 100,
    "services.electricity.network.storm_crew_hours": 720,  # the whole month after 2 November
}


def _storm_window_wait(mr: Any) -> float:
    ev = mr.results["water"].events
    start = (np.datetime64("2026-11-02") - np.datetime64("2026-01-01")).astype(int) * 24.0
    inside = (ev["time_h"] >= start) & (ev["time_h"] < start + 720)
    assert inside.sum() > 0  # water breaks during the storm's month
    return float(ev.loc[inside, "wait_h"].sum())


def test_shared_crews_under_a_storm_make_water_repairs_wait_longer() -> None:
    ms = load_multiservice(FILE, STORM)
    apart = simulate_multi(ms.with_shared(**NOTHING), 1)
    shared = simulate_multi(ms.with_shared(crews=True, overheads_pooled=False, one_bill=False), 1)
    # apart, the storm takes the electricity crews only; shared, it takes the water crews too
    assert _storm_window_wait(shared) > _storm_window_wait(apart) + 24.0
    # the electricity run alone gives the same storm and the same waits as apart
    alone = simulate(ms.services["electricity"], 1)
    assert (
        alone.years["crew_wait_hours"].tolist()
        == apart.results["electricity"].years["crew_wait_hours"].tolist()
    )


def test_without_storm_mobilisation_a_storm_leaves_the_crews_alone() -> None:
    # the default (storm_crew_share_pct 0): storms are restored by reinforcements from outside
    ms = load_multiservice(FILE, {**STORM, "services.electricity.network.storm_crew_share_pct": 0})
    apart = simulate_multi(ms.with_shared(**NOTHING), 1)
    mobilised = simulate_multi(load_multiservice(FILE, STORM).with_shared(**NOTHING), 1)
    assert _storm_window_wait(apart) == _storm_window_wait(mobilised)  # water has its own crews
    assert (
        apart.results["electricity"].years["crew_wait_hours"].sum()
        < mobilised.results["electricity"].years["crew_wait_hours"].sum()
    )


# --------------------------------------------------------------------------------------------
# the crew pool
# --------------------------------------------------------------------------------------------
def test_a_crew_pool_holds_every_services_crews_and_shares_their_planned_work() -> None:
    env = simpy.Environment()
    pool = CrewPool(env)
    water, elec = pool.share(3), pool.share(2)
    assert pool.size == 5 and water.pool_size == elec.pool_size == 5 and water.size == 3
    assert len(pool.store.items) == 5
    elec.set_size(4)
    assert pool.size == 7 and len(pool.store.items) == 7
    capacity = WORKING_DAYS_PER_YEAR * WORKDAY_H
    water.plan(3 * capacity)
    elec.plan(4 * capacity + 700.0)  # 700 h beyond the pool's working time: overtime
    assert pool.planned_h_per_day == pytest.approx(WORKDAY_H)
    assert water.planned_overtime_h_year + elec.planned_overtime_h_year == pytest.approx(700.0)
    assert water.planned_overtime_h_year / elec.planned_overtime_h_year == pytest.approx(
        3 / (4 + 700 / capacity)
    )
    alone = Crews(simpy.Environment(), 3)
    assert alone.pool_size == 3


def test_pooling_counts_bills_saved_once_per_household() -> None:
    p = Pooling(bill_cost_eur=2.5, bills_saved_per_household_year=2, households_served_by_all=1000)
    assert p.bill_saving_eur() == 5_000.0


def test_bills_saved_follow_the_billing_calendars(small: MultiServiceScenario) -> None:
    assert small.bills_saved_per_household_year() == 2.0  # every 6 and every 2 months: twice
    monthly = load_multiservice(FILE, {**SMALL, "services.water.billing.interval_months": 4})
    assert monthly.bills_saved_per_household_year() == 3.0  # every 4 and every 2 months
    assert math.lcm(4, 2) == 4


# --------------------------------------------------------------------------------------------
# the régie against the separate services
# --------------------------------------------------------------------------------------------
def test_against_separate_decomposes_the_gap_exactly(small: MultiServiceScenario) -> None:
    cmp = against_separate(small, 1)
    # the first step is the two runs alone
    for name, s in small.services.items():
        pd.testing.assert_frame_equal(cmp.steps["separate"].results[name].years, simulate(s, 1).years)
    parts = cmp.parts
    np.testing.assert_allclose(parts[["crews", "overheads", "bill"]].sum(axis=1), parts["gap"], rtol=1e-9)
    assert parts.loc["overheads_eur", "overheads"] < 0 and parts.loc["overheads_eur", "bill"] < 0
    assert parts.loc["overheads_eur", "crews"] == 0.0  # sharing crews moves no overheads


# --------------------------------------------------------------------------------------------
# the one loader: located, bilingual errors
# --------------------------------------------------------------------------------------------
def _problems(text: str, tmp_path: Path) -> list[Any]:
    f = tmp_path / "multi.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_multiservice(f)
    for lang in ("fr", "en"):
        assert "Traceback" not in exc.value.format(lang)
    return exc.value.problems


HEAD = (
    "service: multi\nservices:\n  water: {extends: town.yaml}\n"
    "  electricity: {extends: electricity/town.yaml}\n"
)
WATER_AT = "{extends: town.yaml}"
ELEC_AT = "electricity/town.yaml}"


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("service: multi\nservices:\n  water: {extends: town.yaml}\n", "services"),
        ("service: multi\nservices:\n  gas: {}\n  water: {}\n", "services.gas"),
        ("service: multi\nservices: 3\n", "services"),
        (HEAD + "shared:\n  overhead_saving_pct: 80\n", "shared.overhead_saving_pct"),
        (HEAD + "shared:\n  split_key: surface\n", "shared.split_key"),
        (HEAD + "shared:\n  bill_cost: 3\n", "shared.bill_cost"),
        (
            HEAD.replace("{extends: town.yaml}", "{extends: town.yaml, households: {count: -4}}"),
            "services.water.households.count",
        ),
        (
            HEAD.replace("electricity/town.yaml}", "electricity/town.yaml, town: {start_year: 2030}}"),
            "services.electricity.town.start_year",
        ),
        (HEAD.replace("{extends: town.yaml}", "{extends: electricity/town.yaml}"), "services.water.service"),
        (HEAD.replace("{extends: town.yaml}", "{extends: /etc/passwd}"), "services.water.extends"),
    ],
)
def test_bad_multiservice_files_get_located_errors(text: str, path: str, tmp_path: Path) -> None:
    problems = _problems(text, tmp_path)
    assert any(p.path == path for p in problems), [(p.path, p.kind) for p in problems]
    assert all(p.file.endswith("multi.yaml") for p in problems)


def test_text_may_extend_only_shipped_scenarios(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("households: {count: 100}\n", encoding="utf-8")
    ms = loads_multiservice(HEAD)
    assert set(ms.services) == {"water", "electricity"}
    with pytest.raises(ScenarioError) as exc:
        loads_multiservice(HEAD.replace("town.yaml}", f"{tmp_path / 'mine.yaml'}}}", 1))
    assert exc.value.problems[0].path == "services.water.extends"
    assert "count" not in exc.value.format("en")


def test_a_one_service_door_names_a_multiservice_file_for_what_it_is() -> None:
    from sim.scenario.model import load_scenario, loads_scenario

    for load in (lambda: load_scenario(FILE), lambda: loads_scenario(HEAD)):
        with pytest.raises(ScenarioError) as exc:
            load()
        assert [(p.path, p.kind) for p in exc.value.problems] == [("service", "multi_here")]
        assert "--against-separate" in exc.value.format("fr")


def test_the_written_scenario_reads_back_the_same(small: MultiServiceScenario, tmp_path: Path) -> None:
    from sim.cli.multi import dumps_multi

    f = tmp_path / "again.yaml"
    f.write_text(dumps_multi(small), encoding="utf-8")
    again = load_multiservice(f)
    assert again.spec == small.spec
    assert again.services == small.services


WHOLE_FILE = {"not_a_mapping", "file_missing", "empty_file", "file_too_large", "yaml_value"}
_KEYS = [
    "crews",
    "overheads_pooled",
    "overhead_saving_pct",
    "one_bill",
    "bill_cost_eur",
    "households_served_by_all_pct",
    "split_key",
    "nope",
]
_VALUES = ["-1", "1e400", ".nan", "yes", "'x'", "[1, 2]", "{a: 1}", "", "999", "0", "null", "overheads"]


@st.composite
def multi_texts(draw: st.DrawFn) -> str:
    """A multi-service file wrong (or not) in its ``shared`` or ``services`` block."""
    kind = draw(st.sampled_from(["shared", "services", "service_value", "top"]))
    if kind == "shared":
        items = draw(st.lists(st.tuples(st.sampled_from(_KEYS), st.sampled_from(_VALUES)), max_size=4))
        body = "".join(f"  {k}: {v}\n" for k, v in dict(items).items())
        return HEAD + ("shared:\n" + body if body else "shared: " + draw(st.sampled_from(_VALUES)) + "\n")
    if kind == "services":
        names = draw(st.lists(st.sampled_from(["water", "electricity", "gas", "1", "''"]), max_size=5))
        refs = st.sampled_from(
            ["town.yaml", "regie.yaml", "electricity/town.yaml", "../x.yaml", "/etc/passwd", "3"]
        )
        body = "".join(f"  {n}: {{extends: {draw(refs)}}}\n" for n in dict.fromkeys(names))
        return "service: multi\nservices:\n" + (body or "  {}\n")
    if kind == "service_value":
        where = draw(
            st.sampled_from(
                [
                    "households: {count: %s}",
                    "tariff: {vat_pct: %s}",
                    "network: {storm_crew_hours: %s}",
                    "seed: %s",
                    "horizon_years: %s",
                ]
            )
        )
        svc = draw(st.sampled_from(["water", "electricity"]))
        entry = "{extends: town.yaml, " if svc == "water" else "{extends: electricity/town.yaml, "
        text = HEAD.replace(entry[:-2] + "}", entry + (where % draw(st.sampled_from(_VALUES))) + "}")
        return text
    return (
        HEAD
        + draw(st.sampled_from(["horizon_years", "seed", "name", "service", "extra"]))
        + ": "
        + draw(st.sampled_from(_VALUES))
        + "\n"
    )


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(multi_texts())
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_fuzz_the_multiservice_door(text: str) -> None:
    for door in ("text", "file"):
        try:
            if door == "text":
                loads_multiservice(text, "fuzz.yaml")
            else:
                import tempfile

                with tempfile.TemporaryDirectory() as d:
                    f = Path(d) / "fuzz.yaml"
                    f.write_text(text, encoding="utf-8")
                    load_multiservice(f)
        except ScenarioError as err:
            assert err.problems
            for p in err.problems:
                assert p.file and (p.path or "line" in p.ctx or p.kind in WHOLE_FILE), p
            for lang in ("fr", "en"):
                text_out = err.format(lang)
                assert "Traceback" not in text_out and "root:x:" not in text_out


# --------------------------------------------------------------------------------------------
# the command line
# --------------------------------------------------------------------------------------------
SMALL_ARGS = ["--households", "400", "--set", "horizon_years=2"]


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_cli_compare_against_separate(capsys: Any, tmp_path: Path) -> None:
    code = main(["compare", str(FILE), "--against-separate", "-q", "--out", str(tmp_path / "c"), *SMALL_ARGS])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "+ équipes" in out and "frais généraux mis en commun" in out and "écart total" in out
    # the allocation key in words, not the YAML value « overheads »
    assert "au prorata de leurs propres frais généraux" in out and ": overheads" not in out
    table = pd.read_csv(tmp_path / "c" / "against_separate.csv", index_col="measure")
    assert table.loc["overheads_eur", "gap"] < 0
    code = main(["--lang", "en", "compare", str(FILE), "--against-separate", "-q", *SMALL_ARGS])
    out, _ = capsys.readouterr()
    assert code == 0 and "What the gap in operating costs is made of" in out
    assert "in proportion to their own overheads" in out
    # not a multi-service file
    code = main(["compare", str(scenarios_dir() / "regie.yaml"), "--against-separate", "-q", *SMALL_ARGS])
    _, err = capsys.readouterr()
    assert code == 2 and "services:" in err and "n'est pas un scénario multiservice" in err


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_cli_run_and_validate(capsys: Any, tmp_path: Path) -> None:
    assert main(["validate", str(FILE)]) == 0
    assert "eau + électricité" in capsys.readouterr().out
    out_dir = tmp_path / "run"
    code = main(["run", str(FILE), "-q", "--out", str(out_dir), *SMALL_ARGS])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "== Eau ==" in out and "== Électricité ==" in out and "Ensemble de la régie" in out
    for name in ("water", "electricity"):
        assert (out_dir / name / "years.csv").is_file()
    combined = pd.read_csv(out_dir / "combined.csv")
    assert len(combined) == 2
    again = load_multiservice(out_dir / "multiservice.yaml")
    assert again.services["water"].households.count == 400
    # a second run replaces its own folder; a foreign folder is refused
    assert main(["run", str(FILE), "-q", "--out", str(out_dir), *SMALL_ARGS]) == 0
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    capsys.readouterr()
    assert main(["run", str(FILE), "-q", "--out", str(foreign), *SMALL_ARGS]) == 2
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]


# --------------------------------------------------------------------------------------------
# scenarios/multiservice.yaml at the top of scenarios/: known by its content, not its folder
# --------------------------------------------------------------------------------------------
def test_the_shipped_multiservice_file_is_known_by_its_services_block() -> None:
    from sim.dashboard import share, tariff_design
    from sim.scenario import loader

    assert FILE.parent == scenarios_dir() and FILE.is_file()
    assert loader.multiservice_builtin_names() == ("multiservice.yaml",)
    # the water lists: every other top-level file, never the multi-service one
    water = {p.name for p in scenarios_dir().glob("*.yaml")} - {"multiservice.yaml"}
    assert set(loader.builtin_names()) == water
    assert "multiservice" not in share.presets() and "multiservice" not in share.all_presets()
    assert "multiservice.yaml" not in tariff_design.base_files()
    # its services extend the water and electricity régies by the paths the loader accepts
    ms = load_multiservice(FILE)
    assert ms.services["water"].governance.regime == "regie"
    assert ms.services["electricity"].governance.regime == "regie"
    assert ms.services["electricity"].network.storm_crew_share_pct == 100


def test_a_services_block_makes_a_multiservice_file_without_service_multi(tmp_path: Path) -> None:
    from sim.scenario import loader
    from sim.scenario.model import load_scenario

    text = HEAD.replace("service: multi\n", "")
    f = tmp_path / "two.yaml"
    f.write_text(text, encoding="utf-8")
    assert loader.is_multiservice_path(f)
    assert set(load_multiservice(f).services) == {"water", "electricity"}
    with pytest.raises(ScenarioError) as exc:
        load_scenario(f)  # a one-service door names it for what it is
    assert [(p.path, p.kind) for p in exc.value.problems] == [("services", "multi_here")]
    # a water file is not one, nor is a file that cannot be read
    assert not loader.is_multiservice_path(scenarios_dir() / "regie.yaml")
    assert not loader.is_multiservice_path(tmp_path / "absent.yaml")


def test_text_may_extend_the_shipped_multiservice_file() -> None:
    ms = loads_multiservice("extends: multiservice.yaml\nshared: {overhead_saving_pct: 5}\n")
    want = load_multiservice(FILE)
    assert ms.shared.overhead_saving_pct == 5
    assert ms.services == want.services


# --------------------------------------------------------------------------------------------
# many futures: the gap's median and range
# --------------------------------------------------------------------------------------------
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_gap_ensemble_is_against_separate_on_each_seed_of_the_family(small: MultiServiceScenario) -> None:
    from sim.core.rng import child_seeds
    from sim.experiments.multi import gap_ensemble

    ms = small.with_shared(overhead_saving_pct=15.0)
    ens = gap_ensemble(ms, 3, seed=7)
    seeds = child_seeds(7, 3)
    assert list(ens.runs["seed"]) == seeds and list(ens.runs["run"]) == [0, 1, 2]
    one = against_separate(ms, seeds[1])
    row = ens.runs.iloc[1]
    for key in one.parts.index:
        assert row[key] == one.parts.at[key, "gap"]
    for step in ("crews", "overheads", "bill"):
        assert row[f"opex_eur_{step}"] == one.parts.at["opex_eur", step]
    # the parts of the gap in operating costs add up to it, future by future
    parts = ens.runs[["opex_eur_crews", "opex_eur_overheads", "opex_eur_bill"]].sum(axis=1)
    assert parts.to_numpy() == pytest.approx(ens.runs["opex_eur"].to_numpy())
    summary = ens.summary()
    assert summary.at["opex_eur", "median"] == ens.runs["opex_eur"].median()
    assert (summary["min"] <= summary["median"]).all() and (summary["median"] <= summary["max"]).all()
    assert summary.at["overheads_eur", "max"] < 0  # pooling saves in every future
    # stopped before its end: the futures that finished
    calls = iter([False, True])
    stopped = gap_ensemble(ms, 3, seed=7, cancel=lambda: next(calls))
    assert stopped.cancelled and len(stopped.runs) == 1


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_cli_ensemble_of_a_multiservice_file(capsys: Any, tmp_path: Path) -> None:
    out = tmp_path / "ens"
    code = main(["ensemble", str(FILE), "--runs", "2", "-q", "--out", str(out), *SMALL_ARGS])
    text, _ = capsys.readouterr()
    assert code == 0, text
    assert "sur 2 futurs" in text and "médiane" in text
    assert "Charges d'exploitation : une seule facture" in text
    runs = pd.read_csv(out / "gap_runs.csv")
    summary = pd.read_csv(out / "gap_summary.csv", index_col="gap")
    assert len(runs) == 2 and summary.at["opex_eur", "median"] == pytest.approx(runs["opex_eur"].median())
    code = main(["--lang", "en", "ensemble", str(FILE), "--runs", "1", "-q", "--out", str(out), *SMALL_ARGS])
    text, _ = capsys.readouterr()
    assert code == 0 and "over 1 future (seed" in text and "median" in text

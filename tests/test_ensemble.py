"""The experiment layer: replications, comparisons, sweeps, sensitivity, statements, executors.

Tiny towns (300 households, 3 years) keep the whole file fast; the parallel paths start real
process pools and a real Dask LocalCluster.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim import Scenario, with_changes
from sim.cli.ensemble import parse_grid
from sim.cli.main import CliError, ensemble_main, sweep_main
from sim.cli.main import main as cli_main
from sim.core.rng import child_seeds
from sim.experiments.ensemble import (
    BANDS,
    NBSP,
    NNBSP,
    THREAD_ENV,
    Ensemble,
    _init_worker,
    _thread_env,
    compare_many,
    format_number,
    nice_threshold,
    sensitivity,
    simulate_many,
    sweep,
)

# process pools, a Dask cluster and many runs: the slow tier
pytestmark = pytest.mark.slow

PRICE = "tariff.blocks[0].price_eur_per_m3"


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return with_changes(Scenario(), {"households.count": 300, "horizon_years": 3})


@pytest.fixture(scope="module")
def ens(tiny: Scenario) -> Ensemble:
    return simulate_many(tiny, 8, seed=11, executor="sequential")


def hand_ensemble(values: list[float], indicator: str, year: int = 2055) -> Ensemble:
    """One year, one run per value: odds and statements can be counted by hand."""
    years = pd.DataFrame(
        {"run": range(len(values)), "seed": range(100, 100 + len(values)), "year": year, indicator: values}
    )
    return Ensemble(years=years)


# ------------------------------------------------------------------------------- seeds
def test_child_seeds_are_deterministic_distinct_and_used(tiny: Scenario, ens: Ensemble) -> None:
    assert child_seeds(11, 50) == child_seeds(11, 50)
    assert len(set(child_seeds(11, 50))) == 50
    assert child_seeds(11, 8) != child_seeds(12, 8)
    # a longer family extends a shorter one: run r keeps its seed when runs are added
    assert child_seeds(11, 50)[:8] == child_seeds(11, 8)
    assert ens.seeds == tuple(child_seeds(11, 8))
    per_run = ens.years.groupby("run")["seed"].unique()
    assert [int(v[0]) for v in per_run] == list(ens.seeds)
    assert ens.years["run"].tolist() == [r for r in range(8) for _ in range(3)]
    # distinct seeds give distinct futures
    assert ens.years.groupby("run")["population"].first().nunique() > 1


def test_seed_defaults_to_the_scenarios(tiny: Scenario) -> None:
    e = simulate_many(tiny, 2, executor="sequential")
    assert e.seeds == tuple(child_seeds(tiny.seed, 2))


# ------------------------------------------------------------------------------- bands and odds
@pytest.mark.parametrize(
    "indicator", ["yield_pct", "reserves_eur", "share_households_above_3pct", "real_losses_m3"]
)
def test_bands_are_ordered_and_equal_numpy_percentile(ens: Ensemble, indicator: str) -> None:
    b = ens.bands(indicator)
    assert list(b.columns) == ["p5", "p25", "p50", "p75", "p95"]
    assert list(b.index) == [2026, 2027, 2028]
    q = b.to_numpy()
    assert (np.diff(q, axis=1) >= 0).all()
    for year, row in b.iterrows():
        v = ens.years.loc[ens.years["year"] == year, indicator].to_numpy()
        assert len(v) == 8
        np.testing.assert_array_equal(row.to_numpy(), np.percentile(v, [p for _, p in BANDS]))


def test_bands_spread_when_runs_differ(ens: Ensemble) -> None:
    b = ens.bands("real_losses_m3")
    assert (b["p95"] > b["p5"]).all()


def test_all_bands_is_tidy(ens: Ensemble) -> None:
    t = ens.all_bands()
    assert list(t.columns[:2]) == ["indicator", "year"]
    assert len(t) == 3 * len(ens.indicators())
    assert "run" not in set(t["indicator"]) and "seed" not in set(t["indicator"])


def test_odds_counted_by_hand() -> None:
    e = hand_ensemble([10.0, 20.0, 30.0, 40.0, 50.0], "bill_120m3_eur")
    assert e.odds("bill_120m3_eur", 2055, 30.0) == 3 / 5  # 10, 20, 30 at or below 30
    assert e.odds("bill_120m3_eur", 2055, 29.9) == 2 / 5
    assert e.odds("bill_120m3_eur", 2055, 40.0, below=False) == 2 / 5  # 40, 50
    assert e.odds("bill_120m3_eur", 2055, 5.0) == 0.0
    assert e.odds("bill_120m3_eur", 2055, 50.0) == 1.0
    with pytest.raises(KeyError):
        e.odds("bill_120m3_eur", 2054, 30.0)
    with pytest.raises(KeyError):
        e.odds("no_such_column", 2055, 30.0)


# ------------------------------------------------------------------------------- statements
def test_format_number_french_and_english() -> None:
    assert format_number(1234567.891, "fr", 2) == f"1{NNBSP}234{NNBSP}567,89"
    assert format_number(1234567.891, "en", 2) == "1,234,567.89"
    assert format_number(-2700000, "fr") == f"-2{NNBSP}700{NNBSP}000"
    assert format_number(2.35, "fr", 2) == "2,35"
    assert format_number(-0.001, "fr", 1) == "0,0"  # no "minus zero"


@given(st.floats(-1e9, 1e9, allow_nan=False), st.integers(0, 3))
def test_french_numbers_read_back(x: float, decimals: int) -> None:
    text = format_number(x, "fr", decimals)
    assert "." not in text and " " not in text
    back = float(text.replace(NNBSP, "").replace(",", "."))
    assert back == float(f"{x:.{decimals}f}")
    assert (NNBSP in text) == (abs(back) >= 1000)


@pytest.mark.parametrize(
    ("x", "up", "step", "expected"),
    [
        (281.2, True, None, (290.0, 0)),
        (281.2, False, None, (280.0, 0)),
        (290.0, True, None, (290.0, 0)),
        (2.27, True, 0.05, (2.3, 2)),
        (2.31, True, 0.05, (2.35, 2)),
        (1_866_538.0, False, None, (1_800_000.0, 0)),
        (-2_698_440.0, False, None, (-2_700_000.0, 0)),
        (0.0, True, None, (0.0, 1)),
    ],
)
def test_nice_threshold(x: float, up: bool, step: float | None, expected: tuple[float, int]) -> None:
    assert nice_threshold(x, up, step) == expected


def test_statement_of_a_bill_in_french_and_english() -> None:
    bills = [250.0, 260.0, 270.0, 280.0, 290.0, 300.0, 310.0, 320.0, 330.0, 340.0]
    e = hand_ensemble(bills, "bill_120m3_eur")
    # P80 = 250 + 0.8 × 9 × 10 = 322 → rounded up to 330; 9 of the 10 bills are at or below it
    assert np.percentile(bills, 80) == pytest.approx(322.0)
    fr = e.statement("bill_120m3_eur", 2055, "fr")
    en = e.statement("bill_120m3_eur", 2055, "en")
    assert fr == (f"Dans 9 futurs simulés sur 10, la facture de 120 m3 reste sous 330{NBSP}€ en 2055.")
    assert en == "In 9 of 10 simulated futures, the 120 m3 bill stays below €330 in 2055."


def test_statement_where_high_is_good_uses_p20_and_thousands() -> None:
    reserves = [1_100_000.0 + 100_000.0 * i for i in range(10)]
    e = hand_ensemble(reserves, "reserves_eur")
    # P20 = 1 280 000 → rounded down to 1 200 000; runs at or above: 1.2 M … 2.0 M = 9 of 10
    fr = e.statement("reserves_eur", None, "fr")
    en = e.statement("reserves_eur", None, "en")
    assert f"1{NNBSP}200{NNBSP}000{NBSP}€" in fr and "sur 10" in fr and "restent au-dessus" in fr
    assert fr.startswith("Dans 9 futurs simulés sur 10")
    assert "€1,200,000" in en and "of 10" in en and en.startswith("In 9 of 10")


def test_statement_uses_decimal_comma_in_french() -> None:
    e = hand_ensemble([2.21, 2.22, 2.24, 2.26, 2.28], "price_120m3_eur_per_m3")
    fr = e.statement("price_120m3_eur_per_m3", 2055, "fr")
    en = e.statement("price_120m3_eur_per_m3", 2055, "en")
    assert f"2,30{NBSP}€/m3" in fr and "€2.30/m3" in en


def test_statements_on_a_simulated_ensemble(ens: Ensemble) -> None:
    for lang, marker in (("fr", " sur 8,"), ("en", " of 8 simulated")):
        lines = ens.statements(lang=lang)
        assert len(lines) == 4
        assert all(marker in line and "2028" in line for line in lines)
    with pytest.raises(ValueError):
        ens.statement("yield_pct", lang="de")


# ------------------------------------------------------------------------------- executors
def test_sequential_equals_process_pool_equals_dask_cluster(tiny: Scenario) -> None:
    from distributed import LocalCluster

    seq = simulate_many(tiny, 4, seed=5, executor="sequential")
    pool = simulate_many(tiny, 4, seed=5, workers=2)
    assert pool.meta["executor"] == "processes" and pool.meta["workers"] == 2
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        dask = simulate_many(tiny, 4, seed=5, executor=cluster.scheduler_address)
    assert dask.meta["executor"].startswith("dask:")
    pd.testing.assert_frame_equal(seq.years, pool.years, check_exact=True)
    pd.testing.assert_frame_equal(seq.years, dask.years, check_exact=True)
    pd.testing.assert_frame_equal(seq.summaries, pool.summaries, check_exact=True)
    assert seq.years["run"].nunique() == 4


def test_pool_sets_single_thread_env_and_restores_the_callers(monkeypatch) -> None:
    import signal

    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    with _thread_env():
        assert all(os.environ[k] == "1" for k in THREAD_ENV)
    assert os.environ["OMP_NUM_THREADS"] == "7"
    assert "OPENBLAS_NUM_THREADS" not in os.environ
    for k in THREAD_ENV:
        monkeypatch.delenv(k, raising=False)  # restored after the test
    old = signal.getsignal(signal.SIGINT)
    try:
        _init_worker()
        assert all(os.environ[k] == "1" for k in THREAD_ENV)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # Ctrl-C is the parent's
    finally:
        signal.signal(signal.SIGINT, old)


def test_dask_missing_names_the_extra(tiny: Scenario, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r"pip install regie-sim\[cluster\]"):
        simulate_many(tiny, 2, seed=1, executor="tcp://127.0.0.1:1")


def test_unknown_executor_is_refused(tiny: Scenario) -> None:
    with pytest.raises(ValueError, match="unknown executor"):
        simulate_many(tiny, 2, seed=1, executor="threads")


def test_cancel_stops_a_sequential_ensemble_early(tiny: Scenario) -> None:
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 2  # polled before each run: two runs, then stop

    fractions: list[float] = []
    e = simulate_many(tiny, 6, seed=3, executor="sequential", cancel=cancel, progress=fractions.append)
    assert e.cancelled and e.runs == 2
    assert sorted(e.years["run"].unique()) == [0, 1]
    assert max(fractions) < 1.0
    assert e.seeds == tuple(child_seeds(3, 6))  # the plan is kept: the ensemble can be resumed


def test_cancel_stops_a_process_pool_early(tiny: Scenario) -> None:
    done: list[float] = []
    e = simulate_many(tiny, 60, seed=3, workers=2, progress=done.append, cancel=lambda: len(done) > 0)
    assert e.cancelled
    assert 1 <= e.runs < 60
    # every future counted as made is kept (runs already in a worker are waited for), and they are
    # the first runs without a gap, so a stopped ensemble can be shown and resumed
    assert e.runs >= round(done[-1] * 60)
    assert sorted(int(r) for r in e.years["run"].unique()) == list(range(e.runs))
    full = simulate_many(tiny, 60, seed=3, executor="sequential", cancel=lambda: False)
    assert not full.cancelled and full.runs == 60
    # what finished is exactly what a full run gives for those runs
    kept = full.years[full.years["run"].isin(e.years["run"].unique())].reset_index(drop=True)
    pd.testing.assert_frame_equal(e.years, kept, check_exact=True)


def test_progress_reaches_one(tiny: Scenario) -> None:
    seen: list[float] = []
    simulate_many(tiny, 3, seed=1, executor="sequential", progress=seen.append)
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_indicators_and_deciles_kept_on_request(tiny: Scenario) -> None:
    e = simulate_many(
        tiny, 2, seed=1, executor="sequential", keep_deciles=True, indicators=["bill_120m3_eur", "yield_pct"]
    )
    assert list(e.years.columns) == ["run", "seed", "year", "bill_120m3_eur", "yield_pct"]
    assert e.deciles is not None and len(e.deciles) == 2 * 3 * 10
    assert simulate_many(tiny, 1, seed=1, executor="sequential").deciles is None
    with pytest.raises(KeyError, match="unknown indicators"):
        simulate_many(tiny, 1, seed=1, executor="sequential", indicators=["nope"])


def test_compare_many_uses_common_random_numbers(tiny: Scenario) -> None:
    dear = with_changes(tiny, {PRICE: 1.9})
    d = compare_many({"base": tiny, "dear": dear}, 3, seed=9, executor="sequential")
    a, b = d["base"].years, d["dear"].years
    assert d["base"].seeds == d["dear"].seeds == tuple(child_seeds(9, 3))
    assert (a["seed"] == b["seed"]).all()
    # same luck: same households and the same pipe breaks, run by run
    assert (a["population"] == b["population"]).all() and (a["breaks"] == b["breaks"]).all()
    # different regime: a different price
    assert (b["price_120m3_eur_per_m3"] > a["price_120m3_eur_per_m3"]).all()


def test_to_dir_writes_the_tables(ens: Ensemble, tmp_path) -> None:
    ens.to_dir(tmp_path)
    years = pd.read_csv(tmp_path / "ensemble_years.csv")
    bands = pd.read_csv(tmp_path / "bands.csv")
    assert len(years) == len(ens.years) and {"run", "seed"} <= set(years.columns)
    assert list(bands.columns) == ["indicator", "year", "p5", "p25", "p50", "p75", "p95"]
    assert (tmp_path / "ensemble.json").is_file() and (tmp_path / "scenario.yaml").is_file()


# ------------------------------------------------------------------------------- sweeps
def test_sweep_rows_and_a_higher_price_gives_a_higher_120m3_price(tiny: Scenario) -> None:
    grid = {PRICE: [1.3, 1.6, 1.9], "tariff.standing_charge_eur_per_year": [30.0, 45.0]}
    df = sweep(tiny, grid, runs=2, seed=4, executor="sequential")
    assert len(df) == 3 * 2 * 2
    assert list(df.columns[:5]) == ["point", PRICE, "tariff.standing_charge_eur_per_year", "run", "seed"]
    assert set(df["seed"]) == set(child_seeds(4, 2))  # every point on the same seeds
    for _, part in df.groupby("tariff.standing_charge_eur_per_year"):
        means = part.groupby(PRICE)["price_120m3_eur_per_m3_first"].mean()
        assert list(means.index) == [1.3, 1.6, 1.9]
        assert means.is_monotonic_increasing and means.nunique() == 3


def test_sweep_validates_every_point_before_running(tiny: Scenario) -> None:
    from sim.scenario.errors import ScenarioError

    with pytest.raises(ScenarioError):
        sweep(tiny, {PRICE: [1.3, -1.0]}, executor="sequential")
    with pytest.raises(KeyError, match="unknown outputs"):
        sweep(tiny, {PRICE: [1.3]}, executor="sequential", outputs=["nope"])


# ------------------------------------------------------------------------------- sensitivity
def test_morris_on_two_params_is_finite_and_ranks_the_price(tiny: Scenario) -> None:
    params = {PRICE: (1.2, 2.0), "workforce.crews": (1, 6)}
    df = sensitivity(
        tiny,
        params,
        ["bill_120m3_eur_last", "breaks_total"],
        method="morris",
        n=4,
        seed=1,
        executor="sequential",
    )
    assert len(df) == 2 * 2
    assert df.attrs["evaluations"] == 4 * (2 + 1)
    vals = df[["mu", "mu_star", "sigma", "mu_star_conf"]].to_numpy()
    assert np.isfinite(vals).all()
    bill = df[df["output"] == "bill_120m3_eur_last"].set_index("param")
    assert bill.loc[PRICE, "mu_star"] > 0
    assert bill.loc["workforce.crews", "mu_star"] == 0  # crews do not set the tariff


def test_sobol_gives_bounded_indices(tiny: Scenario) -> None:
    params = {PRICE: (1.2, 2.0), "tariff.standing_charge_eur_per_year": (20.0, 60.0)}
    df = sensitivity(
        tiny, params, ["bill_120m3_eur_last"], method="sobol", n=8, seed=1, executor="sequential"
    )
    assert df.attrs["evaluations"] == 8 * (2 + 2)
    assert np.isfinite(df[["S1", "ST", "S1_conf", "ST_conf"]].to_numpy()).all()
    st = df.set_index("param")["ST"]
    assert st[PRICE] > st["tariff.standing_charge_eur_per_year"] > 0


def test_tornado_has_title_units_and_safe_colours(tiny: Scenario) -> None:
    from sim.show.fans import BLUE, ORANGE, tornado

    df = pd.DataFrame(
        {
            "param": ["a", "b"],
            "output": "bill_120m3_eur_last",
            "method": "morris",
            "mu": [5.0, 1.0],
            "mu_star": [5.0, 1.0],
            "sigma": [0.5, 0.1],
            "mu_star_conf": [0.2, 0.1],
        }
    )
    fig = tornado(df, "bill_120m3_eur_last", "fr")
    assert "bill_120m3_eur_last" in fig.layout.title.text
    assert "€" in fig.layout.xaxis.title.text
    assert list(fig.data[0].y) == ["b", "a"]  # largest on top
    assert [t.marker.color for t in fig.data] == [BLUE, ORANGE]
    assert "Sensitivity" in tornado(df, "bill_120m3_eur_last", "en").layout.title.text
    with pytest.raises(KeyError):
        tornado(df, "nope", "fr")


# ------------------------------------------------------------------------------- CLI
def test_parse_grid_reads_yaml_values() -> None:
    assert parse_grid([f"{PRICE}=1.3,1.6", "town.urban=true,false", "town.name='A, B',C"]) == {
        PRICE: [1.3, 1.6],
        "town.urban": [True, False],
        "town.name": ["A, B", "C"],
    }
    with pytest.raises(CliError):
        parse_grid(["nokey"])
    with pytest.raises(CliError):
        parse_grid([f"{PRICE}=1", f"{PRICE}=2"])


@pytest.fixture
def town_file(tmp_path):
    from sim.scenario.model import save_scenario

    f = tmp_path / "town.yaml"
    save_scenario(Scenario(), f)
    return f


def test_ensemble_cli_prints_statements_and_writes_files(town_file, tmp_path, capsys) -> None:
    out_dir = tmp_path / "o"
    code = ensemble_main(
        [
            str(town_file),
            "--runs",
            "3",
            "--workers",
            "1",
            "--out",
            str(out_dir),
            "--set",
            "households.count=300",
            "--set",
            "horizon_years=2",
            "-q",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    # three runs: the sentences count out of 3, never "out of 10"
    assert out.count(" sur 3,") == 4 and "sur 10" not in out and "2027" in out
    assert "3 futurs simulés" in out
    years = pd.read_csv(out_dir / "ensemble_years.csv")
    assert len(years) == 3 * 2 and set(years["run"]) == {0, 1, 2}
    assert (out_dir / "bands.csv").is_file()


def test_ensemble_cli_speaks_english_and_refuses_bad_input(town_file, tmp_path, capsys) -> None:
    code = cli_main(
        [
            "ensemble",
            str(town_file),
            "--runs",
            "2",
            "--workers",
            "1",
            "--lang",
            "en",
            "--out",
            str(tmp_path / "e"),
            "--set",
            "households.count=300",
            "--set",
            "horizon_years=2",
            "-q",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and out.count("of 2 simulated futures") == 4 and "of 10" not in out
    assert (
        ensemble_main([str(town_file), "--set", "horizon_years=abc", "-q", "--out", str(tmp_path / "bad")])
        == 2
    )
    assert "horizon_years" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()  # nothing written on bad input
    assert ensemble_main([str(town_file), "--runs", "0"]) == 2


def test_sweep_cli_writes_one_row_per_point_and_run(town_file, tmp_path, capsys) -> None:
    code = sweep_main(
        [
            str(town_file),
            "--grid",
            f"{PRICE}=1.3,1.6,1.9",
            "--runs",
            "2",
            "--workers",
            "1",
            "--out",
            str(tmp_path),
            "--set",
            "households.count=300",
            "--set",
            "horizon_years=2",
            "-q",
            "--lang",
            "en",
        ]
    )
    assert code == 0
    df = pd.read_csv(tmp_path / "sweep.csv")
    assert len(df) == 3 * 2
    out = capsys.readouterr().out
    assert "price_120m3_eur_per_m3_first" in out and "runs" in out
    assert sweep_main([str(town_file), "--grid", "nokey", "-q"]) == 2
    assert (
        sweep_main(
            [
                str(town_file),
                "--grid",
                f"{PRICE}=1.3",
                "--outputs",
                "nope",
                "-q",
                "--out",
                str(tmp_path / "bad"),
            ]
        )
        == 2
    )
    assert "nope" in capsys.readouterr().err


def test_statement_counts_the_futures_run() -> None:
    # P80 of (100, 110, 120, 200) = 152 → 160; 3 of the 4 runs at or below: said « 3 sur 4 »
    e = hand_ensemble([100.0, 110.0, 120.0, 200.0], "bill_120m3_eur")
    assert e.statement("bill_120m3_eur", 2055, "fr").startswith("Dans 3 futurs simulés sur 4,")
    assert e.statement("bill_120m3_eur", 2055, "en").startswith("In 3 of 4 simulated futures,")
    # issue 11: with 6 runs, « 4 of 6 », never "8 of 10"
    six = hand_ensemble([100.0, 100.0, 100.0, 100.0, 300.0, 310.0], "bill_120m3_eur")
    assert "of 6 simulated futures" in six.statement("bill_120m3_eur", 2055, "en")
    assert "sur 6," in six.statement("bill_120m3_eur", 2055, "fr")
    assert f"sous 160{NBSP}€" in e.statement("bill_120m3_eur", 2055, "fr")

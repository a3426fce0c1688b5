"""``regie-sim compare A.yaml B.yaml … --seed N --out DIR``: regimes side by side on one seed.

Registered in :data:`sim.cli.main.COMMANDS`. Prints the headline table and the list of parameters that
differ between the scenarios (the only sources of the differences), and writes
``comparison.csv``, ``differences.csv`` and one results folder per scenario.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from sim.cli.common import (
    CliError,
    Context,
    Tr,
    _check_out_dir,
    _nonneg_int,
    _out_dir,
    check_writable,
    load_from_args,
    render_table,
)
from sim.cli.multi import handle_against_separate
from sim.experiments.compare import INDICATORS, compare
from sim.experiments.explain import EXPLAINABLE, explain
from sim.i18n import fmt_number
from sim.measure.indicators import indicator
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.model import Scenario


def setup_compare(new: Callable[..., argparse.ArgumentParser], t: Tr) -> argparse.ArgumentParser:
    p = new(
        t(
            "compare plusieurs scénarios (modes de gestion) sur la même graine",
            "compare several scenarios (regimes) on one seed",
        )
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar=t("FICHIER", "FILE"),
        help=t(
            "scénarios YAML, par ex. scenarios/concession.yaml scenarios/regie.yaml",
            "YAML scenarios, e.g. scenarios/concession.yaml scenarios/regie.yaml",
        ),
    )
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar=t("CLÉ=VALEUR", "KEY=VALUE"),
        help=t(
            "change une valeur dans tous les scénarios (répétable)",
            "change one value in every scenario (repeatable)",
        ),
    )
    p.add_argument(
        "--households",
        type=_nonneg_int,
        metavar="N",
        help=t("met chaque commune à l'échelle de N ménages", "scale every town to N households"),
    )
    p.add_argument(
        "--seed",
        type=_nonneg_int,
        default=1,
        metavar="N",
        help=t("graine commune (par défaut 1)", "common seed (default 1)"),
    )
    p.add_argument(
        "--out",
        type=_out_dir,
        metavar=t("DOSSIER", "DIR"),
        help=t("dossier de sortie (par défaut runs/compare)", "output folder (default runs/compare)"),
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help=t(
            "avec deux scénarios A B : décompose l'écart du prix du m3 (120 m3) de la dernière année, "
            "une différence après l'autre (règle de décision d'abord)",
            "with two scenarios A B: decompose the gap of the last year's price per m3 (120 m3), one "
            "difference at a time (the decision rule first)",
        ),
    )
    p.add_argument(
        "--indicator",
        choices=sorted(EXPLAINABLE),
        default=None,
        help=t(
            "avec --explain : l'indicateur décomposé (par défaut le prix phare du service : "
            "price_120m3_eur_per_m3 pour l'eau, price_ref_eur_per_kwh pour l'électricité)",
            "with --explain: the indicator decomposed (default: the service's headline price, "
            "price_120m3_eur_per_m3 for water, price_ref_eur_per_kwh for electricity)",
        ),
    )
    p.add_argument(
        "--against-separate",
        action="store_true",
        help=t(
            "avec un scénario multiservice (un bloc « services: ») : la régie contre les mêmes services "
            "gérés séparément, sur la même graine, et de quoi l'écart est fait",
            "with a multi-service scenario (a 'services:' block): the régie against the same services "
            "run separately, on one seed, and what the gap is made of",
        ),
    )
    p.add_argument(
        "--json",
        action="store_true",
        help=t("avec --explain : un objet JSON sur la sortie", "with --explain: one JSON object on stdout"),
    )
    p.add_argument(
        "--quiet", "-q", action="store_true", help=t("sans barre de progression", "no progress bar")
    )
    return p


def handle_explain(args: argparse.Namespace, ctx: Context) -> int:
    """``compare A B --explain [--json]``: the last year's price gap B - A, difference by difference."""
    scenarios = _load_all(args, ctx)
    if len(scenarios) != 2:
        raise CliError(
            ctx.t(
                f"--explain décompose l'écart entre deux scénarios, pas {len(scenarios)}",
                f"--explain decomposes the gap between two scenarios, not {len(scenarios)}",
            )
        )
    (na, a), (nb, b) = scenarios.items()
    if a.horizon_years != b.horizon_years:
        raise CliError(
            ctx.t(
                f"--explain : les deux scénarios doivent avoir le même horizon ({a.horizon_years} et "
                f"{b.horizon_years} ans) ; utilisez --set horizon_years=N",
                f"--explain: both scenarios need the same horizon ({a.horizon_years} and "
                f"{b.horizon_years} years); use --set horizon_years=N",
            )
        )
    ex = explain(a, b, seed=args.seed, indicator=args.indicator, a_name=na, b_name=nb)
    if args.json:
        ctx.out(json.dumps(ex.to_json(ctx.lang), ensure_ascii=False, indent=1))
        return 0
    lang = ctx.lang
    unit = EXPLAINABLE[ex.indicator]
    shown = "€" if unit.startswith("€") else unit
    name = indicator(ex.indicator).label(lang)
    ctx.out(
        ctx.t(
            f"{name} en {ex.year}, même graine ({args.seed}) : {na} "
            f"{fmt_number(ex.a_value, lang, 3)} {shown}, {nb} {fmt_number(ex.b_value, lang, 3)} {shown}.",
            f"{name} in {ex.year}, same seed ({args.seed}): {na} "
            f"{fmt_number(ex.a_value, lang, 3)} {shown}, {nb} {fmt_number(ex.b_value, lang, 3)} {shown}.",
        )
    )
    ctx.out(
        ctx.t(
            f"L'écart, une différence après l'autre, de {na} vers {nb} (règle de décision d'abord) :",
            f"The gap, one difference at a time, from {na} to {nb} (the decision rule first):",
        )
    )

    def signed(x: float) -> str:
        return ("+" if x >= 0 else "") + fmt_number(x, lang, 3)

    rows = [[signed(p.delta), p.label(lang)] for p in ex.parts]
    rows.append([signed(ex.residual), ctx.t("reste (arrondis)", "residual (rounding)")])
    ctx.out(render_table([unit, ctx.t("différence", "difference")], rows))
    return 0


def _load_all(args: argparse.Namespace, ctx: Context) -> dict[str, Scenario]:
    scenarios: dict[str, Scenario] = {}
    problems: list[Problem] = []
    for f in args.files:
        name = Path(f).stem
        while name in scenarios:
            name += "_bis"
        try:
            ns = argparse.Namespace(file=f, overrides=args.overrides, households=args.households)
            scenarios[name] = load_from_args(ns, ctx)
        except ScenarioError as err:
            problems += err.problems
    if problems:
        raise ScenarioError(problems)
    return scenarios


def handle_compare(args: argparse.Namespace, ctx: Context) -> int:
    if args.against_separate:
        return handle_against_separate(args, ctx)
    if args.explain:
        return handle_explain(args, ctx)
    if args.json:
        raise CliError(ctx.t("--json va avec --explain", "--json goes with --explain"))

    scenarios = _load_all(args, ctx)
    out = Path(args.out) if args.out else Path("runs") / "compare"
    check_writable(out, ctx)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "comparison.csv").is_file())):
        raise CliError(
            ctx.t(
                f"{out} existe et n'est pas un dossier de comparaison : choisissez un autre --out",
                f"{out} exists and is not a comparison folder: choose another --out",
            )
        )
    for name in scenarios:
        _check_out_dir(out / name, ctx)
    bar = None
    progress = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=100, desc=ctx.t("Comparaison", "Comparing"), file=sys.stderr, leave=False)

        def progress(f: float) -> None:
            done = round(100 * f)
            if bar is not None and done > bar.n:
                bar.update(done - bar.n)

    try:
        cmp = compare(scenarios, seed=args.seed, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    out.mkdir(parents=True, exist_ok=True)
    for name, res in cmp.results.items():
        res.to_dir(out / name)
    cmp.table.to_csv(out / "comparison.csv")
    cmp.differences.to_csv(out / "differences.csv", index=False)
    lang = ctx.lang
    header = [ctx.t("Indicateur", "Indicator"), *cmp.table.index]
    rows = []
    for key in cmp.table.columns:  # the rows of the scenarios' service, in its order
        fr, en = INDICATORS[key]
        decimals = 3 if "kwh" in key else 2 if "price" in key else 1 if ("pct" in key or "fte" in key) else 0
        rows.append([ctx.t(fr, en), *(fmt_number(float(v), lang, decimals) for v in cmp.table[key])])
    if "saidi_mean" in cmp.table:  # electricity
        ctx.out(
            ctx.t(
                f"Même commune, même graine ({args.seed}) : même météo, mêmes tempêtes et incidents.",
                f"Same town, same seed ({args.seed}): same weather, same storms and incidents.",
            )
        )
    else:
        ctx.out(
            ctx.t(
                f"Même commune, même graine ({args.seed}) : mêmes pluies, mêmes casses.",
                f"Same town, same seed ({args.seed}): same rain, same pipe failures.",
            )
        )
    ctx.out(render_table(header, rows))
    ctx.out()
    ctx.out(
        ctx.t(
            "Ce qui diffère entre les scénarios (les seules sources des écarts) :",
            "What differs between the scenarios (the only sources of the differences):",
        )
    )
    diff = cmp.differences
    if diff.empty:
        ctx.out(ctx.t("  rien", "  nothing"))
    else:
        ctx.out(
            render_table(
                [ctx.t("clé", "key"), *scenarios],
                [[str(r["key"]), *(str(r[n]) for n in scenarios)] for _, r in diff.iterrows()],
            )
        )
    ctx.out()
    ctx.out(
        ctx.t(
            f"Écrit : {out}/comparison.csv, {out}/differences.csv et un dossier par scénario",
            f"Written: {out}/comparison.csv, {out}/differences.csv and one folder per scenario",
        )
    )
    return 0

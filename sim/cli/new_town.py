"""``regie-sim new-town``: a calibrated scenario from a town's published figures.

By hand::

    regie-sim new-town --name "Ma commune" --households 8000 --network-km 140 --price-120m3 2.40 \\
        --yield-pct 72 --renewal-pct 0.45 --unpaid-pct 1.8 --out ma-commune.yaml

From files a user downloaded (offline)::

    regie-sim new-town --sispea sispea-2023.xlsx --insee 69123 [--composition compo.xlsx] \\
        [--census menages.csv] [--filosofi filosofi.csv] --out ma-commune.yaml

Exit 0 when the file is written, 2 on bad input (a located message, in French or English with the
``lang`` attribute of the arguments); nothing is written on error. The YAML and the report are
written atomically.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from sim.calibration.calibrate import TownFigures, calibrate_town
from sim.calibration.errors import InputFileError
from sim.calibration.figures import figures_from_files, merge_hand
from sim.calibration.report import format_report, report_csv, scenario_yaml, write_atomic
from sim.cli.common import Context, Tr
from sim.scenario.errors import ScenarioError
from sim.scenario.model import REGIMES

HAND_OPTIONS: list[tuple[str, str, type, str, str]] = [
    # flag, dest, type, help fr, help en
    ("--name", "name", str, "nom de la commune", "name of the town"),
    ("--households", "households", int, "ménages desservis", "households served"),
    (
        "--population",
        "population",
        float,
        "habitants desservis (D101.0)",
        "inhabitants served (D101.0)",
    ),
    (
        "--network-km",
        "network_km",
        float,
        "longueur du réseau hors branchements, km (VP.077)",
        "mains length excluding connections, km (VP.077)",
    ),
    (
        "--price-120m3",
        "price_120m3_eur_per_m3",
        float,
        "prix TTC du m3 pour 120 m3 (D102.0)",
        "price incl. tax per m3 for 120 m3 (D102.0)",
    ),
    (
        "--yield-pct",
        "yield_pct",
        float,
        "rendement du réseau, % (P104.3)",
        "network yield, % (P104.3)",
    ),
    (
        "--ilp",
        "ilp_m3_per_km_day",
        float,
        "indice linéaire de pertes, m3/km/j (P106.3)",
        "linear loss index, m3/km/day (P106.3)",
    ),
    (
        "--renewal-pct",
        "renewal_pct",
        float,
        "taux moyen de renouvellement, % (P107.2)",
        "mean renewal rate, % (P107.2)",
    ),
    ("--unpaid-pct", "unpaid_pct", float, "taux d'impayés, % (P154.0)", "unpaid rate, % (P154.0)"),
    (
        "--debt-years",
        "debt_years",
        float,
        "durée d'extinction de la dette, ans (P153.2)",
        "debt extinction, years (P153.2)",
    ),
    ("--subscribers", "subscribers", float, "nombre d'abonnés (VP.056)", "subscribers (VP.056)"),
    (
        "--volume-produced",
        "volume_produced_m3",
        float,
        "volume produit, m3/an",
        "volume produced, m3/yr",
    ),
    (
        "--volume-sold",
        "volume_sold_m3",
        float,
        "volume vendu aux abonnés, m3/an",
        "volume sold to subscribers, m3/yr",
    ),
    ("--operator", "operator", str, "opérateur (délégataire)", "operator"),
    ("--contract-end", "contract_end_year", int, "année de fin du contrat", "contract end year"),
    ("--start-year", "start_year", int, "première année simulée", "first simulated year"),
]


def setup_new_town(new: Callable[..., argparse.ArgumentParser], t: Tr) -> argparse.ArgumentParser:
    """The ``new-town`` parser (its handler is :func:`handle_new_town`)."""
    p = new(
        t(
            "scénario calé sur les chiffres publiés d'une commune",
            "calibrated scenario from a town's published figures",
        ),
        t(
            "Construit un scénario qui reproduit les chiffres publiés (RPQS, SISPEA, INSEE) d'une commune.",
            "Builds a scenario reproducing a town's published figures.",
        ),
    )
    for flag, dest, typ, fr, en in HAND_OPTIONS:
        # argparse formats help with %: a literal % is written %%
        p.add_argument(flag, dest=dest, type=typ, default=None, help=t(fr, en).replace("%", "%%"))
    p.add_argument(
        "--regime",
        choices=list(REGIMES),
        default=None,
        help="mode de gestion / management mode",
    )
    p.add_argument(
        "--sispea",
        type=Path,
        default=None,
        help="extraction annuelle SISPEA (.xlsx) / SISPEA yearly extraction",
    )
    p.add_argument("--insee", default=None, help="code INSEE de la commune / commune code")
    p.add_argument(
        "--composition",
        type=Path,
        default=None,
        help="fichier « composition communale » (sinon la feuille du classeur SISPEA) / "
        "commune composition file",
    )
    p.add_argument(
        "--census",
        type=Path,
        default=None,
        help="INSEE recensement : ménages, population des ménages / census households",
    )
    p.add_argument(
        "--filosofi",
        type=Path,
        default=None,
        help="INSEE Filosofi : médiane, D1, D9 / income median, D1, D9",
    )
    p.add_argument("--seed", type=int, default=1, help="graine / seed")
    p.add_argument(
        "--report",
        type=Path,
        default=None,
        help="écrire aussi le rapport de calage (.csv ou .txt) / also write the report",
    )
    p.add_argument("--out", type=Path, required=True, help="fichier YAML à écrire / YAML to write")
    return p


def handle_new_town(args: argparse.Namespace, ctx: Context) -> int:
    """Run ``new-town``; 0 when written, 2 on bad input (nothing written)."""
    lang = ctx.lang
    hand = {dest: getattr(args, dest, None) for _, dest, *_ in HAND_OPTIONS}
    hand["regime"] = getattr(args, "regime", None)
    try:
        files = [args.sispea, args.composition, args.census, args.filosofi]
        if any(f is not None for f in files):
            if not args.insee:
                raise InputFileError("missing_figure", ctx={"wanted": "--insee"})
            fig = figures_from_files(
                args.insee,
                sispea=args.sispea,
                composition=args.composition,
                census=args.census,
                filosofi=args.filosofi,
            )
            fig = merge_hand(fig, hand)
        else:
            fig = merge_hand(TownFigures(), hand)
        if args.out.suffix.lower() not in (".yaml", ".yml"):
            raise InputFileError(
                "bad_figure",
                ctx={"wanted": "--out", "found": str(args.out), "detail": ".yaml / .yml"},
            )
        cal = calibrate_town(fig, seed=args.seed)
        text = scenario_yaml(cal)
        report_text = format_report(cal, lang)
        rep = None
        if args.report is not None:
            rep = report_csv(cal, lang) if args.report.suffix.lower() == ".csv" else report_text + "\n"
    except InputFileError as e:
        print(("Erreur : " if lang == "fr" else "Error: ") + e.format(lang), file=sys.stderr)
        return 2
    except ScenarioError as e:
        print(e.format(lang), file=sys.stderr)
        return 2
    try:
        write_atomic(args.out, text)
        if rep is not None:
            write_atomic(args.report, rep)
    except OSError as e:
        print(("Erreur d'écriture : " if lang == "fr" else "Write error: ") + str(e), file=sys.stderr)
        return 2
    print(report_text)
    print("")
    print(f"Scénario écrit : {args.out}" if lang == "fr" else f"Scenario written: {args.out}")
    return 0

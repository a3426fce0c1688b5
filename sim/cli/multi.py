"""The command line of a multi-service régie (``service: multi``, :mod:`sim.scenario.multi`).

``regie-sim run scenarios/multiservice.yaml`` runs every service on one clock
and writes one results folder per service, the operator's money by year (``combined.csv``) and
what is shared (``shared.csv``); ``regie-sim compare scenarios/multiservice.yaml
--against-separate`` runs the same services apart on the same seed, then adds each sharing in turn,
and prints the gap and what it is made of. ``run``, ``validate`` and ``compare``
(:mod:`sim.cli.main`, :mod:`sim.cli.compare`) hand a multi-service file over to this module.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from sim.cli.common import (
    CliError,
    Context,
    _check_out_dir,
    check_writable,
    parse_sets,
    render_table,
)
from sim.core.result import Result
from sim.experiments.multi import MEASURES, STEPS, against_separate, simulate_multi
from sim.i18n import fmt_number, t
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.model import MAX_HOUSEHOLDS, scale_town
from sim.scenario.multi import MultiServiceScenario, is_multiservice_file, load_multiservice

#: the services' names as people say them
SERVICE_LABELS = {"water": ("eau", "water"), "electricity": ("électricité", "electricity")}

#: the steps of --against-separate, as people say them
STEP_LABELS = {
    "separate": ("séparés", "separate"),
    "crews": ("+ équipes", "+ crews"),
    "overheads": ("+ frais généraux", "+ overheads"),
    "bill": ("+ une facture", "+ one bill"),
}


def service_label(name: str, ctx: Context) -> str:
    fr, en = SERVICE_LABELS.get(name, (name, name))
    return ctx.t(fr, en)


def load_multi_from_args(args: argparse.Namespace, ctx: Context) -> MultiServiceScenario:
    """The multi-service scenario of ``args.file``, with ``--set`` (``services.water.…`` changes
    one service) and ``--households`` (every service's town scaled)."""
    ms = load_multiservice(args.file, parse_sets(getattr(args, "overrides", None), ctx))
    households = getattr(args, "households", None)
    if households is not None:
        if not 10 <= households <= MAX_HOUSEHOLDS:
            detail = ctx.t(
                f"{households} ménages : il en faut entre 10 et {MAX_HOUSEHOLDS}",
                f"{households} households: between 10 and {MAX_HOUSEHOLDS} are allowed",
            )
            raise ScenarioError([Problem(str(args.file), "--households", "generic", {"detail": detail})])
        ms = MultiServiceScenario(ms.spec, {n: scale_town(s, households) for n, s in ms.services.items()})
    return ms


def describe_multi(ms: MultiServiceScenario, ctx: Context) -> str:
    """One line saying what a multi-service scenario is."""
    first = next(iter(ms.services.values()))
    start = first.town.start_year
    last = start + ms.spec.horizon_years - 1
    names = " + ".join(service_label(n, ctx) for n in ms.services)
    sh = ms.shared
    shared = [
        w
        for w, on in (
            (ctx.t("équipes", "crews"), sh.crews),
            (ctx.t("frais généraux", "overheads"), sh.overheads_pooled),
            (ctx.t("facture", "bill"), sh.one_bill),
        )
        if on
    ]
    what = ", ".join(shared) if shared else ctx.t("rien", "nothing")
    return ctx.t(
        f"{ms.spec.name} : {names}, {start}–{last}, partagés : {what}",
        f"{ms.spec.name}: {names}, {start}–{last}, shared: {what}",
    )


def dumps_multi(ms: MultiServiceScenario) -> str:
    """The resolved multi-service scenario as YAML (every service written out in full), which
    :func:`~sim.scenario.multi.load_multiservice` reads back to the same scenario."""
    data: dict[str, Any] = ms.spec.model_dump(mode="json")
    data["services"] = {n: s.model_dump(mode="json") for n, s in ms.services.items()}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _check_multi_out(out: Path, names: list[str], ctx: Context) -> None:
    check_writable(out, ctx)
    if out.exists():
        if not out.is_dir() or (any(out.iterdir()) and not (out / "combined.csv").is_file()):
            raise CliError(
                ctx.t(
                    f"{out} existe et n'est pas un dossier de résultats multiservice : choisissez un "
                    "autre --out",
                    f"{out} exists and is not a multi-service results folder: choose another --out",
                )
            )
    for name in names:
        _check_out_dir(out / name, ctx)


def _write_csv(text: str, path: Path) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed into place."""
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, delete=False, suffix=".tmp", encoding="utf-8"
    ) as f:
        f.write(text)
    Path(f.name).replace(path)


def handle_run_multi(
    args: argparse.Namespace, ctx: Context, summary: Callable[[Result, Context], str]
) -> int:
    """``run`` of a multi-service file: every service's summary, then the operator's money."""
    ms = load_multi_from_args(args, ctx)
    # by default runs/multi-<file name>: never the folder of a single service's run
    out = Path(args.out) if args.out else Path("runs") / f"multi-{Path(args.file).stem}"
    _check_multi_out(out, list(ms.services), ctx)
    result = simulate_multi(ms, args.seed)
    out.mkdir(parents=True, exist_ok=True)
    for name, res in result.results.items():
        res.to_dir(out / name)
        ctx.out(f"== {service_label(name, ctx).capitalize()} ==")
        ctx.out(summary(res, ctx))
        ctx.out()
    _write_csv(result.combined.to_csv(index=False), out / "combined.csv")
    _write_csv(result.shared.to_csv(index=False), out / "shared.csv")
    _write_csv(dumps_multi(ms.with_seed(result.seed)), out / "multiservice.yaml")
    ctx.out(f"== {ctx.t('Ensemble de la régie', 'The whole operator')} ==")
    ctx.out(money_table(result.combined, result.shared, ctx))
    ctx.out()
    ctx.out(
        ctx.t(
            f"Résultats écrits dans {out}/ (un dossier par service, combined.csv, shared.csv, "
            "multiservice.yaml)",
            f"Results written to {out}/ (one folder per service, combined.csv, shared.csv, "
            "multiservice.yaml)",
        )
    )
    return 0


def _meur(x: float, lang: str) -> str:
    return fmt_number(x / 1e6, lang, 2)


def money_table(combined: Any, shared: Any, ctx: Context) -> str:
    """The operator's money, first and last year, every budget summed (M€)."""
    lang = ctx.lang
    first, last = combined.iloc[0], combined.iloc[-1]
    rows = [
        [ctx.t("Recettes (M€)", "Receipts (M€)"), *(_meur(r["receipts_eur"], lang) for r in (first, last))],
        [ctx.t("Dépenses (M€)", "Payments (M€)"), *(_meur(r["payments_eur"], lang) for r in (first, last))],
        [
            ctx.t("dont frais généraux (M€)", "of which overheads (M€)"),
            _meur(first["overheads_eur"], lang),
            _meur(last["overheads_eur"], lang),
        ],
        [
            ctx.t("Trésorerie au 31 décembre (M€)", "Cash at 31 December (M€)"),
            _meur(first["cash_end_eur"], lang),
            _meur(last["cash_end_eur"], lang),
        ],
    ]
    if "overhead_saving_eur" in shared:
        s0, s1 = shared.iloc[0], shared.iloc[-1]
        rows.append(
            [
                ctx.t("Factures économisées (M€)", "Bills saved (M€)"),
                _meur(s0["bills_saved_eur"], lang),
                _meur(s1["bills_saved_eur"], lang),
            ]
        )
        rows.append(
            [
                ctx.t("Économie sur les frais généraux (M€)", "Saving on overheads (M€)"),
                _meur(s0["overhead_saving_eur"], lang),
                _meur(s1["overhead_saving_eur"], lang),
            ]
        )
    header = ["", str(int(first["year"])), str(int(last["year"]))]
    return render_table(header, rows)


def handle_against_separate(args: argparse.Namespace, ctx: Context) -> int:
    """``compare FILE --against-separate``: the régie against its services run apart."""
    if len(args.files) != 1:
        raise CliError(
            ctx.t(
                "--against-separate prend un seul fichier multiservice (un bloc « services: »)",
                "--against-separate takes one multi-service file (a 'services:' block)",
            )
        )
    if not is_multiservice_file(args.files[0]):
        raise CliError(
            ctx.t(
                f"{args.files[0]} n'est pas un scénario multiservice (un bloc « services: ») : "
                "--against-separate en demande un, par ex. scenarios/multiservice.yaml",
                f"{args.files[0]} is not a multi-service scenario (a 'services:' block): "
                "--against-separate needs one, e.g. scenarios/multiservice.yaml",
            )
        )
    ns = argparse.Namespace(file=args.files[0], overrides=args.overrides, households=args.households)
    ms = load_multi_from_args(ns, ctx)
    out = Path(args.out) if args.out else None
    if out is not None:
        check_writable(out, ctx)
        ours = (out / "against_separate.csv").is_file()
        if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not ours)):
            raise CliError(
                ctx.t(
                    f"{out} existe et n'est pas un dossier de comparaison : choisissez un autre --out",
                    f"{out} exists and is not a comparison folder: choose another --out",
                )
            )
    bar = None
    progress = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(STEPS), desc=ctx.t("Comparaison", "Comparing"), file=sys.stderr, leave=False)

        def progress(f: float) -> None:
            done = round(len(STEPS) * f)
            if bar is not None and done > bar.n:
                bar.update(done - bar.n)

    try:
        cmp = against_separate(ms, args.seed, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    lang = ctx.lang
    years = ms.spec.horizon_years
    ctx.out(
        ctx.t(
            f"{describe_multi(ms, ctx)}.\nLa régie contre les mêmes services gérés séparément, même "
            f"graine ({cmp.seed}) : même météo, mêmes casses, mêmes incidents et tempêtes. Sommes sur "
            f"{years} ans, tous services confondus ; chaque colonne ajoute un partage.",
            f"{describe_multi(ms, ctx)}.\nThe régie against the same services run separately, same "
            f"seed ({cmp.seed}): same weather, same pipe failures, incidents and storms. Sums over "
            f"{years} years, every service together; each column adds one sharing.",
        )
    )
    header = [ctx.t("Mesure", "Measure"), *(ctx.t(*STEP_LABELS[s]) for s in STEPS), ctx.t("écart", "gap")]
    rows = []
    for key in cmp.table.index:
        if key in MEASURES:
            fr, en, unit = MEASURES[key]
        else:  # a service's hours waited for a crew
            name = key.removesuffix("_crew_wait_hours")
            label_fr, label_en = SERVICE_LABELS.get(name, (name, name))
            fr = f"Attente d'une équipe, {label_fr}"
            en = f"Waiting for a crew, {label_en}"
            unit = "h"
        scale, dec = (1e6, 2) if unit == "M€" else (1.0, 1)
        vals = [float(cmp.table.loc[key, s]) / scale for s in STEPS]
        gap = float(cmp.parts.loc[key, "gap"]) / scale
        rows.append(
            [f"{ctx.t(fr, en)} ({unit})", *(fmt_number(v, lang, dec) for v in vals), _signed(gap, lang, dec)]
        )
    ctx.out(render_table(header, rows))
    ctx.out()
    ctx.out(
        ctx.t(
            "De quoi est fait l'écart des charges d'exploitation :",
            "What the gap in operating costs is made of:",
        )
    )
    parts = cmp.parts.loc["opex_eur"]
    part_rows = [
        [ctx.t("équipes partagées", "shared crews"), _signed(parts["crews"] / 1e6, lang, 2)],
        [
            ctx.t("frais généraux mis en commun", "pooled overheads"),
            _signed(parts["overheads"] / 1e6, lang, 2),
        ],
        [ctx.t("une seule facture", "one bill"), _signed(parts["bill"] / 1e6, lang, 2)],
        [ctx.t("écart total", "whole gap"), _signed(parts["gap"] / 1e6, lang, 2)],
    ]
    ctx.out(render_table([ctx.t("partage", "sharing"), "M€"], part_rows, rules_before=(3,)))
    ctx.out()
    sh = ms.shared
    key = t(
        f"compare.multi.split.{sh.split_key}", lang
    )  # « leurs propres frais généraux », not the YAML value
    ctx.out(
        ctx.t(
            f"Hypothèses (aucun chiffre dans les fichiers de référence) : économie de "
            f"{fmt_number(sh.overhead_saving_pct, lang, 0)} % sur les frais généraux, "
            f"{fmt_number(sh.bill_cost_eur, lang, 2)} € par facture ; frais généraux répartis entre "
            f"les budgets au prorata de {key}. Chaque service garde son budget, ses comptes et son tarif.",
            f"Assumptions (no figure in the reference files): "
            f"{fmt_number(sh.overhead_saving_pct, lang, 0)} % saved on overheads, "
            f"{fmt_number(sh.bill_cost_eur, lang, 2)} € per bill; overheads split between the "
            f"budgets in proportion to {key}. Each service keeps its own budget, accounts and tariff.",
        )
    )
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        table = cmp.table.copy()
        table["gap"] = cmp.parts["gap"]
        _write_csv(table.to_csv(index_label="measure"), out / "against_separate.csv")
        _write_csv(cmp.parts.to_csv(index_label="measure"), out / "gap_parts.csv")
        ctx.out(
            ctx.t(
                f"Écrit : {out}/against_separate.csv, {out}/gap_parts.csv",
                f"Written: {out}/against_separate.csv, {out}/gap_parts.csv",
            )
        )
    return 0


def _signed(x: float, lang: str, decimals: int) -> str:
    text = fmt_number(x, lang, decimals)
    return text if text.startswith(("-", "−")) else f"+{text}"


#: a signed number (``+1,20``, ``-0,50``), for gaps
signed = _signed
#: write a CSV file through a temporary file
write_csv = _write_csv

#: the parts of the gap in operating costs, as people say them
GAP_PARTS = {
    "opex_eur_crews": ("Charges d'exploitation : équipes partagées", "Operating costs: shared crews"),
    "opex_eur_overheads": (
        "Charges d'exploitation : frais généraux mis en commun",
        "Operating costs: pooled overheads",
    ),
    "opex_eur_bill": ("Charges d'exploitation : une seule facture", "Operating costs: one bill"),
}


def gap_label(key: str, ctx: Context) -> tuple[str, str]:
    """The label and unit of a measure of :func:`~sim.experiments.multi.against_separate` (or of
    a part of the gap in operating costs), in the context's language."""
    if key in MEASURES:
        fr, en, unit = MEASURES[key]
        return ctx.t(fr, en), unit
    if key in GAP_PARTS:
        return ctx.t(*GAP_PARTS[key]), "M€"
    name = key.removesuffix("_crew_wait_hours")
    label_fr, label_en = SERVICE_LABELS.get(name, (name, name))
    return ctx.t(f"Attente d'une équipe, {label_fr}", f"Waiting for a crew, {label_en}"), "h"

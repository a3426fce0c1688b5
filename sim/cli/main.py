"""The command line: ``regie-sim run|validate|bill …`` (``python -m sim …`` is the same).

Messages are in French by default, in English with ``--lang en`` or ``REGIE_SIM_LANG=en``.
Bad input (a scenario error, a malformed ``--set``) gets a located message on stderr and exit
status 2, never a traceback, and writes nothing. An unexpected error gets a short message and exit
status 1; ``--debug`` shows its traceback.

Adding a subcommand is adding one entry to :data:`COMMANDS`: a ``setup(new_parser, t)`` that
creates its parser with ``new_parser(help_text)`` and declares its arguments, and a
``handler(args, ctx) -> int`` that does the work and returns the exit status. Strings shown to
people are written in both languages side by side with ``t("français", "English")``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from sim._version import __version__
from sim.cli.bill_electricity import (
    add_electricity_bill_args,
    describe_electricity,
    handle_electricity_bill,
)
from sim.cli.common import (
    ENV_LANG,
    PROG,
    CliError,
    Context,
    Tr,
    _add_scenario_args,
    _check_out_dir,
    _common_options,
    _income,
    _nonneg_int,
    _out_dir,
    _persons,
    _volume,
    format_unit_price,
    load_from_args,
    render_table,
    round_half_up,
    translator,
)
from sim.cli.compare import handle_compare, setup_compare
from sim.cli.ensemble import (
    handle_ensemble,
    handle_sensitivity,
    handle_sweep,
    setup_ensemble,
    setup_sensitivity,
    setup_sweep,
)
from sim.cli.multi import describe_multi, handle_run_multi, load_multi_from_args
from sim.cli.new_town import handle_new_town, setup_new_town
from sim.cli.serve import handle_serve, setup_serve
from sim.cli.workshop import handle_workshop, setup_workshop
from sim.core.result import TABLES, Result
from sim.core.tariff import bill_lines, price_120m3_eur_per_m3
from sim.experiments.run import simulate
from sim.i18n import LANGS, fmt_eur, fmt_number, fmt_pct, normalise_lang, t
from sim.measure.indicators import UNIT_KEYS, Indicator, affordability_threshold_pct, indicator
from sim.scenario.electricity import ElectricityScenario
from sim.scenario.errors import ScenarioError
from sim.scenario.model import (
    Scenario,
    reference_persons,
)
from sim.scenario.multi import is_multiservice_file


def setup_run(new: Callable[..., argparse.ArgumentParser], t: Tr) -> argparse.ArgumentParser:
    p = new(
        t(
            "simule un scénario, affiche un résumé et écrit le dossier de résultats",
            "simulate a scenario, print a summary and write the results folder",
        )
    )
    _add_scenario_args(p, t)
    p.add_argument(
        "--out",
        type=_out_dir,
        metavar=t("DOSSIER", "DIR"),
        help=t(
            "dossier de résultats (par défaut runs/<nom du scénario>) ; "
            "un dossier de résultats existant est remplacé",
            "results folder (default runs/<scenario name>); an existing results folder is replaced",
        ),
    )
    p.add_argument(
        "--seed",
        type=_nonneg_int,
        metavar="N",
        help=t("graine aléatoire (par défaut celle du scénario)", "random seed (default: the scenario's)"),
    )
    p.add_argument(
        "--quiet", "-q", action="store_true", help=t("sans barre de progression", "no progress bar")
    )
    return p


def _simulate(scenario: Scenario, seed: int | None, show_progress: bool, ctx: Context) -> Result:
    if not show_progress:
        return simulate(scenario, seed)
    from tqdm import tqdm

    months = 12 * scenario.horizon_years
    with tqdm(
        total=months,
        desc=ctx.t("Simulation", "Simulating"),
        unit=ctx.t("mois", "month"),
        file=sys.stderr,
        leave=False,
        dynamic_ncols=True,
    ) as bar:

        def progress(fraction: float) -> None:
            done = round(fraction * months)
            if done > bar.n:
                bar.update(done - bar.n)

        return simulate(scenario, seed, progress=progress)


def _years(n: int, ctx: Context) -> str:
    return ctx.t(f"{n} an" if n == 1 else f"{n} ans", f"{n} year" if n == 1 else f"{n} years")


#: the indicators ``run`` prints for the first and last year (those the run has), from the one
#: indicator table (:mod:`sim.measure.indicators`)
SUMMARY_INDICATORS = (
    "price_120m3_eur_per_m3",
    "sewerage_price_120m3_eur_per_m3",
    "yield_pct",
    "consumption_l_per_person_day",
    "unpaid_rate_pct",
    "share_households_above_3pct",
    "price_ref_eur_per_kwh",
    "bill_ref_eur",
    "energy_poverty_pct",
    "saifi",
    "saidi_min",
    "underground_share_pct",
    "breaks",
    "outflow_eur",
    "debt_eur",
    "reserves_eur",
    "depreciation_eur",
    "caf_gross_eur",
    "debt_extinction_years",
    "renewal_gap_km",
    "fte",
)


#: units written after the number in the summary (the others are in the figure or its label)
SPOKEN_UNITS = ("minutes", "km", "years", "h", "days")


def _format(ind: Indicator, v: float, lang: str) -> str:
    """A value in the indicator's unit: euros per m3 with cents, whole euros, % with one decimal."""
    if ind.unit == "eur_per_m3":
        return fmt_eur(v, lang)
    if ind.unit == "eur_per_kwh":
        return fmt_eur(v, lang, 3)
    if ind.unit == "eur":
        return fmt_eur(v, lang, 0)
    if ind.unit == "pct":
        return fmt_pct(v, lang)
    if v != v:  # NaN: not defined this year (e.g. debt extinction without self-financing)
        return "—"
    text = fmt_number(v, lang, {"fte": 1, "years": 1, "km": 1, "per_customer": 2}.get(ind.unit, 0))
    if ind.unit in SPOKEN_UNITS:  # a bare "46" says nothing: "46 min", "7,7 km/an", "6,6 ans"
        return f"{text} {t(ind.axis_unit or UNIT_KEYS[ind.unit], lang)}"
    return text


def summary_table(result: Result, ctx: Context) -> str:
    """Headline indicators of the first and the last simulated year, as a table."""
    lang = ctx.lang
    years = result.years
    threshold = fmt_number(affordability_threshold_pct(result.scenario), lang, 1).removesuffix(
        ",0" if lang == "fr" else ".0"
    )
    shown = [indicator(name) for name in SUMMARY_INDICATORS if name in years.columns]
    picks = [0] if len(years) == 1 else [0, len(years) - 1]
    header = [ctx.t("Indicateur", "Indicator"), *(str(int(years["year"].iloc[i])) for i in picks)]
    rows = [
        [ind.label(lang, threshold), *(_format(ind, float(years[ind.name].iloc[i]), lang) for i in picks)]
        for ind in shown
    ]
    s = result.scenario
    title = ctx.t(
        f"{s.town.name} — {fmt_number(s.households.count, lang, 0)} ménages, "
        f"{_years(s.horizon_years, ctx)}, graine {result.seed}",
        f"{s.town.name} — {fmt_number(s.households.count, lang, 0)} households, "
        f"{_years(s.horizon_years, ctx)}, seed {result.seed}",
    )
    return title + "\n\n" + render_table(header, rows)


def handle_run(args: argparse.Namespace, ctx: Context) -> int:
    if is_multiservice_file(args.file):
        return handle_run_multi(args, ctx, summary_table)
    scenario = load_from_args(args, ctx)
    out = Path(args.out) if args.out else Path("runs") / Path(args.file).stem
    _check_out_dir(out, ctx)
    show_progress = not args.quiet and sys.stderr.isatty()
    result = _simulate(scenario, args.seed, show_progress, ctx)
    written = result.to_dir(out)
    ctx.out(summary_table(result, ctx))
    ctx.out()
    ctx.out(
        ctx.t(
            f"Résultats écrits dans {written}/ ({', '.join(f'{n}.csv' for n in TABLES)}, "
            "summary.json, scenario.yaml)",
            f"Results written to {written}/ ({', '.join(f'{n}.csv' for n in TABLES)}, "
            "summary.json, scenario.yaml)",
        )
    )
    return 0


# --------------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------------
def setup_validate(new: Callable[..., argparse.ArgumentParser], t: Tr) -> argparse.ArgumentParser:
    p = new(t("vérifie un scénario sans le simuler", "check a scenario without simulating it"))
    _add_scenario_args(p, t)
    return p


def describe(s: Scenario, ctx: Context) -> str:
    """One line saying what a scenario is."""
    lang = ctx.lang
    last = s.town.start_year + s.horizon_years - 1
    price = fmt_eur(price_120m3_eur_per_m3(s.tariff, reference_persons(s)), lang)
    n = fmt_number(s.households.count, lang, 0)
    km = fmt_number(s.network.length_km, lang, 0)
    return ctx.t(
        f"{s.town.name} : {n} ménages, {km} km de conduites, {s.town.start_year}–{last} "
        f"({_years(s.horizon_years, ctx)}), prix du m3 (120 m3) {price} TTC la première année",
        f"{s.town.name}: {n} households, {km} km of mains, {s.town.start_year}–{last} "
        f"({_years(s.horizon_years, ctx)}), price per m3 (120 m3) {price} incl. VAT in the "
        "first year",
    )


def handle_validate(args: argparse.Namespace, ctx: Context) -> int:
    if is_multiservice_file(args.file):
        ctx.out(f"OK — {describe_multi(load_multi_from_args(args, ctx), ctx)}")
        return 0
    scenario = load_from_args(args, ctx)
    if isinstance(scenario, ElectricityScenario):
        ctx.out(f"OK — {describe_electricity(scenario, ctx)}")
        return 0
    ctx.out(f"OK — {describe(scenario, ctx)}")
    return 0


# --------------------------------------------------------------------------------------------
# bill
# --------------------------------------------------------------------------------------------
def setup_bill(new: Callable[..., argparse.ArgumentParser], t: Tr) -> argparse.ArgumentParser:
    p = new(
        t(
            "détaille ligne par ligne la facture annuelle d'un ménage (prix de la première année)",
            "itemise one household's yearly bill, line by line (first-year prices)",
        )
    )
    _add_scenario_args(p, t)
    p.add_argument(
        "--volume",
        type=_volume,
        metavar="M3",
        help=t(
            "eau : volume annuel en m3 (par ex. 120), obligatoire",
            "water: yearly volume in m3 (e.g. 120), required",
        ),
    )
    p.add_argument(
        "--persons",
        type=_persons,
        metavar="N",
        help=t(
            "taille du ménage (par défaut la taille moyenne du scénario, arrondie)",
            "household size (default: the scenario's mean size, rounded)",
        ),
    )
    p.add_argument(
        "--eligible",
        action="store_true",
        help=t(
            "le ménage bénéficie du tarif social (si le tarif en a un)",
            "the household receives the social tariff (if the tariff has one)",
        ),
    )
    p.add_argument(
        "--income",
        type=_income,
        metavar="EUR",
        help=t(
            "revenu annuel du ménage en € (pour un tarif social plafonné)",
            "household yearly income in € (for a capped social tariff)",
        ),
    )
    p.add_argument(
        "--anc",
        action="store_true",
        help=t(
            "le ménage est en assainissement non collectif : pas de ligne d'assainissement",
            "the household is on individual sanitation (ANC): no sewerage lines",
        ),
    )
    p.add_argument(
        "--json",
        action="store_true",
        help=t("sortie JSON lisible par une machine", "machine-readable JSON output"),
    )
    add_electricity_bill_args(p, t)
    return p


def sewerage_lines(s: Scenario, volume_m3: float, connected: bool) -> list[dict[str, Any]]:
    """The sewerage part of the bill (incl. tax, first-year prices): standing charge, volume, total;
    no line for a household on individual sanitation."""
    if not connected:
        return []
    sew = s.sewerage
    standing = sew.standing_charge_eur_per_year
    volume = sew.price_eur_per_m3 * volume_m3
    return [
        {
            "key": "sewerage_standing",
            "label_fr": "Assainissement : part fixe",
            "label_en": "Sewerage: standing charge",
            "volume_m3": None,
            "unit_price_eur": standing,
            "amount_eur": standing,
        },
        {
            "key": "sewerage_volume",
            "label_fr": "Assainissement : volume",
            "label_en": "Sewerage: volume",
            "volume_m3": volume_m3,
            "unit_price_eur": sew.price_eur_per_m3,
            "amount_eur": volume,
        },
        {
            "key": "sewerage_total",
            "label_fr": "Total assainissement TTC",
            "label_en": "Sewerage total incl. tax",
            "volume_m3": None,
            "unit_price_eur": None,
            "amount_eur": standing + volume,
        },
    ]


def _bill_json(
    s: Scenario,
    args: argparse.Namespace,
    persons: int,
    lines: list[dict[str, Any]],
    sewer: list[dict[str, Any]],
) -> str:
    def num(v: Any) -> Any:
        return None if v is None else float(v)

    def line(ln: dict[str, Any]) -> dict[str, Any]:
        return {
            **ln,
            "volume_m3": num(ln["volume_m3"]),
            "unit_price_eur": num(ln["unit_price_eur"]),
            "amount_eur": float(ln["amount_eur"]),
        }

    by_key = {ln["key"]: ln for ln in lines}
    total = float(by_key["total"]["amount_eur"])
    sewer_total = float(sewer[-1]["amount_eur"]) if sewer else 0.0
    doc = {
        "town": s.town.name,
        "file": str(args.file),
        "year": s.town.start_year,
        "volume_m3": float(args.volume),
        "persons": persons,
        "eligible": bool(args.eligible),
        "income_eur_per_year": num(args.income),
        "lines": [line(ln) for ln in lines],
        "totals": {
            "total_excl_tax_eur": float(by_key["total_excl_tax"]["amount_eur"]),
            "vat_eur": float(by_key["vat"]["amount_eur"]),
            "total_eur": total,
            "price_eur_per_m3": total / args.volume if args.volume > 0 else None,
        },
        "sewerage": {
            "connected": bool(sewer),
            "lines": [line(ln) for ln in sewer],
            "total_eur": sewer_total,
        },
        "total_with_sewerage_eur": total + sewer_total,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _bill_text(
    s: Scenario,
    args: argparse.Namespace,
    persons: int,
    lines: list[dict[str, Any]],
    ctx: Context,
    sewer: list[dict[str, Any]] | None = None,
) -> str:
    lang = ctx.lang
    rows, rules = [], []
    for i, ln in enumerate(lines):
        if ln["key"] == "total_excl_tax":
            rules.append(i)
        unit = ""
        if ln["unit_price_eur"] is not None:
            per = ctx.t("an", "yr") if ln["key"] == "standing" else "m3"
            unit = format_unit_price(ln["unit_price_eur"], per, lang)
        volume = "" if ln["volume_m3"] is None else fmt_number(ln["volume_m3"], lang, 2)
        rows.append(
            [
                ln["label_fr"] if lang == "fr" else ln["label_en"],
                volume,
                unit,
                fmt_eur(round_half_up(ln["amount_eur"]), lang),
            ]
        )
    header = [
        ctx.t("Ligne", "Line"),
        ctx.t("Volume (m3)", "Volume (m3)"),
        ctx.t("Prix unitaire HT", "Unit price excl. VAT"),
        ctx.t("Montant", "Amount"),
    ]
    vol = fmt_number(args.volume, lang, 2).removesuffix(",00" if lang == "fr" else ".00")
    head = ctx.t(
        f"Facture d'eau annuelle — {s.town.name}, tarif de {s.town.start_year}\n"
        f"{vol} m3 par an, ménage de {persons} personne{'s' if persons > 1 else ''}",
        f"Yearly water bill — {s.town.name}, {s.town.start_year} tariff\n"
        f"{vol} m3 a year, household of {persons} person{'s' if persons > 1 else ''}",
    )
    out = [head, "", render_table(header, rows, rules)]
    total = float(lines[-1]["amount_eur"])
    if args.volume > 0:
        out += [
            "",
            ctx.t(
                f"Soit {fmt_eur(total / args.volume, lang)} TTC par m3.",
                f"That is {fmt_eur(total / args.volume, lang)} incl. VAT per m3.",
            ),
        ]
    if not _shown_amounts_add_up(lines):
        out += [
            ctx.t(
                "Montants arrondis au centime ; les totaux sont calculés sur les montants exacts.",
                "Amounts rounded to the cent; totals are computed on the exact amounts.",
            )
        ]
    out += _sewerage_text(s, args, total, sewer or [], ctx)
    if args.eligible and not s.tariff.social.enabled:
        out += [
            ctx.t(
                "Ce tarif n'a pas de tarification sociale : --eligible est sans effet.",
                "This tariff has no social tariff: --eligible has no effect.",
            )
        ]
    return "\n".join(out)


def _sewerage_text(
    s: Scenario, args: argparse.Namespace, water_total: float, sewer: list[dict[str, Any]], ctx: Context
) -> list[str]:
    """The sewerage table (collected with the water bill for the sewerage authority) and the total
    of both, or one sentence for a household on individual sanitation."""
    lang = ctx.lang
    if not sewer:
        return [
            "",
            ctx.t(
                "Assainissement non collectif : pas de redevance d'assainissement collectif.",
                "Individual sanitation: no mains sewerage charge.",
            ),
        ]
    rows = []
    for ln in sewer:
        unit = ""
        if ln["unit_price_eur"] is not None:
            per = ctx.t("an", "yr") if ln["key"] == "sewerage_standing" else "m3"
            unit = format_unit_price(ln["unit_price_eur"], per, lang)
        volume = "" if ln["volume_m3"] is None else fmt_number(ln["volume_m3"], lang, 2)
        label = ln["label_fr"] if lang == "fr" else ln["label_en"]
        rows.append([label, volume, unit, fmt_eur(round_half_up(ln["amount_eur"]), lang)])
    header = [
        ctx.t("Ligne", "Line"),
        ctx.t("Volume (m3)", "Volume (m3)"),
        ctx.t("Prix unitaire TTC", "Unit price incl. tax"),
        ctx.t("Montant", "Amount"),
    ]
    # the sum of the two totals as shown (each rounded to the cent, as on the bill)
    both = round_half_up(water_total) + round_half_up(float(sewer[-1]["amount_eur"]))
    out = [
        "",
        ctx.t(
            f"Assainissement collectif, tarif de {s.town.start_year} "
            "(facturé avec l'eau, reversé au service d'assainissement)",
            f"Mains sewerage, {s.town.start_year} tariff (billed with water, passed on to the "
            "sewerage service)",
        ),
        "",
        render_table(header, rows, [len(rows) - 1]),
        "",
        ctx.t(
            f"Eau et assainissement : {fmt_eur(both, lang)} TTC par an",
            f"Water and sewerage: {fmt_eur(both, lang)} incl. tax a year",
        )
        + (
            ctx.t(
                f", soit {fmt_eur(both / args.volume, lang)} par m3.",
                f", that is {fmt_eur(both / args.volume, lang)} per m3.",
            )
            if args.volume > 0
            else "."
        ),
    ]
    return out


def _shown_amounts_add_up(lines: list[dict[str, Any]]) -> bool:
    """Whether the rounded amounts shown add up to the rounded totals shown."""

    def shown(amount: float) -> Decimal:
        return Decimal(repr(round_half_up(amount)))

    keys = [ln["key"] for ln in lines]
    cut = keys.index("total_excl_tax")
    by_key = {ln["key"]: shown(ln["amount_eur"]) for ln in lines}
    parts = sum((shown(ln["amount_eur"]) for ln in lines[:cut]), Decimal(0))
    return parts == by_key["total_excl_tax"] and by_key["total_excl_tax"] + by_key["vat"] == by_key["total"]


def handle_bill(args: argparse.Namespace, ctx: Context) -> int:
    s = load_from_args(args, ctx)
    if isinstance(s, ElectricityScenario):
        return handle_electricity_bill(s, args, ctx)
    if args.volume is None:
        raise CliError(
            ctx.t(
                "l'argument --volume est obligatoire pour un service d'eau",
                "the argument --volume is required for a water service",
            )
        )
    electric = ("kva", "kwh", "kwh_hp", "kwh_hc", "date")
    given = [f"--{a.replace('_', '-')}" for a in electric if getattr(args, a) is not None]
    if given:
        raise CliError(
            ctx.t(
                f"{', '.join(given)} concerne l'électricité ; ce scénario est un service d'eau",
                f"{', '.join(given)} is for electricity; this scenario is a water service",
            )
        )
    social = s.tariff.social
    if args.eligible and social.enabled and social.kind == "bill_cap" and args.income is None:
        raise CliError(
            ctx.t(
                "ce tarif social plafonne la facture en part du revenu : indiquez --income EUR",
                "this social tariff caps the bill as a share of income: give --income EUR",
            )
        )
    persons = args.persons if args.persons is not None else reference_persons(s)
    lines = bill_lines(
        s.tariff, args.volume, persons, eligible=args.eligible, income_eur_per_year=args.income
    )
    sewer = sewerage_lines(s, args.volume, connected=not args.anc)
    if args.json:
        ctx.out(_bill_json(s, args, persons, lines, sewer))
    else:
        ctx.out(_bill_text(s, args, persons, lines, ctx, sewer))
    return 0


# --------------------------------------------------------------------------------------------
# the parser and main
# --------------------------------------------------------------------------------------------
Setup = Callable[[Callable[..., argparse.ArgumentParser], Tr], argparse.ArgumentParser]
Handler = Callable[[argparse.Namespace, Context], int]

#: subcommand → (setup of its parser, handler); the order is the order shown in --help

COMMANDS: dict[str, tuple[Setup, Handler]] = {
    "run": (setup_run, handle_run),
    "validate": (setup_validate, handle_validate),
    "bill": (setup_bill, handle_bill),
    "ensemble": (setup_ensemble, handle_ensemble),
    "sweep": (setup_sweep, handle_sweep),
    "compare": (setup_compare, handle_compare),
    "sensitivity": (setup_sensitivity, handle_sensitivity),
    "new-town": (setup_new_town, handle_new_town),
    "serve": (setup_serve, handle_serve),
    "workshop": (setup_workshop, handle_workshop),
}

# argparse's own messages, in French (argparse itself only speaks English here)
_ARGPARSE_FR = (
    (r"the following arguments are required: ", "arguments obligatoires manquants : "),
    (r"unrecognized arguments: ", "arguments inconnus : "),
    (r"^argument (\S+): ", r"argument \1 : "),
    (r"invalid choice: (.*) \(choose from (.*)\)", r"choix impossible : \1 (choix possibles : \2)"),
    (r"expected one argument", "une valeur est attendue"),
    (r"invalid (\w+) value: ", "valeur invalide : "),
    (r"ambiguous option: (\S+) could match (.*)", r"option ambiguë : \1 peut désigner \2"),
    (r"not allowed with argument", "incompatible avec l'argument"),
)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose fixed texts (usage, titles, errors) follow the language."""

    def __init__(self, *args: Any, lang: str = "fr", **kwargs: Any) -> None:
        t = translator(lang)
        kwargs["add_help"] = False
        kwargs.setdefault("formatter_class", _FrenchHelp if lang == "fr" else argparse.HelpFormatter)
        super().__init__(*args, **kwargs)
        self.lang = lang
        self._positionals.title = t("arguments", "arguments")
        self._optionals.title = t("options", "options")
        self.add_argument(
            "-h",
            "--help",
            action="help",
            default=argparse.SUPPRESS,
            help=t("affiche cette aide et s'arrête", "show this help and exit"),
        )

    def error(self, message: str) -> Any:
        if self.lang == "fr":
            for pattern, repl in _ARGPARSE_FR:
                message = re.sub(pattern, repl, message)
            head = f"{self.prog} : erreur :"
        else:
            head = f"{self.prog}: error:"
        self.print_usage(sys.stderr)
        self.exit(2, f"{head} {message}\n")


class _FrenchHelp(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


def build_parser(lang: str = "fr") -> argparse.ArgumentParser:
    """The whole parser, with its help in ``lang``."""

    t = translator(lang)
    common = _common_options(t)
    parents: list[Any] = [common]
    parser = _Parser(
        prog=PROG,
        lang=lang,
        parents=parents,
        description=t(
            "Simulateur d'un service local d'eau ou d'électricité : concession, régie publique et "
            "communs comparés sur les mêmes aléas.",
            "Simulator of a local water or electricity service: private concession, public régie "
            "and commons compared under the same hazards.",
        ),
        epilog=t(
            "Exemples :\n  regie-sim run scenarios/town.yaml --out runs/town\n"
            "  regie-sim validate scenarios/town.yaml --set households.count=5000\n"
            "  regie-sim bill scenarios/town.yaml --volume 120 --persons 4\n"
            "  regie-sim bill scenarios/electricity/town.yaml --kva 6 --kwh 5700\n"
            "Aide d'une commande : regie-sim COMMANDE --help",
            "Examples:\n  regie-sim run scenarios/town.yaml --out runs/town\n"
            "  regie-sim validate scenarios/town.yaml --set households.count=5000\n"
            "  regie-sim bill scenarios/town.yaml --volume 120 --persons 4\n"
            "  regie-sim bill scenarios/electricity/town.yaml --kva 6 --kwh 5700\n"
            "Help on a command: regie-sim COMMAND --help",
        ),
        formatter_class=_FrenchRawHelp if lang == "fr" else argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"{PROG} {__version__}",
        help=t("affiche la version", "show the version"),
    )
    sub = parser.add_subparsers(
        dest="command",
        title=t("commandes", "commands"),
        metavar=t("COMMANDE", "COMMAND"),
        parser_class=_Parser,
    )
    for name, (setup, handler) in COMMANDS.items():

        def new_parser(
            help_text: str, description: str | None = None, _name: str = name
        ) -> argparse.ArgumentParser:
            return sub.add_parser(
                _name, help=help_text, description=description or help_text, parents=parents, lang=lang
            )

        setup(new_parser, t).set_defaults(handler=handler)
    return parser


class _FrenchRawHelp(_FrenchHelp, argparse.RawDescriptionHelpFormatter):
    pass


def language(argv: Sequence[str]) -> str:
    """The language asked for: ``--lang`` in ``argv``, else ``$REGIE_SIM_LANG``, else French."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGS:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg.partition("=")[2] in LANGS:
            return arg.partition("=")[2]
    return normalise_lang(os.environ.get(ENV_LANG))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 unexpected error, 2 bad input)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = language(argv)
    parser = build_parser(lang)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error argparse already printed
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    ctx = Context(lang=getattr(args, "lang", lang), debug=getattr(args, "debug", False))
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args.handler(args, ctx))
    except ScenarioError as err:
        ctx.err(err.format(ctx.lang))
        return 2
    except CliError as err:
        ctx.err(ctx.t(f"{PROG} : erreur : {err}", f"{PROG}: error: {err}"))
        return 2
    except KeyboardInterrupt:
        ctx.err(ctx.t("Interrompu.", "Interrupted."))
        return 130
    except BrokenPipeError:
        # the reader stopped reading (``regie-sim … | head``): nothing to report; silence the
        # flush at exit, which would raise again
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1
    except Exception as exc:  # the promise: a short message, never a traceback unless asked
        if ctx.debug:
            traceback.print_exc()
        ctx.err(
            ctx.t(
                f"Erreur inattendue : {type(exc).__name__}: {exc}",
                f"Unexpected error: {type(exc).__name__}: {exc}",
            )
        )
        if not ctx.debug:
            ctx.err(
                ctx.t(
                    "Relancez avec --debug pour voir le détail.", "Run again with --debug to see the details."
                )
            )
        return 1


def ensemble_main(argv: Sequence[str] | None = None) -> int:
    """``regie-sim ensemble FILE --runs 200 [--seed N] [--workers K] [--cluster tcp://…]
    [--out DIR] [--set KEY=VALUE …]``; returns the exit status."""
    return main(["ensemble", *(sys.argv[1:] if argv is None else argv)])


def sweep_main(argv: Sequence[str] | None = None) -> int:
    """``regie-sim sweep FILE --grid KEY=V1,V2 [--grid …] [--runs R]``; returns the exit status."""
    return main(["sweep", *(sys.argv[1:] if argv is None else argv)])

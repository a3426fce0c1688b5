"""``regie-sim bill FILE --kva 6 --kwh 5700 [--kwh-hp 4000 --kwh-hc 2000] [--date D] [--json]`` for
an electricity scenario: one household's yearly bill, line by line, with the taxes of a date.

``bill`` dispatches here when the scenario's ``service`` is ``electricity`` (sim/cli/main.py).
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from sim.cli.common import CliError, Context, Tr, _nonneg_float, render_table, round_half_up
from sim.electricity.tariff import PERIODS, bill_lines, is_what_if, tempo_reference_shares
from sim.i18n import fmt_eur, fmt_number
from sim.scenario.electricity import ElectricityScenario

MAX_KWH = 1e7  # ten GWh a year: far above any household


def _kwh(text: str) -> float:
    value = _nonneg_float(text)
    if value > MAX_KWH:
        raise argparse.ArgumentTypeError(f"'{text}' (0 … {MAX_KWH:.0f})")
    return value


def _kva(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}'") from None
    if not 1 <= value <= 36:
        raise argparse.ArgumentTypeError(f"'{text}' (1 … 36)")
    return value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' (AAAA-MM-JJ / YYYY-MM-DD)") from None


def add_electricity_bill_args(p: argparse.ArgumentParser, t: Tr) -> None:
    """The options of ``bill`` for an electricity scenario."""
    p.add_argument(
        "--kva",
        type=_kva,
        metavar="KVA",
        help=t(
            "électricité : puissance souscrite en kVA (par ex. 6)",
            "electricity: subscribed power in kVA (e.g. 6)",
        ),
    )
    p.add_argument(
        "--kwh",
        type=_kwh,
        metavar="KWH",
        help=t("électricité : consommation annuelle en kWh", "electricity: yearly use in kWh"),
    )
    p.add_argument(
        "--kwh-hp",
        type=_kwh,
        metavar="KWH",
        help=t("électricité : kWh en heures pleines", "electricity: peak-hour kWh"),
    )
    p.add_argument(
        "--kwh-hc",
        type=_kwh,
        metavar="KWH",
        help=t("électricité : kWh en heures creuses", "electricity: off-peak kWh"),
    )
    p.add_argument(
        "--date",
        type=_day,
        metavar=t("AAAA-MM-JJ", "YYYY-MM-DD"),
        help=t(
            "électricité : taxes en vigueur à cette date (par défaut la date de la grille)",
            "electricity: taxes in force on this date (default: the grid's date)",
        ),
    )


def _kwh_by_period(s: ElectricityScenario, args: argparse.Namespace, ctx: Context) -> dict[str, float]:
    hp, hc, total = args.kwh_hp, args.kwh_hc, args.kwh
    if (hp is None) != (hc is None):
        raise CliError(ctx.t("donnez --kwh-hp et --kwh-hc ensemble", "give --kwh-hp and --kwh-hc together"))
    if hp is not None:
        if total is not None and abs(total - (hp + hc)) > 1e-9 * max(total, 1.0):
            raise CliError(
                ctx.t(
                    f"--kwh ({total:g}) n'est pas --kwh-hp + --kwh-hc ({hp + hc:g})",
                    f"--kwh ({total:g}) is not --kwh-hp + --kwh-hc ({hp + hc:g})",
                )
            )
        total = hp + hc
    if total is None:
        raise CliError(
            ctx.t(
                "l'argument --kwh (ou --kwh-hp et --kwh-hc) est obligatoire pour l'électricité",
                "the argument --kwh (or --kwh-hp and --kwh-hc) is required for electricity",
            )
        )
    return split_kwh(s, total, hp, hc)


def split_kwh(
    s: ElectricityScenario, total: float, hp: float | None = None, hc: float | None = None
) -> dict[str, float]:
    """A year's ``total`` kWh by the periods of the scenario's option: Base one price; HP/HC the
    peak and off-peak kWh given, else the scenario's usual off-peak share; Tempo spread by the days
    of each colour at that off-peak share (the reference split)."""
    if s.tariff.option == "base":
        return {"base": total}
    if s.tariff.option == "tempo":  # the kWh spread by the days of each colour (the reference split)
        t = s.tariff.tempo
        hc_share = s.households.hc_share_of_kwh if hp is None or hc is None else hc / total if total else 0.0
        shares = tempo_reference_shares(t.red_days, t.white_days, hc_share)
        return {p: total * x for p, x in shares.items()}
    if hp is None or hc is None:  # the scenario's usual off-peak share
        hc = total * s.households.hc_share_of_kwh
        hp = total - hc
    return {"hp": hp, "hc": hc}


def handle_electricity_bill(s: ElectricityScenario, args: argparse.Namespace, ctx: Context) -> int:
    if args.kva is None:
        raise CliError(
            ctx.t(
                "l'argument --kva est obligatoire pour l'électricité",
                "the argument --kva is required for electricity",
            )
        )
    water = [
        opt
        for opt, given in (
            ("--volume", getattr(args, "volume", None) is not None),
            ("--persons", getattr(args, "persons", None) is not None),
            ("--eligible", bool(getattr(args, "eligible", False))),
            ("--income", getattr(args, "income", None) is not None),
        )
        if given
    ]
    if water:
        raise CliError(
            ctx.t(
                f"{', '.join(water)} concerne l'eau ; pour l'électricité donnez --kva et --kwh",
                f"{', '.join(water)} is for water; for electricity give --kva and --kwh",
            )
        )
    grid = s.tariff.fixed_eur_per_year_by_kva
    if args.kva not in grid:
        allowed = ", ".join(str(k) for k in grid)
        raise CliError(
            ctx.t(
                f"{args.kva} kVA n'est pas dans la grille du tarif ({allowed} kVA)",
                f"{args.kva} kVA is not in the tariff's grid ({allowed} kVA)",
            )
        )
    kwh = _kwh_by_period(s, args, ctx)
    day = args.date or s.tariff.prices_date
    try:
        lines = bill_lines(s.tariff, args.kva, kwh, day=day, stack=s.cost_stack)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        ctx.out(_json(s, args, kwh, day, lines, ctx))
    else:
        ctx.out(_text(s, args, kwh, day, lines, ctx))
    return 0


def _json(
    s: ElectricityScenario,
    args: argparse.Namespace,
    kwh: dict[str, float],
    day: date,
    lines: list[dict[str, Any]],
    ctx: Context,
) -> str:
    by_key = {ln["key"]: ln for ln in lines}
    doc = {
        "town": s.town.name,
        "file": str(args.file),
        "service": "electricity",
        "option": s.tariff.option,
        "kva": args.kva,
        "kwh": sum(kwh.values()),
        "kwh_by_period": kwh,
        "taxes_date": day.isoformat(),
        "what_if": is_what_if(s.tariff),
        "lines": [{**ln, "label": ln["label_fr"] if ctx.lang == "fr" else ln["label_en"]} for ln in lines],
        "total_excl_tax_eur": float(by_key["total_excl_tax"]["eur"]),
        "vat_eur": float(by_key["vat_fixed"]["eur"] + by_key["vat_energy"]["eur"]),
        "total_eur": float(by_key["total"]["eur"]),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _text(
    s: ElectricityScenario,
    args: argparse.Namespace,
    kwh: dict[str, float],
    day: date,
    lines: list[dict[str, Any]],
    ctx: Context,
) -> str:
    lang = ctx.lang
    rows, rules = [], []
    for i, ln in enumerate(lines):
        if ln["key"] in ("total_excl_tax", "total"):
            rules.append(i)
        label = ln["label_fr"] if lang == "fr" else ln["label_en"]
        rows.append([label, fmt_eur(round_half_up(ln["eur"]), lang)])
    total_kwh = sum(kwh.values())
    periods = ", ".join(f"{p.upper()} {fmt_number(kwh[p], lang, 0)}" for p in PERIODS[s.tariff.option])
    head = ctx.t(
        f"Facture d'électricité annuelle — {s.town.name}, option {s.tariff.option}, "
        f"{args.kva} kVA\n{fmt_number(total_kwh, lang, 0)} kWh par an ({periods}), "
        f"taxes du {day.isoformat()}",
        f"Yearly electricity bill — {s.town.name}, {s.tariff.option} option, {args.kva} kVA\n"
        f"{fmt_number(total_kwh, lang, 0)} kWh a year ({periods}), taxes of {day.isoformat()}",
    )
    out = [head, "", render_table([ctx.t("Ligne", "Line"), ctx.t("Montant", "Amount")], rows, rules)]
    if s.tariff.option != "hphc" and args.kwh_hp is not None:
        out += [
            "",
            ctx.t(
                f"L'option de ce scénario est {s.tariff.option} : les kWh d'heures pleines et creuses "
                "donnés sont facturés à ses prix, pas à ceux d'une option heures pleines / heures creuses.",
                f"This scenario's option is {s.tariff.option}: the peak and off-peak kWh given are billed "
                "at its prices, not those of a peak / off-peak option.",
            ),
        ]
    if is_what_if(s.tariff):
        out += [
            "",
            ctx.t(
                "Et si : ce scénario remplace un taux de taxe fixé par la loi ; ce n'est pas la "
                "facture légale.",
                "What if: this scenario replaces a tax rate set by law; this is not the legal bill.",
            ),
        ]
    if total_kwh > 0:
        per_kwh = float(lines[-1]["eur"]) / total_kwh
        out += [
            "",
            ctx.t(
                f"Soit {fmt_eur(per_kwh, lang, 4)} TTC par kWh, abonnement compris.",
                f"That is {fmt_eur(per_kwh, lang, 4)} incl. taxes per kWh, subscription included.",
            ),
        ]
    return "\n".join(out)


def describe_electricity(s: ElectricityScenario, ctx: Context) -> str:
    """One line saying what an electricity scenario is (for ``validate``)."""
    lang = ctx.lang
    last = s.town.start_year + s.horizon_years - 1
    n = fmt_number(s.households.count, lang, 0)
    kva = 6 if 6 in s.tariff.fixed_eur_per_year_by_kva else next(iter(s.tariff.fixed_eur_per_year_by_kva))
    kwh = 4_400.0  # the CRE's average residential use (electricity.md §1.4)
    by_period = split_kwh(s, kwh)
    total = float(bill_lines(s.tariff, kva, by_period, stack=s.cost_stack)[-1]["eur"])  # type: ignore[arg-type]
    bill = fmt_eur(total, lang)
    return ctx.t(
        f"{s.town.name} : {n} ménages, électricité, {s.town.start_year}–{last}, option "
        f"{s.tariff.option} ; facture de {fmt_number(kwh, lang, 0)} kWh à {kva} kVA : {bill} TTC (taxes du "
        f"{s.tariff.prices_date.isoformat()})",
        f"{s.town.name}: {n} households, electricity, {s.town.start_year}–{last}, {s.tariff.option} "
        f"option; bill for {fmt_number(kwh, lang, 0)} kWh at {kva} kVA: {bill} incl. taxes (taxes of "
        f"{s.tariff.prices_date.isoformat()})",
    )

"""What every ``regie-sim`` verb shares: the language, the context, located errors, the one way to
load a scenario from the command line (file + ``--set`` + ``--households``), tables and number parsing.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

from sim.i18n import LANGS, fmt_eur
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.model import (
    MAX_HOUSEHOLDS,
    Scenario,
    load_scenario,
    scale_town,
)

PROG = "regie-sim"
ENV_LANG = "REGIE_SIM_LANG"

#: translates a message given in both languages: ``t("français", "English")``
Tr = Callable[[str, str], str]


def translator(lang: str) -> Tr:
    """The ``t(fr, en)`` function of a language."""
    if lang == "en":
        return lambda fr, en: en
    return lambda fr, en: fr


@dataclass(frozen=True)
class Context:
    """What every handler needs besides its arguments: the language and the debug flag."""

    lang: str = "fr"
    debug: bool = False

    def t(self, fr: str, en: str) -> str:
        return en if self.lang == "en" else fr

    def out(self, text: str = "") -> None:
        print(text, file=sys.stdout)

    def err(self, text: str) -> None:
        print(text, file=sys.stderr)


class CliError(Exception):
    """Bad command-line input; its message (already translated) is shown as is, exit status 2."""


# --------------------------------------------------------------------------------------------
# numbers and tables for people
# --------------------------------------------------------------------------------------------
def round_half_up(x: float, decimals: int = 2) -> float:
    """``x`` rounded half up on the number as written (``13.695`` → ``13.70``), as a person checking
    a bill by hand would; ``round`` works on the binary value and may go either way."""
    if not math.isfinite(x):
        return x
    return float(Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def format_unit_price(x: float, per: str, lang: str) -> str:
    """A unit price with 2 to 4 decimals, as many as it needs: ``1,30 €/m3``, ``€1.2345/m3``."""
    decimals = 2
    while decimals < 4 and round(x, decimals) != round(x, 4):
        decimals += 1
    return f"{fmt_eur(x, lang, decimals)}/{per}"


def render_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], rules_before: Sequence[int] = ()
) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned.

    ``rules_before`` lists row indices above which a horizontal rule is drawn.
    """
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    out = [line(header), rule]
    for i, row in enumerate(rows):
        if i in rules_before:
            out.append(rule)
        out.append(line(row))
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# loading a scenario from the command line
# --------------------------------------------------------------------------------------------
def parse_sets(items: Sequence[str] | None, ctx: Context) -> dict[str, str]:
    """``["a.b=1", "c=x"]`` → ``{"a.b": "1", "c": "x"}``; values stay text (YAML-parsed later).

    A malformed item (no ``=``, no key) is a :class:`CliError`.
    """
    out: dict[str, str] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key or " " in key:
            raise CliError(
                ctx.t(
                    f"--set attend clé.chemin=valeur, reçu « {item} »",
                    f"--set expects key.path=value, got '{item}'",
                )
            )
        out[key] = value
    return out


def load_from_args(args: argparse.Namespace, ctx: Context) -> Scenario:
    """The scenario named by ``args.file`` with the ``--set`` overrides of ``args.overrides``.

    A ``--set`` value that is not valid YAML is reported, located at its key, together with every
    problem of the scenario loaded with the other overrides, in one :class:`ScenarioError`.
    """
    origin = str(args.file)
    overrides, bad = {}, []
    for key, value in parse_sets(args.overrides, ctx).items():
        try:
            yaml.safe_load(value)
        except yaml.YAMLError as exc:
            bad.append(Problem(origin, key, "set_syntax", {"detail": str(getattr(exc, "problem", exc))}))
        else:
            overrides[key] = value
    try:
        scenario = load_scenario(args.file, overrides)
    except ScenarioError as err:
        raise ScenarioError(bad + err.problems) from None
    if bad:
        raise ScenarioError(bad)
    households = getattr(args, "households", None)
    if households is not None:
        if not 10 <= households <= MAX_HOUSEHOLDS:
            raise ScenarioError(
                [
                    Problem(
                        origin,
                        "--households",
                        "generic",
                        {
                            "detail": ctx.t(
                                f"{households} ménages : il en faut entre 10 et {MAX_HOUSEHOLDS}",
                                f"{households} households: between 10 and {MAX_HOUSEHOLDS} are allowed",
                            )
                        },
                    )
                ]
            )
        scenario = scale_town(scenario, households)
    return scenario


def _add_scenario_args(p: argparse.ArgumentParser, t: Tr) -> None:
    p.add_argument(
        "file",
        metavar=t("FICHIER", "FILE"),
        help=t("scénario YAML (par ex. scenarios/town.yaml)", "YAML scenario (e.g. scenarios/town.yaml)"),
    )
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar=t("CLÉ=VALEUR", "KEY=VALUE"),
        help=t(
            "change une valeur du scénario, par ex. --set households.count=5000 "
            "ou --set tariff.blocks[0].price_eur_per_m3=1.5 (répétable)",
            "change one scenario value, e.g. --set households.count=5000 "
            "or --set tariff.blocks[0].price_eur_per_m3=1.5 (repeatable)",
        ),
    )
    p.add_argument(
        "--households",
        type=_nonneg_int,
        metavar="N",
        help=t(
            "met toute la commune à l'échelle de N ménages (réseau, ressource, frais "
            "fixes, équipes), contrairement à --set households.count qui ne change "
            "que le nombre de ménages",
            "scale the whole town to N households (mains, resource, fixed costs, "
            "crews), unlike --set households.count which changes only the count",
        ),
    )


def _nonneg_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}'") from None
    if value < 0 or value > 2**63 - 1:
        raise argparse.ArgumentTypeError(f"'{text}' (0 … 2^63-1)")
    return value


def _nonneg_float(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}'") from None
    if not (value >= 0.0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"'{text}' (≥ 0)")
    return value


#: the largest yearly volume (m3) and income (€) ``bill`` accepts: far above any household, far
#: below what would overflow a sum
MAX_VOLUME_M3 = 1_000_000.0
MAX_INCOME_EUR = 100_000_000.0


def _volume(text: str) -> float:
    value = _nonneg_float(text)
    if value > MAX_VOLUME_M3:
        raise argparse.ArgumentTypeError(f"'{text}' (0 … {MAX_VOLUME_M3:.0f})")
    return value


def _income(text: str) -> float:
    value = _nonneg_float(text)
    if value > MAX_INCOME_EUR:
        raise argparse.ArgumentTypeError(f"'{text}' (0 … {MAX_INCOME_EUR:.0f})")
    return value


def _out_dir(text: str) -> str:
    """``--out``: a folder name; an empty one would silently mean the default folder."""
    if not text.strip() or "\x00" in text:
        raise argparse.ArgumentTypeError(f"'{text}' (nom de dossier vide / empty folder name)")
    return text


def _persons(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}'") from None
    if not 1 <= value <= 50:
        raise argparse.ArgumentTypeError(f"'{text}' (1 … 50)")
    return value


# --------------------------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------------------------
def check_writable(out: Path, ctx: Context) -> None:
    """Refuse, before computing anything, a results folder that cannot be written."""
    parent = out.parent if not out.exists() else out
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    try:
        if not parent.is_dir():
            raise OSError(parent)
        with tempfile.TemporaryFile(dir=parent):  # a real try: permissions lie to root
            pass
    except OSError:
        raise CliError(
            ctx.t(
                f"impossible d'écrire dans {out} : choisissez un autre --out",
                f"cannot write into {out}: choose another --out",
            )
        ) from None


def _check_out_dir(out: Path, ctx: Context) -> None:
    """Refuse a folder that cannot be written, or that holds anything but regie-sim's results
    (only regie-sim's own files in it are ever replaced)."""
    check_writable(out, ctx)
    if not out.exists():
        return
    if not out.is_dir():
        raise CliError(
            ctx.t(
                f"{out} existe et n'est pas un dossier : choisissez un autre --out",
                f"{out} exists and is not a folder: choose another --out",
            )
        )
    if Path.cwd().resolve().is_relative_to(out.resolve()):
        raise CliError(
            ctx.t(
                f"{out} contient le dossier courant : choisissez un autre --out",
                f"{out} holds the current folder: choose another --out",
            )
        )
    is_results = (out / "summary.json").is_file() and (out / "scenario.yaml").is_file()
    if not is_results and any(out.iterdir()):
        raise CliError(
            ctx.t(
                f"{out} existe et n'est pas un dossier de résultats de regie-sim ; il ne sera pas "
                "remplacé : choisissez un autre --out",
                f"{out} exists and is not a regie-sim results folder; it will not be replaced: "
                "choose another --out",
            )
        )


def _common_options(t: Tr) -> argparse.ArgumentParser:
    """Options accepted before and after the subcommand.

    Their defaults are suppressed so that the subcommand's copy does not overwrite a value given
    before the subcommand.
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--lang",
        choices=LANGS,
        default=argparse.SUPPRESS,
        help=t(
            f"langue des messages (par défaut fr, ou la variable {ENV_LANG})",
            f"language of messages (default fr, or the {ENV_LANG} variable)",
        ),
    )
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help=t(
            "affiche la trace complète d'une erreur inattendue",
            "show the full traceback of an unexpected error",
        ),
    )
    return common

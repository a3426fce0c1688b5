"""``regie-sim workshop list|export|backup|purge``: hand a workshop's material over, then delete it.

The store is the one ``regie-sim serve`` uses: ``--data DIR`` (the file ``DIR/workshop.sqlite3``),
else ``REGIE_SIM_WORKSHOP_DB``, else the default of :func:`sim.workshop.store.resolve_path`.
These commands never create a store: a wrong ``--data`` is an error, not a new empty file.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sim.cli.common import CliError, Context, Tr, _common_options, render_table
from sim.workshop.export import export_files, write_export
from sim.workshop.store import Store, WorkshopError, normalise_code, resolve_path

STORE_FILE = "workshop.sqlite3"
_AGE_RE = re.compile(r"^(\d{1,5})([dhw])$")
_AGE_UNIT = {"d": timedelta(days=1), "h": timedelta(hours=1), "w": timedelta(weeks=1)}


def store_file(data: str | None) -> Path:
    """The store's file: ``DATA/workshop.sqlite3``, else the environment or the default."""
    if data:
        return Path(data).expanduser().resolve() / STORE_FILE
    return resolve_path()


def add_data_arg(p: argparse.ArgumentParser, t: Tr) -> None:
    p.add_argument(
        "--data",
        metavar=t("DOSSIER", "DIR"),
        help=t(
            f"dossier des ateliers (le fichier {STORE_FILE} ; par défaut REGIE_SIM_WORKSHOP_DB ou "
            "~/.local/share/regie-sim)",
            f"workshop folder (the file {STORE_FILE}; default REGIE_SIM_WORKSHOP_DB or "
            "~/.local/share/regie-sim)",
        ),
    )


def duration(text: str) -> timedelta:
    """``30d``, ``12h`` or ``2w`` as a duration (argparse type)."""
    m = _AGE_RE.match(text.strip().lower())
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r}: 30d, 12h, 2w")
    return int(m.group(1)) * _AGE_UNIT[m.group(2)]


def setup_workshop(new: Callable[..., argparse.ArgumentParser], t: Tr) -> argparse.ArgumentParser:
    p = new(
        t(
            "les ateliers gardés sur ce serveur : lister, exporter, effacer",
            "the workshops kept on this server: list, export, delete",
        )
    )
    sub = p.add_subparsers(
        dest="workshop_command",
        title=t("actions", "actions"),
        metavar="ACTION",
        parser_class=type(p),
        required=True,
    )
    common = _common_options(t)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        # the same --lang and --debug as every command, accepted after the action too
        q = sub.add_parser(
            name, help=help_text, description=help_text, parents=[common], lang=getattr(p, "lang", "fr")
        )
        add_data_arg(q, t)
        return q

    add("list", t("liste les ateliers, du plus ancien au plus récent", "list the workshops, oldest first"))
    ex = add(
        "export",
        t(
            "exporte un atelier : participants, votes, cahier, décisions (CSV, JSON et texte lisible)",
            "export a workshop: participants, votes, notebook, decisions (CSV, JSON and readable text)",
        ),
    )
    ex.add_argument("code", metavar="CODE", help=t("code de l'atelier", "workshop code"))
    ex.add_argument(
        "--out",
        metavar=t("CHEMIN", "PATH"),
        help=t(
            "fichier .zip ou dossier à écrire (par défaut atelier-CODE.zip)",
            "a .zip file or a folder to write (default atelier-CODE.zip)",
        ),
    )
    bk = add(
        "backup",
        t(
            "copie cohérente du fichier des ateliers, même pendant un atelier",
            "a consistent copy of the workshop file, even during a workshop",
        ),
    )
    bk.add_argument("dest", metavar=t("FICHIER", "FILE"), help=t("copie à écrire", "copy to write"))
    pu = add(
        "purge",
        t(
            "efface des ateliers du serveur, sans laisser de trace dans le fichier des ateliers",
            "delete workshops from the server, leaving no trace in the workshop file",
        ),
    )
    which = pu.add_mutually_exclusive_group(required=True)
    which.add_argument("code", nargs="?", metavar="CODE", help=t("code de l'atelier", "workshop code"))
    which.add_argument(
        "--older-than",
        type=duration,
        metavar=t("DURÉE", "AGE"),
        help=t(
            "tous les ateliers créés il y a plus de DURÉE (30d = 30 jours, 12h, 2w)",
            "every workshop created more than AGE ago (30d = 30 days, 12h, 2w)",
        ),
    )
    pu.add_argument(
        "--dry-run",
        action="store_true",
        help=t("liste ce qui serait effacé, sans rien effacer", "list what would be deleted, delete nothing"),
    )
    return p


def _open_store(args: argparse.Namespace, ctx: Context) -> Store:
    path = store_file(args.data)
    if not path.is_file():
        raise CliError(
            ctx.t(
                f"aucun fichier d'ateliers à {path} (vérifiez --data ou REGIE_SIM_WORKSHOP_DB)",
                f"no workshop file at {path} (check --data or REGIE_SIM_WORKSHOP_DB)",
            )
        )
    try:
        return Store(path)
    except WorkshopError as exc:
        raise CliError(str(exc)) from None


def _not_found(code: str, ctx: Context) -> CliError:
    return CliError(ctx.t(f"aucun atelier de code {code}", f"no workshop with code {code}"))


def handle_workshop(args: argparse.Namespace, ctx: Context) -> int:
    store = _open_store(args, ctx)
    action = args.workshop_command
    if action == "export":
        code = normalise_code(args.code)
        try:
            files = export_files(store, code, ctx.lang)
        except WorkshopError:
            raise _not_found(code, ctx) from None
        out = Path(args.out) if args.out else Path(f"atelier-{code}.zip")
        written = write_export(files, out)
        ctx.out(ctx.t(f"Atelier {code} exporté dans {written}", f"Workshop {code} exported to {written}"))
        ctx.out(", ".join(files))
        return 0
    if action == "backup":
        try:
            written = store.backup(args.dest)
        except WorkshopError:
            raise CliError(ctx.t(f"{args.dest} existe déjà", f"{args.dest} already exists")) from None
        ctx.out(ctx.t(f"Copie écrite : {written}", f"Copy written: {written}"))
        return 0
    if action == "purge":
        if args.code:
            codes = [normalise_code(args.code)]
            known = {s["code"] for s in store.list_sessions()}
            if codes[0] not in known:
                raise _not_found(codes[0], ctx)
        else:
            codes = store.codes_older_than(datetime.now(UTC) - args.older_than)
        if args.dry_run:
            ctx.out(
                ctx.t(
                    f"Seraient effacés ({len(codes)}) : {', '.join(codes) or '—'}",
                    f"Would delete ({len(codes)}): {', '.join(codes) or '—'}",
                )
            )
            return 0
        deleted = store.purge(codes)
        ctx.out(
            ctx.t(
                f"Ateliers effacés ({len(deleted)}) : {', '.join(deleted) or '—'}",
                f"Workshops deleted ({len(deleted)}): {', '.join(deleted) or '—'}",
            )
        )
        return 0
    rows = [
        [s["code"], s["created"][:16].replace("T", " "), s["regime"], s["state"], str(s["participants"])]
        for s in store.list_sessions()
    ]
    header = [
        "code",
        ctx.t("créé (UTC)", "created (UTC)"),
        ctx.t("régime", "regime"),
        ctx.t("état", "state"),
        ctx.t("participants", "participants"),
    ]
    ctx.out(render_table(header, rows) if rows else ctx.t("Aucun atelier.", "No workshops."))
    return 0

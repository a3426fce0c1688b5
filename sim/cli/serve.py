"""``regie-sim serve``: the dashboard on a server, for a workshop with a real audience.

It starts Streamlit on ``app.py`` with production settings (:data:`PRODUCTION`: headless, no
usage statistics, the loader's upload limit, no file watcher, no developer menu, no traceback
shown to participants), the workshop store under ``--data DIR`` (``REGIE_SIM_WORKSHOP_DB``), the
public address the QR code carries (``REGIE_SIM_PUBLIC_URL``) and the retention the join page
announces (``REGIE_SIM_KEEP_DAYS``), then prints the address participants should use.

Before starting it checks what a facilitator could get wrong and says so in their language: a
folder that cannot be written (the store would fail in front of the room), a port already taken,
a public address that is not an ``http(s)://`` address. While Streamlit runs, this process stays
its parent: it deletes sessions older than the retention once an hour, and passes a stop signal on
(``docker stop``, Ctrl-C), so the store is closed cleanly.

Every environment variable is documented in one table in ``docs/hosting.*.md``.
"""

from __future__ import annotations

import argparse
import ipaddress
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

import sim
from sim.cli.common import CliError, Context, Tr
from sim.cli.workshop import STORE_FILE, add_data_arg, store_file
from sim.scenario.loader import MAX_FILE_BYTES
from sim.workshop.store import (
    ENV_DB,
    ENV_KEEP_DAYS,
    MAX_KEEP_DAYS,
    Store,
    WorkshopError,
    keep_days,
)

ENV_PUBLIC_URL = "REGIE_SIM_PUBLIC_URL"
ENV_SECRET = "REGIE_SIM_FACILITATOR_SECRET"  # read by sim.dashboard.workshop
ENV_LANG_DASHBOARD = "REGIE_SIM_LANG"
DEFAULT_PORT = 8501
DEFAULT_KEEP_DAYS = 30
PURGE_EVERY_S = 3600.0
#: Streamlit's upload limit is in whole megabytes: the smallest that holds the loader's limit (the
#: loader itself refuses anything larger, at every door)
MAX_UPLOAD_MB = max(1, math.ceil(MAX_FILE_BYTES / 1_000_000))
#: Streamlit options of a hosted workshop (``streamlit run --KEY VALUE``)
PRODUCTION: dict[str, str] = {
    "server.headless": "true",
    "browser.gatherUsageStats": "false",
    "server.maxUploadSize": str(MAX_UPLOAD_MB),
    "server.fileWatcherType": "none",
    "server.runOnSave": "false",
    "server.enableXsrfProtection": "true",
    "client.toolbarMode": "viewer",
    "client.showErrorDetails": "none",
    "global.developmentMode": "false",
    # no full garbage collection after every script run: it was 60 % of the server's time when a
    # round change redraws thirty pages at once (benchmarks/bench_workshop_load.py)
    "runner.postScriptGC": "false",
}


def app_file() -> Path:
    """The Streamlit entry ``app.py`` of the checkout the ``sim`` package is imported from."""
    return Path(sim.__file__).resolve().parent.parent / "app.py"


def _port(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: 1–65535") from None
    if not 1 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: 1–65535")
    return n


def _host(text: str) -> str:
    host = text.strip()
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if (
        host
        and len(host) <= 253
        and all(lb and len(lb) <= 63 and lb.replace("-", "").isalnum() for lb in labels)
    ):
        return host
    raise argparse.ArgumentTypeError(f"{text!r}: 0.0.0.0, 127.0.0.1, ::")


def _keep(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: 0–{MAX_KEEP_DAYS}") from None
    if not 0 <= n <= MAX_KEEP_DAYS:
        raise argparse.ArgumentTypeError(f"{text!r}: 0–{MAX_KEEP_DAYS}")
    return n


def public_url(text: str) -> str:
    """An ``http(s)://host[:port][/path]`` address, without query or fragment, ending in ``/``."""
    raw = text.strip()
    parts = urlsplit(raw)
    try:
        port_ok = parts.port is None or 1 <= parts.port <= 65535
    except ValueError:
        port_ok = False
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        port_ok = False
    if not port_ok or parts.username or parts.password or any(c.isspace() for c in raw):
        raise argparse.ArgumentTypeError(f"{text!r}: https://atelier.example.org/")
    return raw if raw.endswith("/") else raw + "/"


def setup_serve(new: Callable[..., argparse.ArgumentParser], t: Tr) -> argparse.ArgumentParser:
    p = new(
        t(
            "lance le tableau de bord pour un atelier hébergé (réglages de production)",
            "serve the dashboard for a hosted workshop (production settings)",
        )
    )
    p.add_argument(
        "--host",
        type=_host,
        default="0.0.0.0",
        help=t(
            "adresse d'écoute (par défaut 0.0.0.0 : toutes ; 127.0.0.1 : cet ordinateur seul)",
            "address to listen on (default 0.0.0.0: all; 127.0.0.1: this computer only)",
        ),
    )
    p.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=t("port (par défaut 8501)", "port (default 8501)")
    )
    add_data_arg(p, t)
    p.add_argument(
        "--public-url",
        type=public_url,
        default=None,
        metavar="URL",
        help=t(
            f"adresse publique que porte le code QR (par défaut {ENV_PUBLIC_URL})",
            f"public address the QR code carries (default {ENV_PUBLIC_URL})",
        ),
    )
    p.add_argument(
        "--keep-days",
        type=_keep,
        default=None,
        metavar=t("JOURS", "DAYS"),
        help=t(
            f"efface les ateliers créés il y a plus de JOURS jours (par défaut {ENV_KEEP_DAYS} ou "
            f"{DEFAULT_KEEP_DAYS} ; 0 : jamais, effacement à la main)",
            f"delete workshops created more than DAYS days ago (default {ENV_KEEP_DAYS} or "
            f"{DEFAULT_KEEP_DAYS}; 0: never, delete by hand)",
        ),
    )
    p.add_argument(
        "--check",
        action="store_true",
        help=t(
            "vérifie les réglages et affiche la commande, sans lancer le serveur",
            "check the settings and print the command, without starting the server",
        ),
    )
    return p


# --------------------------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------------------------
def check_data_dir(path: Path, ctx: Context) -> Path:
    """Create the store's folder if needed and prove it can be written; returns the store file."""
    folder = path.parent
    why = ""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
        if path.exists() and not os.access(path, os.R_OK | os.W_OK):
            why = ctx.t(f"{path} ne peut pas être modifié", f"{path} cannot be modified")
    except OSError as exc:
        why = exc.strerror or str(exc)
    if not why:
        try:
            Store(path)  # creates or upgrades the tables now, not in front of the room
        except (OSError, WorkshopError) as exc:
            why = str(exc)
        except Exception as exc:  # sqlite3.Error: a file that is not a workshop store
            why = f"{type(exc).__name__}: {exc}"
    if why:
        raise CliError(
            ctx.t(
                f"le dossier des ateliers {folder} n'est pas utilisable en écriture ({why}). "
                "Les votes et le cahier y sont gardés : choisissez un dossier où cet utilisateur peut "
                "écrire, avec --data DOSSIER.",
                f"the workshop folder {folder} cannot be written ({why}). Votes and the notebook are "
                "kept there: choose a folder this user can write to, with --data DIR.",
            )
        )
    return path


def check_port_free(host: str, port: int, ctx: Context) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise CliError(
                ctx.t(
                    f"impossible d'écouter sur {host}:{port} ({exc.strerror or exc}) : le port est-il "
                    "déjà pris ? Choisissez-en un autre avec --port.",
                    f"cannot listen on {host}:{port} ({exc.strerror or exc}): is the port already "
                    "taken? Choose another with --port.",
                )
            ) from None


def lan_address() -> str | None:
    """This machine's address on its local network (no packet is sent), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: connect() on UDP only picks a route
            ip = str(s.getsockname()[0])
        except OSError:
            return None
    return None if ip.startswith("127.") or ip == "0.0.0.0" else ip


def in_container() -> bool:
    return Path("/.dockerenv").exists() or Path("/run/.containerenv").exists()


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def streamlit_command(app: Path, host: str, port: int) -> list[str]:
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.address", host]
    cmd += ["--server.port", str(port)]
    for key, value in PRODUCTION.items():
        cmd += [f"--{key}", value]
    return cmd


def _has_secret() -> bool:
    if os.environ.get(ENV_SECRET):
        return True
    places = [app_file().parent / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"]
    return any(p.is_file() for p in places)


# --------------------------------------------------------------------------------------------
# the server
# --------------------------------------------------------------------------------------------
def purge_expired(store: Store, days: int, ctx: Context) -> list[str]:
    codes = store.codes_older_than(datetime.now(UTC) - timedelta(days=days))
    if codes:
        store.purge(codes)
        ctx.err(
            ctx.t(
                f"Ateliers de plus de {days} jours effacés : {', '.join(codes)}",
                f"Workshops older than {days} days deleted: {', '.join(codes)}",
            )
        )
    return codes


def handle_serve(args: argparse.Namespace, ctx: Context) -> int:
    app = app_file()
    if not app.is_file():
        raise CliError(
            ctx.t(
                f"app.py introuvable à côté du paquet sim ({app}) : installez regie-sim depuis son "
                "dépôt (pip install -e .), comme le fait le Dockerfile.",
                f"app.py not found beside the sim package ({app}): install regie-sim from its "
                "repository (pip install -e .), as the Dockerfile does.",
            )
        )
    path = check_data_dir(store_file(args.data), ctx)
    check_port_free(args.host, args.port, ctx)
    env_days = os.environ.get(ENV_KEEP_DAYS)
    if args.keep_days is not None:
        days = args.keep_days
    elif env_days:
        if keep_days(env_days) is None and env_days.strip() != "0":
            raise CliError(
                ctx.t(
                    f"{ENV_KEEP_DAYS}={env_days!r} : un nombre de jours entre 0 et {MAX_KEEP_DAYS}",
                    f"{ENV_KEEP_DAYS}={env_days!r}: a number of days between 0 and {MAX_KEEP_DAYS}",
                )
            )
        days = keep_days(env_days) or 0
    else:
        days = DEFAULT_KEEP_DAYS
    url = args.public_url
    if url is None and os.environ.get(ENV_PUBLIC_URL):
        try:
            url = public_url(os.environ[ENV_PUBLIC_URL])
        except argparse.ArgumentTypeError:
            raise CliError(
                ctx.t(
                    f"{ENV_PUBLIC_URL} n'est pas une adresse http(s):// : {os.environ[ENV_PUBLIC_URL]!r}",
                    f"{ENV_PUBLIC_URL} is not an http(s):// address: {os.environ[ENV_PUBLIC_URL]!r}",
                )
            ) from None
    notes: list[str] = []
    guessed = False
    shown = url
    if url is None and not _loopback(args.host):
        ip = lan_address()
        if ip and not in_container():
            url = shown = f"http://{ip}:{args.port}/"
            guessed = True
        else:
            shown = ctx.t("inconnue", "unknown")
            notes.append(
                ctx.t(
                    "Adresse publique inconnue (dans un conteneur) : donnez --public-url https://… "
                    f"ou {ENV_PUBLIC_URL}, sinon le code QR reprend l'adresse ouverte par l'animateur.",
                    "Public address unknown (inside a container): give --public-url https://… or "
                    f"{ENV_PUBLIC_URL}, else the QR code takes the address the facilitator opened.",
                )
            )
    if _loopback(args.host):
        url = shown = url or f"http://localhost:{args.port}/"
        notes.append(
            ctx.t(
                "Seul cet ordinateur peut ouvrir cette adresse ; pour des téléphones : --host 0.0.0.0.",
                "Only this computer can open this address; for phones: --host 0.0.0.0.",
            )
        )
    elif not _has_secret():
        notes.append(
            ctx.t(
                f"Aucun mot de passe d'animateur ({ENV_SECRET}) : quiconque atteint cette adresse peut "
                "créer un atelier.",
                f"No facilitator secret ({ENV_SECRET}): anyone who reaches this address can create a "
                "workshop.",
            )
        )
    env = dict(os.environ)
    env[ENV_DB] = str(path)
    env[ENV_LANG_DASHBOARD] = ctx.lang
    if url:
        env[ENV_PUBLIC_URL] = url
    if days:
        env[ENV_KEEP_DAYS] = str(days)
    else:
        env.pop(ENV_KEEP_DAYS, None)
    cmd = streamlit_command(app, args.host, args.port)
    kept = (
        ctx.t(f"effacés {days} jours après leur création", f"deleted {days} days after creation")
        if days
        else ctx.t("gardés jusqu'à regie-sim workshop purge", "kept until regie-sim workshop purge")
    )
    ctx.out(ctx.t(f"Adresse des participants : {shown}", f"Participants' address: {shown}"))
    if guessed:
        ctx.out(
            ctx.t(
                "(adresse de cet ordinateur sur le réseau local ; derrière un nom de domaine, "
                "donnez --public-url)",
                "(this computer's address on the local network; behind a domain name, give --public-url)",
            )
        )
    ctx.out(ctx.t(f"Ateliers : {path} ({kept})", f"Workshops: {path} ({kept})"))
    for note in notes:
        ctx.out(note)
    if args.check:
        ctx.out(" ".join(cmd))
        return 0
    sys.stdout.flush()
    return _run(cmd, app.parent, env, Store(path), days, ctx)


def _run(cmd: list[str], cwd: Path, env: dict[str, str], store: Store, days: int, ctx: Context) -> int:
    """Run Streamlit as a child; purge expired sessions hourly; pass stop signals on."""
    if days:
        purge_expired(store, days, ctx)
    proc = subprocess.Popen(cmd, cwd=cwd, env=env)
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)

    old = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            try:
                rc = proc.wait(timeout=PURGE_EVERY_S)
                break
            except subprocess.TimeoutExpired:
                if days:
                    try:
                        purge_expired(store, days, ctx)
                    except Exception as exc:  # a busy store: the next hour tries again
                        ctx.err(f"purge: {type(exc).__name__}: {exc}")
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return 0 if stopping else rc


__all__ = ["PRODUCTION", "STORE_FILE", "handle_serve", "setup_serve", "streamlit_command"]

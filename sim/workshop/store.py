"""The workshop's session store: one SQLite file, safe for many people at once.

Everything a workshop needs to survive a server restart lives here: sessions, participants, votes,
proposed variants, comments (the *cahier*) and the decisions taken at each round. A new
:class:`Store` on the same file resumes every session as it was; a participant who comes back with
their link (their token) finds their place.

Concurrency. Each operation opens its own short-lived connection (``sqlite3`` connections are not
shared between threads), the database runs in WAL mode so readers never block the writer, every
write is one ``BEGIN IMMEDIATE`` transaction (it takes the write lock at once, so checks and writes
inside it see a stable state) and a busy timeout makes a second writer wait for the lock instead of
failing. Two people voting at the same instant therefore both count. A vote is keyed by
(session, round, item, participant): voting again replaces the earlier vote.

Secrets. Tokens come from :func:`secrets.token_urlsafe`. The store keeps only their SHA-256 digest,
so no query can ever hand a token back, and the facilitator's token is compared in constant time
(:func:`hmac.compare_digest`).

The file is ``REGIE_SIM_WORKSHOP_DB`` if set, else the constructor's ``path``, else
``$XDG_DATA_HOME/regie-sim/workshop.sqlite3``; a ``sqlite:///relative`` or ``sqlite:////absolute``
URL is accepted wherever a path is.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
import unicodedata
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

COLLEGES: tuple[str, ...] = ("public", "operators", "citizens")
#: the item decided by the operators' (workers') college alone
WORK_ITEM = "work_organisation"


def colleges_voting_on(item: str) -> tuple[str, ...]:
    """The colleges that may vote on ``item``."""
    return ("operators",) if item == WORK_ITEM else COLLEGES


#: session states: lobby (people join) -> voting (round open) -> review (round closed, results
#: shown, next round not yet open) -> voting ... -> finished (after the last round)
STATES: tuple[str, ...] = ("lobby", "voting", "review", "finished")

#: 31 characters with no look-alikes (no 0/O, 1/I/L): a code read aloud or from a projector
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6

MAX_NAME_CHARS = 60
MAX_TEXT_CHARS = 2000
MAX_ROUNDS = 20
MAX_TARIFF_VARIANTS = 3  # tariff variants per round (the facilitator may delete one)
BUSY_TIMEOUT_S = 10.0
SCHEMA_VERSION = 2  # 2: variants.tariff_json, decisions.tariff_json
ENV_DB = "REGIE_SIM_WORKSHOP_DB"
#: days after its creation a session is deleted by ``regie-sim serve`` (unset: kept until purged)
ENV_KEEP_DAYS = "REGIE_SIM_KEEP_DAYS"
MAX_KEEP_DAYS = 3650

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")  # item and option names come from the model


class WorkshopError(Exception):
    """A workshop request that cannot be served; ``key`` names its message in the strings."""

    key = "error"

    def __init__(self, detail: str = ""):
        super().__init__(detail or self.key)
        self.detail = detail


class NotFound(WorkshopError):
    key = "err_not_found"


class Forbidden(WorkshopError):
    key = "err_forbidden"


class Conflict(WorkshopError):
    """The session is not in a state that allows this (e.g. voting while the vote is closed)."""

    key = "err_conflict"


class Full(WorkshopError):
    key = "err_full"


class BadInput(WorkshopError):
    key = "err_bad_input"
    #: the located scenario error behind it, so a page can word it in its reader's language
    scenario_error: Exception | None = None

    @classmethod
    def of(cls, exc: Exception) -> BadInput:
        out = cls(str(exc))
        out.scenario_error = exc
        return out


SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    facilitator_token_sha256 TEXT NOT NULL,
    scenario_yaml TEXT NOT NULL,
    regime TEXT NOT NULL,
    rounds INTEGER NOT NULL CHECK (rounds BETWEEN 1 AND 100),
    current_round INTEGER NOT NULL DEFAULT 1,
    state TEXT NOT NULL DEFAULT 'lobby'
        CHECK (state IN ('lobby', 'voting', 'review', 'finished')),
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS participants (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    name TEXT NOT NULL,
    college TEXT NOT NULL CHECK (college IN ('public', 'operators', 'citizens')),
    token_sha256 TEXT NOT NULL UNIQUE,
    joined TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS participants_session ON participants(session_id);
CREATE TABLE IF NOT EXISTS seats (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    college TEXT NOT NULL CHECK (college IN ('public', 'operators', 'citizens')),
    n INTEGER NOT NULL CHECK (n BETWEEN 1 AND 1000),
    PRIMARY KEY (session_id, college)
);
CREATE TABLE IF NOT EXISTS variants (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    round INTEGER NOT NULL,
    item TEXT NOT NULL,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    text TEXT NOT NULL,
    created TEXT NOT NULL,
    tariff_json TEXT
);
CREATE INDEX IF NOT EXISTS variants_round ON variants(session_id, round);
CREATE TABLE IF NOT EXISTS votes (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    round INTEGER NOT NULL,
    item TEXT NOT NULL,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    option TEXT NOT NULL,
    updated TEXT NOT NULL,
    PRIMARY KEY (session_id, round, item, participant_id)
);
CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    round INTEGER NOT NULL,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    text TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS decisions (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    round INTEGER NOT NULL,
    year INTEGER NOT NULL,
    item TEXT NOT NULL,
    option TEXT NOT NULL,
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL,
    votes_public INTEGER,
    votes_operators INTEGER,
    votes_citizens INTEGER,
    veto INTEGER NOT NULL,
    adopted INTEGER NOT NULL,
    binding INTEGER NOT NULL,
    reason TEXT NOT NULL,
    tally_json TEXT NOT NULL,
    decided TEXT NOT NULL,
    tariff_json TEXT,
    PRIMARY KEY (session_id, round, item)
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def resolve_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The database file: ``path`` (a path or a ``sqlite:///`` URL), else the env, else default."""
    raw = os.fspath(path) if path is not None else os.environ.get(ENV_DB, "")
    if raw.startswith("sqlite:"):
        rest = raw[len("sqlite:") :]
        if not rest.startswith("///"):
            raise BadInput(f"a SQLite URL looks like sqlite:///file.db, got {raw!r}")
        raw = rest[3:]  # sqlite:///rel -> rel ; sqlite:////abs -> /abs
    if raw in ("", ":memory:"):
        if raw == ":memory:":
            raise BadInput("an in-memory database cannot be shared between connections; give a file")
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        return base / "regie-sim" / "workshop.sqlite3"
    return Path(raw).expanduser()


def keep_days(raw: str | None = None) -> int | None:
    """The retention the server enforces: ``REGIE_SIM_KEEP_DAYS`` (or ``raw``), ``None`` if unset.

    A value that is not a whole number of days between 1 and :data:`MAX_KEEP_DAYS` is ``None``:
    the pages then promise nothing they do not enforce.
    """
    raw = os.environ.get(ENV_KEEP_DAYS, "") if raw is None else raw
    try:
        days = int(raw.strip())
    except ValueError:
        return None
    return days if 1 <= days <= MAX_KEEP_DAYS else None


def clean_text(text: Any, max_chars: int, what: str) -> str:
    """Normalise user text: NFC, no control characters, trimmed; empty or too long is refused."""
    if not isinstance(text, str):
        raise BadInput(f"{what} must be text")
    t = unicodedata.normalize("NFC", text)
    t = "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in t)
    t = t.strip()
    if not t:
        raise BadInput(f"{what} is empty")
    if len(t) > max_chars:
        raise BadInput(f"{what} is longer than {max_chars} characters")
    return t


def normalise_code(code: Any) -> str:
    """Upper-case a session code typed by a person, dropping spaces and dashes."""
    if not isinstance(code, str):
        raise NotFound("no such session")
    return re.sub(r"[\s-]", "", code).upper()


def _check_name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _NAME_RE.match(value):
        raise BadInput(f"bad {what}: {value!r}")
    return value


class Store:
    """Session store on one SQLite file (see the module docstring)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, busy_timeout_s: float = BUSY_TIMEOUT_S):
        self.path = resolve_path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.busy_timeout_s = busy_timeout_s
        conn = self._connect()
        try:
            # WAL is a property of the file: set once, it holds for every later connection
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("BEGIN IMMEDIATE")
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise BadInput(f"{self.path} was written by a newer regie-sim (schema {version})")
            for table in ("variants", "decisions"):  # schema 1 -> 2: the tariff of a variant
                cols = {r["name"] for r in conn.execute(f"PRAGMA table_info({table})")}
                if "tariff_json" not in cols:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN tariff_json TEXT")
            if version < SCHEMA_VERSION:
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            conn.execute("COMMIT")
        finally:
            conn.close()

    # -- connections ------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=self.busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_s * 1000)}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across app crashes
        return conn

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: committed whole, or rolled back whole."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    # -- sessions ---------------------------------------------------------------------------
    def create_session(self, scenario_yaml: str, regime: str, rounds: int) -> tuple[str, str]:
        """A new session in the lobby; returns ``(code, facilitator_token)``."""
        if not isinstance(rounds, int) or not 1 <= rounds <= MAX_ROUNDS:
            raise BadInput(f"rounds must be between 1 and {MAX_ROUNDS}")
        _check_name(regime, "regime")
        token = secrets.token_urlsafe(24)
        for _ in range(50):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            try:
                with self._write() as conn:
                    conn.execute(
                        "INSERT INTO sessions (code, facilitator_token_sha256, scenario_yaml,"
                        " regime, rounds, created) VALUES (?, ?, ?, ?, ?, ?)",
                        (code, _digest(token), scenario_yaml, regime, rounds, _now()),
                    )
                return code, token
            except sqlite3.IntegrityError:
                continue  # code already taken: draw another
        raise Conflict("could not draw a free session code")

    @staticmethod
    def _session_row(conn: sqlite3.Connection, code: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM sessions WHERE code = ?", (normalise_code(code),)).fetchone()
        if row is None:
            raise NotFound("no such session")
        return row

    @staticmethod
    def _public_session(row: sqlite3.Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "code": row["code"],
            "scenario_yaml": row["scenario_yaml"],
            "regime": row["regime"],
            "rounds": row["rounds"],
            "current_round": row["current_round"],
            "state": row["state"],
            "created": row["created"],
        }

    def session(self, code: str) -> dict[str, Any]:
        """The session (never its facilitator token)."""
        with self._read() as conn:
            return self._public_session(self._session_row(conn, code))

    @staticmethod
    def _check_facilitator(row: sqlite3.Row, token: Any) -> None:
        given = _digest(token) if isinstance(token, str) else ""
        if not hmac.compare_digest(given, row["facilitator_token_sha256"]):
            raise Forbidden("wrong facilitator token")

    def is_facilitator(self, code: str, token: Any) -> bool:
        try:
            with self._read() as conn:
                self._check_facilitator(self._session_row(conn, code), token)
        except (NotFound, Forbidden):
            return False
        return True

    def open_vote(self, code: str, token: str) -> dict[str, Any]:
        """Open the vote of the current round (from the lobby or after a round's results)."""
        with self._write() as conn:
            row = self._session_row(conn, code)
            self._check_facilitator(row, token)
            if row["state"] == "voting":
                return self._public_session(row)  # already open: nothing to do (idempotent)
            if row["state"] not in ("lobby", "review"):
                raise Conflict(f"cannot open a vote in state {row['state']}")
            conn.execute("UPDATE sessions SET state = 'voting' WHERE id = ?", (row["id"],))
            return self._public_session(self._session_row(conn, code))

    def close_round(
        self,
        code: str,
        token: str,
        expected_round: int,
        decide: Callable[[list[dict[str, Any]], list[dict[str, Any]]], list[dict[str, Any]]],
        expected_variants: list[int] | None = None,
    ) -> list[dict[str, Any]]:
        """Close the open vote: ``decide(votes, participants)`` gives the rows; one transaction.

        Votes arriving while this runs wait for the lock and then find the vote closed, so the
        tally holds exactly the votes accepted. The round advances (or the session finishes).
        """
        with self._write() as conn:
            row = self._session_row(conn, code)
            self._check_facilitator(row, token)
            if row["state"] != "voting":
                raise Conflict("the vote is not open")
            if row["current_round"] != expected_round:
                raise Conflict("the round changed meanwhile")
            sid, rnd = row["id"], row["current_round"]
            if expected_variants is not None and expected_variants != self._variant_ids(conn, sid, rnd):
                raise Conflict("the tariff variants changed meanwhile")
            votes = [
                dict(r)
                for r in conn.execute(
                    "SELECT v.item, v.option, v.participant_id, p.college FROM votes v"
                    " JOIN participants p ON p.id = v.participant_id"
                    " WHERE v.session_id = ? AND v.round = ? ORDER BY v.participant_id, v.item",
                    (sid, rnd),
                )
            ]
            people = [
                dict(r)
                for r in conn.execute(
                    "SELECT id, name, college FROM participants WHERE session_id = ? ORDER BY id",
                    (sid,),
                )
            ]
            rows = decide(votes, people)
            now = _now()
            for d in rows:
                conn.execute(
                    "INSERT INTO decisions (session_id, round, year, item, option, label_fr,"
                    " label_en, votes_public, votes_operators, votes_citizens, veto, adopted,"
                    " binding, reason, tally_json, decided, tariff_json)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        sid,
                        rnd,
                        int(d["year"]),
                        _check_name(d["item"], "item"),
                        _check_name(d["option"], "option"),
                        d["label_fr"],
                        d["label_en"],
                        d["votes_public"],
                        d["votes_operators"],
                        d["votes_citizens"],
                        int(d["veto"]),
                        int(d["adopted"]),
                        int(d["binding"]),
                        d["reason"],
                        json.dumps(d.get("tally", {}), sort_keys=True),
                        now,
                        None if d.get("tariff") is None else json.dumps(d["tariff"], sort_keys=True),
                    ),
                )
            last = rnd >= row["rounds"]
            conn.execute(
                "UPDATE sessions SET state = ?, current_round = ? WHERE id = ?",
                ("finished" if last else "review", rnd if last else rnd + 1, sid),
            )
            return self._decisions(conn, sid)

    # -- participants -----------------------------------------------------------------------
    # -- seats ------------------------------------------------------------------------------
    @staticmethod
    def _occupied(conn: sqlite3.Connection, session_id: int) -> dict[str, int]:
        counts = dict.fromkeys(COLLEGES, 0)
        for r in conn.execute(
            "SELECT college, COUNT(*) AS n FROM participants WHERE session_id = ? GROUP BY college",
            (session_id,),
        ):
            counts[r["college"]] = r["n"]
        return counts

    @staticmethod
    def _seats(conn: sqlite3.Connection, session_id: int) -> dict[str, int]:
        return {
            r["college"]: r["n"]
            for r in conn.execute("SELECT college, n FROM seats WHERE session_id = ?", (session_id,))
        }

    def seats(self, code: str) -> dict[str, int]:
        """Seats per college the facilitator set (a college not listed has no limit)."""
        with self._read() as conn:
            return self._seats(conn, self._session_row(conn, code)["id"])

    def set_seats(self, code: str, token: str, seats: dict[str, int | None]) -> dict[str, int]:
        """Set how many seats each college has (``None`` or 0: no limit); facilitator only.

        A college cannot get fewer seats than it already has participants.
        """
        clean: dict[str, int | None] = {}
        for college, n in dict(seats).items():
            if college not in COLLEGES:
                raise BadInput(f"college must be one of {COLLEGES}")
            if n is not None and (isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 1000):
                raise BadInput("seats must be a whole number between 0 and 1000")
            clean[college] = n or None
        with self._write() as conn:
            row = self._session_row(conn, code)
            self._check_facilitator(row, token)
            taken = self._occupied(conn, row["id"])
            for college, n in clean.items():
                if n is not None and n < taken[college]:
                    raise Conflict(f"{taken[college]} participants already sit in {college}")
                conn.execute("DELETE FROM seats WHERE session_id = ? AND college = ?", (row["id"], college))
                if n is not None:
                    conn.execute(
                        "INSERT INTO seats (session_id, college, n) VALUES (?, ?, ?)", (row["id"], college, n)
                    )
            return self._seats(conn, row["id"])

    def join(self, code: str, name: str, college: str | None = None) -> dict[str, Any]:
        """Add a participant; ``college=None`` puts them in the least-filled college with a seat.

        Returns their record with their ``token``: the only time the token is ever returned.
        A college whose seats (:meth:`set_seats`) are all taken refuses a new participant.
        """
        name = clean_text(name, MAX_NAME_CHARS, "name")
        if college is not None and college not in COLLEGES:
            raise BadInput(f"college must be one of {COLLEGES}")
        token = secrets.token_urlsafe(24)
        with self._write() as conn:  # inside the lock, so two people joining fill two colleges
            row = self._session_row(conn, code)
            if row["state"] == "finished":
                raise Conflict("the workshop is over")
            counts = self._occupied(conn, row["id"])
            seats = self._seats(conn, row["id"])
            free = [c for c in COLLEGES if c not in seats or counts[c] < seats[c]]
            if college is None:
                if not free:
                    raise Full("every seat is taken")
                college = min(free, key=lambda c: (counts[c], COLLEGES.index(c)))
            elif college not in free:
                raise Full(f"every seat of the {college} college is taken")
            cur = conn.execute(
                "INSERT INTO participants (session_id, name, college, token_sha256,"
                " joined) VALUES (?, ?, ?, ?, ?)",
                (row["id"], name, college, _digest(token), _now()),
            )
            pid = cur.lastrowid
        return {"id": pid, "name": name, "college": college, "token": token, "session": row["code"]}

    @staticmethod
    def _participant_row(conn: sqlite3.Connection, session_id: int, token: Any) -> sqlite3.Row:
        if not isinstance(token, str) or not token:
            raise Forbidden("no participant token")
        row = conn.execute(
            "SELECT id, name, college, joined FROM participants WHERE session_id = ? AND token_sha256 = ?",
            (session_id, _digest(token)),
        ).fetchone()
        if row is None:
            raise Forbidden("unknown participant")
        return row

    def participant(self, code: str, token: str) -> dict[str, Any]:
        """The participant holding ``token`` in this session (without the token)."""
        with self._read() as conn:
            s = self._session_row(conn, code)
            return dict(self._participant_row(conn, s["id"], token))

    def participants(self, code: str) -> list[dict[str, Any]]:
        """Everyone in the session: id, name, college, joined (tokens are never stored or shown)."""
        with self._read() as conn:
            s = self._session_row(conn, code)
            return [
                dict(r)
                for r in conn.execute(
                    "SELECT id, name, college, joined FROM participants WHERE session_id = ? ORDER BY id",
                    (s["id"],),
                )
            ]

    # -- votes ------------------------------------------------------------------------------
    def put_vote(
        self,
        code: str,
        token: str,
        round_: int,
        item: str,
        option: str,
        *,
        options: Collection[str],
    ) -> None:
        """Record (or replace) a participant's vote on an item of the open round.

        ``options`` are the admissible options of the item; only the colleges of
        :func:`colleges_voting_on` may vote on it (the operators alone on work organisation). The
        store refuses any other vote, whatever the caller checked before.
        """
        _check_name(item, "item")
        _check_name(option, "option")
        if option not in set(options):
            raise BadInput(f"{option!r} is not an option of {item!r}")
        with self._write() as conn:
            s = self._session_row(conn, code)
            p = self._participant_row(conn, s["id"], token)
            if p["college"] not in colleges_voting_on(item):
                raise Forbidden(f"the {p['college']} college does not vote on {item!r}")
            if s["state"] != "voting":
                raise Conflict("the vote is not open")
            if s["current_round"] != round_:
                raise Conflict("this round is over")
            conn.execute(
                "INSERT INTO votes (session_id, round, item, participant_id, option, updated)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, round, item, participant_id)"
                " DO UPDATE SET option = excluded.option, updated = excluded.updated",
                (s["id"], round_, item, p["id"], option, _now()),
            )

    def my_votes(self, code: str, token: str, round_: int) -> dict[str, str]:
        """A participant's own votes of a round: item -> option."""
        with self._read() as conn:
            s = self._session_row(conn, code)
            p = self._participant_row(conn, s["id"], token)
            return {
                r["item"]: r["option"]
                for r in conn.execute(
                    "SELECT item, option FROM votes WHERE session_id = ? AND round = ? AND"
                    " participant_id = ?",
                    (s["id"], round_, p["id"]),
                )
            }

    def vote_counts(self, code: str, round_: int) -> list[dict[str, Any]]:
        """Votes of a round aggregated: rows of (item, option, college, n). No names, no tokens."""
        with self._read() as conn:
            s = self._session_row(conn, code)
            return [
                dict(r)
                for r in conn.execute(
                    "SELECT v.item, v.option, p.college, COUNT(*) AS n FROM votes v"
                    " JOIN participants p ON p.id = v.participant_id"
                    " WHERE v.session_id = ? AND v.round = ? GROUP BY v.item, v.option, p.college"
                    " ORDER BY v.item, v.option, p.college",
                    (s["id"], round_),
                )
            ]

    # -- the cahier -------------------------------------------------------------------------
    def add_comment(self, code: str, token: str, text: str) -> None:
        text = clean_text(text, MAX_TEXT_CHARS, "comment")
        with self._write() as conn:
            s = self._session_row(conn, code)
            p = self._participant_row(conn, s["id"], token)
            conn.execute(
                "INSERT INTO comments (session_id, round, participant_id, text, created)"
                " VALUES (?, ?, ?, ?, ?)",
                (s["id"], s["current_round"], p["id"], text, _now()),
            )

    def add_variant(self, code: str, token: str, item: str, text: str) -> None:
        """A variant of an agenda item proposed by a participant (shown to the room and kept)."""
        _check_name(item, "item")
        text = clean_text(text, MAX_TEXT_CHARS, "variant")
        with self._write() as conn:
            s = self._session_row(conn, code)
            p = self._participant_row(conn, s["id"], token)
            conn.execute(
                "INSERT INTO variants (session_id, round, item, participant_id, text,"
                " created) VALUES (?, ?, ?, ?, ?, ?)",
                (s["id"], s["current_round"], item, p["id"], text, _now()),
            )

    def comments(self, code: str) -> list[dict[str, Any]]:
        with self._read() as conn:
            s = self._session_row(conn, code)
            return [
                dict(r)
                for r in conn.execute(
                    "SELECT c.round, p.name, p.college, c.text, c.created FROM comments c"
                    " JOIN participants p ON p.id = c.participant_id WHERE c.session_id = ?"
                    " ORDER BY c.id",
                    (s["id"],),
                )
            ]

    def variants(self, code: str) -> list[dict[str, Any]]:
        """Every variant proposed, free text or tariff (``tariff`` is None for free text)."""
        with self._read() as conn:
            s = self._session_row(conn, code)
            out = []
            for r in conn.execute(
                "SELECT v.round, v.item, p.name, p.college, v.text, v.created, v.tariff_json"
                " FROM variants v JOIN participants p ON p.id = v.participant_id"
                " WHERE v.session_id = ? ORDER BY v.id",
                (s["id"],),
            ):
                d = dict(r)
                raw = d.pop("tariff_json")
                d["tariff"] = None if raw is None else json.loads(raw)
                out.append(d)
            return out

    # -- tariff variants (put to the vote as options variant_1, variant_2...) ----------------
    @staticmethod
    def _variant_ids(conn: sqlite3.Connection, session_id: int, round_: int) -> list[int]:
        return [
            r["id"]
            for r in conn.execute(
                "SELECT id FROM variants WHERE session_id = ? AND round = ?"
                " AND tariff_json IS NOT NULL ORDER BY id",
                (session_id, round_),
            )
        ]

    def add_tariff_variant(self, code: str, token: str, tariff: dict[str, Any], text: str) -> int:
        """A tariff variant for the current round (already validated); returns its number ``i``.

        Refused once the round has :data:`MAX_TARIFF_VARIANTS`, or when the workshop is over.
        """
        text = clean_text(text, MAX_TEXT_CHARS, "variant")
        raw = json.dumps(tariff, sort_keys=True)
        with self._write() as conn:
            s = self._session_row(conn, code)
            p = self._participant_row(conn, s["id"], token)
            if s["state"] == "finished":
                raise Conflict("the workshop is over")
            n = len(self._variant_ids(conn, s["id"], s["current_round"]))
            if n >= MAX_TARIFF_VARIANTS:
                raise Conflict(f"at most {MAX_TARIFF_VARIANTS} tariff variants per round")
            conn.execute(
                "INSERT INTO variants (session_id, round, item, participant_id, text,"
                " created, tariff_json) VALUES (?, ?, 'tariff', ?, ?, ?, ?)",
                (s["id"], s["current_round"], p["id"], text, _now(), raw),
            )
            return n + 1

    def tariff_variants(self, code: str, round_: int) -> list[dict[str, Any]]:
        """The tariff variants of a round, in order: ``variant_1`` is the first."""
        with self._read() as conn:
            s = self._session_row(conn, code)
            out = []
            for i, r in enumerate(
                conn.execute(
                    "SELECT v.id, v.round, p.name, p.college, v.text, v.created, v.tariff_json"
                    " FROM variants v JOIN participants p ON p.id = v.participant_id"
                    " WHERE v.session_id = ? AND v.round = ? AND v.tariff_json IS NOT NULL"
                    " ORDER BY v.id",
                    (s["id"], round_),
                ),
                start=1,
            ):
                d = dict(r)
                d["option"] = f"variant_{i}"
                d["tariff"] = json.loads(d.pop("tariff_json"))
                out.append(d)
            return out

    def delete_tariff_variant(self, code: str, token: str, variant_id: int) -> None:
        """The facilitator withdraws a tariff variant of the current round.

        Votes for it are dropped; votes for the variants after it follow their new numbers.
        """
        with self._write() as conn:
            s = self._session_row(conn, code)
            self._check_facilitator(s, token)
            if s["state"] == "finished":
                raise Conflict("the workshop is over")
            rnd = s["current_round"]
            ids = self._variant_ids(conn, s["id"], rnd)
            if variant_id not in ids:
                raise NotFound("no such variant in this round")
            k = ids.index(variant_id) + 1
            conn.execute("DELETE FROM variants WHERE id = ?", (variant_id,))
            conn.execute(
                "DELETE FROM votes WHERE session_id = ? AND round = ? AND item = 'tariff' AND option = ?",
                (s["id"], rnd, f"variant_{k}"),
            )
            for j in range(k + 1, len(ids) + 1):
                conn.execute(
                    "UPDATE votes SET option = ? WHERE session_id = ? AND round = ?"
                    " AND item = 'tariff' AND option = ?",
                    (f"variant_{j - 1}", s["id"], rnd, f"variant_{j}"),
                )

    # -- decisions --------------------------------------------------------------------------
    @staticmethod
    def _decisions(conn: sqlite3.Connection, session_id: int) -> list[dict[str, Any]]:
        out = []
        for r in conn.execute(
            "SELECT * FROM decisions WHERE session_id = ? ORDER BY round, rowid", (session_id,)
        ):
            d = dict(r)
            d.pop("session_id")
            d["tally"] = json.loads(d.pop("tally_json"))
            raw = d.pop("tariff_json", None)
            d["tariff"] = None if raw is None else json.loads(raw)
            for k in ("veto", "adopted", "binding"):
                d[k] = bool(d[k])
            out.append(d)
        return out

    def decisions(self, code: str) -> list[dict[str, Any]]:
        """Every decision of the session, in order of rounds and agenda."""
        with self._read() as conn:
            return self._decisions(conn, self._session_row(conn, code)["id"])

    # -- hand-over and deletion (regie-sim workshop export / purge) -------------------------
    def list_sessions(self) -> list[dict[str, Any]]:
        """Every session with its age and how many people joined (no tokens), oldest first."""
        with self._read() as conn:
            return [
                dict(r)
                for r in conn.execute(
                    "SELECT s.code, s.regime, s.rounds, s.current_round, s.state, s.created,"
                    " (SELECT COUNT(*) FROM participants p WHERE p.session_id = s.id) AS participants"
                    " FROM sessions s ORDER BY s.created, s.id"
                )
            ]

    def export_session(self, code: str) -> dict[str, Any]:
        """Everything the store holds about one session, read in one snapshot.

        ``session`` (no facilitator token digest), ``seats``, ``participants`` (id, name, college,
        joined), ``votes`` (every round, with the voter's name and college), ``comments``,
        ``variants`` and ``decisions``. Tokens are never stored, so never exported.
        """
        with self._read() as conn:
            conn.execute("BEGIN")  # one read transaction: a consistent snapshot under WAL
            try:
                row = self._session_row(conn, code)
                sid = row["id"]
                session = self._public_session(row)
                session.pop("id")

                def rows(sql: str) -> list[dict[str, Any]]:
                    return [dict(r) for r in conn.execute(sql, (sid,))]

                out = {
                    "session": session,
                    "seats": self._seats(conn, sid),
                    "participants": rows(
                        "SELECT id, name, college, joined FROM participants WHERE session_id = ? ORDER BY id"
                    ),
                    "votes": rows(
                        "SELECT v.round, v.item, v.option, v.participant_id, p.name, p.college, v.updated"
                        " FROM votes v JOIN participants p ON p.id = v.participant_id"
                        " WHERE v.session_id = ? ORDER BY v.round, v.item, v.participant_id"
                    ),
                    "comments": rows(
                        "SELECT c.round, c.participant_id, p.name, p.college, c.text, c.created"
                        " FROM comments c JOIN participants p ON p.id = c.participant_id"
                        " WHERE c.session_id = ? ORDER BY c.id"
                    ),
                    "variants": rows(
                        "SELECT v.round, v.item, v.participant_id, p.name, p.college, v.text,"
                        " v.tariff_json, v.created FROM variants v"
                        " JOIN participants p ON p.id = v.participant_id"
                        " WHERE v.session_id = ? ORDER BY v.id"
                    ),
                    "decisions": self._decisions(conn, sid),
                }
            finally:
                conn.execute("COMMIT")
        for v in out["variants"]:
            raw = v.pop("tariff_json")
            v["tariff"] = None if raw is None else json.loads(raw)
        return out

    #: the tables holding a session's rows, children first (the order a purge deletes them in)
    SESSION_TABLES: tuple[str, ...] = (
        "votes",
        "comments",
        "variants",
        "decisions",
        "seats",
        "participants",
        "sessions",
    )

    def purge(self, codes: Collection[str]) -> list[str]:
        """Delete these sessions and every row that belongs to them; returns the codes deleted.

        Deleted content is overwritten in the file (``secure_delete``), and the write-ahead log is
        checkpointed and truncated afterwards, so no copy stays in ``workshop.sqlite3`` or its
        ``-wal`` file. An unknown code raises :class:`NotFound` and deletes nothing.
        """
        wanted = [normalise_code(c) for c in codes]
        conn = self._connect()
        try:
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute("BEGIN IMMEDIATE")
            try:
                ids = []
                for code in wanted:
                    ids.append(self._session_row(conn, code)["id"])
                for sid in ids:
                    for table in self.SESSION_TABLES:
                        key = "id" if table == "sessions" else "session_id"
                        conn.execute(f"DELETE FROM {table} WHERE {key} = ?", (sid,))
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            if wanted:
                # copy the overwritten pages into the file and empty the log; busy (another
                # connection reading) leaves the log to the next checkpoint, which SQLite runs
                # on its own
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        return wanted

    def codes_older_than(self, cutoff: datetime) -> list[str]:
        """Codes of the sessions created before ``cutoff`` (an aware datetime)."""
        stamp = cutoff.astimezone(UTC).isoformat(timespec="milliseconds")
        with self._read() as conn:
            return [
                r["code"]
                for r in conn.execute(
                    "SELECT code FROM sessions WHERE created < ? ORDER BY created", (stamp,)
                )
            ]

    def backup(self, dest: str | os.PathLike[str]) -> Path:
        """A consistent copy of the whole store in ``dest``, taken while the server runs.

        SQLite's online backup copies the file and its write-ahead log as one snapshot (copying
        the file alone may miss the latest votes). ``dest`` must not exist yet.
        """
        out = Path(dest)
        if out.exists():
            raise Conflict(f"{out} already exists")
        out.parent.mkdir(parents=True, exist_ok=True)
        src = self._connect()
        try:
            dst = sqlite3.connect(out)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        return out

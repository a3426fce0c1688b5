"""Hosting a workshop: ``regie-sim serve``, and the hand-over and deletion of a session's material.

- ``serve`` starts a real Streamlit server that answers on its health endpoint (slow), with the
  store in ``--data``; it refuses a folder it cannot write, a taken port and bad arguments before
  starting anything.
- ``workshop export`` writes every row the store holds about one session (and nothing of another);
  ``workshop purge`` deletes a session leaving no row in any table, and no byte of what people
  wrote in the file or its write-ahead log, while the other session stays whole.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import sim
from sim.cli.main import main
from sim.cli.serve import MAX_UPLOAD_MB, PRODUCTION, app_file, streamlit_command
from sim.experiments import run as runner
from sim.scenario.loader import MAX_FILE_BYTES
from sim.workshop import Store, Workshop
from sim.workshop.store import keep_days
from sim.workshop.strings import t

ROOT = Path(__file__).resolve().parent.parent
YAML = "seed: 1\n"  # the store keeps scenario text as given
TARIFF = sim.load_scenario(ROOT / "scenarios" / "town.yaml").tariff.model_dump(mode="json")


@pytest.fixture(autouse=True)
def _french_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("REGIE_SIM_LANG", "REGIE_SIM_PUBLIC_URL", "REGIE_SIM_KEEP_DAYS", "REGIE_SIM_WORKSHOP_DB"):
        monkeypatch.delenv(var, raising=False)


def cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _decide(tag: str) -> Any:
    def decide(votes: list[dict[str, Any]], people: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                "year": 2026,
                "item": "tariff",
                "option": "balance",
                "label_fr": f"Équilibre {tag}",
                "label_en": f"Balance {tag}",
                "votes_public": 1,
                "votes_operators": 0,
                "votes_citizens": 1,
                "veto": False,
                "adopted": True,
                "binding": True,
                "reason": "majority",
                "tally": {"counts": {"balance": {"public": 1, "citizens": 1}}},
                "tariff": None,
            }
        ]

    return decide


def filled_session(store: Store, tag: str) -> str:
    """A session with a row in every table: seats, people, votes, variants, comments, decisions."""
    code, token = store.create_session(YAML, "commons", 2)
    store.set_seats(code, token, {"citizens": 5})
    alice = store.join(code, f"Alice-{tag}", "citizens")
    bob = store.join(code, f"Bob-{tag}", "public")
    store.open_vote(code, token)
    for p in (alice, bob):
        store.put_vote(code, p["token"], 1, "tariff", "balance", options=("balance", "social"))
    store.add_comment(code, alice["token"], f"remarque secrète {tag}")
    store.add_variant(code, bob["token"], "renewal", f"variante {tag}")
    store.add_tariff_variant(code, alice["token"], TARIFF, f"tarif {tag}")
    store.close_round(code, token, 1, _decide(tag))
    return code


def table_rows(path: Path) -> dict[str, list[sqlite3.Row]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f"SELECT * FROM {t}").fetchall() for t in tables}
    finally:
        conn.close()


def session_ids(path: Path) -> dict[str, int]:
    return {r["code"]: r["id"] for r in table_rows(path)["sessions"]}


def rows_of(rows: dict[str, list[sqlite3.Row]], sid: int) -> dict[str, int]:
    """Rows of each table that belong to session ``sid``."""
    out = {}
    for table, rs in rows.items():
        key = "id" if table == "sessions" else "session_id"
        assert not rs or key in rs[0].keys(), f"table {table} is not tied to a session"
        out[table] = sum(1 for r in rs if r[key] == sid)
    return out


@pytest.fixture
def two_sessions(tmp_path: Path) -> tuple[Path, str, str]:
    data = tmp_path / "data"
    store = Store(data / "workshop.sqlite3")
    return data, filled_session(store, "un"), filled_session(store, "deux")


# -- export ----------------------------------------------------------------------------------
def test_export_hands_over_every_row_of_one_session_and_none_of_the_other(
    two_sessions: tuple[Path, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, one, two = two_sessions
    out = tmp_path / "remise.zip"
    code, stdout, err = cli(capsys, "workshop", "export", one.lower(), "--data", data, "--out", out)
    assert code == 0, err
    assert str(out) in stdout
    with zipfile.ZipFile(out) as zf:
        files = {n: zf.read(n).decode("utf-8") for n in zf.namelist()}
    assert set(files) == {
        "session.json",
        "participants.csv",
        "votes.csv",
        "comments.csv",
        "variants.csv",
        "decisions.csv",
        "scenario.yaml",
        "cahier.txt",
    }
    everything = "".join(files.values())
    assert "deux" not in everything  # nothing of the other session
    meta = json.loads(files["session.json"])
    assert meta["session"]["code"] == one and meta["seats"] == {"citizens": 5}
    assert "facilitator_token_sha256" not in everything and "token" not in files["participants.csv"]
    people = list(csv.DictReader(io.StringIO(files["participants.csv"])))
    assert sorted(p["name"] for p in people) == ["Alice-un", "Bob-un"]
    votes = list(csv.DictReader(io.StringIO(files["votes.csv"])))
    assert [(v["name"], v["option"]) for v in votes] == [("Alice-un", "balance"), ("Bob-un", "balance")]
    comments = list(csv.DictReader(io.StringIO(files["comments.csv"])))
    assert [c["text"] for c in comments] == ["remarque secrète un"]
    variants = list(csv.DictReader(io.StringIO(files["variants.csv"])))
    assert {v["text"] for v in variants} == {"variante un", "tarif un"}
    decisions = list(csv.DictReader(io.StringIO(files["decisions.csv"])))
    assert [d["label_fr"] for d in decisions] == ["Équilibre un"]
    assert files["scenario.yaml"] == YAML
    # the readable text: who took part, what was decided, what was written
    text = files["cahier.txt"]
    assert f"Atelier {one}" in text and "Alice-un" in text and "remarque secrète un" in text
    assert "Équilibre un" in text and "variante un" in text


def test_export_to_a_folder_in_english_and_a_formula_is_defused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "d"
    store = Store(data / "workshop.sqlite3")
    code, _token = store.create_session(YAML, "commons", 1)
    p = store.join(code, "=HYPERLINK(1)")
    store.add_comment(code, p["token"], "@SUM(A1)")
    rc, _, err = cli(
        capsys, "workshop", "export", code, "--data", data, "--out", tmp_path / "f", "--lang", "en"
    )
    assert rc == 0, err
    assert (tmp_path / "f" / "cahier.txt").read_text(encoding="utf-8").startswith(f"Workshop {code}")
    people = (tmp_path / "f" / "participants.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(1)" in people
    assert "'@SUM(A1)" in (tmp_path / "f" / "comments.csv").read_text(encoding="utf-8")


def test_export_of_an_unknown_code_or_a_missing_store_is_refused(
    two_sessions: tuple[Path, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, _, _ = two_sessions
    code, _, err = cli(capsys, "workshop", "export", "ZZZZZZ", "--data", data, "--out", tmp_path / "x.zip")
    assert code == 2 and "ZZZZZZ" in err and not (tmp_path / "x.zip").exists()
    code, _, err = cli(capsys, "workshop", "list", "--data", tmp_path / "nowhere")
    assert code == 2 and "aucun fichier d'ateliers" in err
    assert not (tmp_path / "nowhere").exists()  # never creates a store


# -- purge -----------------------------------------------------------------------------------
def test_purge_a_code_leaves_no_row_in_any_table_and_the_other_session_whole(
    two_sessions: tuple[Path, str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, one, two = two_sessions
    # as on an SQLite built without secure delete by default (this one has it on): the purge
    # itself must ask for deleted content to be overwritten
    connect = Store._connect

    def plain_connect(self: Store) -> sqlite3.Connection:
        conn = connect(self)
        conn.execute("PRAGMA secure_delete=OFF")
        return conn

    monkeypatch.setattr(Store, "_connect", plain_connect)
    path = data / "workshop.sqlite3"
    ids = session_ids(path)
    before = table_rows(path)
    for sid in ids.values():  # the fixture fills every table, so the test covers every table
        assert all(n > 0 for n in rows_of(before, sid).values()), rows_of(before, sid)
    kept_before = {
        t: [tuple(r) for r in rs if r["id" if t == "sessions" else "session_id"] == ids[two]]
        for t, rs in before.items()
    }

    code, out, err = cli(capsys, "workshop", "purge", one, "--data", data)
    assert code == 0, err
    assert one in out

    after = table_rows(path)
    assert set(rows_of(after, ids[one]).values()) == {0}
    kept_after = {
        t: [tuple(r) for r in rs if r["id" if t == "sessions" else "session_id"] == ids[two]]
        for t, rs in after.items()
    }
    assert kept_after == kept_before
    # no copy of what people wrote stays in the file or its log (secure_delete, log truncated)
    raw = b"".join(p.read_bytes() for p in data.iterdir() if p.name.startswith("workshop.sqlite3"))
    for secret in ("Alice-un", "remarque secrète un", "variante un", "Équilibre un"):
        assert secret.encode("utf-8") not in raw, secret
    assert b"Alice-deux" in raw
    # the other session still works
    assert Store(path).session(two)["state"] == "review"


def test_purge_older_than_deletes_only_old_sessions(
    two_sessions: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    data, one, two = two_sessions
    path = data / "workshop.sqlite3"
    old = (datetime.now(UTC) - timedelta(days=31)).isoformat(timespec="milliseconds")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE sessions SET created = ? WHERE code = ?", (old, one))
    code, out, _ = cli(capsys, "workshop", "purge", "--older-than", "30d", "--data", data, "--dry-run")
    assert code == 0 and one in out and two not in out
    assert set(session_ids(path)) == {one, two}  # a dry run deletes nothing
    code, out, _ = cli(capsys, "workshop", "purge", "--older-than", "30d", "--data", data)
    assert code == 0
    assert set(session_ids(path)) == {two}
    assert set(rows_of(table_rows(path), 1).values()) == {0}
    code, out, _ = cli(capsys, "workshop", "list", "--data", data)
    assert two in out and one not in out


@pytest.mark.parametrize(
    "argv",
    [
        ["workshop", "purge"],  # a code or --older-than is required
        ["workshop", "purge", "ABCDEF", "--older-than", "30d"],  # not both
        ["workshop", "purge", "--older-than", "30"],  # a unit
        ["workshop", "purge", "--older-than", "-3d"],
        ["workshop", "export"],
        ["workshop"],
        ["serve", "--port", "0"],
        ["serve", "--port", "70000"],
        ["serve", "--port", "http"],
        ["serve", "--public-url", "atelier.example.org"],  # no scheme
        ["serve", "--public-url", "ftp://atelier.example.org/"],
        ["serve", "--public-url", "https://atelier.example.org/?s=ABC"],
        ["serve", "--host", "not a host"],
        ["serve", "--keep-days", "-1"],
        ["serve", "--keep-days", "abc"],
    ],
)
def test_bad_arguments_are_refused_before_anything_runs(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, *argv, "--data", tmp_path / "d")
    assert code == 2
    assert "erreur" in err
    assert not (tmp_path / "d").exists()


def test_purge_of_an_unknown_code_deletes_nothing(
    two_sessions: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    data, one, two = two_sessions
    code, _, err = cli(capsys, "workshop", "purge", "ZZZZZZ", "--data", data)
    assert code == 2 and "ZZZZZZ" in err
    assert set(session_ids(data / "workshop.sqlite3")) == {one, two}


def test_backup_copies_every_session_and_refuses_to_overwrite(
    two_sessions: tuple[Path, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, one, two = two_sessions
    dest = tmp_path / "save" / "copy.sqlite3"
    code, out, err = cli(capsys, "workshop", "backup", dest, "--data", data)
    assert code == 0, err
    copy = Store(dest)
    assert {s["code"] for s in copy.list_sessions()} == {one, two}
    assert [c["text"] for c in copy.comments(one)] == ["remarque secrète un"]
    code, _, err = cli(capsys, "workshop", "backup", dest, "--data", data)
    assert code == 2 and "existe déjà" in err


# -- serve -----------------------------------------------------------------------------------
def test_serve_refuses_a_folder_it_cannot_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for lang, words in (("fr", "n'est pas utilisable en écriture"), ("en", "cannot be written")):
        code, out, err = cli(capsys, "serve", "--data", blocker / "data", "--check", "--lang", lang)
        assert code == 2
        assert words in err and "--data" in err and "Traceback" not in err
        assert out == ""


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_serve_refuses_a_read_only_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        code, _, err = cli(capsys, "serve", "--data", ro, "--check")
    finally:
        ro.chmod(0o700)
    assert code == 2 and "n'est pas utilisable en écriture" in err


def test_serve_refuses_a_port_already_taken(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        code, _, err = cli(
            capsys, "serve", "--host", "127.0.0.1", "--port", port, "--data", tmp_path / "d", "--check"
        )
    assert code == 2 and str(port) in err and "--port" in err


def test_serve_check_prints_the_address_and_production_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    code, out, err = cli(
        capsys,
        "serve",
        "--port",
        port,
        "--data",
        tmp_path / "d",
        "--public-url",
        "https://atelier.example.org",
        "--check",
        "--lang",
        "en",
    )
    assert code == 0, err
    assert "Participants' address: https://atelier.example.org/" in out
    assert str(tmp_path / "d" / "workshop.sqlite3") in out and "deleted 30 days after creation" in out
    assert (tmp_path / "d" / "workshop.sqlite3").is_file()  # the store is ready before the room
    assert "--server.headless true" in out and "--browser.gatherUsageStats false" in out
    # Streamlit's upload limit (MB) holds the loader's limit, which refuses anything larger
    assert MAX_UPLOAD_MB * 1_000_000 >= MAX_FILE_BYTES and MAX_UPLOAD_MB == 1
    assert f"--server.maxUploadSize {MAX_UPLOAD_MB}" in out


def test_streamlit_command_carries_every_production_setting() -> None:
    cmd = streamlit_command(app_file(), "0.0.0.0", 8501)
    assert cmd[:4] == [sys.executable, "-m", "streamlit", "run"] and Path(cmd[4]) == ROOT / "app.py"
    pairs = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert pairs["--server.address"] == "0.0.0.0" and pairs["--server.port"] == "8501"
    for key, value in PRODUCTION.items():
        assert pairs[f"--{key}"] == value


def test_keep_days_is_only_promised_when_valid() -> None:
    assert keep_days("30") == 30
    assert keep_days("") is None and keep_days("0") is None and keep_days("x") is None
    assert keep_days("99999") is None


@pytest.mark.slow
def test_serve_answers_on_its_health_endpoint_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    env = {**os.environ, "REGIE_SIM_LANG": "en"}
    env.pop("REGIE_SIM_WORKSHOP_DB", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data",
            str(data),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    try:
        body, deadline = "", time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert body == "ok", f"no health answer; exit {proc.poll()}"
        assert (data / "workshop.sqlite3").is_file()
        # the join page is served from the same process
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/atelier", timeout=5) as r:
            assert r.status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
            pytest.fail("serve did not stop on SIGTERM:\n" + out)
    assert proc.returncode == 0, out
    assert f"Participants' address: http://localhost:{port}/" in out
    # Streamlit (the child) stopped with its parent: nothing listens on the port any more
    # (SO_REUSEADDR: the test's own closed connections may linger in TIME_WAIT)
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))


# -- the join page says what is kept and for how long ------------------------------------------
@pytest.mark.parametrize(("days", "lang"), [("30", "fr"), ("7", "en"), (None, "fr"), ("0", "en")])
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_join_page_says_what_is_kept_and_for_how_long(
    days: str | None, lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("REGIE_SIM_WORKSHOP_DB", str(tmp_path / "page.sqlite3"))
    if days is not None:
        monkeypatch.setenv("REGIE_SIM_KEEP_DAYS", days)
    st.cache_resource.clear()
    code, _ = Store().create_session(YAML, "commons", 1)
    at = AppTest.from_file(str(ROOT / "sim" / "dashboard" / "workshop.py"), default_timeout=60)
    at.query_params.update({"s": code, "lang": lang})
    at.run()
    st.cache_resource.clear()
    assert not at.exception
    shown = " ".join(c.value for c in at.caption)
    assert t("privacy_kept", lang, seat_days=2) in shown
    if days and days != "0":
        assert t("privacy_days", lang, days=int(days)) in shown
        assert t("privacy_manual", lang) not in shown
    else:  # nothing enforces a delay: the page promises none
        assert t("privacy_manual", lang) in shown


# -- capacity: a vote opening in front of many pages replays the model once --------------------
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_pages_asking_for_a_new_agenda_at_once_replay_the_model_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    town = sim.scale_town(sim.load_scenario(ROOT / "scenarios" / "commons.yaml"), 400)
    ws = Workshop(Store(tmp_path / "w.sqlite3"))
    code, token = ws.create_session(town, "commons", 2)
    ws.open_vote(code, token)
    calls = []
    simulate = runner.simulate

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        time.sleep(0.2)  # long enough for every page to ask while the first replay runs
        return simulate(*args, **kwargs)

    monkeypatch.setattr(runner, "simulate", counted)
    start = threading.Barrier(12)
    agendas: list[Any] = []

    def page() -> None:
        start.wait()
        agendas.append(ws.current_agenda(code))

    threads = [threading.Thread(target=page) for _ in range(12)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(agendas) == 12 and all(a == agendas[0] for a in agendas) and agendas[0]
    # the agenda's run and the procedure's run, once each, not once per page
    assert len(calls) <= 2, len(calls)

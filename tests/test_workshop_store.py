"""The workshop's session store: concurrency, idempotent votes, restart, secrets, escaping."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

import sim
from sim.workshop import BadInput, Conflict, Forbidden, NotFound, Store, Workshop
from sim.workshop.store import CODE_ALPHABET, CODE_LENGTH, resolve_path

TOWN = Path(__file__).resolve().parent.parent / "scenarios" / "town.yaml"
YAML = "seed: 1\n"  # the store keeps scenario text as given; the flow tests run real scenarios

TARIFF_OPTIONS = ("balance", "social")  # the options the tests vote for


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "workshop.sqlite3")


@pytest.fixture(scope="module")
def small_town() -> sim.Scenario:
    return sim.with_changes(sim.load_scenario(TOWN), {"households.count": 1200})


def open_session(store: Store, rounds: int = 2) -> tuple[str, str]:
    code, token = store.create_session(YAML, "commons", rounds)
    store.open_vote(code, token)
    return code, token


# -- sessions --------------------------------------------------------------------------------
def test_session_code_is_six_unambiguous_characters(store: Store) -> None:
    codes = {store.create_session(YAML, "commons", 2)[0] for _ in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
        assert not set(code) & set("0O1IL")


def test_code_typed_in_lower_case_with_spaces_is_found(store: Store) -> None:
    code, _ = store.create_session(YAML, "commons", 2)
    typed = f" {code[:3].lower()} {code[3:].lower()} "
    assert store.session(typed)["code"] == code


def test_unknown_code_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.session("ZZZZZZ")


def test_path_from_sqlite_url_and_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_path(f"sqlite:///{tmp_path}/a.db") == tmp_path / "a.db"
    assert resolve_path("sqlite:///rel.db") == Path("rel.db")
    monkeypatch.setenv("REGIE_SIM_WORKSHOP_DB", f"sqlite:///{tmp_path}/env.db")
    s = Store()
    assert s.path == tmp_path / "env.db" and s.path.is_file()
    with pytest.raises(BadInput):
        resolve_path("sqlite:/nope.db")


def test_database_runs_in_wal_mode(store: Store) -> None:
    conn = sqlite3.connect(store.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


# -- votes -----------------------------------------------------------------------------------
def test_votes_cast_at_the_same_instant_all_count(store: Store) -> None:
    code, _ = open_session(store)
    people = [store.join(code, f"p{i}") for i in range(24)]
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def cast(token: str) -> None:
        try:
            barrier.wait()
            store.put_vote(code, token, 1, "tariff", "balance", options=TARIFF_OPTIONS)
        except BaseException as exc:  # noqa: BLE001 - collected and re-raised by the test
            errors.append(exc)

    threads = [threading.Thread(target=cast, args=(p["token"],)) for p in people]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    counts = store.vote_counts(code, 1)
    assert sum(r["n"] for r in counts) == len(people)
    assert {r["college"]: r["n"] for r in counts} == {"public": 8, "operators": 8, "citizens": 8}


def test_two_votes_at_the_same_instant_both_count(store: Store) -> None:
    code, _ = open_session(store)
    a, b = store.join(code, "A", "public"), store.join(code, "B", "citizens")
    barrier = threading.Barrier(2)

    def cast(token: str, option: str) -> None:
        barrier.wait()
        store.put_vote(code, token, 1, "tariff", option, options=TARIFF_OPTIONS)

    threads = [
        threading.Thread(target=cast, args=(a["token"], "balance")),
        threading.Thread(target=cast, args=(b["token"], "social")),
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert store.vote_counts(code, 1) == [
        {"item": "tariff", "option": "balance", "college": "public", "n": 1},
        {"item": "tariff", "option": "social", "college": "citizens", "n": 1},
    ]


def test_concurrent_joins_fill_the_colleges_evenly(store: Store) -> None:
    code, _ = store.create_session(YAML, "commons", 2)
    barrier = threading.Barrier(12)
    joined: list[dict[str, object]] = []

    def join(i: int) -> None:
        barrier.wait()
        joined.append(store.join(code, f"p{i}"))

    threads = [threading.Thread(target=join, args=(i,)) for i in range(12)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    colleges = [p["college"] for p in store.participants(code)]
    assert sorted(colleges.count(c) for c in ("public", "operators", "citizens")) == [4, 4, 4]


def test_revote_replaces_the_earlier_vote(store: Store) -> None:
    code, _ = open_session(store)
    p = store.join(code, "A", "public")
    store.put_vote(code, p["token"], 1, "tariff", "balance", options=TARIFF_OPTIONS)
    store.put_vote(code, p["token"], 1, "tariff", "social", options=TARIFF_OPTIONS)
    store.put_vote(code, p["token"], 1, "tariff", "social", options=TARIFF_OPTIONS)
    assert store.vote_counts(code, 1) == [{"item": "tariff", "option": "social", "college": "public", "n": 1}]
    assert store.my_votes(code, p["token"], 1) == {"tariff": "social"}


def test_votes_are_refused_when_the_vote_is_not_open(store: Store) -> None:
    code, token = store.create_session(YAML, "commons", 2)
    p = store.join(code, "A", "public")
    with pytest.raises(Conflict):
        store.put_vote(code, p["token"], 1, "tariff", "balance", options=TARIFF_OPTIONS)
    store.open_vote(code, token)
    with pytest.raises(Conflict):  # a stale page voting for another round
        store.put_vote(code, p["token"], 2, "tariff", "balance", options=TARIFF_OPTIONS)
    assert store.vote_counts(code, 1) == []


def test_votes_with_an_unknown_token_are_refused(store: Store) -> None:
    code, _ = open_session(store)
    with pytest.raises(Forbidden):
        store.put_vote(code, "not-a-token", 1, "tariff", "balance", options=TARIFF_OPTIONS)


# -- restart ---------------------------------------------------------------------------------
def test_a_new_store_on_the_same_file_resumes_everything(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    first = Store(path)
    code, token = open_session(first)
    p = first.join(code, "Aïcha", "citizens")
    first.put_vote(code, p["token"], 1, "tariff", "social", options=TARIFF_OPTIONS)
    first.add_comment(code, p["token"], "trop cher")
    del first

    again = Store(f"sqlite:///{path}")
    assert again.session(code)["state"] == "voting"
    assert again.is_facilitator(code, token)
    assert again.participant(code, p["token"])["name"] == "Aïcha"  # found with their token
    assert again.my_votes(code, p["token"], 1) == {"tariff": "social"}
    assert [c["text"] for c in again.comments(code)] == ["trop cher"]
    again.put_vote(
        code, p["token"], 1, "tariff", "balance", options=TARIFF_OPTIONS
    )  # keeps voting where they were
    assert again.my_votes(code, p["token"], 1) == {"tariff": "balance"}


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_a_restart_mid_workshop_continues_the_flow(tmp_path: Path, small_town: sim.Scenario) -> None:
    path = tmp_path / "w.db"
    ws = Workshop(Store(path))
    code, token = ws.create_session(small_town, "commons", 2)
    people = [ws.join(code, n, c) for n, c in (("A", "public"), ("B", "operators"), ("C", "citizens"))]
    ws.open_vote(code, token)
    ws.vote(code, people[0]["token"], "renewal", "plan")
    ws.vote(code, people[1]["token"], "renewal", "plan")
    ws.close_vote(code, token)
    agenda_before = ws.current_agenda(code)

    ws2 = Workshop(Store(path))  # the server restarted: a new process, an empty cache
    assert ws2.current_agenda(code) == agenda_before
    assert ws2.log(code) == ws.log(code)
    ws2.open_vote(code, token)
    ws2.vote(code, people[2]["token"], "tariff", agenda_before[0]["options"][0]["name"])
    decided = ws2.close_vote(code, token)
    assert {d["round"] for d in decided} == {2}
    assert ws2.store.session(code)["state"] == "finished"


# -- secrets ---------------------------------------------------------------------------------
def test_wrong_facilitator_token_is_refused(store: Store) -> None:
    code, token = store.create_session(YAML, "commons", 2)
    for wrong in ("", "x", token[:-1], token + "x", None, 123):
        assert not store.is_facilitator(code, wrong)
        with pytest.raises(Forbidden):
            store.open_vote(code, wrong)  # type: ignore[arg-type]
    assert store.session(code)["state"] == "lobby"
    store.open_vote(code, token)
    with pytest.raises(Forbidden):
        store.close_round(code, "wrong", 1, lambda votes, people: [])
    assert store.session(code)["state"] == "voting"


def test_another_sessions_facilitator_token_is_refused(store: Store) -> None:
    code_a, _ = store.create_session(YAML, "commons", 2)
    _, token_b = store.create_session(YAML, "commons", 2)
    with pytest.raises(Forbidden):
        store.open_vote(code_a, token_b)


def test_participant_lookups_never_return_tokens(store: Store) -> None:
    code, token = store.create_session(YAML, "commons", 2)
    people = [store.join(code, f"p{i}") for i in range(3)]
    tokens = {p["token"] for p in people} | {token}
    listed = store.participants(code)
    assert len(listed) == 3
    for row in listed:
        assert not any("token" in k for k in row)
        assert not tokens & {str(v) for v in row.values()}
    me = store.participant(code, people[0]["token"])
    assert "token" not in me and me["name"] == "p0"
    assert "facilitator_token_sha256" not in store.session(code)
    # only digests are stored: no token can leak from the file itself
    raw = b"".join(f.read_bytes() for f in store.path.parent.iterdir() if f.is_file())
    assert not any(t.encode() in raw for t in tokens)


def test_a_participant_token_works_only_in_its_session(store: Store) -> None:
    code_a, _ = store.create_session(YAML, "commons", 2)
    code_b, _ = store.create_session(YAML, "commons", 2)
    p = store.join(code_a, "A")
    with pytest.raises(Forbidden):
        store.participant(code_b, p["token"])


# -- input -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["", "   ", "x" * 61, None])
def test_bad_names_are_refused(store: Store, name: object) -> None:
    code, _ = store.create_session(YAML, "commons", 2)
    with pytest.raises(BadInput):
        store.join(code, name)  # type: ignore[arg-type]
    assert store.participants(code) == []


def test_control_characters_are_removed_from_names(store: Store) -> None:
    code, _ = store.create_session(YAML, "commons", 2)
    assert store.join(code, " Zoé\x00\x1b[31m ")["name"] == "Zoé  [31m"


def test_bad_item_or_option_names_are_refused(store: Store) -> None:
    code, _ = open_session(store)
    p = store.join(code, "A")
    for item, option in (("tariff; DROP TABLE votes", "keep"), ("tariff", "<b>"), ("", "keep")):
        with pytest.raises(BadInput):
            store.put_vote(code, p["token"], 1, item, option, options=TARIFF_OPTIONS)


# -- escaping --------------------------------------------------------------------------------
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_names_and_comments_come_out_escaped_in_the_debrief(tmp_path: Path, small_town: sim.Scenario) -> None:
    ws = Workshop(Store(tmp_path / "w.db"))
    code, token = ws.create_session(small_town, "commons", 1)
    evil = ws.join(code, "<script>alert('x')</script>", "citizens")
    bob = ws.join(code, 'Bob" onmouseover="x', "public")
    ws.comment(code, bob["token"], "ok")
    ws.comment(code, evil["token"], "<img src=x onerror=alert(1)> & co")
    ws.propose_variant(code, evil["token"], "tariff", "<b>gratuit</b>")
    ws.open_vote(code, token)
    ws.close_vote(code, token)
    html = ws.debrief_html(code, "fr")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; co" in html
    assert "&lt;b&gt;gratuit&lt;/b&gt;" in html
    assert "Bob&quot; onmouseover=&quot;x" in html
    for raw in ("<script>alert('x')", "<img src=x", "<b>gratuit", 'Bob" onmouseover'):
        assert raw not in html
    assert html.count("<script") == html.count("</script>")  # only plotly's own scripts


def test_a_schema_1_file_gains_the_tariff_columns_and_keeps_its_rows(tmp_path: Path) -> None:
    from sim.workshop.store import SCHEMA

    path = tmp_path / "old.db"
    old = SCHEMA.replace(",\n    tariff_json TEXT\n", "\n").replace("    tariff_json TEXT,\n", "")
    assert "tariff_json" not in old
    conn = sqlite3.connect(path)
    conn.executescript(old + "PRAGMA user_version=1;")
    conn.execute(
        "INSERT INTO sessions (code, facilitator_token_sha256, scenario_yaml, regime, rounds,"
        " created) VALUES ('ABCDEF', 'x', '{}', 'commons', 1, 'now')"
    )
    conn.commit()
    conn.close()
    store = Store(path)
    assert store.session("ABCDEF")["regime"] == "commons"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    for table in ("variants", "decisions"):
        cols = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        assert "tariff_json" in cols, table
    conn.close()
    me = store.join("ABCDEF", "A", "citizens")
    assert store.add_tariff_variant("ABCDEF", me["token"], {"blocks": []}, "t") == 1
    assert store.tariff_variants("ABCDEF", 1)[0]["option"] == "variant_1"

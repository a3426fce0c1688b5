"""Benchmark: how many participants does one workshop server hold? (issue 16)

A whole workshop is played by simulated participants (30, 60, 120 by default) against one server,
through the same calls as the pages, in threads of one process as the Streamlit server runs one
thread per browser session, on a fresh SQLite store:

- **join**: what the join page and the first participant page do (``store.session``,
  ``Workshop.join``, ``Workshop.me``); everyone arrives within ``--arrive`` seconds (the QR code
  is on the screen);
- every participant's page polls the session every 2 s (``_follow_session``); when the vote opens
  its page reads the agenda (``me``, ``session``, ``my_votes``, ``current_agenda``: **read agenda**),
  then each participant votes on every item they may vote on after a random think time of
  0–``--think`` s (``Workshop.vote``: **vote**); when the round closes its page reads the results
  (``store.decisions``: **read results**);
- the facilitator's page polls the live counts every second (``live_counts``, ``participants``,
  ``seats``), opens the vote (``open_vote`` then ``current_agenda``) and closes it once everyone
  voted (``close_vote``): **round change**; three rounds.

Reported per size: median and 95th percentile of each latency, how long after the facilitator's
click the last participant's page had the new round (**seen by all**, polling included), and the
server's memory (peak resident set of the process, measured in a fresh child process per size).

Two more parts measure what the calls alone do not, the Streamlit page itself:

- **loopback**: a real ``regie-sim serve`` on 127.0.0.1 (production settings), N participants'
  sessions opened over its WebSocket (Streamlit's own protocol), and every voting page asked for at
  the same instant: what the server does when the facilitator opens a vote and every participant's
  page redraws (``_follow_session`` reruns it). Reported: when the first, median, 95th-percentile
  and last page were drawn, the server's CPU time for the burst, and the Streamlit process's
  memory, warm and with the N pages open;
- **script run**: one participant's page in the voting state run by ``AppTest`` (the join form,
  the voting page), the CPU one page costs.

Streamlit runs all sessions' scripts in one Python process, so they share one core (the GIL).

Run it (opt-in, not a test)::

    .venv/bin/python benchmarks/bench_workshop_load.py                 # 30, 60, 120
    .venv/bin/python benchmarks/bench_workshop_load.py --sizes 30 --think 5
    .venv/bin/python benchmarks/bench_workshop_load.py --sizes 30 --loopback-only  # round changes
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402
from sim.workshop import COLLEGES, Store, Workshop, WorkshopError  # noqa: E402
from sim.workshop.tally import WORK_ITEM  # noqa: E402

FOLLOW_S = 2.0  # sim/dashboard/workshop.py FOLLOW_REFRESH_S
LIVE_S = 1.0  # sim/dashboard/workshop.py LIVE_REFRESH_S
ROUNDS = 3


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = {}
        self.errors: list[str] = []

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.times.setdefault(kind, []).append(seconds)

    def timed(self, kind: str, fn: Any, *args: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        out = fn(*args, **kw)
        self.add(kind, time.perf_counter() - t0)
        return out


def participant(
    ws: Workshop, code: str, i: int, rec: Recorder, args: argparse.Namespace, opened: dict[int, float]
) -> None:
    rng = random.Random(1000 + i)
    time.sleep(rng.uniform(0, args.arrive))
    t0 = time.perf_counter()
    ws.store.session(code)
    me = ws.join(code, f"P{i:03d}", COLLEGES[i % 3])
    token = me["token"]
    ws.me(code, token)
    ws.store.session(code)
    rec.add("join", time.perf_counter() - t0)
    seen: tuple[str, int] | None = None
    while True:
        time.sleep(FOLLOW_S)
        s = rec.timed("poll", ws.store.session, code)
        sig = (s["state"], s["current_round"])
        if sig == seen:
            continue
        seen = sig
        if s["state"] == "voting":
            t0 = time.perf_counter()
            ws.me(code, token)
            ws.store.session(code)
            mine = ws.my_votes(code, token)
            agenda = ws.current_agenda(code)
            now = time.perf_counter()
            rec.add("read agenda", now - t0)
            rec.add("seen by all", now - opened[s["current_round"]])
            for item in agenda:
                if item["item"] == WORK_ITEM and me["college"] != "operators":
                    continue
                ok = [o["name"] for o in item["options"] if o.get("admissible", True)]
                if not ok or item["item"] in mine:
                    continue
                time.sleep(rng.uniform(0, args.think))
                try:
                    rec.timed("vote", ws.vote, code, token, item["item"], rng.choice(ok))
                except WorkshopError as exc:  # the round closed meanwhile
                    rec.errors.append(f"vote: {type(exc).__name__}")
        else:
            rec.timed("read results", ws.store.decisions, code)
            if s["state"] == "finished":
                return


def facilitator(ws: Workshop, code: str, token: str, n: int, rec: Recorder, opened: dict[int, float]) -> None:
    stop = threading.Event()

    def live() -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            ws.live_counts(code, token)
            ws.store.participants(code)
            ws.store.seats(code)
            rec.add("facilitator poll", time.perf_counter() - t0)
            stop.wait(LIVE_S)

    poller = threading.Thread(target=live, daemon=True)
    poller.start()
    while len(ws.store.participants(code)) < n:
        time.sleep(0.2)
    for rnd in range(1, ROUNDS + 1):
        t0 = time.perf_counter()
        ws.open_vote(code, token)
        opened[rnd] = t0
        agenda = ws.current_agenda(code)
        rec.add("round change", time.perf_counter() - t0)
        expected = sum(
            1
            for item in agenda
            for i in range(n)
            if item["item"] != WORK_ITEM or COLLEGES[i % 3] == "operators"
        )
        deadline = time.perf_counter() + 600
        while time.perf_counter() < deadline:
            if sum(ws.live_counts(code, token)["voters"].values()) >= expected:
                break
            time.sleep(0.5)
        rec.timed("round change", ws.close_vote, code, token)
        time.sleep(3)  # the room reads the results
    stop.set()
    poller.join()


def one_size(n: int, args: argparse.Namespace) -> dict[str, Any]:
    scenario = sim.load_scenario(ROOT / "scenarios" / "town.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workshop(Store(Path(tmp) / "workshop.sqlite3"))
        code, token = ws.create_session(scenario, "commons", ROUNDS)
        rss_start = _rss_mb()
        rec = Recorder()
        opened: dict[int, float] = {}
        threads = [
            threading.Thread(target=participant, args=(ws, code, i, rec, args, opened), daemon=True)
            for i in range(n)
        ]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        facilitator(ws, code, token, n, rec, opened)
        for th in threads:
            th.join(timeout=60)
        wall = time.perf_counter() - t0
        cpu = time.process_time()
    out: dict[str, Any] = {
        "participants": n,
        "wall_s": wall,
        "cpu_s": cpu,
        "rss_start_mb": rss_start,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "errors": rec.errors,
        "latency": {
            k: {"n": len(v), "median_s": statistics.median(v), "p95_s": _pct(v, 0.95), "max_s": max(v)}
            for k, v in rec.times.items()
        },
    }
    return out


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def page_runs(repeat: int) -> dict[str, float]:
    """Streamlit script runs of a participant's page (AppTest): join form, voting page."""
    from streamlit.testing.v1 import AppTest

    os.environ["REGIE_SIM_WORKSHOP_DB"] = str(Path(tempfile.mkdtemp()) / "page.sqlite3")
    ws = Workshop(Store())
    code, token = ws.create_session(sim.load_scenario(ROOT / "scenarios" / "town.yaml"), "commons", ROUNDS)
    me = ws.join(code, "P", "citizens")
    ws.open_vote(code, token)
    out: dict[str, list[float]] = {"join page": [], "voting page": []}
    for kind, params in (("join page", {"s": code}), ("voting page", {"s": code, "p": me["token"]})):
        at = AppTest.from_file(str(ROOT / "sim" / "dashboard" / "workshop.py"), default_timeout=120)
        at.query_params.update(params)
        at.run()  # first run: imports and caches, as once per server
        assert not at.exception, [e.value for e in at.exception]
        for _ in range(repeat):
            t0 = time.perf_counter()
            at.run()
            out[kind].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in out.items()}


# ------------------------------------------------------------------------------------------
# loopback: the real server and N pages redrawn at once (the round change)
# ------------------------------------------------------------------------------------------
def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _streamlit_pid(serve_pid: int) -> int:
    for task in Path(f"/proc/{serve_pid}/task").iterdir():
        kids = (task / "children").read_text().split()
        if kids:
            return int(kids[0])
    raise RuntimeError("regie-sim serve has no child")


def _proc_stats(pid: int) -> tuple[float, float]:
    """(CPU seconds, resident MB) of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return cpu, int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def _page_run(port: int, query: str, start: Any) -> tuple[Any, float, float]:
    """Open a WebSocket session of the workshop page and wait for its first whole run.

    Returns the open connection, when the run was asked for and when it ended."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    conn = await websockets.connect(
        f"ws://127.0.0.1:{port}/_stcore/stream",
        subprotocols=["streamlit"],
        max_size=None,
        ping_interval=None,  # as a browser: no protocol-level pings of its own
    )
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = "atelier"
    await start.wait()
    t0 = time.perf_counter()
    await conn.send(msg.SerializeToString())
    async for raw in conn:
        fm = ForwardMsg()
        fm.ParseFromString(raw)
        if fm.WhichOneof("type") == "script_finished" and fm.script_finished == 0:
            return conn, t0, time.perf_counter()
    raise RuntimeError("the session closed before its page was drawn")


def loopback_burst(n: int, after: str = "open") -> dict[str, Any]:
    """``regie-sim serve`` on 127.0.0.1; ``n`` participants' pages asked for at once.

    What the server does when the facilitator opens a vote (``after="open"``: every participant's
    voting page) or closes it (``after="close"``: everyone voted, every page shows the round's
    decisions): every participant's page runs in full (``_follow_session`` reruns it). The pages
    stay open afterwards, to read the memory they hold.
    """
    import asyncio
    import urllib.request

    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        # no warm-up of the other pages' first views: a workshop server is started before the room
        # arrives, so that thread has long finished when a round changes
        env = {**os.environ, "REGIE_SIM_LANG": "fr", "REGIE_SIM_WARM_UP": "0"}
        env.pop("REGIE_SIM_FACILITATOR_SECRET", None)
        cmd = [sys.executable, "-m", "sim", "serve", "--host", "127.0.0.1", "--port", str(port)]
        server = subprocess.Popen(
            [*cmd, "--data", tmp, "--keep-days", "0"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(240):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                        break
                except OSError:
                    time.sleep(0.5)
            ws = Workshop(Store(Path(tmp) / "workshop.sqlite3"))
            code, token = ws.create_session(sim.load_scenario(ROOT / "scenarios" / "town.yaml"), "commons", 3)
            people = [ws.join(code, f"P{i:03d}", COLLEGES[i % 3]) for i in range(n)]
            ws.open_vote(code, token)
            if after == "close":
                rng = random.Random(7)
                for p in people:
                    for item in ws.current_agenda(code):
                        if item["item"] == WORK_ITEM and p["college"] != "operators":
                            continue
                        ok = [o["name"] for o in item["options"] if o.get("admissible", True)]
                        ws.vote(code, p["token"], item["item"], rng.choice(ok))
                ws.close_vote(code, token)
            pid = _streamlit_pid(server.pid)

            async def warm() -> None:  # one page first: imports and the agenda's replay, once
                start = asyncio.Event()
                start.set()
                conn, _, _ = await _page_run(port, f"s={code}&p={people[0]['token']}", start)
                await conn.close()

            asyncio.run(warm())
            cpu0, rss0 = _proc_stats(pid)

            async def burst() -> list[tuple[Any, float, float]]:
                start = asyncio.Event()
                tasks = [
                    asyncio.ensure_future(_page_run(port, f"s={code}&p={p['token']}", start)) for p in people
                ]
                await asyncio.sleep(1.0)  # every session connected
                start.set()
                return list(await asyncio.gather(*tasks))

            async def run() -> tuple[list[float], float, float]:
                done = await burst()
                t_start = min(t0 for _, t0, _ in done)
                times = [t1 - t_start for _, _, t1 in done]
                cpu1, rss1 = _proc_stats(pid)
                for conn, _, _ in done:
                    await conn.close()
                return times, cpu1, rss1

            times, cpu1, rss1 = asyncio.run(run())
        finally:
            server.terminate()
            server.wait(timeout=60)
    return {
        "participants": n,
        "after": after,
        "first_s": min(times),
        "median_s": statistics.median(times),
        "p95_s": _pct(times, 0.95),
        "last_s": max(times),
        "cpu_s": cpu1 - cpu0,
        "rss_warm_mb": rss0,
        "rss_open_mb": rss1,
    }


def loopback_table(sizes: list[int]) -> None:
    print("\nLoopback, regie-sim serve: every participant's page asked for at once (a round change)")
    print("| participants | round | first page | median | p95 | last page | server CPU | server memory |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        for after in ("open", "close"):
            b = loopback_burst(n, after)
            print(
                f"| {n} | {after} | {b['first_s']:.1f} s | {b['median_s']:.1f} s | {b['p95_s']:.1f} s | "
                f"{b['last_s']:.1f} s | {b['cpu_s']:.1f} s | {b['rss_warm_mb']:.0f} MB warm, "
                f"{b['rss_open_mb']:.0f} MB with the pages open |"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[30, 60, 120])
    ap.add_argument("--think", type=float, default=10.0, help="max think time before a vote (s)")
    ap.add_argument("--arrive", type=float, default=20.0, help="everyone joins within this (s)")
    ap.add_argument("--page-repeat", type=int, default=7)
    ap.add_argument(
        "--loopback-only", action="store_true", help="only the real server's round changes (a minute)"
    )
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one_size(args.child, args)))
        return
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average before {os.getloadavg()[0]:.1f}; base town "
        f"(scenarios/town.yaml), commons, {ROUNDS} rounds, think 0-{args.think:g} s, arrivals over "
        f"{args.arrive:g} s"
    )
    if args.loopback_only:
        loopback_table(args.sizes)
        print(f"load average after {os.getloadavg()[0]:.1f}")
        return
    results = []
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--child", str(n), "--think", str(args.think)]
        cmd += ["--arrive", str(args.arrive)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    kinds = ["join", "read agenda", "vote", "read results", "round change", "seen by all", "poll"]
    print("\n| participants | " + " | ".join(f"{k} median / p95 (ms)" for k in kinds) + " | peak memory |")
    print("|---:|" + "---:|" * (len(kinds) + 1))
    for r in results:
        cells = []
        for k in kinds:
            v = r["latency"].get(k)
            cells.append("—" if v is None else f"{1000 * v['median_s']:.0f} / {1000 * v['p95_s']:.0f}")
        print(f"| {r['participants']} | " + " | ".join(cells) + f" | {r['peak_rss_mb']:.0f} MB |")
    for r in results:
        print(
            f"{r['participants']} participants: wall {r['wall_s']:.0f} s, CPU {r['cpu_s']:.0f} s, "
            f"memory at start {r['rss_start_mb']:.0f} MB, "
            f"errors {len(r['errors'])} {sorted(set(r['errors']))}"
        )
    loopback_table(args.sizes)
    pages = page_runs(args.page_repeat)
    print(
        "\nStreamlit script run (AppTest, median of "
        f"{args.page_repeat}): join page {1000 * pages['join page']:.0f} ms, voting page "
        f"{1000 * pages['voting page']:.0f} ms"
    )
    for n in args.sizes:
        print(
            f"  {n} participants: about {n * pages['voting page']:.1f} s of one core for every page to "
            "redraw after a round change"
        )
    print(f"load average after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

"""Benchmark: how long do "Ouvrir le vote" and "Clore le vote" take with 30 participants?

Target (issue 14): each at most 2 s for 30 participants. Measured on the base town
(``scenarios/town.yaml``, its full household count) through the same calls the facilitator's
buttons make (``Workshop.open_vote``, ``Workshop.close_vote``) and the first agenda a participant
page reads after the open (``Workshop.current_agenda``), on a fresh ``Workshop`` (cold caches, as
after a server start) for round 1, then warm for the following rounds.

Run it (opt-in, not a test)::

    .venv/bin/python benchmarks/bench_workshop_rounds.py [--participants 30] [--rounds 3]
    .venv/bin/python benchmarks/bench_workshop_rounds.py --profile   # cProfile of round 1
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402
from sim.workshop import COLLEGES, Store, Workshop  # noqa: E402

TARGET_S = 2.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--participants", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    scenario = sim.load_scenario(ROOT / "scenarios" / "town.yaml")
    ws = Workshop(Store(str(Path(tempfile.mkdtemp(prefix="bench-rounds-")) / "w.sqlite3")))
    code, token = ws.create_session(scenario, "commons", args.rounds)
    people = [ws.join(code, f"P{i}", COLLEGES[i % 3]) for i in range(args.participants)]
    rng = random.Random(1)
    prof = cProfile.Profile() if args.profile else None
    rows = []
    for rnd in range(1, args.rounds + 1):
        t0 = time.perf_counter()
        if prof and rnd == 1:
            prof.enable()
        ws.open_vote(code, token)
        agenda = ws.current_agenda(code)  # what the first participant page reads
        t_open = time.perf_counter() - t0
        for p in people:
            for item in agenda:
                if item["item"] == "work_organisation" and p["college"] != "operators":
                    continue
                ok = [o["name"] for o in item["options"] if o.get("admissible", True)]
                ws.vote(code, p["token"], item["item"], rng.choice(ok))
        t1 = time.perf_counter()
        ws.close_vote(code, token)
        t_close = time.perf_counter() - t1
        if prof and rnd == 1:
            prof.disable()
        rows.append((rnd, t_open, t_close))
    print(
        f"regie-sim round open/close, {args.participants} participants, base town "
        f"({scenario.households.count} households), Python {sys.version.split()[0]}"
    )
    print("round  open+agenda (s)  close (s)")
    for rnd, a, b in rows:
        flag = "" if max(a, b) <= TARGET_S else "  > target"
        print(f"{rnd:5d}  {a:15.2f}  {b:9.2f}{flag}")
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    page(scenario, args.participants)


def page(scenario: sim.Scenario, participants: int) -> None:
    """The facilitator's page (AppTest, one process): the rerun after each button press."""
    import os

    from streamlit.testing.v1 import AppTest

    os.environ["REGIE_SIM_WORKSHOP_DB"] = str(Path(tempfile.mkdtemp()) / "page.sqlite3")
    ws = Workshop(Store())
    code, token = ws.create_session(scenario, "commons", 2)
    for i in range(participants):
        ws.join(code, f"P{i}", COLLEGES[i % 3])
    at = AppTest.from_file(str(ROOT / "sim" / "dashboard" / "workshop.py"), default_timeout=120)
    at.query_params.update({"role": "facilitator", "s": code, "t": token})
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    at.button(key="ws-open").click().run()
    t_open = time.perf_counter() - t0
    t0 = time.perf_counter()
    at.button(key="ws-close").click().run()
    t_close = time.perf_counter() - t0
    print(
        f"facilitator page (AppTest): first render {first:.2f} s, open {t_open:.2f} s, close {t_close:.2f} s"
    )


if __name__ == "__main__":
    main()

"""The safe loader on the largest inputs it accepts: each answered within 2 s (issue 11).

Every door (upload, share link, CLI, form) reads a scenario through :func:`sim.loads_scenario`,
whose size limit is ``MAX_FILE_BYTES``. These are the inputs up to that limit that make a YAML
reader work hardest: deep brackets, deep blocks, long lists, many keys, one huge string… Each is
loaded (or refused with a located message) and timed, best of ``--repeat``.

Run: ``python benchmarks/bench_loader.py`` (also part of ``python benchmarks/run.py``).
"""

from __future__ import annotations

import argparse
import sys
import time

from sim import ScenarioError, loads_scenario
from sim.scenario.loader import MAX_FILE_BYTES

TARGET_S = 2.0  # issue 11: anything up to the size limit is answered within 2 s


def largest_inputs(n: int = MAX_FILE_BYTES) -> dict[str, bytes]:
    """Inputs of ``n`` bytes at most that make a YAML reader work hardest."""
    deep_ok = b"x:\n" + b"".join(b"  " * i + b"- \n" for i in range(1, 15))
    return {
        "flow_brackets": (b"x: " + b"[" * n)[:n],
        "block_nesting": b"".join(b" " * i + b"k:\n" for i in range(600))[:n],
        "long_list": (b"households:\n  decile_mean_income_eur: [" + b"1.5, " * (n // 5))[: n - 2] + b"]\n",
        "many_keys": b"".join(b"k%d: %d\n" % (i, i) for i in range(n // 12))[:n],
        "one_long_string": b"town:\n  name: '" + b"a" * (n - 30) + b"'\n",
        "many_small_maps": (b"shocks:\n" + b"  - {year: 1, kind: drought}\n" * (n // 30))[:n],
        "deep_ok_repeated": (deep_ok * (n // len(deep_ok)))[:n],
        "digits": b"seed: " + b"9" * (n - 10) + b"\n",
    }


def answer(data: bytes) -> str:
    """``accepted`` or ``refused``: what the loader says of ``data`` (anything else propagates)."""
    try:
        loads_scenario(data, "big.yaml")
    except ScenarioError:
        return "refused"
    return "accepted"


def measure(repeat: int = 3) -> dict[str, tuple[str, float]]:
    """Each largest input: (the loader's answer, best wall time in seconds)."""
    out: dict[str, tuple[str, float]] = {}
    for name, data in largest_inputs().items():
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            verdict = answer(data)
            best = min(best, time.perf_counter() - t0)
        out[name] = (verdict, best)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="timings per input; the best is kept")
    args = ap.parse_args(argv)
    results = measure(args.repeat)
    for name, (verdict, took) in results.items():
        print(f"{name:18s} {verdict:8s} {took:6.3f} s")
    worst = max(took for _, took in results.values())
    ok = worst <= TARGET_S
    print(f"slowest {worst:.3f} s, target ≤ {TARGET_S:g} s: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""A billing date's household step on one and on two threads, call by call (a measurement).

    python benchmarks/bench_billing_threads.py                 # 100,000 households, both paths
    python benchmarks/bench_billing_threads.py --calls 600 --kernel numba

The engine's own step at a billing date (``bench_cpu.py``: ``Engine._month_end``) is this call plus
the month's water balance and money lines (about 0.05 ms at 100,000 households). Here the base
town's tariff bills 100,000 synthetic households every call (volumes, bills, payment draws and,
as the water service does on the same thread, their sewerage bills), alternating one thread and
two threads (``REGIE_SIM_THREADS``) call by call so that the machine's other work weighs on both
alike. Printed per household and per call: wall time (minimum, first quartile, median) and the
process's CPU time (both threads). On a machine whose cores are busy the second thread waits for
a core: only the minimum and the first quartile say what two free cores give.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from sim import load_scenario
from sim.core.billing import THREADS_ENV, BillingWork, Payment, billing_step, numba_available

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=100_000)
    ap.add_argument("--calls", type=int, default=300, help="calls per configuration")
    ap.add_argument("--kernel", choices=("numpy", "numba", "both"), default="both")
    args = ap.parse_args(argv)
    n = args.households
    tariff = load_scenario(ROOT / "scenarios" / "town.yaml").tariff
    g = np.random.default_rng(1)
    indoor, outdoor = g.gamma(2.0, 40.0, n), np.where(g.random(n) < 0.3, g.gamma(1.5, 30.0, n), 0.0)
    persons, eligible = g.integers(1, 6, n).astype(np.int8), g.random(n) < 0.1
    income = g.lognormal(10.2, 0.6, n)
    payment = Payment.of(0.006, 1.0, 6, income)
    year_volume, year_bill, sew_prev, sew_vol = np.zeros((4, n))
    sewered = (g.random(n) < 0.95).astype(np.float64)
    rng, work = np.random.default_rng(2), BillingWork(n)

    def sewerage(cut: slice, unpaid: np.ndarray) -> tuple[float, float]:  # the water service's
        bills = np.subtract(year_volume[cut], sew_prev[cut], out=sew_vol[cut])
        np.copyto(sew_prev[cut], year_volume[cut])
        bills *= 1.94
        bills += 22.0
        bills *= sewered[cut]
        billed = float(bills.sum())
        bills[unpaid] = 0.0
        return billed, float(bills.sum())

    kernels = ["numpy", "numba"] if args.kernel == "both" else [args.kernel]
    if "numba" in kernels and not numba_available():
        kernels.remove("numba")
    print(
        f"{n:,} households, {args.calls} calls per configuration, {os.cpu_count()} CPU(s), "
        f"load average {os.getloadavg()[0]:.1f} before"
    )
    for kernel in kernels:
        wall: dict[str, list[float]] = {"1": [], "2": []}
        cpu: dict[str, list[float]] = {"1": [], "2": []}
        for i in range(args.calls * 2 + 4):
            threads = "12"[i % 2]
            os.environ[THREADS_ENV] = threads
            c, w = time.process_time(), time.perf_counter()
            billing_step(
                indoor=indoor,
                outdoor=outdoor,
                weights=np.array([0.5, 0.45, 0.2, 0.4]),
                explicit=None,
                under_registration=0.03,
                persons=persons,
                tariff=tariff,
                months=6,
                eligible=eligible,
                income=income,
                price_index=1.0,
                levies_index=1.0,
                payment=payment,
                rng=rng,
                year_volume=year_volume,
                year_bill=year_bill,
                work=work,
                kernel=kernel,
                after=sewerage,
            )
            if i >= 4:  # the first calls load the loops and start the helper thread
                wall[threads].append(time.perf_counter() - w)
                cpu[threads].append(time.process_time() - c)
        for threads in ("1", "2"):
            v = sorted(wall[threads])
            q = [v[0], v[len(v) // 4], statistics.median(v)]
            print(
                f"{kernel}, {threads} thread(s): wall min {q[0] / n * 1e9:.1f}, first quartile "
                f"{q[1] / n * 1e9:.1f}, median {q[2] / n * 1e9:.1f} ns per household "
                f"({q[0] * 1e3:.2f} / {q[1] * 1e3:.2f} / {q[2] * 1e3:.2f} ms a call); CPU median "
                f"{statistics.median(cpu[threads]) / n * 1e9:.1f} ns"
            )
    print(f"load average {os.getloadavg()[0]:.1f} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())

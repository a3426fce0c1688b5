"""Water mains: a break as a SimPy process (the leak runs, is detected after a delay, waits for a
crew, is repaired) and leakage. The cohorts and their hazards are shared assets
(:mod:`sim.core.assets`); the crews are :mod:`sim.core.workforce`'s. Background leakage follows the
UARL structure of Lambert et al. (1999); the infrastructure leakage index ILI = CARL / UARL is
reported.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import simpy

from sim.core.assets import BreakRecord
from sim.core.workforce import Crews


def uarl_litres_per_day(
    mains_km: float, connections: float, private_pipe_km: float, pressure_m: float
) -> float:
    """Unavoidable annual real losses, litres per day: (18·Lm + 0.8·Nc + 25·Lp)·P.

    Lambert, Brown, Takizawa & Weimer (1999), water.md §4.4. Lm mains length (km), Nc service
    connections, Lp private pipe between property line and meter (km), P mean pressure (m).
    """
    return (18.0 * mains_km + 0.8 * connections + 25.0 * private_pipe_km) * pressure_m


@dataclass
class LeakLedger:
    """Leak volumes accounted month by month, so the water balance closes every month."""

    month_start_h: float = 0.0
    volume_this_month_m3: float = 0.0
    active: dict[int, tuple[float, float]] = field(default_factory=dict)  # id -> (flow, counted_from)
    _next: int = 0

    def open(self, now_h: float, flow: float) -> int:
        key = self._next
        self._next += 1
        self.active[key] = (flow, now_h)
        return key

    def close(self, key: int, now_h: float) -> None:
        flow, since = self.active.pop(key)
        self.volume_this_month_m3 += flow * max(now_h - since, 0.0)

    def month_end(self, now_h: float) -> float:
        """Count the running leaks up to ``now_h``; return and reset this month's volume."""
        for key, (flow, since) in self.active.items():
            self.volume_this_month_m3 += flow * max(now_h - since, 0.0)
            self.active[key] = (flow, now_h)
        vol, self.volume_this_month_m3 = self.volume_this_month_m3, 0.0
        self.month_start_h = now_h
        return vol


def break_process(
    env: simpy.Environment,
    rec: BreakRecord,
    crews: Crews,
    leaks: LeakLedger,
    on_done: Callable[[BreakRecord], None],
) -> Generator[Any, Any, None]:
    """One break: leak from start, detection delay, wait for a crew, repair, close the leak."""
    key = leaks.open(env.now, rec.flow_m3_per_h)
    yield env.timeout(rec.detection_h)
    asked = env.now
    free = crews.planned_release(env.now)  # the crews finish their planned job first
    if free > env.now:
        yield env.timeout(free - env.now)
    token = yield crews.store.get()
    rec.wait_h = env.now - asked
    yield env.timeout(rec.repair_h)
    yield crews.store.put(token)
    leaks.close(key, env.now)
    rec.end_h = env.now
    on_done(rec)

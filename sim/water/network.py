"""Water mains: a break as a SimPy process (the leak runs, is detected after a delay, waits for a
crew, is repaired) or, when one service alone uses its crews, the month's breaks through the crews'
queue (:class:`BreakQueue`, the same results), and leakage. The cohorts and their hazards are shared assets
(:mod:`sim.core.assets`); the crews are :mod:`sim.core.workforce`'s. Background leakage follows the
UARL structure of Lambert et al. (1999); the infrastructure leakage index ILI = CARL / UARL is
reported.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from heapq import heappop, heappush
from typing import Any

import simpy

from sim.core.assets import BreakRecord
from sim.core.workforce import CrewQueue, Crews


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

    # ``0.0 if h < 0.0 else h`` below is ``max(h, 0.0)`` without the call: the same value for every
    # float, -0.0 and nan included (max keeps its first argument unless the second is greater)
    def close(self, key: int, now_h: float) -> None:
        flow, since = self.active.pop(key)
        h = now_h - since
        self.volume_this_month_m3 += flow * (0.0 if h < 0.0 else h)

    def month_end(self, now_h: float) -> float:
        """Count the running leaks up to ``now_h``; return and reset this month's volume."""
        active = self.active
        vol = self.volume_this_month_m3  # the same sum, in the same order, in a local
        for key, (flow, since) in active.items():
            h = now_h - since
            vol += flow * (0.0 if h < 0.0 else h)
            active[key] = (flow, now_h)
        self.volume_this_month_m3 = 0.0
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


class BreakQueue:
    """What :func:`break_process` does for each break, computed a month at a time through the
    crews' queue (:class:`sim.core.workforce.CrewQueue`), without a process per break: the same
    hours (SimPy's floating-point sums), the same leak volumes, the same records in the same order.

    :meth:`add` takes the month's breaks at its start: each leak opens at its hour (in the order of
    the hours, as SimPy runs them) and is found after its detection delay. :meth:`serve`, at the
    month's end, asks a crew for each break found before then, at the end of the crews' planned job
    if they are on one (the planned work of the time it is found), and closes the leaks whose crew
    came back before then, in the order they came back, calling ``on_done`` for each.
    """

    def __init__(self, queue: CrewQueue, crews: Crews, leaks: LeakLedger):
        self.queue = queue
        self.crews = crews
        self.leaks = leaks
        self._found: list[tuple[float, int, int, BreakRecord]] = []  # (hour found, order, leak, break)
        self._order = 0

    def add(self, now_h: float, breaks: list[BreakRecord]) -> None:
        """The breaks of a month starting at ``now_h`` (their ``detection_h`` as the reporting in
        force makes it)."""
        # SimPy's clock: now_h + max(rec.start_h - now_h, 0.0), the max written as a comparison
        hours = [now_h + (0.0 if 0.0 > (h := rec.start_h - now_h) else h) for rec in breaks]
        for i in sorted(range(len(breaks)), key=hours.__getitem__):  # stable: equal hours in order
            rec = breaks[i]
            key = self.leaks.open(hours[i], rec.flow_m3_per_h)
            heappush(self._found, (hours[i] + rec.detection_h, self._order, key, rec))
            self._order += 1

    def serve(self, since_h: float, until_h: float, on_done: Callable[[BreakRecord], None]) -> None:
        """Everything the breaks' processes would have done in the month from ``since_h`` to
        ``until_h`` (:meth:`CrewQueue.advance`)."""
        found, crews = self._found, self.crews
        while found and found[0][0] < until_h:
            asked, _, key, rec = heappop(found)
            free = crews.planned_release(asked)  # the crews finish their planned job first
            hour = asked + (free - asked) if free > asked else asked
            self.queue.ask(hour, rec.repair_h, (asked, key, rec))
        started, back = self.queue.advance(until_h, since_h)
        for start, (asked, _, rec) in started:
            rec.wait_h = start - asked
        for end, (_, key, rec) in back:
            self.leaks.close(key, end)
            rec.end_h = end
            on_done(rec)

"""Crews and working time: repair crews as a SimPy resource whose size decisions can change, the
French legal working year and overtime premium, and the M/M/c queue that checks the crews' waits.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

HOURS_PER_YEAR_WORKED = 1607.0  # French legal annual working time (35 h/week), for overtime pay
OVERTIME_PREMIUM = 1.25  # French legal minimum for the first overtime hours


WORKDAY_START_H = 8.0  # planned work starts at 8:00 on working days (Monday to Friday)
WORKDAY_H = 7.0  # 35 h a week
WORKING_DAYS_PER_YEAR = HOURS_PER_YEAR_WORKED / WORKDAY_H


class Crews:
    """Repair crews as a SimPy Store of tokens, so the number of crews can change during a run.

    Crews also do planned work (maintenance of valves, hydrants, connections, meters), shared
    evenly: on each working day every crew is on a planned job from 8:00 for
    ``planned_h_per_day`` hours (at most a working day; the hours beyond are overtime). A break
    found during that window waits until the crews finish their job: fewer crews, longer jobs,
    longer waits (:meth:`planned_release`).
    """

    def __init__(self, env: simpy.Environment, n: int, start_weekday: int = 0):
        self.env = env
        self.store = simpy.Store(env)
        self.size = 0
        self._parked: list[Any] = []
        self.start_weekday = start_weekday  # weekday of hour 0 (0: Monday)
        self.planned_h_per_day = 0.0
        self.planned_overtime_h_year = 0.0
        self.set_size(n)

    def plan(self, planned_h_year: float) -> None:
        """Share this year's planned work among the crews (call after :meth:`set_size`)."""
        capacity = self.size * WORKING_DAYS_PER_YEAR * WORKDAY_H
        per_day = planned_h_year / (self.size * WORKING_DAYS_PER_YEAR) if self.size else 0.0
        self.planned_h_per_day = min(per_day, WORKDAY_H)
        self.planned_overtime_h_year = max(planned_h_year - capacity, 0.0)

    def planned_release(self, t: float) -> float:
        """When the crews are free of planned work, for a break found at hour ``t``."""
        if self.planned_h_per_day <= 0.0:
            return t
        day = int(t // 24.0)
        if (self.start_weekday + day) % 7 >= 5:  # Saturday, Sunday
            return t
        start = day * 24.0 + WORKDAY_START_H
        end = start + self.planned_h_per_day
        return end if start <= t < end else t

    def set_size(self, n: int) -> None:
        n = max(int(n), 1)
        while self.size < n:
            self.store.put(object())
            self.size += 1
        while self.size > n:
            # take a crew out as soon as one is free
            self.env.process(self._retire())
            self.size -= 1

    def _retire(self) -> Generator[Any, Any, None]:
        token = yield self.store.get()
        self._parked.append(token)


def erlang_c_mean_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C), same time unit as the rates."""
    a = arrival_rate / service_rate
    rho = a / servers
    if rho >= 1:
        return float("inf")
    terms = sum(a**k / np.prod(np.arange(1, k + 1)) for k in range(servers))
    last = a**servers / np.prod(np.arange(1, servers + 1)) / (1 - rho)
    p_wait = last / (terms + last)
    return float(p_wait / (servers * service_rate - arrival_rate))

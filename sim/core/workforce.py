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


class Crews:
    """Repair crews as a SimPy Store of tokens, so the number of crews can change during a run."""

    def __init__(self, env: simpy.Environment, n: int):
        self.env = env
        self.store = simpy.Store(env)
        self.size = 0
        self._parked: list[Any] = []
        self.set_size(n)

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

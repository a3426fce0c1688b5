"""Crews and working time: repair crews as a SimPy resource whose size decisions can change (or,
when one service alone uses them, as a queue computed month by month: :class:`CrewQueue`), the
French legal working year and overtime premium, and the M/M/c queue that checks the crews' waits.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from heapq import heappop, heappush, heapreplace
from typing import Any

import numpy as np
import simpy

HOURS_PER_YEAR_WORKED = 1607.0  # French legal annual working time (35 h/week), for overtime pay
OVERTIME_PREMIUM = 1.25  # French legal minimum for the first overtime hours


WORKDAY_START_H = 8.0  # planned work starts at 8:00 on working days (Monday to Friday)
WORKDAY_H = 7.0  # 35 h a week
WORKING_DAYS_PER_YEAR = HOURS_PER_YEAR_WORKED / WORKDAY_H


def first_weekday(year: int) -> int:
    """Weekday of 1 January of ``year`` (0: Monday), hour 0 of a run's clock."""
    return int((np.datetime64(f"{year}-01-01", "D").astype(np.int64) + 3) % 7)


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
        self.queue: CrewQueue | None = None  # set by use_queue: jobs served without SimPy processes
        self.set_size(n)

    def use_queue(self) -> CrewQueue:
        """Serve jobs from now on by a :class:`CrewQueue` instead of SimPy processes on :attr:`store`
        (the size decisions then resize the queue). Only for crews nothing else takes: one service's
        own crews, before any job, with no storm taking them off work (:func:`mobilise` works on the
        store)."""
        if self.queue is None:
            if len(self.store.items) != self.size or self.store.get_queue or self._parked:
                raise RuntimeError("crews already in use by SimPy processes cannot become a queue")
            self.queue = CrewQueue(self.size, float(self.env.now))
        return self.queue

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

    @property
    def pool_size(self) -> int:
        """All the crews that can take a job: these, or the pool's when they are a share of one
        (:class:`sim.core.multi.CrewShare`)."""
        return self.size

    def set_size(self, n: int) -> None:
        n = max(int(n), 1)
        if self.queue is not None:
            self.queue.resize(self.size, n, self.env.now)
            self.size = n
            return
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


class CrewQueue:
    """A service's crews as a first-come-first-served queue, computed a month at a time: what
    :class:`Crews`' SimPy store does, job for job, without a process or an event per job.

    A job asks for a crew at an hour (an incident reported, a break found); asks are served in the
    order of their hours (equal hours: in the order they were asked), each by the crew free first,
    so a job starts at max(its hour, the hour the first crew is free) and keeps the crew ``hold_h``
    hours. That is the SimPy store of crew tokens exactly: a token put back goes to the first job
    waiting, a job that finds a token takes it at once, and a crew taken out of service
    (:meth:`resize`) waits its turn as a job would, from the hour of the decision, before the jobs
    asked at that hour. The hours are the same floating-point numbers SimPy's clock would give
    (``start + hold_h``): the results are the same to the last bit.

    :meth:`advance` serves every ask that starts before an hour (a month's end: what SimPy would
    have done before that month's accounts), and gives back the jobs started and the jobs whose
    crew came back before it, each in the order SimPy would have run them.

    Equal hours that come from the calendar or from the same sums (many breaks found during a
    planned job all ask at its end; crews added or leaving at a year's start; a crew back at a
    month's end) are ordered as SimPy orders them (tests/test_crew_queue.py). Not reproduced: a
    continuous draw landing on exactly the floating-point hour of a month's start or of another
    event when SimPy would order them by when they were scheduled (a break found at 0:00:00.000…
    of a January before that January's crews change, say), a chance of about 1e-16 per job.
    """

    def __init__(self, size: int, now_h: float):
        self.free_h = [now_h] * size  # when each crew is next free (a heap)
        # asks waiting: (hour, 0 or -1 for a crew leaving, order asked, hours kept, job)
        self._asks: list[tuple[float, int, int, float, Any]] = []
        # crews out on a job: (hour back, order, hour the job started, job)
        self._out: list[tuple[float, int, float, Any]] = []
        self._order = 0

    def ask(self, hour: float, hold_h: float, job: Any) -> None:
        """A job asks for a crew at ``hour`` (not before the last :meth:`advance`'s hour) and keeps
        it ``hold_h`` hours."""
        heappush(self._asks, (hour, 0, self._order, hold_h, job))
        self._order += 1

    def resize(self, size: int, new_size: int, now_h: float) -> None:
        """From ``size`` crews to ``new_size`` at ``now_h``: new crews are free at once; a crew
        leaving goes as soon as one is free, after the jobs already waiting."""
        for _ in range(size, new_size):
            heappush(self.free_h, now_h)
        for _ in range(new_size, size):
            heappush(self._asks, (now_h, -1, self._order, 0.0, None))
            self._order += 1

    def advance(
        self, until_h: float, since_h: float = -math.inf
    ) -> tuple[list[tuple[float, Any]], list[tuple[float, Any]]]:
        """Serve the asks that start before ``until_h``: ``(started, back)``, the jobs that got a
        crew as ``(start hour, job)`` in the order they got it, and those whose crew came back
        before ``until_h`` as ``(hour back, job)`` in the order they came back.

        ``since_h``: the hour the period ending at ``until_h`` began. A crew back at ``until_h``
        exactly is back before it when its job started before ``since_h``: SimPy set that return
        before the period's end (a job longer than the period), and runs equal hours in the order
        they were set."""
        asks, free, out = self._asks, self.free_h, self._out
        started: list[tuple[float, Any]] = []
        while asks:
            hour = asks[0][0]
            first_free = free[0]
            start = hour if hour >= first_free else first_free
            if start >= until_h:  # starts go up in the order of the asks: the rest start later
                break
            _, kind, _, hold_h, job = heappop(asks)
            if kind < 0:  # a crew leaving the service
                heappop(free)
                continue
            back = start + hold_h
            heapreplace(free, back)
            heappush(out, (back, self._order, start, job))
            self._order += 1
            started.append((start, job))
        done: list[tuple[float, Any]] = []
        while out and (out[0][0] < until_h or (out[0][0] == until_h and out[0][2] < since_h)):
            back, _, _, job = heappop(out)
            done.append((back, job))
        return started, done


def mobilise(env: simpy.Environment, crews: Crews, start_h: float, end_h: float, n: int) -> None:
    """Take ``n`` crews of ``crews`` off ordinary work from ``start_h`` until ``end_h`` (a storm):
    each is taken as soon as it is free, and given back at ``end_h`` (at once if it was freed after
    that). Incidents waiting meanwhile wait longer."""
    for _ in range(n):
        env.process(_hold(env, crews, start_h, end_h))


def _hold(env: simpy.Environment, crews: Crews, start_h: float, end_h: float) -> Generator[Any, Any, None]:
    yield env.timeout(max(start_h - env.now, 0.0))
    token = yield crews.store.get()
    if env.now < end_h:
        yield env.timeout(end_h - env.now)
    crews.store.put(token)


def crews_to_mobilise(crews: Crews, share_pct: float) -> int:
    """Crews a storm takes: ``share_pct`` of all the crews the operator has (its pool when it
    shares one), rounded up."""
    size = crews.pool_size
    return min(math.ceil(size * share_pct / 100.0 - 1e-9), size)


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

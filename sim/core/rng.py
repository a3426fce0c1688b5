"""Named, independent random streams from one seed.

Each stochastic process draws only from its own stream, so that two scenarios run on one seed share
the same weather, the same pipe-failure randomness and the same household draws: a regime changes
outcomes, not luck (common random numbers). Stream ids are append-only: a new process gets a new
name at the end of :data:`STREAMS`, and the streams of existing processes never shift.
"""

from __future__ import annotations

import numpy as np

#: append-only list of stream names; the position is the spawn key
STREAMS: tuple[str, ...] = (
    "population",  # household incomes, sizes, dwellings, base consumption
    "weather",  # recharge, drought years
    "breaks",  # pipe failures: counts and attributes
    "payments",  # unpaid bills
    "inflation",  # price and index paths
    "committee",  # proposals and votes that need chance
    "demand",  # reserved for month-to-month household noise
    "ensemble",  # seeds of replications
    "tender",  # competitors' cost advantages at a contract's re-tender
    "tempo",  # electricity: each day's temperature around its month's, which colours Tempo days
)


def streams(seed: int) -> dict[str, np.random.Generator]:
    """One :class:`numpy.random.Generator` per named stream, all derived from ``seed``.

    Examples
    --------
    >>> a = streams(1)["weather"].random()
    >>> b = streams(1)["weather"].random()
    >>> a == b
    True
    """
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {
        name: np.random.Generator(np.random.PCG64(ss)) for name, ss in zip(STREAMS, children, strict=True)
    }


def child_seeds(seed: int, n: int) -> list[int]:
    """``n`` independent replication seeds derived from one seed (for ensembles)."""
    ss = np.random.SeedSequence([seed, 0x5EED])
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> 1) for c in ss.spawn(n)]

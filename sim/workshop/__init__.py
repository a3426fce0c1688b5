"""Workshop mode: people take the user committee's place, round by round, then debrief.

- :mod:`sim.workshop.store` keeps sessions, participants, votes, comments and decisions in SQLite,
  so a server restart loses nothing and two people voting at the same instant both count.
- :mod:`sim.workshop.tally` applies the college rules to the room's votes (pure functions).
- :mod:`sim.workshop.session` is the flow: create, join, agenda (the model run to the next meeting
  with the room's decision log), vote, close, debrief. No streamlit here.
- :mod:`sim.workshop.debrief` compares the room's run with a baseline and writes the printable
  HTML page and the CSV archive.
- :mod:`sim.workshop.strings` holds the French and English texts of the workshop (and
  :func:`~sim.workshop.strings.ts`, a service's own wording, from ``sim/locales``).
- :mod:`sim.workshop.stories` makes the electricity stories (a storm, the 2022 price crisis) into
  workshops, and computes what the room sees of them from the model's runs.

The dashboard page is :mod:`sim.dashboard.workshop`.
"""

from sim.workshop.session import VariantRefused, Workshop
from sim.workshop.store import (
    COLLEGES,
    BadInput,
    Conflict,
    Forbidden,
    Full,
    NotFound,
    Store,
    WorkshopError,
)

__all__ = [
    "COLLEGES",
    "BadInput",
    "Conflict",
    "Forbidden",
    "Full",
    "NotFound",
    "Store",
    "VariantRefused",
    "Workshop",
    "WorkshopError",
]

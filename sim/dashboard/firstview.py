"""A page's first view with its numbers and words before its charts (issue 14).

A new visitor's browser fetches Streamlit's Plotly bundle (about 4.7 MB) when a page first shows a
Plotly chart, and parses it before it draws what arrived with it: headline figures sent in the same
moment wait for it. So, in a session's first run of a page (:func:`begin` first on the page),
each chart (:func:`chart`) leaves a place holding a short sentence, and :func:`draw_deferred`, last
on the page, waits :data:`PAUSE_S` once everything else is sent (the browser draws it meanwhile)
and then draws the charts into their places, **in the same script run**. No second run is asked
for, so a click or a value typed while the charts come is never overtaken by a run the page
started itself (an earlier version reran the page, which could reset a field being typed in and
lose the reader's choice). Later runs draw the charts at once.

Plotly is not the only script the browser fetches the first time a page shows an element: each kind
of element has its own (``static/js/<Element>.*.js``), and a figure shown at once waits for the
element scripts fetched with it (``python benchmarks/bench_pages.py --trace``; the first view's
breakdown in ``benchmarks/RESULTS.md``). So :func:`later` leaves out of the first view, the same
way but with no sentence, what is heavy for the browser and below the headline figures: the share
link's code block (a 1.5 MB script) and the tables of decisions (1.3 MB with the table's Arrow
reader), drawn with the charts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from sim.i18n import t

#: seconds the first run waits, once the rest of the page is sent, before it draws the charts: the
#: browser draws what it has received before the charts' messages arrive
PAUSE_S = 1.0


#: key of the place, under a page's title, of its headline figures in a sentence (:func:`words`)
WORDS_KEY = "firstview-words"


def words() -> Any:
    """A place under the page's title for its headline figures in one sentence, filled (with
    ``.markdown``) once the page's runs are known, in the same script run.

    Text is drawn by a new visitor's browser with the title: its script is the title's. The
    figures further down (``st.metric``, tables) each need a script of their own, fetched when
    they first arrive, and show 0.5–1 s later (``benchmarks/RESULTS.md``)."""
    with st.container(key=WORDS_KEY):
        return st.empty()


def _key(page: str) -> str:
    return f"firstview.{page}.charts"


def _pending(page: str) -> str:
    return f"firstview.{page}.pending"


def charts_now(page: str) -> bool:
    """Whether this script run of ``page`` draws its charts at once (False in the session's first)."""
    return bool(st.session_state.get(_key(page)))


def begin(page: str) -> None:
    """First on the page: forget the places of a run that was stopped before it drew them."""
    st.session_state.pop(_pending(page), None)


def loading_line(lang: str) -> None:
    """The sentence in a chart's place while the first view waits."""
    st.caption(t("firstview.loading", lang))


def chart(page: str, lang: str, draw: Callable[[], Any]) -> None:
    """``draw()`` now, or, in the session's first run of ``page``, a place holding
    :func:`loading_line` that :func:`draw_deferred` fills at the end of the run."""
    if charts_now(page):
        draw()
        return
    slot = st.empty()
    with slot.container():
        loading_line(lang)
    st.session_state.setdefault(_pending(page), []).append((slot, draw))


def later(page: str, draw: Callable[[], Any]) -> None:
    """Like :func:`chart`, with an empty place instead of the sentence: for an element below the
    headline figures whose script is heavy for a new visitor's browser (a table, a code block)."""
    if charts_now(page):
        draw()
        return
    st.session_state.setdefault(_pending(page), []).append((st.empty(), draw))


def draw_deferred(page: str) -> None:
    """Last on the page: in the session's first run, wait :data:`PAUSE_S` (what was sent is drawn),
    then draw the charts :func:`chart` kept, each in its place; later runs draw nothing here."""
    pending = st.session_state.pop(_pending(page), None) or []
    if charts_now(page):
        return
    st.session_state[_key(page)] = True
    if not pending:
        return
    time.sleep(PAUSE_S)
    for slot, draw in pending:
        with slot.container():
            draw()

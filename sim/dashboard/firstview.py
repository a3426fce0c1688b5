"""A page's first view with its numbers and words before its charts (issue 14).

A new visitor's browser fetches Streamlit's Plotly bundle (about 4.7 MB) when a page first shows a
Plotly chart, and parses it before it draws that script run: the headline figures drawn in the
same run wait for it. So, in a session's first run of a page, the charts are left out (a short
sentence holds their place) and, once everything else is sent, :func:`draw_charts_next` asks for
a new script run that draws them. The browser shows the first run's figures while it loads
Plotly; later runs of the page draw the charts at once (the bundle is then in the page).
"""

from __future__ import annotations

import time

import streamlit as st

from sim.dashboard import share
from sim.i18n import t

#: seconds the first run waits, once sent, before the second: the browser draws what it has
#: received before the charts' messages arrive (messages arriving together are drawn together)
PAUSE_S = 1.0


def _key(page: str) -> str:
    return f"firstview.{page}.charts"


def charts_now(page: str) -> bool:
    """Whether this script run of ``page`` draws its charts (False in the session's first one)."""
    return bool(st.session_state.get(_key(page)))


def loading_line(lang: str) -> None:
    """The sentence in a chart's place during the first run."""
    st.caption(t("firstview.loading", lang))


def draw_charts_next(page: str) -> None:
    """Last on the page, in the run that left the charts out: a new script run draws them."""
    if charts_now(page):
        st.session_state.pop(share.SHOWN, None)  # shown and kept on screen: nothing to carry
        return
    st.session_state[_key(page)] = True
    share.carry_shown()  # a link's warning or an upload's outcome stays on screen in the second run
    time.sleep(PAUSE_S)
    st.rerun()

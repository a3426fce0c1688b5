"""Accueil / Home: what regie-sim is, for whom, and where to start.

The landing page of the app (served at ``/``), so that every other page keeps its own address
(``/explorer``, ``/comparer``…) and share links open the page they name.
"""

from __future__ import annotations

import streamlit as st

from sim.dashboard import common, share
from sim.dashboard.pages import PAGES
from sim.i18n import t


def render() -> None:
    lang = common.current_lang()
    page = share.init(lang)  # a share link opened at / goes to the page it names
    if page:
        share.follow_link(page, "home")
    share.show_flash()
    st.title(t("app.title", lang))
    st.markdown(f"**{t('app.tagline', lang)}**")
    st.markdown(t("home.intro", lang))
    cols = st.columns(2)
    cards = [p for p in PAGES if p.card_key is not None]
    for i, p in enumerate(cards):
        with cols[i % 2].container(border=True):
            st.page_link(p.path, label=t(p.title_key, lang), icon=p.icon)
            st.caption(t(str(p.card_key), lang))
    st.info(t("home.verdict", lang), icon=":material/balance:")


if __name__ == "__main__":
    render()

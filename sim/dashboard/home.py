"""Accueil / Home: what regie-sim is, for whom, and where to start.

The landing page of the app (served at ``/``), so that every other page keeps its own address
(``/explorer``, ``/comparer``…) and share links open the page they name.
"""

from __future__ import annotations

import streamlit as st

from sim.dashboard import common, share
from sim.i18n import t

#: (page file, title key, text key, icon) — the cards of the landing page, in reading order
CARDS: tuple[tuple[str, str, str, str], ...] = (
    ("explorer.py", "nav.explorer", "home.card.explorer", ":material/insights:"),
    ("compare.py", "nav.compare", "home.card.compare", ":material/compare_arrows:"),
    ("tariff_design.py", "nav.tariff", "home.card.tariff", ":material/receipt_long:"),
    ("remunicipalisation.py", "nav.remunicipalisation", "home.card.remunicipalisation",
     ":material/account_balance:"),
    ("workshop.py", "nav.workshop", "home.card.workshop", ":material/groups:"),
    ("sources.py", "nav.sources", "home.card.sources", ":material/menu_book:"),
)


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
    for i, (page, title, text, icon) in enumerate(CARDS):
        with cols[i % 2].container(border=True):
            st.page_link(f"sim/dashboard/{page}", label=t(title, lang), icon=icon)
            st.caption(t(text, lang))
    st.info(t("home.verdict", lang), icon=":material/balance:")


if __name__ == "__main__":
    render()

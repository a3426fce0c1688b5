"""Streamlit entry point of regie-sim: page navigation and the language switch, nothing else.

Run with ``streamlit run app.py``. Each page is a file in ``sim/dashboard/`` (see that package's
docstring); a page is listed only once its file exists, so the app runs while pages are written.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from sim.dashboard import common
from sim.i18n import t

HERE = Path(__file__).resolve().parent
DASHBOARD = HERE / "sim" / "dashboard"

# (file in sim/dashboard/, title key, URL path, icon); URL paths stay the same in both languages
PAGES: tuple[tuple[str, str, str, str], ...] = (
    ("home.py", "nav.home", "accueil", ":material/home:"),  # the default page, served at /
    ("explorer.py", "nav.explorer", "explorer", ":material/insights:"),
    ("compare.py", "nav.compare", "comparer", ":material/compare_arrows:"),
    ("tariff_design.py", "nav.tariff", "tarif", ":material/receipt_long:"),
    (
        "remunicipalisation.py",
        "nav.remunicipalisation",
        "remunicipalisation",
        ":material/account_balance:",
    ),
    ("workshop.py", "nav.workshop", "atelier", ":material/groups:"),
    ("guide.py", "nav.guide", "guide", ":material/school:"),
    ("sources.py", "nav.sources", "sources", ":material/menu_book:"),
)

st.set_page_config(page_title="regie-sim", page_icon=":material/water_drop:", layout="wide")
lang = common.language_switch()
pages = [
    st.Page(DASHBOARD / name, title=t(key, lang), url_path=url, icon=icon)
    for name, key, url, icon in PAGES
    if (DASHBOARD / name).is_file()
]
st.navigation(pages).run()

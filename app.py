"""Streamlit entry point of regie-sim: page navigation and the language switch (and, once per
server, the warm-up of the first views' runs, :mod:`sim.dashboard.warm`).

Run with ``streamlit run app.py``. Each page is a file in ``sim/dashboard/`` (see that package's
docstring); a page is listed only once its file exists, so the app runs while pages are written.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from sim.dashboard import common, warm
from sim.dashboard.pages import PAGES
from sim.i18n import t

HERE = Path(__file__).resolve().parent
DASHBOARD = HERE / "sim" / "dashboard"

st.set_page_config(page_title="regie-sim", page_icon=":material/water_drop:", layout="wide")
warm.start()  # once per server: the runs every first visitor would wait for (sim/dashboard/warm.py)
lang = common.language_switch()
pages = [
    st.Page(DASHBOARD / p.file, title=t(p.title_key, lang), url_path=p.url_path, icon=p.icon)
    for p in PAGES  # the first, the home page, is served at /
    if (DASHBOARD / p.file).is_file()
]
st.navigation(pages).run()

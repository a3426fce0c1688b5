"""A one-page Streamlit app around « Ma commune », for the browser test until the page is wired
into app.py (``streamlit run tests/calibration/ma_commune_app.py``)."""

import streamlit as st

from sim.calibration.page import render

render("fr")
if st.session_state.get("imported_scenario_yaml"):
    st.caption(
        f"imported: {len(st.session_state['imported_scenario_yaml'])} chars, "
        f"target {st.session_state.get('imported_scenario_target')}"
    )

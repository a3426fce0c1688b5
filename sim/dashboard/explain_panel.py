"""Compare page: « D'où vient l'écart ? » — the price gap between two regimes, difference by
difference (:func:`sim.experiments.explain.explain`), as a waterfall and a table, with the JSON the
command line gives (``regie-sim compare A B --explain --json``).

The reader picks the two regimes (régie → concession by default); the decomposition runs once per
pair, scenario and seed, and is kept in the process-wide store, so a language switch redraws at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from sim.dashboard import share
from sim.experiments.explain import Explanation, explain
from sim.i18n import fmt_number, t
from sim.scenario.model import Scenario
from sim.show.plots import explain_waterfall, regime_label

A_KEY, B_KEY = "compare_explain_a", "compare_explain_b"


def explanation(scenarios: Mapping[str, Scenario], a: str, b: str, seed: int) -> Explanation:
    """The decomposition of ``b - a`` on ``seed``, computed once per scenarios and seed."""
    key = ("explain", share.run_key(scenarios[a], seed), share.run_key(scenarios[b], seed))
    return share.memo(key, lambda: explain(scenarios[a], scenarios[b], seed=seed, a_name=a, b_name=b))


def parts_table(ex: Explanation, lang: str) -> pd.DataFrame:
    """One row per difference switched: what it is, and how much it moved the price (€/m3)."""
    rows = [
        {
            t("compare.explain.col.part", lang): p.label(lang),
            t("compare.explain.col.eur", lang): ("+" if p.delta >= 0 else "") + fmt_number(p.delta, lang, 3),
        }
        for p in ex.parts
    ]
    rows.append(
        {
            t("compare.explain.col.part", lang): t("compare.explain.residual", lang),
            t("compare.explain.col.eur", lang): fmt_number(ex.residual, lang, 3),
        }
    )
    return pd.DataFrame(rows)


def section(scenarios: Mapping[str, Scenario], seed: int, lang: str) -> None:
    """Draw the section under the list of differences."""
    names = list(scenarios)
    if len(names) < 2:
        return
    st.subheader(t("compare.explain.header", lang))
    st.markdown(t("compare.explain.intro", lang))
    left, right = st.columns(2)
    default_a = names.index("regie") if "regie" in names else 0
    default_b = names.index("concession") if "concession" in names else 1
    with left:
        a = st.selectbox(
            t("compare.explain.from", lang),
            names,
            index=default_a,
            format_func=lambda n: regime_label(n, lang),
            key=A_KEY,
        )
    with right:
        b = st.selectbox(
            t("compare.explain.to", lang),
            names,
            index=default_b,
            format_func=lambda n: regime_label(n, lang),
            key=B_KEY,
        )
    if a == b:
        st.info(t("compare.explain.same", lang))
        return
    with st.spinner(t("compare.explain.running", lang)):
        ex = explanation(scenarios, a, b, seed)
    st.plotly_chart(explain_waterfall(_named(ex, lang), lang), theme=None, key="compare_explain_fig")
    st.dataframe(parts_table(ex, lang), hide_index=True, width="stretch")
    st.download_button(
        t("compare.explain.download", lang),
        data=json.dumps(ex.to_json(lang), ensure_ascii=False, indent=1).encode("utf-8"),
        file_name=f"explain-{a}-{b}-seed{seed}.json",
        mime="application/json",
        on_click="ignore",
        key="compare_explain_json",
    )


def _named(ex: Explanation, lang: str) -> Explanation:
    """The same explanation with the regimes' names in the page's language (for the chart)."""
    return Explanation(
        ex.indicator,
        ex.year,
        regime_label(ex.a_name, lang),
        regime_label(ex.b_name, lang),
        ex.a_value,
        ex.b_value,
        ex.parts,
    )

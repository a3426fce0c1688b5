"""Compare page: « D'où vient l'écart ? » — the price gap between two regimes, difference by
difference (:func:`sim.experiments.explain.explain`), as a waterfall and a table, with the JSON the
command line gives (``regie-sim compare A B --explain --json``).

The reader picks the two regimes (régie → concession by default); the decomposition runs once per
pair, scenario and seed, and is kept in the process-wide store, so a language switch redraws at once.

For electricity the reader also picks the indicator explained (:data:`EXPLAINED`): under the
regulated tariff every regime sells at the same price, so the price gap is zero and the reserves
are explained by default.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from sim.dashboard import firstview, share
from sim.experiments.explain import Explanation, explain
from sim.i18n import fmt_number, t
from sim.scenario.model import Scenario
from sim.show.plots import explain_digits, explain_waterfall, indicator_label, indicator_unit, regime_label

A_KEY, B_KEY = "compare_explain_a", "compare_explain_b"
INDICATOR_KEY = "compare_explain_indicator"
#: the indicators a reader can have explained, by service (the service's default first); water
#: keeps its one indicator, the price, and shows no choice
EXPLAINED: dict[str, tuple[str, ...]] = {
    "water": ("price_120m3_eur_per_m3",),
    "electricity": (
        "price_ref_eur_per_kwh",
        "bill_ref_eur",
        "reserves_eur",
        "outflow_eur",
        "debt_eur",
        "saidi_min",
        "energy_poverty_pct",
    ),
}
#: explained by default when every scenario sells at the regulated tariff (the price gap is zero)
REGULATED_DEFAULT = "reserves_eur"


def explanation(
    scenarios: Mapping[str, Scenario], a: str, b: str, seed: int, indicator: str | None = None
) -> Explanation:
    """The decomposition of ``b - a`` on ``seed``, computed once per scenarios, seed and
    indicator (None: the service's default, :data:`sim.experiments.explain.DEFAULT_INDICATOR`)."""
    key: tuple[str | None, ...] = (
        "explain",
        share.run_key(scenarios[a], seed),
        share.run_key(scenarios[b], seed),
    )
    if indicator is not None:
        key = (*key, indicator)
    return share.memo(
        key,
        lambda: explain(scenarios[a], scenarios[b], seed=seed, indicator=indicator, a_name=a, b_name=b),
    )


def parts_table(ex: Explanation, lang: str) -> pd.DataFrame:
    """One row per difference switched: what it is, and how much it moved the indicator (the
    price per m3 for water, as the command line writes it)."""
    if ex.indicator == "price_120m3_eur_per_m3":
        effect = t("compare.explain.col.eur", lang)
    else:
        effect = t("compare.explain.col.effect", lang, unit=indicator_unit(ex.indicator, lang))
    digits = explain_digits(ex.indicator)
    rows = [
        {
            t("compare.explain.col.part", lang): p.label(lang),
            effect: ("+" if p.delta >= 0 else "") + fmt_number(p.delta, lang, digits),
        }
        for p in ex.parts
    ]
    rows.append(
        {
            t("compare.explain.col.part", lang): t("compare.explain.residual", lang),
            effect: fmt_number(ex.residual, lang, digits),
        }
    )
    return pd.DataFrame(rows)


def _indicator(scenarios: Mapping[str, Scenario], lang: str) -> str | None:
    """The indicator to explain: None for water (its price, no choice); for electricity the
    reader's choice, the reserves by default under the regulated tariff."""
    first = next(iter(scenarios.values()))
    options = EXPLAINED.get(share.service_of(first), ())
    if len(options) < 2:
        return None
    regulated = all(getattr(s.tariff, "pricing", "local") == "regulated" for s in scenarios.values())
    if st.session_state.get(INDICATOR_KEY) not in options:
        st.session_state[INDICATOR_KEY] = REGULATED_DEFAULT if regulated else options[0]
    chosen = st.selectbox(
        t("compare.explain.indicator", lang),
        options,
        format_func=lambda c: indicator_label(c, lang),
        key=INDICATOR_KEY,
    )
    if regulated:
        st.caption(t("compare.explain.regulated", lang))
    return str(chosen)


def section(scenarios: Mapping[str, Scenario], seed: int, lang: str, page: str | None = None) -> None:
    """Draw the section under the list of differences; with ``page``, its decomposition goes
    through :func:`sim.dashboard.firstview.chart` (in the session's first view, computed and drawn
    once the rest of the page is)."""
    names = list(scenarios)
    if len(names) < 2:
        return
    st.subheader(t("compare.explain.header", lang))
    indicator = _indicator(scenarios, lang)
    if indicator is None:
        st.markdown(t("compare.explain.intro", lang))
    else:
        st.markdown(t("compare.explain.intro.any", lang, indicator=indicator_label(indicator, lang)))
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
    if page is None:
        _decomposition(scenarios, a, b, seed, indicator, lang)
    else:
        firstview.chart(page, lang, lambda: _decomposition(scenarios, a, b, seed, indicator, lang))


def _decomposition(
    scenarios: Mapping[str, Scenario], a: str, b: str, seed: int, indicator: str | None, lang: str
) -> None:
    with st.spinner(t("compare.explain.running", lang)):
        ex = explanation(scenarios, a, b, seed, indicator)
    st.plotly_chart(explain_waterfall(_named(ex, lang), lang), theme=None, key="compare_explain_fig")
    st.dataframe(parts_table(ex, lang), hide_index=True, width="stretch")
    st.download_button(
        t("compare.explain.download", lang),
        data=json.dumps(ex.to_json(lang), ensure_ascii=False, indent=1).encode("utf-8"),
        file_name=f"explain-{a}-{b}-seed{seed}.json"
        if indicator is None
        else f"explain-{indicator}-{a}-{b}-seed{seed}.json",
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

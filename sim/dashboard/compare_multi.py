"""The « Régie multiservice » choice of the Compare page: one régie running the town's water and
electricity, sharing crews, overheads and bills, against the same two services run separately
(issue 12; :func:`sim.experiments.multi.against_separate`).

The scenario is the shipped ``scenarios/multiservice.yaml`` with the three assumptions the reader
may change (the split key, the overhead saving, the cost of one bill) written into its text, which
then goes through the one safe loader (:func:`sim.scenario.multi.loads_multiservice`): what runs is
what was entered, and the same text can be downloaded and read back. The page shows the table
from separate services to the régie, one sharing at a time, a waterfall of what the gap in
operating costs is made of, the effect on each service (the water price, the electricity reserves,
the hours repairs waited for a crew) and what is sourced and what is an assumption.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
import yaml

from sim import ScenarioError
from sim.dashboard import firstview, share
from sim.experiments.multi import MEASURES, STEPS, AgainstSeparate, against_separate
from sim.i18n import fmt_number, t
from sim.scenario import loader
from sim.scenario.multi import MultiServiceScenario, loads_multiservice
from sim.show.plots import gap_waterfall

#: the shipped multi-service scenario the section runs
SCENARIO_FILE: Path = loader.scenarios_dir() / "multiservice.yaml"
#: the split keys a reader may choose (:class:`sim.scenario.multi.Shared`)
SPLIT_KEYS: tuple[str, ...] = ("overheads", "customers", "revenue", "fte")
#: widget keys of the three inputs
SPLIT_WIDGET = "multi_split_key"
SAVING_WIDGET = "multi_overhead_saving_pct"
BILL_WIDGET = "multi_bill_cost_eur"
#: the parts of the gap, in the order they are added
PARTS: tuple[str, ...] = STEPS[1:]


def shipped_text() -> str:
    """The text of the shipped multi-service scenario (read within the loader's limits)."""
    return loader.read_file(SCENARIO_FILE, SCENARIO_FILE.name)


def shipped_shared() -> dict[str, Any]:
    """The ``shared:`` block of the shipped file, every field filled (the inputs' defaults)."""
    return loads_multiservice(shipped_text(), SCENARIO_FILE.name).shared.model_dump(mode="json")


def entered_text(split_key: str, overhead_saving_pct: float, bill_cost_eur: float) -> str:
    """The shipped file with the three entered assumptions written into its ``shared:`` block, as
    YAML text (the services block left as shipped: ``extends:`` of shipped scenarios)."""
    data = loader.parse_yaml(shipped_text(), SCENARIO_FILE.name)
    shared = dict(data.get("shared") or {})
    shared.update(
        {
            "split_key": split_key,
            "overhead_saving_pct": float(overhead_saving_pct),
            "bill_cost_eur": float(bill_cost_eur),
        }
    )
    data["shared"] = shared
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def entered_scenario(text: str) -> MultiServiceScenario:
    """The scenario of ``text``, through the one safe loader (text may extend only shipped files)."""
    return loads_multiservice(text, SCENARIO_FILE.name)


def run_key(text: str) -> Hashable:
    """The store key of a comparison: the entered text itself (so unchanged inputs are instant)."""
    return ("multi-against-separate", text)


# ------------------------------------------------------------------------------------------
# what is shown, from an AgainstSeparate
# ------------------------------------------------------------------------------------------
def _measure_label(key: str, lang: str) -> str:
    if key in MEASURES:
        return t(f"compare.multi.measure.{key}", lang)
    service = key.removesuffix("_crew_wait_hours")
    return t("compare.multi.measure.crew_wait", lang, service=t(f"compare.multi.service.{service}", lang))


def _scale(key: str) -> tuple[float, int]:
    """Divisor and digits of a measure: millions of euros with 2 digits, hours with 1."""
    unit = MEASURES[key][2] if key in MEASURES else "h"
    return (1e6, 2) if unit == "M€" else (1.0, 1)


def _signed(x: float, lang: str, digits: int) -> str:
    text = fmt_number(x, lang, digits)
    return text if text.startswith(("-", "−")) else f"+{text}"


def display_table(cmp: AgainstSeparate, lang: str) -> pd.DataFrame:
    """One row per measure, one column per step and the gap, French- or English-formatted (the
    units in the row labels: M€ or h)."""
    rows = []
    for key in cmp.table.index:
        scale, digits = _scale(str(key))
        unit = t("compare.multi.unit.meur" if scale == 1e6 else "compare.multi.unit.hours", lang)
        row = {t("compare.multi.col.measure", lang): f"{_measure_label(str(key), lang)} ({unit})"}
        for step in STEPS:
            value = cmp.table.at[key, step] / scale
            row[t(f"compare.multi.step.{step}", lang)] = fmt_number(value, lang, digits)
        row[t("compare.multi.col.gap", lang)] = _signed(cmp.parts.at[key, "gap"] / scale, lang, digits)
        rows.append(row)
    return pd.DataFrame(rows)


def waterfall(cmp: AgainstSeparate, lang: str) -> go.Figure:
    """What the gap in operating costs is made of (M€ over the horizon): separate services, each
    sharing in turn, the régie."""
    start = float(cmp.table.at["opex_eur", "separate"]) / 1e6
    end = float(cmp.table.at["opex_eur", "bill"]) / 1e6
    parts = [(t(f"compare.multi.part.{p}", lang), float(cmp.parts.at["opex_eur", p]) / 1e6) for p in PARTS]
    years = cmp.scenario.spec.horizon_years
    return gap_waterfall(
        (t("compare.multi.part.start", lang), start),
        parts,
        (t("compare.multi.part.end", lang), end),
        title=t("compare.multi.chart.title", lang, years=years),
        axis=t("compare.multi.chart.axis", lang),
        lang=lang,
        digits=2,
    )


def service_effects(cmp: AgainstSeparate) -> dict[str, tuple[float, float]]:
    """Each service's effect, (separate, régie): the water price of the last year (€/m³, 120 m³),
    the electricity reserves at the end (€), and each service's hours waited for a crew over the
    horizon."""
    alone, together = cmp.steps["separate"].results, cmp.steps["bill"].results
    out: dict[str, tuple[float, float]] = {}

    def last(service: str, col: str) -> tuple[float, float]:
        return (float(alone[service].years[col].iloc[-1]), float(together[service].years[col].iloc[-1]))

    if "water" in alone:
        out["water_price"] = last("water", "price_120m3_eur_per_m3")
    if "electricity" in alone:
        out["electricity_reserves"] = last("electricity", "reserves_eur")
    for name in cmp.steps["separate"].results:
        key = f"{name}_crew_wait_hours"
        out[f"{name}_crew_wait"] = (float(cmp.table.at[key, "separate"]), float(cmp.table.at[key, "bill"]))
    return out


#: how each effect is written: digits, divisor, unit key, whether lower is better
EFFECTS: dict[str, tuple[int, float, str, bool]] = {
    "water_price": (2, 1.0, "compare.multi.unit.eur_m3", True),
    "electricity_reserves": (2, 1e6, "compare.multi.unit.meur", False),
    "water_crew_wait": (1, 1.0, "compare.multi.unit.hours", True),
    "electricity_crew_wait": (1, 1.0, "compare.multi.unit.hours", True),
}


#: Streamlit's colours of a metric's change
Colour = Literal["normal", "inverse", "off"]


def effect_texts(cmp: AgainstSeparate, lang: str) -> list[tuple[str, str, str, Colour]]:
    """(label, value with the régie, change from separate, colour of the change) for each effect:
    the colour is Streamlit's ``delta_color`` (``inverse`` where lower is better, ``off`` when
    the change rounds to nothing)."""
    year = cmp.scenario.services[next(iter(cmp.scenario.services))].town.start_year
    last = year + cmp.scenario.spec.horizon_years - 1
    out = []
    for key, (alone, together) in service_effects(cmp).items():
        digits, scale, unit_key, lower_better = EFFECTS[key]
        unit = t(unit_key, lang)
        label = t(f"compare.multi.effect.{key}", lang, year=last, years=cmp.scenario.spec.horizon_years)
        value = f"{fmt_number(together / scale, lang, digits)}\u00a0{unit}"
        delta = t(
            "compare.multi.effect.delta",
            lang,
            delta=f"{_signed((together - alone) / scale, lang, digits)}\u00a0{unit}",
            alone=f"{fmt_number(alone / scale, lang, digits)}\u00a0{unit}",
        )
        unchanged = fmt_number(abs(together - alone) / scale, lang, digits) == fmt_number(0, lang, digits)
        colour: Colour = "off" if unchanged else "inverse" if lower_better else "normal"
        out.append((label, value, delta, colour))
    return out


def saving_text(cmp: AgainstSeparate, lang: str) -> str:
    """The overheads saved over the horizon, and the part the one bill makes."""
    total = -float(cmp.parts.at["overheads_eur", "gap"])
    bill = -float(cmp.parts.at["overheads_eur", "bill"])
    return t(
        "compare.multi.saving",
        lang,
        total=fmt_number(total / 1e6, lang, 2),
        bill=fmt_number(bill / 1e6, lang, 2),
        years=cmp.scenario.spec.horizon_years,
    )


# ------------------------------------------------------------------------------------------
# the section
# ------------------------------------------------------------------------------------------
def _inputs(defaults: Mapping[str, Any], lang: str) -> tuple[str, float, float]:
    ss = st.session_state
    if ss.get(SPLIT_WIDGET) not in SPLIT_KEYS:
        ss[SPLIT_WIDGET] = defaults["split_key"]
    st.subheader(t("compare.multi.inputs.header", lang))
    left, mid, right = st.columns(3)
    with left:
        key = st.selectbox(
            t("compare.multi.split.label", lang),
            SPLIT_KEYS,
            format_func=lambda k: t(f"compare.multi.split.{k}", lang),
            help=t("compare.multi.split.help", lang),
            key=SPLIT_WIDGET,
        )
    with mid:
        saving = st.number_input(
            t("compare.multi.saving_pct.label", lang),
            min_value=0.0,
            max_value=50.0,
            value=float(defaults["overhead_saving_pct"]),
            step=1.0,
            format="%.0f",
            help=t("compare.multi.saving_pct.help", lang),
            key=SAVING_WIDGET,
        )
    with right:
        bill = st.number_input(
            t("compare.multi.bill_cost.label", lang),
            min_value=0.0,
            max_value=50.0,
            value=float(defaults["bill_cost_eur"]),
            step=0.5,
            help=t("compare.multi.bill_cost.help", lang),
            key=BILL_WIDGET,
        )
    return str(key), float(saving), float(bill)


def run(text: str, lang: str) -> AgainstSeparate | None:
    """``against_separate`` of the entered text, with a progress bar; kept like other runs.
    None, with a located message on the page, when the text is refused."""
    try:
        ms = entered_scenario(text)
    except ScenarioError as exc:
        st.error(share.error_text(t("run.scenario_error", lang), exc, lang))
        return None
    return share.run_kept(run_key(text), lambda cb: against_separate(ms, progress=cb), lang)


def render(lang: str, page: str | None = None) -> None:
    """Draw the section in ``lang``; its waterfall through :func:`sim.dashboard.firstview.chart`
    of ``page`` (drawn at once without one)."""
    st.subheader(t("compare.multi.header", lang))
    try:
        defaults = shipped_shared()
    except ScenarioError as exc:
        st.error(share.error_text(t("run.scenario_error", lang), exc, lang))
        return
    key, saving, bill = _inputs(defaults, lang)
    text = entered_text(key, saving, bill)
    cmp = run(text, lang)
    if cmp is None:
        return
    ms = cmp.scenario
    first = next(iter(ms.services.values()))
    start = first.town.start_year
    years = ms.spec.horizon_years
    st.info(
        t(
            "compare.multi.same",
            lang,
            name=share.md_escape(ms.spec.name),
            seed=cmp.seed,
            households=fmt_number(first.households.count, lang, 0),
        ),
        icon=":material/balance:",
    )
    st.subheader(t("compare.multi.table.header", lang))
    st.caption(t("compare.multi.table.caption", lang, years=years, start=start, end=start + years - 1))
    table = display_table(cmp, lang)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height="content",
        # on a laptop (1366 px) the measure, the four steps and the gap fit side by side
        column_config={
            table.columns[0]: st.column_config.TextColumn(width=300),
            **{c: st.column_config.TextColumn(alignment="right", width=120) for c in table.columns[1:-1]},
            table.columns[-1]: st.column_config.TextColumn(alignment="right", width=75),
        },
    )

    def draw() -> None:
        fig = waterfall(cmp, lang)
        st.plotly_chart(fig, theme=None, key="compare_multi_waterfall", config={"displaylogo": False})

    if page is None:
        draw()
    else:
        firstview.chart(page, lang, draw)
    st.caption(t("compare.multi.chart.note", lang))
    st.markdown(saving_text(cmp, lang))

    st.subheader(t("compare.multi.effects.header", lang))
    effects = effect_texts(cmp, lang)
    cols = st.columns(len(effects))
    for col, (label, value, delta, colour) in zip(cols, effects, strict=True):
        with col:
            st.metric(label, value, delta, delta_color=colour)
    st.caption(t("compare.multi.effects.caption", lang))

    st.subheader(t("compare.multi.sources.header", lang))
    st.markdown(t("compare.multi.sources.body", lang))
    st.download_button(
        t("compare.multi.download", lang),
        data=text.encode("utf-8"),
        file_name=f"{t('compare.multi.file', lang)}.yaml",
        mime="application/yaml",
        icon=":material/download:",
        on_click="ignore",
        key="compare_multi_yaml",
    )

"""Page « Remunicipalisation »: end a water concession and see where the money, the price and the
staff go.

The page runs ``scenarios/remunicipalisation.yaml`` (a concession that can end with a return to a
public régie) with the user's choices — contract end year, what happens then (re-tender, régie,
commons), transition cost, share of staff transferred, return of assets and of unspent renewal
provisions — and, on the same seed, the baseline where the concession continues (``at_end =
retender``, same end year). Both runs go through :func:`sim.dashboard.common.run` (cached).

It shows, for both runs: the money that leaves the service each year, stacked by line (operator
margin, head-office fees, delegation overhead, corporate taxes, renewal provision kept, operator
result — the ``periods`` columns summed by year; a negative operator result is a loss the
operator covered); the price per m3 of the 120 m3 bill; the workforce (in-house and subcontracted
FTE, staff transferred, wage bill, from ``result.workforce``); and the contract's decisions
(avenants, end of contract) as a table.
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from sim.dashboard import common
from sim.i18n import THOUSANDS_FR, fmt_eur, fmt_number, has_key, localise_numbers, normalise_lang, t
from sim.scenario.errors import ScenarioError
from sim.scenario.model import Scenario, load_scenario, scenarios_dir, with_changes
from sim.show import plots
from sim.show.plots import OKABE_ITO, indicator_label

K = "remun."  # prefix of this page's session-state keys
SCENARIO_FILE = "remunicipalisation.yaml"
OPTIONS: tuple[str, ...] = ("retender", "regie", "commons")
#: the ``periods`` columns of money leaving the service, in stacking order
OUTFLOW_COLUMNS: tuple[str, ...] = (
    "margin_eur",
    "head_office_eur",
    "delegation_overhead_eur",
    "corporate_tax_eur",
    "provision_kept_eur",
    "operator_result_eur",
)
CONCESSION = "governance.concession."
#: contract parameters drawn from the schema (label, help, bounds, source)
SCHEMA_WIDGETS: tuple[str, ...] = (
    CONCESSION + "transition_cost_eur",
    CONCESSION + "staff_transferred_share",
    CONCESSION + "assets_returned",
    CONCESSION + "unspent_provision_returned",
)
CONTRACT_ITEMS = ("avenant", "contract_end")
PERSIST: Literal["session"] = "session"  # widget values survive page changes


# ------------------------------------------------------------------------------------------
# scenarios (pure)
# ------------------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def base_scenario() -> Scenario:
    """``scenarios/remunicipalisation.yaml``, loaded once per server."""
    return load_scenario(scenarios_dir() / SCENARIO_FILE)


def contract_end_year(s: Scenario) -> int:
    """First year without the current contract: start year + duration."""
    c = s.governance.concession
    return c.contract_start_year + c.duration_years


def end_year_bounds(s: Scenario) -> tuple[int, int]:
    """End years whose before and after both fall inside the simulated horizon."""
    first = s.town.start_year
    c = s.governance.concession
    lo = max(first + 1, c.contract_start_year + 1)
    return lo, max(lo, first + s.horizon_years - 1)


def scenario_pair(
    base: Scenario, end_year: int, at_end: str, changes: dict[str, Any] | None = None
) -> tuple[Scenario, Scenario]:
    """(chosen, baseline): ``base`` with the user's choices, and the same with the concession
    continuing (re-tendered at the same end year). Raises :class:`ScenarioError` on bad input."""
    c = base.governance.concession
    all_changes = {
        **(changes or {}),
        CONCESSION + "duration_years": int(end_year) - c.contract_start_year,
        CONCESSION + "at_end": at_end,
    }
    chosen = with_changes(base, all_changes)
    baseline = with_changes(chosen, {CONCESSION + "at_end": "retender"})
    return chosen, baseline


# ------------------------------------------------------------------------------------------
# tables (pure)
# ------------------------------------------------------------------------------------------
def outflow_by_year(periods: pd.DataFrame) -> pd.DataFrame:
    """Money leaving the service per year and line (€), with a ``total_eur`` column; index year."""
    missing = [c for c in ("year", *OUTFLOW_COLUMNS) if c not in periods.columns]
    if missing:
        raise KeyError(f"periods lacks column(s) {missing}")
    out = periods.groupby("year")[list(OUTFLOW_COLUMNS)].sum()
    out["total_eur"] = out[list(OUTFLOW_COLUMNS)].sum(axis=1)
    return out


def before_after(by_year: pd.DataFrame, switch_year: int) -> tuple[float, float]:
    """Mean yearly total outflow before ``switch_year`` and from it on (NaN if no such year)."""
    years = by_year.index.to_numpy()
    before = by_year.loc[years < switch_year, "total_eur"]
    after = by_year.loc[years >= switch_year, "total_eur"]
    return (
        float(before.mean()) if len(before) else float("nan"),
        float(after.mean()) if len(after) else float("nan"),
    )


def transition_cost(periods: pd.DataFrame) -> float:
    """Transition costs paid over the run (€)."""
    return float(periods["transition_eur"].sum()) if "transition_eur" in periods else 0.0


def contract_decisions(decisions: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Avenants and the end of the contract, as people read them (reasons in the page's language)."""
    cols = ["date", "item", "option", "adopted", "reason"]
    if decisions.empty or "item" not in decisions:
        return pd.DataFrame(columns=[t(f"remun.dec.{c}", lang) for c in cols])
    rows = decisions[decisions["item"].isin(CONTRACT_ITEMS)]
    out = pd.DataFrame(
        {
            t("remun.dec.date", lang): rows["date"].astype(str),
            t("remun.dec.item", lang): [t(f"remun.item.{i}", lang) for i in rows["item"]],
            t("remun.dec.option", lang): [_option_label(str(o), lang) for o in rows["option"]],
            t("remun.dec.adopted", lang): [
                t("common.yes" if a else "common.no", lang) for a in rows["adopted"]
            ],
            t("remun.dec.reason", lang): (
                rows["reason_fr"] if lang == "fr" and "reason_fr" in rows else rows["reason"]
            ).astype(str),
        }
    )
    return out.reset_index(drop=True)


def _option_label(option: str, lang: str) -> str:
    key = f"remun.option.{option}"
    return t(key, lang) if has_key(key, lang) else localise_numbers(option, lang)


def workforce_table(chosen: pd.DataFrame, baseline: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per year: in-house and subcontracted FTE, staff transferred and wage bill of the chosen
    run, with the wage bill of the baseline beside it (text in the page's language)."""
    merged = chosen.merge(
        baseline[["year", "wage_bill_eur"]], on="year", how="left", suffixes=("", "_baseline")
    )
    return pd.DataFrame(
        {
            t("ind.year", lang): merged["year"].astype(int).astype(str),
            indicator_label("fte_in_house", lang): [fmt_number(x, lang, 1) for x in merged["fte_in_house"]],
            indicator_label("fte_subcontracted", lang): [
                fmt_number(x, lang, 1) for x in merged["fte_subcontracted"]
            ],
            indicator_label("staff_transferred", lang): [
                fmt_number(x, lang, 1) for x in merged["staff_transferred"]
            ],
            indicator_label("wage_bill_eur", lang): [fmt_eur(x, lang, 0) for x in merged["wage_bill_eur"]],
            t("remun.col.wage_bill_baseline", lang): [
                fmt_eur(x, lang, 0) for x in merged["wage_bill_eur_baseline"]
            ],
        }
    )


# ------------------------------------------------------------------------------------------
# figures (pure)
# ------------------------------------------------------------------------------------------
def _style(fig: go.Figure, title: str, lang: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        template="plotly_white",
        colorway=list(OKABE_ITO),
        separators="," + THOUSANDS_FR if normalise_lang(lang) == "fr" else ".,",
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0.0},
        margin={"l": 80, "r": 30, "t": 90, "b": 60},
        height=height,
    )
    return fig


def option_label(option: str, lang: str) -> str:
    """What happens at the end of the contract, in words."""
    return t(f"remun.at_end.{option}", lang)


def outflow_figure(
    chosen: pd.DataFrame, baseline: pd.DataFrame, switch_year: int, at_end: str, lang: str
) -> go.Figure:
    """Stacked bars of the money leaving the service by line and year: baseline | chosen.

    ``chosen`` and ``baseline`` are :func:`outflow_by_year` tables. Negative values (a loss the
    operator covered) stack below zero.
    """
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        subplot_titles=(t("remun.baseline", lang), option_label(at_end, lang)),
    )
    for col_idx, table in ((1, baseline), (2, chosen)):
        for i, col in enumerate(OUTFLOW_COLUMNS):
            fig.add_trace(
                go.Bar(
                    x=table.index.to_numpy(),
                    y=table[col].to_numpy(),
                    meta=col,
                    name=indicator_label(col, lang),
                    marker_color=OKABE_ITO[i % len(OKABE_ITO)],
                    legendgroup=col,
                    showlegend=col_idx == 1,
                    hovertemplate="%{x}: %{y:,.0f} €<extra>%{fullData.name}</extra>",
                ),
                row=1,
                col=col_idx,
            )
        fig.add_vline(x=switch_year - 0.5, line_dash="dash", line_color=OKABE_ITO[6], row=1, col=col_idx)
    fig.update_xaxes(title_text=t("plot.axis.year", lang), tickformat="d")
    fig.update_yaxes(title_text=t("remun.axis.outflow", lang), tickformat=",.0f", row=1, col=1)
    fig.update_layout(barmode="relative", hovermode="closest")
    return _style(fig, t("remun.outflow.title", lang, year=switch_year), lang, 480)


def price_figure(
    chosen: pd.DataFrame, baseline: pd.DataFrame, switch_year: int, at_end: str, lang: str
) -> go.Figure:
    """Price per m3 of the 120 m3 bill (SISPEA D102.0) each year, chosen and baseline."""
    col = "price_120m3_eur_per_m3"
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=baseline["year"].to_numpy(),
            y=baseline[col].to_numpy(),
            name=t("remun.baseline", lang),
            meta=col,
            mode="lines",
            line={"color": plots.REGIME_COLOURS["concession"], "dash": "dash", "width": 2.5},
        )
    )
    colour = plots.REGIME_COLOURS.get(at_end, plots.REGIME_COLOURS["concession"])
    fig.add_trace(
        go.Scatter(
            x=chosen["year"].to_numpy(),
            y=chosen[col].to_numpy(),
            name=option_label(at_end, lang),
            meta=col,
            mode="lines",
            line={"color": colour, "width": 2.5},
        )
    )
    fig.add_vline(x=switch_year - 0.5, line_dash="dot", line_color=OKABE_ITO[6])
    fig.update_xaxes(title_text=t("plot.axis.year", lang), tickformat="d")
    fig.update_yaxes(title_text=plots.axis_title(col, lang), rangemode="tozero")
    fig.update_layout(hovermode="x unified")
    return _style(fig, t("remun.price.title", lang), lang, 380)


# ------------------------------------------------------------------------------------------
# the page
# ------------------------------------------------------------------------------------------
def _inputs(base: Scenario, lang: str) -> tuple[int, str, dict[str, Any]]:
    ss = st.session_state
    lo, hi = end_year_bounds(base)
    if K + "end_year" not in ss:
        ss[K + "end_year"] = min(max(contract_end_year(base), lo), hi)
    if K + "at_end" not in ss:
        ss[K + "at_end"] = base.governance.concession.at_end
    with st.container(border=True):
        c1, c2, c3 = st.columns(3, gap="medium")
        end_year = c1.number_input(
            t("remun.end_year", lang),
            min_value=lo,
            max_value=hi,
            step=1,
            key=K + "end_year",
            persist_state=PERSIST,
            help=t("remun.end_year.help", lang, start=base.governance.concession.contract_start_year),
        )
        at_end = c1.radio(
            t("remun.at_end", lang),
            OPTIONS,
            key=K + "at_end",
            format_func=lambda o: option_label(o, lang),
            persist_state=PERSIST,
            help=common.widget_help(common.param_at(Scenario, CONCESSION + "at_end"), lang),
        )
        changes = common.widgets_for(
            Scenario, base, SCHEMA_WIDGETS[:2], lang, container=c2, key_prefix=K + "w."
        )
        changes |= common.widgets_for(
            Scenario, base, SCHEMA_WIDGETS[2:], lang, container=c3, key_prefix=K + "w."
        )
        c3.caption(t("remun.inputs.note", lang))
    return int(end_year), str(at_end), changes


def _metrics(
    chosen_out: pd.DataFrame, base_out: pd.DataFrame, chosen: Any, year: int, at_end: str, lang: str
) -> None:
    before, after = before_after(chosen_out, year)
    _, base_after = before_after(base_out, year)
    c1, c2, c3 = st.columns(3)
    c1.metric(
        t("remun.metric.before", lang, year=year),
        fmt_eur(before, lang, 0),
        help=t("remun.metric.outflow.help", lang),
        border=True,
    )
    c2.metric(
        t("remun.metric.after", lang, year=year),
        fmt_eur(after, lang, 0),
        fmt_eur(after - before, lang, 0),
        delta_color="inverse",
        border=True,
        help=option_label(at_end, lang) + ". " + t("remun.metric.outflow.help", lang),
    )
    c3.metric(
        t("remun.metric.baseline_after", lang, year=year),
        fmt_eur(base_after, lang, 0),
        fmt_eur(base_after - before, lang, 0),
        delta_color="inverse",
        border=True,
        help=t("remun.baseline", lang) + ". " + t("remun.metric.outflow.help", lang),
    )
    c4, c5, c6 = st.columns(3)
    c4.metric(
        t("remun.metric.transition", lang),
        fmt_eur(transition_cost(chosen.periods), lang, 0),
        help=t("remun.metric.transition.help", lang),
        border=True,
    )
    transferred = float(chosen.workforce["staff_transferred"].sum())
    c5.metric(
        t("remun.metric.transferred", lang),
        f"{fmt_number(transferred, lang, 1)} {t('unit.fte', lang)}",
        border=True,
    )
    total_saved = float(
        base_out.loc[base_out.index >= year, "total_eur"].sum()
        - chosen_out.loc[chosen_out.index >= year, "total_eur"].sum()
    )
    c6.metric(
        t("remun.metric.kept", lang, year=year),
        fmt_eur(total_saved, lang, 0),
        help=t("remun.metric.kept.help", lang),
        border=True,
    )


def render() -> None:
    """Draw the page in the session's language."""
    lang = common.current_lang()
    st.title(t("remun.title", lang))
    st.markdown(t("remun.intro", lang))
    base = base_scenario()
    end_year, at_end, changes = _inputs(base, lang)
    try:
        chosen_s, baseline_s = scenario_pair(base, end_year, at_end, changes)
    except ScenarioError as exc:
        st.error(t("run.scenario_error", lang) + "\n\n" + exc.format(lang))
        return
    chosen = common.run(chosen_s, lang=lang)
    baseline = common.run(baseline_s, lang=lang)
    if chosen is None or baseline is None:
        return
    if at_end == "retender":
        st.info(t("remun.same_as_baseline", lang))

    chosen_out = outflow_by_year(chosen.periods)
    base_out = outflow_by_year(baseline.periods)
    st.header(t("remun.money.header", lang))
    _metrics(chosen_out, base_out, chosen, end_year, at_end, lang)
    st.plotly_chart(outflow_figure(chosen_out, base_out, end_year, at_end, lang), key=K + "outflow_chart")
    st.caption(t("remun.outflow.note", lang))

    st.header(t("remun.price.header", lang))
    st.plotly_chart(price_figure(chosen.years, baseline.years, end_year, at_end, lang), key=K + "price_chart")

    st.header(t("remun.workforce.header", lang))
    st.plotly_chart(plots.workforce(chosen.workforce, lang), key=K + "workforce_chart")
    st.dataframe(
        workforce_table(chosen.workforce, baseline.workforce, lang),
        hide_index=True,
        key=K + "workforce_table",
    )

    st.header(t("remun.decisions.header", lang))
    tab_chosen, tab_base = st.tabs([option_label(at_end, lang), t("remun.baseline", lang)])
    with tab_chosen:
        st.dataframe(contract_decisions(chosen.decisions, lang), hide_index=True, key=K + "decisions")
    with tab_base:
        st.dataframe(
            contract_decisions(baseline.decisions, lang), hide_index=True, key=K + "decisions_baseline"
        )
    st.caption(t("remun.decisions.note", lang))


if __name__ == "__main__":  # run by st.navigation as a page
    render()
